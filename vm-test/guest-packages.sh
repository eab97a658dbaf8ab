#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in Debian's stock kernel's VM (vm-test/packages.sh): this project's
# packages, installed and removed with dpkg as a user would. Prints
# libtest-style lines; exits non-zero if any step failed.
#
#   guest-packages.sh DIR
#
# DIR holds the packages (packaging/deb.sh), dpkg-status (what this guest
# has installed: its initramfs's packages and its kernel's) and what dkms
# built in the sid chroot (stable_kfuncs.ko), and the packaged module signed
# by make sign (stable_kfuncs.signed.ko).
dir=$1
kver=$(uname -r)
passed=0 failed=0
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		echo "test $name ... ok"
		passed=$((passed + 1))
	else
		printf '%s\n' "$out"
		echo "test $name ... FAILED"
		failed=$((failed + 1))
	fi
}

mkdir -p /var/lib/dpkg/info /var/lib/dpkg/updates /var/lib/dpkg/triggers /var/lib/dpkg/alternatives
cp "$dir/dpkg-status" /var/lib/dpkg/status
touch /var/lib/dpkg/available

ours="skf stable-kfuncs-dev stable-kfuncs-modules-$kver"
lists_its_kfuncs() { skf kfunc list | grep -qw skf_task_cpu; }
loads_and_lists() { insmod "$1" && lists_its_kfuncs && rmmod stable_kfuncs; }
# Every file the packages installed is gone, and so are the module's
# modules.dep line and the packages' dpkg entries.
nothing_left() {
	status=0
	grep -q "/updates/stable_kfuncs.ko\$" /tmp/installed || { echo "dpkg -L listed none of the module package's files"; status=1; }
	while read -r path; do
		if [ -e "$path" ] && [ ! -d "$path" ]; then echo "left: $path"; status=1; fi
	done </tmp/installed
	if grep -q stable_kfuncs "/lib/modules/$kver/modules.dep" 2>/dev/null; then echo "modules.dep still lists stable_kfuncs"; status=1; fi
	if dpkg -l $ours 2>/dev/null | grep -q '^ii'; then echo "dpkg still lists one of: $ours"; status=1; fi
	return $status
}

# This guest's userspace is bookworm's, whose libbpf-dev (1.1) is older than
# the header needs; it compiles no BPF.
check "dpkg -i skf, stable-kfuncs-dev, stable-kfuncs-modules-$kver" \
	dpkg -i --ignore-depends=libbpf-dev "$dir"/skf_*.deb "$dir"/stable-kfuncs-dev_*.deb "$dir/stable-kfuncs-modules-${kver}_"*.deb
for package in $ours; do dpkg -L "$package"; done 2>/dev/null | sort -u >/tmp/installed
check "the BPF header is in /usr/include" test -f /usr/include/stable_kfuncs.bpf.h
check "skf's man page is installed" test -f /usr/share/man/man1/skf.1.gz
check "modprobe stable_kfuncs" modprobe stable_kfuncs
check "skf kfunc list names the module's kfuncs" lists_its_kfuncs
check "modprobe -r stable_kfuncs" modprobe -r stable_kfuncs
# dkms's build is signed with dkms's own key; this kernel enforces no signatures.
check "dkms's build loads and skf lists its kfuncs" loads_and_lists "$dir/stable_kfuncs.ko"
check "the build make sign signed loads and skf lists its kfuncs" loads_and_lists "$dir/stable_kfuncs.signed.ko"
check "dpkg -r $ours" dpkg -r $ours
check "nothing of them is left" nothing_left

echo "test result: $([ $failed = 0 ] && echo ok || echo FAILED). $passed passed; $failed failed"
[ $failed = 0 ]
