#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make deb [KVER=]`: this tree's Debian packages, into build/deb/, with
# their .changes and .buildinfo. Prints the .debs' paths.
#
#   packaging/deb.sh [--no-modules]
#
#   skf_V_ARCH.deb (and skf-dbgsym)         skf, its man pages and shell completions
#   stable-kfuncs-dev_V_all.deb             the BPF header, /usr/include/stable_kfuncs.bpf.h
#   stable-kfuncs-dkms_V_all.deb            the module's source, built by dkms for
#                                           each installed kernel with headers
#   stable-kfuncs-modules-KVER_V_amd64.deb  the module built for Debian kernel ABI
#                                           KVER ($SKF_STOCK_KVER, by default sid's;
#                                           needs its chroot, make stock)
#
# The first three are debian/'s (dpkg-buildpackage); the last is
# packaging/modules/debian/'s, filled in for KVER, as dkms mkbmdeb makes
# one. V is debian/changelog's version.
set -euo pipefail
. "$(dirname "$0")/../vm-test/lib.sh"
cd "$SKF_REPO"

usage="usage: packaging/deb.sh [--no-modules] (environment: SKF_STOCK_KVER=KVER)"
modules=1
case "${1:-}" in
"") ;;
--no-modules) modules= ;;
-h | --help) echo "$usage"; exit 0 ;;
*) die "$usage" ;;
esac

# debian/control's Build-Depends but the Rust toolchain, which may be
# rustup's (skf needs a newer rustc than bookworm's): dpkg-buildpackage -d
# skips its own check, cargo checks rust-version.
dpkg-checkbuilddeps -d 'debhelper-compat (= 13), dh-sequence-dkms, rsync' ||
	die "install the build dependencies above (make deps)"
command -v cargo >/dev/null || die "cargo not found: install Rust (make deps)"
# The package build is offline (debian/rules): the crates come first.
cargo fetch --locked -q || die "cargo fetch failed: the crates Cargo.lock names must be downloadable once"

out=$SKF_REPO/build/deb
rm -rf "$out" && mkdir -p "$out"

# Runs dpkg-buildpackage -b in directory $1 and moves what it wrote beside
# $1 (the files its .changes lists, and the .changes) into $out.
build() {
	local dir=$1 source changes log file
	source=$(cd "$dir" && dpkg-parsechangelog -SSource)
	changes=${source}_$(cd "$dir" && dpkg-parsechangelog -SVersion)_$(dpkg --print-architecture).changes
	log=$out/$source.build.log
	(cd "$dir" && dpkg-buildpackage -b -us -uc -d) >"$log" 2>&1 ||
		{ tail -30 "$log" >&2; die "dpkg-buildpackage failed in $dir; log: $log"; }
	for file in $(sed -n '/^Files:/,$s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' "$dir/../$changes") "$changes"; do
		mv "$dir/../$file" "$out/"
	done
}

build "$SKF_REPO"

if [ -n "$modules" ]; then
	kver=${SKF_STOCK_KVER:-${SKF_STOCK_KVERS[0]}}
	ko=$(vm-test/build-module.sh "$(stock_machine "$kver")" "$(vm-test/api-levels.sh | tail -1)")
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	src=$tmp/stable-kfuncs-modules-$kver
	mkdir "$src"
	cp -r packaging/modules/debian "$src/"
	sed -e "s/@KVER@/$kver/g" -e "s/@ARCH@/$(debian_arch x86_64)/" \
		-e "s/@IMAGE@/$(stock_image_packages "$kver" | cut -d' ' -f1)/" \
		-e "s/@MAINTAINER@/$(sed -n 's/^Maintainer: //p' debian/control)/" \
		packaging/modules/debian/control.in >"$src/debian/control"
	rm "$src/debian/control.in"
	sed "1s/^stable-kfuncs /stable-kfuncs-modules-$kver /" debian/changelog >"$src/debian/changelog"
	cp debian/copyright "$src/debian/"
	# As Debian's kernel packages ship modules: without DWARF (BTF stays).
	strip --strip-debug -o "$src/stable_kfuncs.ko" "$ko"
	build "$src"
fi
ls "$out"/*.deb
