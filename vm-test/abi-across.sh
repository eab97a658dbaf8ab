#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The promise across kernels: at each API level, the module built for
# machine OLD and the one built for machine NEW (6.12 and 7.2, or our 7.2
# and Debian's) must offer the same kfuncs with the same prototypes,
# classes, lifecycle, program types and verifier flags (`skf abi diff` exits
# 0: identical). Reads the cells' builds under build/module/; ends with a
# libtest-style result line for check.sh.
#
#   abi-across.sh SKF_BIN OLD NEW API...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
skf=$1
old=$(normalize_machine "$2")
new=$(normalize_machine "$3")
shift 3
[ $# -gt 0 ] || die "no API levels given (usage: abi-across.sh SKF_BIN OLD NEW API...)"
old_vmlinux=$("$SKF_REPO/vm-test/kernel.sh" path "$old")/vmlinux
new_vmlinux=$("$SKF_REPO/vm-test/kernel.sh" path "$new")/vmlinux
passed=0 failed=0
for api in "$@"; do
	name="abi diff $old api$api -> $new api$api"
	a=$SKF_REPO/build/module/$old-api$api/module/stable_kfuncs.ko
	b=$SKF_REPO/build/module/$new-api$api/module/stable_kfuncs.ko
	if "$skf" abi diff -B "$old_vmlinux" --new-base-btf "$new_vmlinux" "$a" "$b"; then
		echo "test $name ... ok"
		passed=$((passed + 1))
	else
		echo "test $name ... FAILED"
		failed=$((failed + 1))
	fi
done
echo "test result: $([ "$failed" = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed"
[ "$failed" = 0 ]
