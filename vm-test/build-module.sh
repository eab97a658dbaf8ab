#!/usr/bin/env bash
# Builds stable_kfuncs.ko for one (architecture, API level) cell in its own
# copy under build/, so cells never share object files. Prints the .ko path.
# Warnings are errors here (KCFLAGS/KRUSTFLAGS): the module must build
# warning-free, and a failed object is never left behind to hide them.
#
#   build-module.sh ARCH API [skewed|no-counting]
#
# "skewed" builds the layout guard's fault injection (C offsets off by 8),
# which must refuse to load; "no-counting" the benchmark's build without
# call-counting code.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$(normalize_arch "$1")
api=$2
variant=${3:-}
case "$variant" in
"") variant_vars=() ;;
skewed) variant_vars=(SKF_LAYOUT_SKEW=8) ;;
no-counting) variant_vars=(SKF_NO_CALL_COUNTING=1) ;;
*) die "unknown module variant '$variant' (use skewed or no-counting)" ;;
esac
kdir=$("$SKF_REPO/vm-test/kernel.sh" path "$arch")
dir=$SKF_REPO/build/module/$arch-api$api${variant:+-$variant}
mkdir -p "$dir"
# Sources only: an in-tree build's artifacts (its .mod lists absolute
# object paths) must not leak into the cell. Artifacts already in $dir are
# excluded from --delete, so rebuilds stay incremental.
rsync -a --delete --include='*/' --include='Kbuild' --include='*.rs' --include='*.c' --include='*.h' \
	--include='*.toml' --exclude='*' "$SKF_REPO/Kbuild" "$SKF_REPO/module" "$dir/" >/dev/null
log "building stable_kfuncs.ko for $arch at API $api${variant:+ ($variant)}"
make -s -C "$kdir" M="$dir" ARCH="$arch" LLVM=1 SKF_API="$api" "${variant_vars[@]}" \
	KCFLAGS=-Werror KRUSTFLAGS=-Dwarnings modules >"$dir/build.log" 2>&1 ||
	{ cat "$dir/build.log" >&2; die "module build failed for $arch API $api (warnings count as errors)"; }
echo "$dir/module/stable_kfuncs.ko"
