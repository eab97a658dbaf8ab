#!/usr/bin/env bash
# Builds stable_kfuncs.ko for one (architecture, API level) cell in its own
# copy under build/, so cells never share object files. Prints the .ko path.
# A compiler warning fails the build: the module must build warning-free.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$(normalize_arch "$1")
api=$2
kdir=$("$SKF_REPO/vm-test/kernel.sh" path "$arch")
dir=$SKF_REPO/build/module/$arch-api$api
mkdir -p "$dir"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$SKF_REPO/Kbuild" "$SKF_REPO/module" "$dir/" >/dev/null
log "building stable_kfuncs.ko for $arch at API $api"
make -s -C "$kdir" M="$dir" ARCH="$arch" LLVM=1 SKF_API="$api" modules >"$dir/build.log" 2>&1 ||
	{ cat "$dir/build.log" >&2; die "module build failed for $arch API $api"; }
if grep -E '(^|[^a-z])warning' "$dir/build.log" >&2; then
	die "module build for $arch API $api has warnings (above): the module must build warning-free"
fi
echo "$dir/module/stable_kfuncs.ko"
