#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job, `make demo`: in the x86_64 test VM, stable_kfuncs at API 2
# (the level where skf_task_comm_v1 is deprecated, before its removal at 3):
# load it, list what it offers, trace execs and exits through it, load a
# program that uses the deprecated kfunc (warning and skf's verdict), then
# switch the policy to deny and watch the same load be refused. Then the
# newest level's module, with the block tracer built on API 4's families,
# watching a process in its own pid namespace write to null_blk.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

api=2
vm-test/kernel.sh build x86_64 >/dev/null
module=$(vm-test/build-module.sh x86_64 "$api")
newest=$(vm-test/api-levels.sh | tail -1)
newest_module=$(vm-test/build-module.sh x86_64 "$newest")
log "building skf and the example tracers"
# Two builds: with --example, cargo builds only that example, not skf's binary.
cargo build -q -p skf
cargo build -q -p skf-selftests --example exec_exit --example biosnoop
demo=$SKF_REPO/build/demo
mkdir -p "$demo"
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$SKF_REPO/bpf/include" -I"/usr/include/$(uname -m)-linux-gnu" \
	-c selftests/bpf/comm_v1.bpf.c -o "$demo/comm_v1.bpf.o"
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$SKF_REPO/bpf/include" -I"/usr/include/$(uname -m)-linux-gnu" \
	-c bpf/biosnoop.bpf.c -o "$demo/biosnoop.bpf.o"

vm-test/run-vm.sh --arch x86_64 --timeout 900 -- "
set -e
PATH=$SKF_REPO/target/debug:\$PATH
show() { echo; echo \"\\\$ \$*\"; \"\$@\"; }
fails() { echo; echo \"\\\$ \$*\"; if \"\$@\"; then echo 'unexpectedly succeeded'; exit 1; else echo \"(exit \$?)\"; fi; }
section() { echo; echo \"### \$*\"; }

section 'Build and load the module (API $api)'
show uname -r
show insmod $module
show skf kfunc list

section 'The example tracer (bpf/exec_exit.bpf.c) for 8 seconds, while a few commands run'
# Loading and verifying takes seconds under TCG: keep running commands until it is done.
(for i in 1 2 3 4 5 6 7 8; do sleep 1; ls / >/dev/null; cat /proc/version >/dev/null; done) &
show $SKF_REPO/target/debug/examples/exec_exit 8
wait

section 'A program that still calls the deprecated skf_task_comm_v1'
show skf prog check $demo/comm_v1.bpf.o
fails skf prog check --strict $demo/comm_v1.bpf.o
fails skf prog check --api 3 $demo/comm_v1.bpf.o
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
show skf policy get
show bpftool prog load $demo/comm_v1.bpf.o /sys/fs/bpf/skf_demo_v1
rm /sys/fs/bpf/skf_demo_v1
echo; echo '\$ dmesg | grep \"deprecated kfunc\"'; dmesg | grep 'deprecated kfunc'
show skf usage show

section 'Policy deny: the same load is refused'
show skf policy set deny
fails bpftool prog load $demo/comm_v1.bpf.o /sys/fs/bpf/skf_demo_v1
echo; echo '\$ dmesg | grep \"policy deny\"'; dmesg | grep 'policy deny'

section 'Unload: nothing left behind'
show rmmod stable_kfuncs
fails ls /sys/kernel/stable_kfuncs
fails skf kfunc list

section 'API $newest: the block tracer (bpf/biosnoop.bpf.c) on stable names only'
show insmod $newest_module
show skf kfunc list
echo; echo '\$ skf prog check biosnoop.bpf.o  (rated against the loaded module)'
skf prog check $demo/biosnoop.bpf.o
# A "container": its own pid namespace, writing and reading with O_DIRECT,
# every 3 s while the tracer loads (seconds under TCG) and runs.
(for i in 1 2 3; do sleep 3; unshare --pid --fork sh -c 'echo \"container pid \$\$\"; for off in 0 256 512; do dd if=/dev/zero of=/dev/nullb0 bs=4k count=4 seek=\$off oflag=direct status=none; done; dd if=/dev/nullb0 of=/dev/null bs=64k count=1 skip=8 iflag=direct status=none'; done) &
show $SKF_REPO/target/debug/examples/biosnoop 10 /dev/nullb0
wait
show rmmod stable_kfuncs
"
