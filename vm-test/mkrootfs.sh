#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
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
	# Merged /usr, as Debian has it since 12 (kmod looks for modules in
	# /lib/modules, packages now install them under /usr/lib/modules).
	mkdir -p usr/bin usr/sbin usr/lib/modules/skf proc sys dev tmp
	for dir in bin sbin lib lib64; do
		if [ -d "$dir" ]; then
			mkdir -p "usr/$dir"
			cp -a "$dir/." "usr/$dir/"
			rm -rf "$dir"
		fi
		[ ! -d "usr/$dir" ] || ln -s "usr/$dir" "$dir"
	done
	# dash where the packages bring it (Debian's stock kernel's guest runs
	# Debian's maintainer scripts), busybox's otherwise.
	[ -e bin/sh ] || ln -s busybox bin/sh
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
