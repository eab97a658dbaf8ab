#!/usr/bin/env bash
# The test suite behind `make check`: host-side cargo tests, then one VM cell
# per (architecture, API level), each running the selftests against the
# module built for it. Ends with one summary line, "N passed, N failed".
#
#   check.sh [--arch A]... [--api N]...   (default: every arch, every level)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

archs=() apis=()
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) archs+=("$(normalize_arch "$2")"); shift 2 ;;
	--api) apis+=("$2"); shift 2 ;;
	*) die "unknown option '$1' (usage: check.sh [--arch A]... [--api N]...)" ;;
	esac
done
[ ${#archs[@]} -gt 0 ] || archs=(x86_64 arm64)
[ ${#apis[@]} -gt 0 ] || apis=($(vm-test/api-levels.sh))

passed=0 failed=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Adds the counts of libtest's "test result:" lines in file $2 under label $1.
# A step that failed without a failing test (build error, VM crash, splat)
# still counts as one failure, so nothing that broke can read as green.
count() {
	local label=$1 log=$2 step_rc=$3 p f
	p=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc || true)
	f=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc || true)
	p=${p:-0} f=${f:-0}
	if [ "$step_rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	printf '%-28s %4d passed, %d failed%s\n' "$label" "$p" "$f" \
		"$([ "$step_rc" = 0 ] || echo " (exit $step_rc; log: $log)")" >>"$results/summary"
}

step() {
	local label=$1 log rc=0
	shift
	log=$SKF_REPO/build/logs/${label//[^A-Za-z0-9_.-]/_}.log
	mkdir -p "$(dirname "$log")"
	log "$label"
	"$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	count "$label" "$log" "$rc"
}

rust_target() {
	case "$1" in
	x86_64) echo x86_64-unknown-linux-gnu ;;
	arm64) echo aarch64-unknown-linux-gnu ;;
	esac
}

# Prints the paths of the selftest binaries cross-built for arch $1.
build_selftests() {
	local json
	json=$(cargo test -p skf-selftests --no-run --target "$(rust_target "$1")" --message-format=json-render-diagnostics) ||
		return
	echo "$json" | grep -o '"executable":"[^"]*"' | cut -d'"' -f4
}

vm_cell() {
	local arch=$1 api=$2 module skewed bins
	# `step` runs this behind `||`, where bash ignores set -e: check each step.
	vm-test/kernel.sh build "$arch" >/dev/null || return
	module=$(vm-test/build-module.sh "$arch" "$api") || return
	skewed=$(vm-test/build-module.sh "$arch" "$api" skewed) || return
	bins=$(build_selftests "$arch") || return
	bins=$(echo $bins)
	[ -n "$bins" ] || { echo "error: no selftest binaries were built for $arch" >&2; return 1; }
	vm-test/run-vm.sh --arch "$arch" --timeout 900 -- \
		"SKF_ARCH=$arch SKF_API=$api SKF_MODULE=$module SKF_MODULE_SKEWED=$skewed" \
		"sh vm-test/guest-selftests.sh $bins"
}

step "host: cargo test" cargo test --workspace --exclude skf-selftests
for arch in "${archs[@]}"; do
	for api in "${apis[@]}"; do
		step "vm: $arch api$api" vm_cell "$arch" "$api"
	done
done

echo
echo "=== summary ==="
cat "$results/summary"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
