#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the splat detector run-vm.sh relies on: each report kind must
# be caught (a KCSAN race only where the module's code is on a stack), and
# a clean boot log (which mentions lockdep and kmemleak in
# passing) must not be. Prints a libtest-style result line for check.sh.
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0
expect() {
	local want=$1 name=$2 text=$3 got=0
	printf '%s\n' "$text" >"$tmp" && ./find-splats.sh "$tmp" >/dev/null 2>&1 || got=1
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1)); echo "test $name ... ok"
	else
		failed=$((failed + 1)); echo "test $name ... FAILED"
	fi
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
expect 1 warn_on '[    5.1] WARNING: CPU: 0 PID: 51 at module/stable_kfuncs_main.rs:40 init+0x1/0x2'
expect 1 bug '[    5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008'
expect 1 oops '[    5.1] Oops: general protection fault, probably for non-canonical address'
expect 1 lockdep '[    5.1] WARNING: possible circular locking dependency detected'
expect 1 atomic_sleep '[    5.1] BUG: sleeping function called from invalid context at mm/slab.c:1'
expect 1 rcu '[    5.1] rcu: INFO: rcu_sched self-detected stall on CPU'
expect 1 kasan '[    5.1] BUG: KASAN: slab-use-after-free in skf_rs_task_comm_v2+0x10/0x20'
kcsan_report() {
	printf '%s\n' '[    7.0] ==================================================================' \
		"[    7.0] BUG: KCSAN: data-race in $1 / $2" '[    7.0] ' \
		'[    7.0] write to 0xffff888003a1c000 of 8 bytes by task 88 on cpu 1:' "[    7.0]  $1+0x1d/0x30$3" \
		'[    7.0]  ret_from_fork+0x22/0x30' '[    7.0] ' \
		'[    7.0] read to 0xffff888003a1c000 of 8 bytes by task 87 on cpu 0:' "[    7.0]  $2+0x10/0x20" \
		'[    7.0] ' '[    7.0] value changed: 0x00000000000009a6 -> 0x00000000000009b2' \
		'[    7.0] Reported by Kernel Concurrency Sanitizer on:' \
		'[    7.0] CPU: 0 PID: 87 Comm: soak Not tainted 6.12.117 #1' \
		'[    7.0] =================================================================='
}
expect 1 kcsan_in_the_module "$(kcsan_report skf_c_task_cpu __schedule ' [stable_kfuncs]')"
expect 1 kcsan_cut_short "$(kcsan_report skf_c_task_cpu __schedule ' [stable_kfuncs]' | head -6)"
expect 0 kcsan_in_the_kernel_alone "$(kcsan_report __schedule try_to_wake_up '')"
expect 1 kmemleak 'unreferenced object 0xffff888003a1c000 (size 64):'
expect 1 call_trace '[    5.1] Call Trace:'
expect 0 clean_boot "$(printf '%s\n' \
	'[    0.0] Linux version 6.12.117 (root@host) (Debian clang version 14.0.6)' \
	'[    0.1]  Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar' \
	'[    0.1] ... MAX_LOCKDEP_SUBCLASSES:  8' \
	'[    0.9] kmemleak: Kernel memory leak detector initialized (mem pool available: 15888)' \
	'[    2.0] overlayfs: failed to set xattr on upper' \
	'[    9.0] stable_kfuncs: prog '"'"'x'"'"' loaded by pid 60 (t) calls deprecated kfunc skf_task_comm_v1')"
echo "test result: $([ $failed = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed; 0 ignored"
[ $failed = 0 ]
