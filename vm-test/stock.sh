#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's stock kernels: the module built for a distribution's kernel ABI.
#
#   stock.sh toolchain KVER        make KVER's chroot: its suite, headers and compilers
#   stock.sh headers KVER          make KVER's headers build Rust modules, print their path
#   stock.sh path KVER             print that path; fail if not made yet
#   stock.sh boot KVER             fetch KVER's image and the modules a test VM
#                                  loads; print the image, then the modules in load order
#   stock.sh kernel-debs KVER      print the kernel packages `boot` fetched
#   stock.sh make KVER DIR ARG...  run the module's Makefile in DIR, `make -C DIR
#                                  KDIR=HEADERS ARG...`, in the chroot, as dkms does
#                                  (vm-test/build-module.sh x86_64-7.2-debian API builds one)
#   stock.sh kernel-crate KVER OUT PATCHES  build a kernel crate for KVER (a kernel
#                                  without Rust) into the chroot's OUT, with the
#                                  patches in host directory PATCHES
#   stock.sh dkms KVER DEB OUTDIR  install, remove and purge the stable-kfuncs-dkms package
#                                  DEB in the chroot; what dkms built goes to OUTDIR
#
# KVER is a Debian kernel ABI, e.g. 7.2.13+deb14-amd64 (lib.sh: SKF_STOCK_KVERS).
#
# A kernel built with CONFIG_RUST (sid's 7.2): Debian's headers package lacks
# the kernel crates' metadata an out-of-tree Rust module builds against, and
# packaging/rust-overlay.sh rebuilds it from Debian's own linux-source
# package with the exact rustc the kernel was built with. A kernel built
# without (Debian 13's 6.12): module/kernel-crate/build.sh builds a kernel
# crate the module links in, with the suite's rustc. Either runs as dkms does
# on a user's machine, in a chroot of the kernel's suite (lib.sh:
# stock_suites) holding its gcc. Nothing on the host comes from those
# suites: the chroot is cached under $SKF_CACHE/stock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The Debian archive this host's apt uses.
mirror() {
	local uri
	uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(http[^ ]*\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$uri" ] || die "no Debian archive found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
	echo "$uri"
}

root_of() { echo "$SKF_CACHE/stock/$1/root"; }

# Runs "$@" in KVER $1's chroot, with /proc, /sys and /dev mounted for the
# duration of the command.
in_root() {
	local root
	root=$(root_of "$1")
	shift
	# A run killed midway may have left these mounted.
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	mountpoint -q "$root/sys" || mount -t sysfs sys "$root/sys"
	mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
	local rc=0
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	# Lazily: a process the command started (dkms's) may still be exiting.
	umount -l "$root/dev" "$root/sys" "$root/proc"
	return "$rc"
}

# A config value of KVER $1's headers (quotes removed).
config_of() {
	sed -n "s/^$2=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$(root_of "$1")/usr/src/linux-headers-$1/.config"
}

# The chroot of KVER $1's suite with its headers and the toolchain its
# .config names.
toolchain() {
	local kver=$1 root pkg gcc suites suite cc compilers
	root=$(root_of "$kver")
	[ -f "$root/.skf-toolchain" ] && return
	command -v debootstrap >/dev/null || die "debootstrap not found: run 'make deps'"
	suites=($(stock_suites "$kver"))
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		log "debootstrap ${suites[0]} into $root (the stock kernel's toolchain; about 1 minute)"
		rm -rf "$root" && mkdir -p "$root"
		debootstrap --variant=minbase "${suites[0]}" "$root" "$(mirror)" >"$root.debootstrap.log" 2>&1 ||
			{ tail -20 "$root.debootstrap.log" >&2; die "debootstrap failed; log: $root.debootstrap.log"; }
	fi
	for suite in "${suites[@]}"; do
		case "$suite" in
		*-security) echo "deb $(mirror)-security $suite main" ;;
		*) echo "deb $(mirror) $suite main" ;;
		esac
	done >"$root/etc/apt/sources.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# A mirror snapshot may carry an expired Release file.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99skf-no-valid-until"
	log "installing linux-headers-$kver in the chroot"
	in_root "$kver" apt-get update -q >/dev/null
	if [ "$(kver_arch "$kver")" = "$(dpkg --print-architecture)" ]; then
		in_root "$kver" apt-get install -y -q --no-install-recommends "linux-headers-$kver" >/dev/null ||
			die "linux-headers-$kver is not in Debian's ${suites[*]}: name a kernel ABI they carry (apt-cache search linux-headers)"
		pkg=$(in_root "$kver" dpkg-query -W -f '${Version}' "linux-headers-$kver")
	else
		pkg=$(foreign_headers "$kver")
	fi
	gcc=gcc-$(($(config_of "$kver" CONFIG_GCC_VERSION) / 10000))
	[ "$gcc" != gcc-0 ] || die "$kver was not built with gcc: only Debian's gcc-built kernels are supported"
	# The kernel's compiler by its .config's name, e.g. aarch64-linux-gnu-gcc-14:
	# a cross compiler (package gcc-14-aarch64-linux-gnu) on another architecture.
	cc=$(config_of "$kver" CONFIG_CC_VERSION_TEXT | cut -d' ' -f1)
	compilers=("$gcc")
	[ "${cc%-gcc-*}" = "$(gcc -dumpmachine)" ] || compilers+=("$gcc-${cc%-gcc-*}")
	log "installing rustc, bindgen, ${compilers[*]} and linux-source-$(kver_series "$kver") $pkg in the chroot (about 4 minutes)"
	in_root "$kver" apt-get install -y -q --no-install-recommends rustc rust-src bindgen "${compilers[@]}" make flex bison bc \
		libelf-dev libssl-dev python3 pahole kmod xz-utils zstd openssl patch "linux-source-$(kver_series "$kver")=$pkg" >/dev/null
	touch "$root/.skf-toolchain"
}

