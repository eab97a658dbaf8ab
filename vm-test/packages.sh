#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# This project's Debian packages on one of Debian's stock kernels, as a user
# meets them. On the host: builds them (packaging/deb.sh), runs lintian on
# them (no error or warning may remain), installs, removes and purges
# stable-kfuncs-dkms in the chroot of the kernel's suite, where dkms builds
# the module (stock.sh dkms), and signs the packaged module with a new key
# (make sign). In the stock kernel's VM: installs skf,
# stable-kfuncs-dev and stable-kfuncs-modules-KVER with dpkg, loads the
# module with modprobe, lists its kfuncs with skf, loads dkms's and the
# signed build, and removes the packages (guest-packages.sh). Prints
# libtest-style lines.
#
#   packages.sh MACHINE [host|vm]    both parts, or one (check.sh runs the VM part in a VM slot)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

machine=$(normalize_machine "${1:?usage: packages.sh MACHINE [host|vm]}")
kver=$(stock_kver "$machine") || die "$machine is not one of Debian's stock kernels"
out=$SKF_REPO/build/packages/$machine

# One libtest-style test named $1, passed if "${@:2}" succeeds.
host_test() {
	local name=$1
	shift
	if "$@"; then
		printf 'test %s ... ok\ntest result: ok. 1 passed; 0 failed\n' "$name"
	else
		printf 'test %s ... FAILED\ntest result: FAILED. 0 passed; 1 failed\n' "$name"
	fi
}

# The packaged module, signed by `make sign` with a key made for the purpose.
signed_by_a_user_key() {
	local key
	key=$(mktemp -d)
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=stable-kfuncs test MOK/" \
		-outform DER -keyout "$key/mok.priv" -out "$key/mok.der" 2>/dev/null
	dpkg-deb --fsys-tarfile "$out/stable-kfuncs-modules-${kver}_"*.deb |
		tar -xO "./usr/lib/modules/$kver/updates/stable_kfuncs.ko" >"$out/stable_kfuncs.signed.ko"
	make -s sign KDIR="$(vm-test/stock.sh path "$kver")" KEY="$key/mok.priv" CERT="$key/mok.der" \
		MODULE="$out/stable_kfuncs.signed.ko"
	rm -rf "$key"
	[ "$(modinfo -F signer "$out/stable_kfuncs.signed.ko")" = "stable-kfuncs test MOK" ]
}

# lintian on the packages, their .changes and .buildinfo: any error or
# warning fails, and is printed.
lintian_clean() {
	(cd "$out" && lintian --fail-on error,warning ./*.changes 2>&1) | grep -v '^running with root privileges'
	[ "${PIPESTATUS[0]}" = 0 ]
}

host_part() {
	rm -rf "$out" && mkdir -p "$out"
	# One build of the packages at a time: deb.sh replaces build/deb/.
	mkdir -p build
	SKF_STOCK_KVER=$kver flock build/deb.lock sh -c 'packaging/deb.sh >/dev/null && cp build/deb/*.deb build/deb/*.changes build/deb/*.buildinfo "$1"' sh "$out"
	host_test "lintian: no error and no warning on the packages" lintian_clean
	# stock.sh dkms prints its own test lines, and dies at the first failure.
	host_test "stable-kfuncs-dkms in the $(stock_suites "$kver" | cut -d' ' -f1) chroot" vm-test/stock.sh dkms "$kver" "$out"/stable-kfuncs-dkms_*.deb "$out"
	host_test "make sign: the packaged module carries the key's signature" signed_by_a_user_key
}

vm_part() {
	# What the guest has installed, for its dpkg: the packages its initramfs
	# is made of, and its kernel's image.
	vm-test/stock.sh boot "$kver" >/dev/null
	for deb in "$SKF_CACHE/debs/amd64"/*.deb $(vm-test/stock.sh kernel-debs "$kver" | grep "/$(stock_image_packages "$kver" | cut -d' ' -f1)_"); do
		dpkg-deb -f "$deb" Package Version Architecture Multi-Arch
		echo "Status: install ok installed"
		echo
	done >"$out/dpkg-status"
	vm-test/run-vm.sh --machine "$machine" --timeout 900 -- "sh vm-test/guest-packages.sh $out"
}

case "${2:-}" in
"") host_part && vm_part ;;
host) host_part ;;
vm) vm_part ;;
*) die "usage: packages.sh MACHINE [host|vm]" ;;
esac
