#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make deb [KVER=]`: Debian packages of this tree, into build/deb/. Prints
# their paths.
#
#   skf_V_ARCH.deb                          skf, its man pages and shell completions
#   stable-kfuncs-dev_V_all.deb             the BPF header, /usr/include/stable_kfuncs.bpf.h
#   stable-kfuncs-dkms_V_all.deb            the module's source, built by dkms for
#                                           each installed kernel with headers
#   stable-kfuncs-modules-KVER_V_amd64.deb  the module built for Debian kernel ABI
#                                           KVER ($SKF_STOCK_KVER, by default sid's; make stock)
#
# V is skf's version (userspace/Cargo.toml).
set -euo pipefail
. "$(dirname "$0")/../vm-test/lib.sh"
cd "$SKF_REPO"

kver=${SKF_STOCK_KVER:-${SKF_STOCK_KVERS[0]}}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' userspace/Cargo.toml | head -1)
[ -n "$version" ] || die "no version in userspace/Cargo.toml"
out=$SKF_REPO/build/deb
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$out" && mkdir -p "$out"

# Writes DEBIAN/control for package $1 (architecture $2) staged in $3, with
# summary $4 and further control fields "$@", and builds it.
build_package() {
	local name=$1 arch=$2 root=$3 summary=$4 field
	shift 4
	mkdir -p "$root/DEBIAN"
	{
		echo "Package: $name"
		echo "Version: $version"
		echo "Architecture: $arch"
		echo "Maintainer: stable-kfuncs developers <stable-kfuncs@localhost>"
		echo "Section: kernel"
		echo "Priority: optional"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
		for field in "$@"; do echo "$field"; done
		echo "Description: $summary"
		echo " stable-kfuncs: versioned, stable kfuncs for BPF programs."
	} >"$root/DEBIAN/control"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out/${name}_${version}_$arch.deb" >/dev/null
	echo "$out/${name}_${version}_$arch.deb"
}

# A maintainer script $2 of the package staged in $1, from stdin.
maintainer_script() {
	mkdir -p "$1/DEBIAN"
	{ echo '#!/bin/sh'; echo 'set -e'; cat; } >"$1/DEBIAN/$2"
	chmod 0755 "$1/DEBIAN/$2"
}

# skf, and the header split from it into -dev.
make -s install DESTDIR="$stage/skf" PREFIX=/usr >/dev/null
mkdir -p "$stage/dev/usr"
mv "$stage/skf/usr/include" "$stage/dev/usr/include"
mkdir -p "$stage/shlibs/debian"
printf 'Source: skf\n\nPackage: skf\nArchitecture: any\n' >"$stage/shlibs/debian/control"
depends=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$stage/skf/usr/bin/skf" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies of skf (is dpkg-dev installed? make deps)"
build_package skf "$(dpkg --print-architecture)" "$stage/skf" "what the running kernel's stable kfuncs offer, and whether BPF objects fit" \
	"Depends: $depends" "Suggests: stable-kfuncs-dkms | stable-kfuncs-modules"
build_package stable-kfuncs-dev all "$stage/dev" "BPF header of the stable kfuncs (stable_kfuncs.bpf.h)" \
	"Suggests: skf, libbpf-dev"

# The dkms source: what Kbuild builds, the Makefile that passes the right
# flags, and the step that makes Debian's headers build Rust modules.
src=$stage/dkms/usr/src/stable-kfuncs-$version
mkdir -p "$src/packaging"
rsync -a --include='*/' --include='Kbuild' --include='*.rs' --include='*.c' --include='*.h' --include='*.toml' \
	--include='*.sh' --include='*.patch' --include='*.py' --exclude='*' Kbuild module "$src/"
cp Makefile "$src/"
cp packaging/rust-overlay.sh "$src/packaging/"
sed "s/@VERSION@/$version/g" packaging/dkms.conf >"$src/dkms.conf"
maintainer_script "$stage/dkms" postinst <<EOF
[ "\$1" = configure ] || exit 0
dkms status -m stable-kfuncs -v $version | grep -q . || dkms add -m stable-kfuncs -v $version
# Every installed kernel with headers; a failed build is reported, not fatal
# to the installation (dkms keeps its log).
for build in /lib/modules/*/build; do
	[ -d "\$build" ] || continue
	kver=\$(basename "\$(dirname "\$build")")
	dkms install -m stable-kfuncs -v $version -k "\$kver" ||
		echo "stable-kfuncs-dkms: could not build for \$kver (see dkms status and /var/lib/dkms/stable-kfuncs/$version/build/make.log)" >&2
done
EOF
maintainer_script "$stage/dkms" prerm <<EOF
dkms remove -m stable-kfuncs -v $version --all >/dev/null 2>&1 || true
EOF
build_package stable-kfuncs-dkms all "$stage/dkms" "stable_kfuncs.ko source, built by dkms for each kernel" \
	"Depends: dkms, make, rustc, rust-src, bindgen, flex, bison, bc, libelf-dev, libssl-dev, pahole, python3, xz-utils, patch" \
	"Suggests: skf, stable-kfuncs-dev" "Conflicts: stable-kfuncs-modules-$kver"

# The module prebuilt for one kernel ABI, at the newest API level.
machine=$(stock_machine "$kver")
ko=$(vm-test/build-module.sh "$machine" "$(vm-test/api-levels.sh | tail -1)")
install -Dm0644 "$ko" "$stage/modules/usr/lib/modules/$kver/updates/stable_kfuncs.ko"
# As Debian's kernel packages ship modules: without DWARF (BTF stays).
strip --strip-debug "$stage/modules/usr/lib/modules/$kver/updates/stable_kfuncs.ko"
for script in postinst postrm; do
	maintainer_script "$stage/modules" "$script" <<EOF
[ -d /usr/lib/modules/$kver ] && depmod -a $kver || true
EOF
done
build_package "stable-kfuncs-modules-$kver" "$(debian_arch x86_64)" "$stage/modules" "stable_kfuncs.ko for Linux $kver" \
	"Depends: $(stock_image_packages "$kver" | cut -d' ' -f1), kmod" "Suggests: skf, stable-kfuncs-dev" "Conflicts: stable-kfuncs-dkms"