# Headers of another architecture's KVER $1 (cross-building, as Debian's
# arm64 headers allow with CROSS_COMPILE): the package's files unpacked, and
# its architecture-independent dependencies (the common headers, the kbuild
# tools) installed. Prints the package's version.
foreign_headers() {
	local kver=$1 arch root deb
	arch=$(kver_arch "$kver")
	root=$(root_of "$kver")
	in_root "$kver" dpkg --add-architecture "$arch"
	in_root "$kver" apt-get update -q >/dev/null
	rm -rf "$root/build/headers" && mkdir -p "$root/build/headers"
	in_root "$kver" sh -c "cd /build/headers && apt-get download -q linux-headers-$kver:$arch" >/dev/null 2>&1 ||
		die "linux-headers-$kver:$arch is not in Debian's $(stock_suites "$kver"): name a kernel ABI they carry"
	deb=$(ls "$root"/build/headers/*.deb)
	in_root "$kver" apt-get install -y -q --no-install-recommends \
		$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -nE 's/^ *(linux-(headers-[^ ]*-common|kbuild-[^ ]*)).*/\1/p') >/dev/null
	dpkg-deb -x "$deb" "$root"
	dpkg-deb -f "$deb" Version
}

# Whether KVER $1's kernel was built with Rust (its headers installed).
has_rust() { grep -qx 'CONFIG_RUST=y' "$(root_of "$1")/usr/src/linux-headers-$1/.config"; }

# Whether KVER $1's headers are ready to build the module.
prepared() {
	[ -f "$(root_of "$1")/usr/src/linux-headers-$1/.skf-rust-overlay" ] || [ -f "$(root_of "$1")$SKF_STOCK_KERNEL_CRATE/.skf-complete" ]
}

# Makes KVER $1's headers in the chroot build the module, with the same
# scripts as dkms on a user's machine: a Rust kernel's headers get the kernel
# crates' metadata (packaging/rust-overlay.sh), a kernel without Rust a
# kernel crate of the module's own (module/kernel-crate/build.sh).
overlay() {
	local kver=$1 root
	root=$(root_of "$kver")
	prepared "$kver" && return
	toolchain "$kver"
	if has_rust "$kver"; then
		install -D "$SKF_REPO/packaging/rust-overlay.sh" "$root/build/rust-overlay.sh"
		in_root "$kver" env SKF_OVERLAY_WORK=/build /build/rust-overlay.sh "$kver"
	else
		kernel_crate "$kver" "$SKF_STOCK_KERNEL_CRATE" "$SKF_REPO/module/kernel-crate"
	fi
}

# Builds the kernel crate for KVER $1 (a kernel without Rust) into chroot
# directory $2, with the patches in host directory $3.
kernel_crate() {
	local kver=$1 out=$2 patches=$3 root
	root=$(root_of "$kver")
	toolchain "$kver"
	rm -rf "$root/build/kernel-crate-script" && mkdir -p "$root/build/kernel-crate-script/patches"
	cp "$SKF_REPO/module/kernel-crate/build.sh" "$root/build/kernel-crate-script/"
	cp $(ls "$patches"/*.patch 2>/dev/null) "$root/build/kernel-crate-script/patches/" 2>/dev/null || true
	in_root "$kver" env SKF_KERNEL_CRATE_PATCHES=/build/kernel-crate-script/patches \
		/build/kernel-crate-script/build.sh "/usr/src/linux-headers-$kver" "$out"
}

# What a test VM of KVER $1 loads as modules: the 9p shares its init mounts,
# and null_blk (the block kfuncs' device).
GUEST_MODULES=(9pnet_virtio 9p null_blk)

# Prints module $2 of KVER $1's unpacked modules tree $3 and everything it
# needs, dependencies first, each once (decompressed: busybox insmod reads no xz).
with_dependencies() {
	local kver=$1 name=$2 tree=$3 xz ko dep
	xz=$(find "$tree" -name "$name.ko.xz" | head -1)
	[ -n "$xz" ] || die "$name.ko.xz is not in linux-modules-$kver"
	ko=$(dirname "$tree")/ko/$name.ko
	if [ ! -f "$ko" ]; then
		mkdir -p "$(dirname "$ko")"
		xz -dc "$xz" >"$ko.part" && mv "$ko.part" "$ko"
	fi
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		with_dependencies "$kver" "$dep" "$tree"
	done
	echo "$ko"
}

# Fetches Debian's image and modules packages of KVER $1 once; prints the
# image, then the guest's modules in load order.
boot() {
	local kver=$1 dir root
	dir=$SKF_CACHE/stock/$kver/boot
	if [ ! -f "$dir/.skf-unpacked" ]; then
		toolchain "$kver"
		root=$(root_of "$kver")
		packages=$(stock_image_packages "$kver" | sed "s/\( \|$\)/:$(kver_arch "$kver")\1/g")
		log "fetching $packages (about 125 MB)"
		rm -rf "$root/build/debs" "$dir" && mkdir -p "$root/build/debs" "$dir"
		in_root "$kver" sh -c "cd /build/debs && apt-get download -q $packages" >/dev/null 2>&1 ||
			die "could not fetch $packages from Debian's $(stock_suites "$kver")"
		for deb in "$root"/build/debs/*.deb; do dpkg-deb -x "$deb" "$dir/tree"; done
		touch "$dir/.skf-unpacked"
	fi
	# 7.x packages keep the image beside the modules, 6.12's in /boot.
	local image
	for image in "$dir/tree/usr/lib/modules/$kver/vmlinuz" "$dir/tree/boot/vmlinuz-$kver" ""; do
		[ ! -f "$image" ] || break
	done
	[ -n "$image" ] || die "no vmlinuz in $(stock_image_packages "$kver")"
	echo "$image"
	local m
	for m in "${GUEST_MODULES[@]}"; do with_dependencies "$kver" "$m" "$dir/tree"; done | awk '!seen[$0]++'
}

# The kernel packages boot() fetched for KVER $1 (linux-image-, or
# linux-binary- and linux-modules-).
kernel_debs() {
	ls "$(root_of "$1")"/build/debs/*.deb
}

# Installs the stable-kfuncs-dkms package $2 in KVER $1's chroot as a user
# would (dpkg -i: its postinst has dkms build and install the module for
# each kernel with headers), copies what dkms installed for KVER into
# directory $3, then removes and purges the package: nothing of it may be
# left.
dkms_round() {
	local kver=$1 deb=$2 out=$3 root built left name
	overlay "$kver"
	root=$(root_of "$kver")
	if [ ! -x "$root/usr/sbin/dkms" ]; then
		log "installing dkms in the chroot"
		in_root "$kver" apt-get install -y -q --no-install-recommends dkms >/dev/null
	fi
	name=$(basename "$deb")
	cp "$deb" "$root/build/$name"
	in_root "$kver" dpkg -i "/build/$name" >&2 || die "dpkg -i $name failed in the chroot"
	built=$(find "$root/usr/lib/modules/$kver/updates/dkms" -name 'stable_kfuncs.ko*' 2>/dev/null | head -1)
	[ -n "$built" ] || die "dkms did not install stable_kfuncs.ko for $kver (see $root/var/lib/dkms/stable-kfuncs/*/build/make.log)"
	log "dpkg -i $name: dkms built and installed ${built#"$root"}"
	# dkms compresses as the kernel's own modules are (trixie's: xz); the
	# guest test loads it with insmod, as a file of its own.
	case $built in
	*.xz) xz -dc "$built" ;;
	*.zst) zstd -dc "$built" ;;
	*.gz) gzip -dc "$built" ;;
	*) cat "$built" ;;
	esac >"$out/stable_kfuncs.ko"
	in_root "$kver" dpkg -r stable-kfuncs-dkms >&2 || die "dpkg -r stable-kfuncs-dkms failed in the chroot"
	left=$(dkms_leftovers "$root")
	[ -z "$left" ] || die "dpkg -r stable-kfuncs-dkms left: $left"
	in_root "$kver" dpkg --purge stable-kfuncs-dkms >&2 || die "dpkg --purge stable-kfuncs-dkms failed in the chroot"
	left=$(dkms_leftovers "$root"; in_root "$kver" dpkg-query -W stable-kfuncs-dkms 2>/dev/null || true)
	[ -z "$left" ] || die "dpkg --purge stable-kfuncs-dkms left: $left"
	log "dpkg -r and --purge stable-kfuncs-dkms left nothing"
}

