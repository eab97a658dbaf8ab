#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The test suite behind `make check`: host-side cargo tests, then one VM cell
# per (test machine, API level), each running the selftests against the
# module built for it. Ends with one summary line, "N passed, N failed".
#
#   check.sh [--machine M]... [--api N]...
#
# By default, at every level: our builds of x86_64 6.12 and 7.2 and of
# arm64 7.2, and Debian's own kernels (sid's x86_64 7.2, trixie's x86_64
# and arm64 6.12); x86_64-6.12-pahole131-kasan (pahole 1.31 as distributions
# use, KASAN) at the newest level. arm64's 6.12 is Debian 13's kernel, not
# a build of ours: one kernel build less keeps a cold run within CI's 90
# minutes (`--machine arm64-6.12` still runs ours). The tests
# whose subject does not depend on the level run once per machine, in its
# newest level's cell. The machines run side by side, each in its own VM (a
# TCG guest keeps about one host core busy). --arch is the same option as
# --machine.
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
[ ${#machines[@]} -gt 0 ] || machines=(x86_64-6.12 x86_64-7.2 arm64-7.2 x86_64-6.12-pahole131-kasan x86_64-7.2-debian x86_64-6.12-debian13 arm64-6.12-debian13)
[ ${#apis[@]} -gt 0 ] || apis=($(vm-test/api-levels.sh))

# The levels machine $1 runs: all of them on the plain machines and on
# Debian's kernels. A test flavour exists for what its kernel adds, not for
# the matrix: it runs the newest level, where the level-independent tests
# run (the policy's warn and deny paths among them: concurrent_loads on the
# level's deprecated kfunc).
levels_of() {
	if [ -z "$(machine_flavour "$1")" ] || machine_is_stock "$1"; then
		echo "${apis[@]}"
	else
		echo "${apis[-1]}"
	fi
}

# Selftests whose subject is the same at every level (the kfunc safety fixes,
# the policy under concurrent loads, the layout guard): run in the newest
# level's cell only. Each picks its subject from the manifest at that level.
level_independent=(comm_v2_safety concurrent_loads contexts distilled_base init_faults layout_guard log_flood request_socks rss_irqs_off soak syscall_caps sysfs_writes)
# Level-independent selftests whose subject is the machine's own build (its
# bindgen's layouts, its pahole's BTF): every machine runs them.
every_machine=(distilled_base layout_guard)

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

# The oracle selftest's "oracle: K of N agree ..." line of machine $1's cell
# $2 (log $3), into the summary as "oracle: MACHINE CELL K of N agree ...".
# A cell without one counts as a failure: the oracle did not run there.
oracle_line() {
	local line
	line=$(sed -n 's/^oracle: //p' "$3" | tail -1)
	if [ -z "$line" ]; then
		line="did not report (no oracle line in $3)"
		failed=$((failed + 1))
	fi
	echo "oracle: $1 $2 $line" >>"$results/summary"
}

# The log file of the step labelled $1 (its directory made).
log_of() {
	mkdir -p "$SKF_REPO/build/logs"
	echo "$SKF_REPO/build/logs/${1//[^A-Za-z0-9_.-]/_}.log"
}

# Runs "$@" with stderr merged; a failure ends the output with "step exit N".
run_step() { "$@" 2>&1 || echo "step exit $?"; }

# Runs "$@" with its output in build/logs/LABEL.log only; says on stderr
# when it ends, how long it took and how, so a run cut short still shows
# where its time went.
run_quietly() {
	local label=$1 log start
	log=$(log_of "$label")
	shift
	start=$SECONDS
	run_step "$@" >"$log"
	log "$label: done in $((SECONDS - start)) s, exit $(step_rc "$log")"
}

# Runs "$@" with its output shown and in build/logs/LABEL.log; prints the log's path.
run_logged() {
	local label=$1 log
	shift
	log=$(log_of "$label")
	log "$label"
	run_step "$@" | tee "$log" >&2
	echo "$log"
}

step_rc() { sed -n 's/^step exit \([0-9]*\)$/\1/p' "$1" | tail -1 | grep . || echo 0; }

# The lowest turn of the lanes waiting for $1 (build or vm).
first_waiting() { ls "$results" | sed -n "s/^wants-$1\.//p" | sort -n | head -1; }

# Waits until this lane (turn $1) is the lowest-numbered one waiting to
# build, then holds the build lock until the calling subshell exits. Lanes
# build one at a time, in turn order, so the first VM boots after its own
# builds rather than after everyone's (five lanes building at once kept
# both cores busy for 7 minutes before any guest booted); a lane still
# compiling its kernel holds no one up.
take_build_turn() {
	local turn=$1 lock
	touch "$results/wants-build.$turn"
	while :; do
		exec {lock}>"$results/build.lock"
		flock "$lock"
		if [ "$(first_waiting build)" = "$turn" ]; then
			rm "$results/wants-build.$turn"
			return
		fi
		exec {lock}>&-
		sleep 1
	done
}

# Builds what machine $1's guest runs, in build turn $2: prints the skewed
# module, the distilled one, skf for the guest, the cells, the modules skf
# checks, and the selftest binaries, one per line.
build_for_guest() {
	local machine=$1 arch api module skewed distilled skf bins cells="" modules="" levels
	arch=$(machine_arch "$machine")
	levels=($(levels_of "$machine"))
	take_build_turn "$2"
	# The layout guard does not depend on the API level: one faulty build serves all cells.
	skewed=$(vm-test/build-module.sh "$machine" "${levels[-1]}" skewed) || return
	for api in "${levels[@]}"; do
		module=$(vm-test/build-module.sh "$machine" "$api") || return
		cells="$cells $api:$module:$skewed"
		modules="$modules $module"
	done
	# What out-of-tree builds get by default: BTF over a distilled base where
	# the kernel's tools make one, which skf must read without the vmlinux
	# and the module must refuse (distilled_base).
	distilled=$(vm-test/build-module.sh "$machine" "${levels[-1]}" distilled) || return
	# Host skf reads any architecture's module; the guest gets its own build.
	cargo build -q -p skf || return
	skf=$(build_skf "$arch") || return
	bins=$(build_selftests "$arch") || return
	printf '%s\n' "$skewed" "$distilled" "$skf" "$cells" "$modules $distilled" "$(echo $bins)"
}

# Per machine (build turn $2): `skf abi check` on every module build (host),
# then one VM boot that runs the cells of its API levels in turn.
vm_machine() {
	local machine=$1 built skewed distilled skf cells modules bins once each twin left test
	# Called behind `||` by run_logged, where bash ignores set -e: check each step.
	# One kernel compiles at a time: on the 2-core host three side by side
	# took longer than three in turn. A cached kernel is used at once, not
	# after the build another machine is waiting for.
	mkdir -p "$SKF_CACHE/kernel"
	# A stock kernel's chroot is mostly downloading and unpacking: made
	# beside the kernel builds rather than in their queue.
	if machine_is_stock "$machine" && ! vm-test/kernel.sh path "$machine" >/dev/null 2>&1; then
		vm-test/stock.sh toolchain "$(stock_kver "$machine")" || return
	fi
	vm-test/kernel.sh path "$machine" >/dev/null 2>&1 ||
		flock "$SKF_CACHE/kernel/.build.lock" vm-test/kernel.sh build "$machine" >/dev/null ||
		{ rm -f "$results/wants-build.$2"; return 1; }
	built=$(build_for_guest "$machine" "$2") || return
	{ read -r skewed; read -r distilled; read -r skf; read -r cells; read -r modules; read -r bins; } <<<"$built"
	[ -n "$bins" ] || { echo "error: no selftest binaries were built for $machine" >&2; return 1; }
	# What the guest runs, by digest: every series must get the same bytes
	# (the BPF objects are embedded in the selftests; see same_objects).
	echo "=== binaries"
	sha256sum $bins "$skf" | sed 's| .*/| |'
	echo "=== cell $machine abi"
	vm-test/abi-check.sh "$machine" "$SKF_REPO/target/debug/skf" $modules "$skewed" || true
	# A stock kernel without Rust: the kernel crate the module links, and its
	# patches (which do not depend on the architecture: x86_64's shows them).
	! is_debian_x86_64 "$machine" || kernel_has "$machine" CONFIG_RUST ||
		vm-test/kernel-crate-check.sh "$machine" $(echo $modules | cut -d' ' -f1) || true
	echo "=== cell $machine vm"
	independent="/($(IFS='|'; echo "${level_independent[*]}"))-[0-9a-f]+\$"
	once=$(echo $bins | tr ' ' '\n' | grep -E "$independent" | paste -sd' ')
	each=$(echo $bins | tr ' ' '\n' | grep -vE "$independent" | paste -sd' ')
	[ "$(echo $once | wc -w)" = "${#level_independent[@]}" ] ||
		{ echo "error: level-independent selftests missing from the build: ${level_independent[*]} (found: $once)" >&2; return 1; }
	twin=$(flavoured_twin "$machine")
	if [ -n "$twin" ]; then
		left=()
		for test in "${level_independent[@]}"; do
			[[ " ${every_machine[*]} " == *" $test "* ]] || { left+=("$test"); once=$(without "$test" $once); }
		done
		echo "=== not run: ${left[*]} (run on $twin, the same kernel source and module under KASAN)"
	fi
	for test in "${!selftest_needs[@]}"; do
		[ "$(without "$test" $once)" != "$once" ] || continue
		kernel_has "$machine" "${selftest_needs[$test]}" && continue
		echo "=== not run: $test (the kernel lacks ${selftest_needs[$test]})"
		once=$(without "$test" $once)
	done
	with_vm_slot "$2" vm-test/run-vm.sh --machine "$machine" --timeout 3600 -- "sh vm-test/guest-selftests.sh $machine '$cells' $skf $distilled '$once' $each"
}

# The binaries among "${@:2}" that are not selftest $1.
without() {
	local test=$1
	shift
	printf '%s\n' "$@" | grep -vE "/$test-[0-9a-f]+\$" | paste -sd' '
}

# The flavoured machine of this run with plain machine $1's architecture and
# series, if any: it runs the level-independent selftests for both, on the
# same source and module with its kernel's checking on (a machine's own
# build, every_machine, is still tested on each).
flavoured_twin() {
	local m
	[ -z "$(machine_flavour "$1")" ] || return 0
	for m in "${machines[@]}"; do
		if [ -n "$(machine_flavour "$m")" ] && ! machine_is_stock "$m" && [ "$(machine_arch "$m")-$(machine_series "$m")" = "$(machine_arch "$1")-$(machine_series "$1")" ]; then
			echo "$m"
			return
		fi
	done
}

# Runs "$@" (a VM, for turn $1) once one of the host's VM slots is free
# and no earlier turn waits for one: one VM per core, and guests boot in
# turn order, longest first, as they build (a short guest taking the slot a
# long one waits for costs minutes at the end). A TCG guest runs on one
# host thread (run-vm.sh), so one core each; more guests than cores only
# share them worse (docs/testing.md). The slots are host-wide, across
# checkouts.
with_vm_slot() {
	local turn=$1 slot fd rc=0
	shift
	mkdir -p "$SKF_CACHE"
	touch "$results/wants-vm.$turn"
	while :; do
		if [ "$(first_waiting vm)" = "$turn" ]; then
			for slot in $(seq "$(nproc)"); do
				exec {fd}>"$SKF_CACHE/vm-slot.$slot"
				if flock -n "$fd"; then
					rm "$results/wants-vm.$turn"
					"$@" || rc=$?
					exec {fd}>&-
					return "$rc"
				fi
				exec {fd}>&-
			done
		fi
		sleep 2
	done
}

# Machines that also run the benchmark, short, after their tests: it must run
# and produce every row (no timing is judged).
bench_machines=(x86_64-6.12 x86_64-7.2)

# One machine (turn $2), quietly (the machines run side by side), then,
# after every machine's guest, its benchmark, or on a distribution's kernel
# this project's packages (vm-test/packages.sh).
vm_lane() {
	run_quietly "vm: $1" vm_machine "$1" "$2"
	[[ " ${bench_machines[*]} " != *" $1 "* ]] ||
		run_quietly "vm: $1 bench (short)" with_vm_slot $(($2 + ${#machines[@]})) vm-test/bench.sh --short "$1"
	! is_debian_x86_64 "$1" || run_quietly "vm: $1 packages" packages_lane "$1" $(($2 + ${#machines[@]}))
}

# Whether machine $1 is one of Debian's x86_64 kernels, whose lane also tests
# this project's Debian packages (packages.sh builds amd64 packages).
is_debian_x86_64() { machine_is_stock "$1" && [ "$(machine_arch "$1")" = x86_64 ]; }

# The packages' test on stock machine $1: the host part at once, the VM part in turn $2.
packages_lane() {
	vm-test/packages.sh "$1" host && with_vm_slot "$2" vm-test/packages.sh "$1" vm
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

lint_step "host: rustfmt --check" vm-test/fmt.sh --check
lint_step "host: cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
host_step "host: cargo test" cargo test --workspace --exclude skf-selftests
host_step "host: splat detector" vm-test/tests/splats.sh
lint_step "host: SPDX lines" vm-test/spdx.sh
log "vm: ${machines[*]}, side by side; their logs follow when all are done"
# The machines whose guests take longest build first, so they boot first:
# flavoured kernels (KASAN), then arm64 guests, then the rest.
by_cost() {
	local machine
	for machine in "$@"; do
		if machine_is_stock "$machine"; then echo "3 $machine"
		elif [ -n "$(machine_flavour "$machine")" ]; then echo "0 $machine"
		elif [ "$(machine_arch "$machine")" = arm64 ]; then echo "1 $machine"
		else echo "2 $machine"
		fi
	done | sort -s -k1,1n | cut -d' ' -f2
}
turn=0
for machine in $(by_cost "${machines[@]}"); do
	# A lane whose kernel is cached queues for its build turn now, so the
	# turns follow by_cost; the others queue once their kernel is built.
	! vm-test/kernel.sh path "$machine" >/dev/null 2>&1 || touch "$results/wants-build.$turn"
	vm_lane "$machine" $turn &
	turn=$((turn + 1))
done
wait
for machine in "${machines[@]}"; do
	log=$(log_of "vm: $machine")
	log "vm: $machine"
	cat "$log" >&2
	failed_before=$failed
	for cell in abi $(levels_of "$machine" | sed -E 's/[0-9]+/api&/g'); do
		awk -v cell="=== cell $machine $cell" '$0 == cell { on = 1; next } /^=== cell / { on = 0 } on' "$log" >"$log.$cell"
		count "$([ "$cell" = abi ] && echo abi || echo vm): $machine $cell" "$log.$cell" 0
		[ "$cell" = abi ] || oracle_line "$machine" "$cell" "$log.$cell"
	done
	sed -n "s|^=== not run: \(.*\)|vm: $machine \1|p" "$log" >>"$results/summary"
	rc=$(step_rc "$log")
	# A VM or build failure that no cell's tests reported.
	if [ "$rc" != 0 ] && [ "$failed" = "$failed_before" ]; then
		count "vm: $machine (build or VM)" /dev/null "$rc"
	fi
done
# The guests of machines $1 and $2 ran the same selftest and skf binaries,
# so the same compiled BPF objects: no per-kernel BPF build.
same_objects() {
	local digests=() machine
	for machine in "$@"; do
		# cargo lists the binaries in no fixed order
		digests+=("$(sed -n '/^=== binaries$/,/^=== cell /{/^===/d;p}' "$(log_of "vm: $machine")" | sort)")
	done
	if [ -n "${digests[0]}" ] && [ "${digests[0]}" = "${digests[1]}" ]; then
		echo "test the same $(echo "${digests[0]}" | wc -l) binaries on $1 and $2 ... ok"
		echo "test result: ok. 1 passed; 0 failed"
	else
		printf '%s:\n%s\n%s:\n%s\n' "$1" "${digests[0]}" "$2" "${digests[1]}"
		echo "test the same binaries on $1 and $2 ... FAILED"
		echo "test result: FAILED. 0 passed; 1 failed"
	fi
}

# The machine that stands for architecture $1 on series $2: our build,
# else Debian's kernel of that series.
series_machine() {
	local m
	for m in "$1-$2" "$1-$2-debian13" "$1-$2-debian"; do
		[[ " ${machines[*]} " != *" $m "* ]] || { echo "$m"; return; }
	done
	return 1
}

# The same kfuncs, from the same BPF objects, on both series, per
# architecture that ran on both.
for arch in x86_64 arm64; do
	older=$(series_machine "$arch" "${SKF_SERIES[0]}") && newer=$(series_machine "$arch" "${SKF_SERIES[-1]}") || continue
	host_step "abi: $older vs $newer" vm-test/abi-across.sh "$SKF_REPO/target/debug/skf" "$older" "$newer" "${apis[@]}"
	host_step "objects: $older vs $newer" same_objects "$older" "$newer"
done
# Our kernel of a series (clang, Rust) and Debian's (gcc, its own config,
# with or without Rust): the same kfuncs.
for machine in "${machines[@]}"; do
	machine_is_stock "$machine" || continue
	ours=$(machine_arch "$machine")-$(machine_series "$machine")
	[[ " ${machines[*]} " == *" $ours "* ]] || continue
	host_step "abi: $ours vs $machine" vm-test/abi-across.sh "$SKF_REPO/target/debug/skf" "$ours" "$machine" $(levels_of "$machine")
	host_step "objects: $ours vs $machine" same_objects "$ours" "$machine"
done
for machine in "${bench_machines[@]}"; do
	[[ " ${machines[*]} " == *" $machine "* ]] || continue
	log=$(log_of "vm: $machine bench (short)")
	log "vm: $machine bench (short)"
	cat "$log" >&2
	count_step "vm: $machine bench (short)" "$(step_rc "$log")"
done
for machine in "${machines[@]}"; do
	is_debian_x86_64 "$machine" || continue
	log=$(log_of "vm: $machine packages")
	log "vm: $machine packages"
	cat "$log" >&2
	count "vm: $machine packages" "$log" "$(step_rc "$log")"
done

echo
echo "=== summary ==="
cat "$results/summary"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
