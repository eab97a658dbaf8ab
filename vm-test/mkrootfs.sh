#!/usr/bin/env bash
# Builds the arm64 guest's initramfs from the arm64 Debian packages that
# deps.sh downloaded, and caches it keyed by those packages and /init.
# Prints the path of the cpio archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

deb_dir=$SKF_CACHE/debs/arm64
init=$SKF_REPO/vm-test/arm64-init
ls "$deb_dir"/*.deb >/dev/null 2>&1 || die "no arm64 packages in $deb_dir: run 'make deps'"
key=$({ ls "$deb_dir"; sha256sum <"$init"; sha256sum <"$0"; } | sha256sum | cut -c1-16)
out=$SKF_CACHE/rootfs/arm64-$key.cpio.gz
if [ ! -f "$out" ]; then
	log "building the arm64 initramfs $out"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for deb in "$deb_dir"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
	cd "$tmp/root"
	mkdir -p bin proc sys dev tmp sbin usr/bin usr/sbin
	ln -sf busybox bin/sh
	install -m 0755 "$init" init
	mkdir -p "$(dirname "$out")"
	find . | cpio -o -H newc --quiet | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "$out"