# What of stable-kfuncs-dkms is left in chroot $1: its source, dkms's tree
# and builds, and what dkms's PRE_BUILD (rust-overlay.sh) wrote for dkms.
# The chroot's own overlay (made by overlay() above, with another work
# directory) is not the package's.
dkms_leftovers() {
	local root=$1 stamp
	ls -d "$root"/usr/src/stable-kfuncs-* "$root/var/lib/dkms/stable-kfuncs" "$root"/usr/lib/modules/*/updates/dkms/stable_kfuncs.ko* \
		"$root/var/cache/stable-kfuncs" 2>/dev/null || true
	for stamp in "$root"/usr/src/linux-headers-*/.skf-rust-overlay*; do
		[ -f "$stamp" ] && [ "$(head -1 "$stamp")" = "work /var/cache/stable-kfuncs" ] && echo "$stamp" || true
	done
}

# Runs the module's Makefile in host directory $2 against KVER $1's headers,
# in the chroot, with $2 mounted at the same path; a kernel without Rust
# links the chroot's cached kernel crate.
kbuild() {
	local kver=$1 dir=$2 root rc=0
	shift 2
	overlay "$kver"
	root=$(root_of "$kver")
	mkdir -p "$root$dir"
	mount --bind "$dir" "$root$dir"
	has_rust "$kver" || set -- SKF_KERNEL_CRATE="$SKF_STOCK_KERNEL_CRATE" "$@"
	in_root "$kver" make -C "$dir" KDIR="/usr/src/linux-headers-$kver" "$@" || rc=$?
	umount "$root$dir"
	return "$rc"
}

