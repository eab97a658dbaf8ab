#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints the LLVM= value for building modules against kernel tree $1, from
# the compiler its .config records: "-N" for clang N where clang-N is
# installed (Debian's versioned LLVM), "1" for the default clang, nothing for
# gcc. Modules must be built with the kernel's own compiler.
config=$1/.config
[ -f "$config" ] || { echo "error: $config not found: KDIR must be a configured kernel tree" >&2; exit 1; }
grep -qx CONFIG_CC_IS_CLANG=y "$config" || exit 0
major=$(sed -n 's/^CONFIG_CLANG_VERSION=\([0-9]*\)[0-9]\{4\}$/\1/p' "$config")
if [ -n "$major" ] && command -v "clang-$major" >/dev/null; then echo "-$major"; else echo 1; fi
