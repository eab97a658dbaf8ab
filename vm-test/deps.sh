#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs everything a fresh machine needs to build the kernels, the module,
# the userspace tools, and to run the VMs. Idempotent: each step first checks
# whether its result is already there, so a second run is a fast no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APT_PACKAGES=(
	linux-source-6.12
	# Kernel build with LLVM=1, BTF, and its host tools.
	clang lld llvm libclang-dev dwarves flex bison bc libelf-dev libssl-dev
	# Linux 7.2 wants LLVM >= 17: bookworm's LLVM 19, for the 7.2 kernels.
	clang-19 lld-19 llvm-19 libclang-19-dev
	# The selftests' BPF objects: __kptr needs BTF type tags (clang >= 15).
	clang-16
	make cpio xz-utils zstd kmod rsync curl
	# Userspace: libbpf-rs builds libbpf against these; bpftool for tests.
	pkg-config zlib1g-dev bpftool
	# pahole 1.31 from vm-test/vendor, for the pahole131 kernel flavour.
	cmake libdw-dev
	# libbpf headers, for compiling BPF objects outside cargo (skf's tests).
	libbpf-dev
	# Cross-linking aarch64 userspace binaries for the arm64 guest.
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross libelf-dev:arm64 zlib1g-dev:arm64
	# The VMs.
	qemu-system-x86 qemu-system-arm busybox-static python3-venv
	# The sid chroot that builds the module for a Debian stock kernel (stock.sh).
	debootstrap
	# This project's Debian packages (packaging/deb.sh) and their check.
	dpkg-dev debhelper dh-dkms lintian
)
# Packages unpacked into the qemu guests' initramfs (see mkrootfs.sh): arm64,
# and amd64 for Debian's stock kernel. Fetched with `apt-get download`, never
# installed on the host.
GUEST_ROOTFS_PACKAGES=(busybox-static libc6 libgcc-s1 libelf1 zlib1g libzstd1 libcap2 libbpf1 bpftool)
# And for Debian's stock kernel, its /bin/sh, dpkg and kmod with what they need, to
# install this project's packages there as a user would (vm-test/packages.sh).
STOCK_GUEST_PACKAGES=(dash dpkg tar libc-bin kmod libkmod2 libssl3 liblzma5 libbz2-1.0 libmd0 libselinux1 libpcre2-8-0 libacl1)

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -qx 'install ok installed' ||
		missing_apt+=("$p")
done
need_update=0
[ ${#missing_apt[@]} -eq 0 ] || need_update=1
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "enabling the arm64 package architecture (for the arm64 guest's userland)"
	dpkg --add-architecture arm64
	need_update=1
fi
if [ $need_update = 1 ]; then
	log "apt-get update"
	apt-get update -q
fi
if [ ${#missing_apt[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing_apt[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_apt[@]}"
fi

for arch in arm64 amd64; do
	deb_dir=$SKF_CACHE/debs/$arch
	mkdir -p "$deb_dir"
	packages=("${GUEST_ROOTFS_PACKAGES[@]}")
	[ "$arch" != amd64 ] || packages+=("${STOCK_GUEST_PACKAGES[@]}")
	for p in "${packages[@]}"; do
		if ! ls "$deb_dir/${p}"_*_$arch.deb >/dev/null 2>&1 && ! ls "$deb_dir/${p}"_*_all.deb >/dev/null 2>&1; then
			log "downloading $p:$arch for the $arch guest initramfs"
			(cd "$deb_dir" && apt-get download -q "$p:$arch")
		fi
	done
done

if ! rustup component list --installed | grep -q '^rust-src'; then
	log "rustup component add rust-src"
	rustup component add rust-src
fi
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
	log "rustup target add aarch64-unknown-linux-gnu"
	rustup target add aarch64-unknown-linux-gnu
fi

# Each series' bindgen in its own root (lib.sh says which and why).
for series in "${SKF_SERIES[@]}"; do
	version=$(series_bindgen_version "$series")
	if [ "$("$(series_bindgen "$series")" --version 2>/dev/null)" != "bindgen $version" ]; then
		log "cargo install bindgen-cli $version (for Linux $series)"
		cargo install -q --locked --force bindgen-cli --version "$version" --root "$SKF_CACHE/bindgen/$version"
	fi
done

# linux-source-7.2 is not in bookworm: fetch that one .deb from Debian's pool
# and unpack it into the cache (never installed, nothing else from sid).
src72=$SKF_CACHE/src-deb/$SKF_72_DEB_VERSION
if [ ! -f "$src72/.skf-unpacked" ]; then
	deb=$SKF_CACHE/debs/src/$SKF_72_DEB
	mkdir -p "$(dirname "$deb")"
	if ! echo "$SKF_72_DEB_SHA256  $deb" | sha256sum -c --status 2>/dev/null; then
		log "downloading $SKF_72_DEB from Debian's pool"
		curl -fsS -o "$deb.part" "$SKF_72_DEB_URL" || die "could not download $SKF_72_DEB_URL"
		echo "$SKF_72_DEB_SHA256  $deb.part" | sha256sum -c --status ||
			die "$SKF_72_DEB_URL does not have the recorded sha256 $SKF_72_DEB_SHA256 (lib.sh)"
		mv "$deb.part" "$deb"
	fi
	rm -rf "$src72" && mkdir -p "$src72"
	dpkg-deb -x "$deb" "$src72"
	touch "$src72/.skf-unpacked"
fi

if [ ! -x "$SKF_VENV/bin/vng" ]; then
	log "installing virtme-ng into $SKF_VENV"
	python3 -m venv "$SKF_VENV"
	"$SKF_VENV/bin/pip" install -q 'virtme-ng==1.42'
fi
log "dependencies are in place"