cmd=${1:-}
kver=${2:-${SKF_STOCK_KVERS[0]}}
if [ "$cmd" != path ]; then
	[ "$(id -u)" = 0 ] || die "stock.sh needs root (debootstrap, chroot)"
	mkdir -p "$SKF_CACHE/stock/$kver"
	# One user of a chroot at a time (a parallel `make`).
	exec 9>"$SKF_CACHE/stock/$kver.lock"
	flock 9
fi
headers=$(root_of "$kver")/usr/src/linux-headers-$kver
case "$cmd" in
make) kbuild "$kver" "${3:?usage: stock.sh make KVER DIR ARG...}" "${@:4}" ;;
boot) boot "$kver" ;;
kernel-debs) kernel_debs "$kver" ;;
kernel-crate) kernel_crate "$kver" "${3:?usage: stock.sh kernel-crate KVER OUT PATCHES}" "${4:?usage: stock.sh kernel-crate KVER OUT PATCHES}" ;;
dkms) dkms_round "$kver" "${3:?usage: stock.sh dkms KVER DEB OUTDIR}" "${4:?usage: stock.sh dkms KVER DEB OUTDIR}" ;;
toolchain) toolchain "$kver" ;;
headers) overlay "$kver" && echo "$headers" ;;
path)
	prepared "$kver" || die "Debian's $kver headers are not prepared for the module: run 'make stock KVER=$kver'"
	echo "$headers"
	;;
*) die "usage: stock.sh toolchain|headers|path|boot|kernel-debs KVER | make KVER DIR ARG... | kernel-crate KVER OUT PATCHES | dkms KVER DEB OUTDIR" ;;
esac
