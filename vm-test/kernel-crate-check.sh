#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel crate a module links on a kernel built without Rust
# (module/kernel-crate/): each of its patches is needed, and the module
# built with them prints through printk without %pA. Builds the crate once
# more without any patch (cached in the chroot) and shows what each patch
# prevents. Ends with a libtest-style result line for check.sh to count.
#
#   kernel-crate-check.sh MACHINE MODULE.ko
#
# MACHINE is a stock machine without CONFIG_RUST (x86_64-6.12-debian13);
# MODULE.ko a build of the module for it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
machine=$(normalize_machine "$1")
ko=${2:?usage: kernel-crate-check.sh MACHINE MODULE.ko}
kver=$(stock_kver "$machine") || die "$machine is not one of Debian's stock kernels"
! kernel_has "$machine" CONFIG_RUST || die "$machine's kernel has CONFIG_RUST: it links no kernel crate of ours"
root=$SKF_CACHE/stock/$kver/root
passed=0 failed=0
check() {
	local name=$1
	shift
	if "$@"; then echo "test $name ... ok"; passed=$((passed + 1)); else echo "test $name ... FAILED"; failed=$((failed + 1)); fi
}

# The kernel crate's printk format for pr_*!: vsprintf of a kernel without
# CONFIG_RUST prints "(%pA?)" for it and warns.
passes_pA() { grep -qaF '%s: %pA' "$1"; }

no_patches=$(mktemp -d)
trap 'rm -rf "$no_patches"' EXIT
log "building the kernel crate for $kver without its patches (once; about 5 minutes)"
vm-test/stock.sh kernel-crate "$kver" "$SKF_UNPATCHED_KERNEL_CRATE" "$no_patches" >&2

check "kernel crate: $(basename "$ko") passes no %pA to printk" eval '! passes_pA "$ko"'
check "kernel crate: without printk-without-pA.patch, pr_*! passes %pA to printk" \
	passes_pA "$root$SKF_UNPATCHED_KERNEL_CRATE/objects/kernel.o"
# modpost refuses a module that needs a symbol the kernel does not export:
# the unpatched crate needs vrealloc_noprof, which Module.symvers lacks.
needs_unexported_vrealloc() {
	nm -u "$1/objects/helpers.o" | grep -qw vrealloc_noprof &&
		! awk -F'\t' '{ print $2 }' "$root/usr/src/linux-headers-$kver/Module.symvers" | grep -qx vrealloc_noprof
}
check "kernel crate: the patched crate needs no vrealloc_noprof" eval '! needs_unexported_vrealloc "$root$SKF_STOCK_KERNEL_CRATE"'
check "kernel crate: without no-vrealloc.patch, the crate needs vrealloc_noprof, which $kver does not export" \
	needs_unexported_vrealloc "$root$SKF_UNPATCHED_KERNEL_CRATE"
echo "test result: $([ "$failed" = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed"
[ "$failed" = 0 ]
