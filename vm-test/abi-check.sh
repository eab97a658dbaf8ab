#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `skf abi check` on each module build of MACHINE against the manifest and
# the released levels, then on one build with a crafted manifest (a released
# prototype changed), which must fail and name that build. Ends with a
# libtest-style result line for check.sh to count.
#
# A build with a distilled base (.BTF.base) is checked without -B: skf must
# read its BTF over its own base.
#
#   abi-check.sh MACHINE SKF_BIN MODULE.ko...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
machine=$(normalize_machine "$1")
skf=$2
shift 2
[ $# -gt 0 ] || die "no module builds to check (usage: abi-check.sh MACHINE SKF_BIN MODULE.ko...)"
vmlinux=$("$SKF_REPO/vm-test/kernel.sh" path "$machine")/vmlinux
[ -f "$vmlinux" ] || die "$vmlinux is missing: build the kernel with make kernel"
passed=0 failed=0
pass() { echo "test $1 ... ok"; passed=$((passed + 1)); }
fail() { echo "test $1 ... FAILED"; failed=$((failed + 1)); }

has_distilled_base() { llvm-readelf -S "$1" | grep -q ' \.BTF\.base '; }

for ko in "$@"; do
	name="abi check ${ko#"$SKF_REPO"/}"
	base=(-B "$vmlinux")
	if has_distilled_base "$ko"; then
		base=()
		name="$name (over its .BTF.base)"
	fi
	if "$skf" abi check --repo "$SKF_REPO" "${base[@]}" "$ko"; then pass "$name"; else fail "$name"; fi
done

crafted=$(mktemp -d)
trap 'rm -rf "$crafted"' EXIT
mkdir -p "$crafted/module"
cp -r "$SKF_REPO/module/abi" "$crafted/module/"
sed 's/^proto = "u32 skf_task_cpu(/proto = "u64 skf_task_cpu(/' "$SKF_REPO/module/kfuncs.toml" >"$crafted/module/kfuncs.toml"
ko=$1
set +e
out=$("$skf" abi check --repo "$crafted" -B "$vmlinux" "$ko")
rc=$?
set -e
echo "$out"
if [ "$rc" = 2 ] && echo "$out" | grep -qF "$ko: skf_task_cpu: API" && echo "$out" | grep -q "build differs from what the manifest promises: prototype changed"; then
	pass "abi check catches a build that differs from the manifest"
else
	fail "abi check catches a build that differs from the manifest (exit $rc)"
fi
echo "test result: $([ "$failed" = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed"
[ "$failed" = 0 ]
