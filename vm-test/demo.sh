#!/usr/bin/env bash
# The main job, `make demo`: builds stable_kfuncs.ko at API 2 (the level
# where skf_task_comm_v1 is deprecated, before its removal at 3), boots the
# x86_64 test VM, loads it and shows what it offers and how it says so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

api=2
vm-test/kernel.sh build x86_64 >/dev/null
module=$(vm-test/build-module.sh x86_64 "$api")
vm-test/run-vm.sh --arch x86_64 --timeout 600 -- "
set -e
show() { echo; echo \"\\\$ \$*\"; \"\$@\"; }
show uname -r
show insmod $module
show grep stable_kfuncs /proc/modules
show cat /sys/kernel/stable_kfuncs/api_level /sys/kernel/stable_kfuncs/policy
echo; echo '\$ for each kfunc: class since deprecated_in removed_in replacement'
for k in /sys/kernel/stable_kfuncs/kfuncs/*; do
	printf '%-30s %-14s %s %s %s %s\n' \$(basename \$k) \$(cat \$k/class \$k/since \$k/deprecated_in \$k/removed_in \$k/replacement)
done
echo; echo '\$ bpftool btf dump file /sys/kernel/btf/stable_kfuncs | grep -A6 skf_task_comm_v1'
bpftool btf dump file /sys/kernel/btf/stable_kfuncs | grep -A6 \"FUNC 'skf_task_comm_v1'\"
show rmmod stable_kfuncs
echo; echo '\$ dmesg | grep stable_kfuncs'; dmesg | grep stable_kfuncs
"
