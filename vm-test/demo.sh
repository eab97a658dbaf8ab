#!/usr/bin/env bash
# The main job, `make demo`: builds the module, boots the x86_64 test VM and
# shows stable_kfuncs.ko being loaded, inspected through its BTF, and removed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

api=$(vm-test/api-levels.sh | tail -1)
vm-test/kernel.sh build x86_64 >/dev/null
module=$(vm-test/build-module.sh x86_64 "$api")
vm-test/run-vm.sh --arch x86_64 --timeout 600 -- "
set -e
echo '\$ uname -r'; uname -r
echo '\$ insmod stable_kfuncs.ko'; insmod $module
echo '\$ lsmod'; lsmod
echo '\$ bpftool btf dump file /sys/kernel/btf/stable_kfuncs (module part)'
bpftool -B /sys/kernel/btf/vmlinux btf dump file /sys/kernel/btf/stable_kfuncs | grep -A2 skf_
echo '\$ rmmod stable_kfuncs'; rmmod stable_kfuncs
echo '\$ dmesg | grep stable_kfuncs'; dmesg | grep stable_kfuncs
"
