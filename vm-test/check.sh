#!/usr/bin/env bash
# The test suite behind `make check`: host-side cargo tests, then one VM cell
# per (test machine, API level), each running the selftests against the
# module built for it. Ends with one summary line, "N passed, N failed".
#
#   check.sh [--machine M]... [--api N]...
#
# By default: x86_64 and arm64 at every level, and x86_64-pahole131-kasan
# (pahole 1.31 as distributions use, KASAN) at the newest level and the one
# that deprecates skf_task_comm_v1, running every selftest on that kernel. --arch is the
# same option as --machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

machines=() apis=()
while [ $# -gt 0 ]; do
	case "$1" in
	--machine | --arch) machines+=("$(normalize_machine "$2")"); shift 2 ;;
	--api) apis+=("$2"); shift 2 ;;
	*) die "unknown option '$1' (usage: check.sh [--machine M]... [--api N]...)" ;;
	esac
done
[ ${#machines[@]} -gt 0 ] || machines=(x86_64 arm64 x86_64-pahole131-kasan)
[ ${#apis[@]} -gt 0 ] || apis=($(vm-test/api-levels.sh))

# The level that deprecates skf_task_comm_v1, the deprecation selftests'
# subject: where warn warns and counts, and deny refuses.
deprecating_level() {
	awk '/^name = / { kfunc = $3 } kfunc == "\"skf_task_comm_v1\"" && /^deprecated = / { print $3; exit }' module/kfuncs.toml
}

# The levels machine $1 runs: all of them on the plain machines. A flavour
# exists for what its kernel adds, not for the matrix: it runs the newest
# level and the deprecating one (the policy's warn and deny paths).
levels_of() {
	if [ -z "$(machine_flavour "$1")" ]; then
		echo "${apis[@]}"
	else
		printf '%s\n' "${apis[@]}" | grep -xF -e "$(deprecating_level)" -e "${apis[-1]}" | paste -sd' '
	fi
}

passed=0 failed=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Adds the counts of libtest's "test result:" lines in file $2 under label $1.
# A step that failed ($3 != 0) without a failing test (build error, VM crash,
# splat) still counts as one failure, and so does a cell that ran no test:
# nothing that broke, or did nothing, can read as green.
count() {
	local label=$1 log=$2 step_rc=$3 p f
	p=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc || true)
	f=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc || true)
	p=${p:-0} f=${f:-0}
	if [ "$f" = 0 ] && { [ "$step_rc" != 0 ] || [ "$p" = 0 ]; }; then f=1; fi
	tally "$label" "$p" "$f" "$step_rc" "$log"
}

# Adds $2 passed and $3 failed under label $1 to the totals and the summary.
tally() {
	local label=$1 p=$2 f=$3 step_rc=$4 log=$5
	passed=$((passed + p)) failed=$((failed + f))
	printf '%-40s %4d passed, %d failed%s\n' "$label" "$p" "$f" \
		"$([ "$step_rc" = 0 ] || echo " (exit $step_rc; log: $log)")" >>"$results/summary"
}

# A step that is no libtest run (label $1, exit status $2): one pass or one failure.
count_step() {
	local label=$1 step_rc=$2
	if [ "$step_rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	printf '%-28s %4d passed, %d failed%s\n' "$label" $((step_rc == 0)) $((step_rc != 0)) \
		"$([ "$step_rc" = 0 ] || echo " (exit $step_rc)")" >>"$results/summary"
}

# Runs "$@" with its output in build/logs/LABEL.log; prints the log's path.
run_logged() {
	local label=$1 log
	shift
	log=$SKF_REPO/build/logs/${label//[^A-Za-z0-9_.-]/_}.log
	mkdir -p "$(dirname "$log")"
	log "$label"
	{ "$@" 2>&1 || echo "step exit $?"; } | tee "$log" >&2
	echo "$log"
}

step_rc() { sed -n 's/^step exit \([0-9]*\)$/\1/p' "$1" | tail -1 | grep . || echo 0; }

rust_target() {
	case "$1" in
	x86_64) echo x86_64-unknown-linux-gnu ;;
	arm64) echo aarch64-unknown-linux-gnu ;;
	esac
}

# Prints the path of skf cross-built for arch $1.
build_skf() {
	cargo build -q -p skf --target "$(rust_target "$1")" || return
	echo "$SKF_REPO/target/$(rust_target "$1")/debug/skf"
}

# Prints the paths of the selftest binaries cross-built for arch $1 (not
# the examples, which are programs, not tests).
build_selftests() {
	local json
	json=$(cargo test -p skf-selftests --no-run --lib --tests --target "$(rust_target "$1")" --message-format=json-render-diagnostics) ||
		return
	# Test harnesses only: cargo also builds bin targets (the benchmark) for the tests.
	echo "$json" | grep '"test":true' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4
}

# Per machine: `skf abi check` on every module build (host), then one VM
# boot that runs the cells of its API levels in turn.
vm_machine() {
	local machine=$1 arch api module skewed cells="" modules="" bins skf levels
	arch=$(machine_arch "$machine")
	levels=($(levels_of "$machine"))
	# Called behind `||` by run_logged, where bash ignores set -e: check each step.
	vm-test/kernel.sh build "$machine" >/dev/null || return
	# The layout guard does not depend on the API level: one faulty build serves all cells.
	skewed=$(vm-test/build-module.sh "$machine" "${levels[-1]}" skewed) || return
	for api in "${levels[@]}"; do
		module=$(vm-test/build-module.sh "$machine" "$api") || return
		cells="$cells $api:$module:$skewed"
		modules="$modules $module"
	done
	# What pahole >= 1.26 makes by default: BTF over a distilled base, which
	# skf must read without being given the vmlinux.
	if [[ "$(machine_flavour "$machine")" == pahole131-* ]]; then
		modules="$modules $(vm-test/build-module.sh "$machine" "${levels[-1]}" distilled)" || return
	fi
	# Host skf reads any architecture's module; the guest gets its own build.
	cargo build -q -p skf || return
	echo "=== cell $machine abi"
	vm-test/abi-check.sh "$machine" "$SKF_REPO/target/debug/skf" $modules "$skewed" || true
	echo "=== cell $machine vm"
	skf=$(build_skf "$arch") || return
	bins=$(build_selftests "$arch") || return
	bins=$(echo $bins)
	[ -n "$bins" ] || { echo "error: no selftest binaries were built for $arch" >&2; return 1; }
	vm-test/run-vm.sh --machine "$machine" --timeout 1800 -- "sh vm-test/guest-selftests.sh $machine '$cells' $skf $bins"
}

# A host step: run, log and count it under one label.
host_step() {
	local label=$1 log
	shift
	log=$(run_logged "$label" "$@")
	count "$label" "$log" "$(step_rc "$log")"
}

# A host step that checks rather than tests (a linter): one pass, or one
# failure, by its exit status.
lint_step() {
	local label=$1 log rc
	shift
	log=$(run_logged "$label" "$@")
	rc=$(step_rc "$log")
	if [ "$rc" = 0 ]; then tally "$label" 1 0 0 "$log"; else tally "$label" 0 1 "$rc" "$log"; fi
}

lint_step "host: cargo fmt --check" cargo fmt -p skf --check
lint_step "host: cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
host_step "host: cargo test" cargo test --workspace --exclude skf-selftests
host_step "host: splat detector" vm-test/tests/splats.sh
for machine in "${machines[@]}"; do
	log=$(run_logged "vm: $machine" vm_machine "$machine")
	failed_before=$failed
	levels=($(levels_of "$machine"))
	for cell in abi "${levels[@]/#/api}"; do
		awk -v cell="=== cell $machine $cell" '$0 == cell { on = 1; next } /^=== cell / { on = 0 } on' "$log" >"$log.$cell"
		count "$([ "$cell" = abi ] && echo abi || echo vm): $machine $cell" "$log.$cell" 0
	done
	rc=$(step_rc "$log")
	# A VM or build failure that no cell's tests reported.
	if [ "$rc" != 0 ] && [ "$failed" = "$failed_before" ]; then
		count "vm: $machine (build or VM)" /dev/null "$rc"
	fi
done

# The benchmark once, short: it must run and produce every row (no timing is judged).
if [[ " ${machines[*]} " == *" x86_64 "* ]]; then
	log=$(run_logged "vm: x86_64 bench (short)" vm-test/bench.sh --short x86_64)
	count_step "vm: x86_64 bench (short)" "$(step_rc "$log")"
fi

echo
echo "=== summary ==="
cat "$results/summary"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
