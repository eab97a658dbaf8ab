#!/usr/bin/env bash
# Builds the initramfs of a qemu guest (arm64, or Debian's stock x86_64
# kernel) from the Debian packages deps.sh downloaded for architecture ARCH,
# plus the kernel modules KO... its /init loads in that order, and caches it
# keyed by all of them and /init. Prints the path of the cpio archive.
#
#   mkrootfs.sh ARCH [KO...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$(normalize_arch "${1:?usage: mkrootfs.sh ARCH [KO...]}")
shift
deb_dir=$SKF_CACHE/debs/$(debian_arch "$arch")
init=$SKF_REPO/vm-test/guest-init
ls "$deb_dir"/*.deb >/dev/null 2>&1 || die "no $arch guest packages in $deb_dir: run 'make deps'"
key=$({ ls "$deb_dir"; sha256sum <"$init"; sha256sum <"$0"; for ko in "$@"; do sha256sum "$ko"; done; } | sha256sum | cut -c1-16)
out=$SKF_CACHE/rootfs/$arch-$key.cpio.gz
if [ ! -f "$out" ]; then
	log "building the $arch initramfs $out"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for deb in "$deb_dir"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
	cd "$tmp/root"
	mkdir -p bin proc sys dev tmp sbin usr/bin usr/sbin lib/modules/skf
	ln -sf busybox bin/sh
	install -m 0755 "$init" init
	for ko in "$@"; do
		cp "$ko" lib/modules/skf/
		basename "$ko" >>lib/modules/skf/order
	done
	mkdir -p "$(dirname "$out")"
	find . | cpio -o -H newc --quiet | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "$out"
