#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds stable_kfuncs.ko for one (architecture, API level) cell in its own
# copy under build/, so cells never share object files. Prints the .ko path.
# Warnings are errors here (KCFLAGS/KRUSTFLAGS): the module must build
# warning-free, and a failed object is never left behind to hide them.
#
#   build-module.sh MACHINE API [skewed|distilled|no-counting]
#
# MACHINE is a test machine (lib.sh): the module is built against its kernel
# with the pahole that kernel was built with. Variants:
#   skewed       the layout guard's fault injection (C offsets and sizes off by
#                8), which must refuse to load
#   distilled    the default build of out-of-tree modules: module BTF with a
#                distilled base (.BTF.base) where pahole >= 1.26 (6.12) or
#                resolve_btfids (7.2) make one; skf must read it, the module
#                must refuse it (selftest distilled_base)
#   no-counting  the benchmark's build without call-counting code
set -euo pipefail
. "$(dirname "$0")/lib.sh"

machine=$(normalize_machine "$1")
arch=$(machine_arch "$machine")
api=$2
variant=${3:-}
# Plain split BTF, as the Makefile builds by default (see there).
no_distilled_base=(MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS=)
case "$variant" in
"") extra=("${no_distilled_base[@]}") ;;
skewed) extra=("${no_distilled_base[@]}" SKF_LAYOUT_SKEW=8) ;;
distilled) extra=(SKF_DISTILLED_BASE=1) ;;
no-counting) extra=("${no_distilled_base[@]}" SKF_NO_CALL_COUNTING=1) ;;
*) die "unknown module variant '$variant' (use skewed, distilled or no-counting)" ;;
esac
dir=$SKF_REPO/build/module/$machine-api$api${variant:+-$variant}
mkdir -p "$dir"
# Sources only: an in-tree build's artifacts (its .mod lists absolute
# object paths) must not leak into the cell. Artifacts already in $dir are
# excluded from --delete, so rebuilds stay incremental.
rsync -a --delete --include='*/' --include='Kbuild' --include='Makefile' --include='*.rs' --include='*.c' --include='*.h' \
	--include='*.toml' --include='*.sh' --include='*.py' --include='*.patch' --exclude='*' \
	"$SKF_REPO/Kbuild" "$SKF_REPO/Makefile" "$SKF_REPO/module" "$dir/" >/dev/null
log "building stable_kfuncs.ko for $machine at API $api${variant:+ ($variant)}"
make_args=(-s SKF_API="$api" "${extra[@]}" KCFLAGS=-Werror KRUSTFLAGS=-Dwarnings)
if machine_is_stock "$machine"; then
	# Debian's headers, with Debian's compilers, in the chroot that has them,
	# through the top-level Makefile as dkms builds it.
	kbuild=("$SKF_REPO/vm-test/stock.sh" make "$(stock_kver "$machine")" "$dir" "${make_args[@]}" module)
else
	kdir=$("$SKF_REPO/vm-test/kernel.sh" path "$machine")
	kbuild=(make -C "$kdir" M="$dir" ARCH="$arch" LLVM="$("$SKF_REPO/module/kdir-llvm.sh" "$kdir")"
		PAHOLE="$("$SKF_REPO/vm-test/kernel.sh" pahole "$machine")" "${make_args[@]}" modules)
fi
"${kbuild[@]}" >"$dir/build.log" 2>&1 ||
	{ cat "$dir/build.log" >&2; die "module build failed for $machine API $api (warnings count as errors)"; }
echo "$dir/module/stable_kfuncs.ko"
