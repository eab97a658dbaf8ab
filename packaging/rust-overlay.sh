#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes Debian's linux-headers-KVER build Rust modules. Runs as root on a
# Debian system: dkms's PRE_BUILD step (dkms.conf), and vm-test/stock.sh in
# its sid chroot.
#
#   rust-overlay.sh KVER
#
# Debian's headers package has Module.symvers with the kernel's Rust exports,
# but not the kernel crates' metadata (rust/*.rmeta, the macros crate) nor
# scripts/target.json. This rebuilds those from Debian's linux-source
# package of the same version with the headers' .config and the rustc the
# kernel was built with (a Rust export's mangled name depends on rustc's
# version string), checks every Rust export against Module.symvers, and
# only then copies them into the headers. Done once per KVER: the headers
# keep a stamp, which lists the files the overlay added.
#
#   rust-overlay.sh --remove [KVER]
#
# removes what the overlay added to KVER's headers and KVER's work files
# (without KVER: every kernel's, and all work files): dkms's POST_REMOVE
# step, and the package's prerm. Work files go to $SKF_OVERLAY_WORK; an overlay made with one
# (vm-test/stock.sh's cached chroot) is its caller's, and --remove leaves it.
set -euo pipefail

die() { echo "rust-overlay.sh: error: $*" >&2; exit 1; }
log() { echo "rust-overlay.sh: $*" >&2; }

default_work=/var/cache/stable-kfuncs
work=${SKF_OVERLAY_WORK:-$default_work}

# Removes the files and directories stamp $1 lists, newest first (those no
# other kernel's stamp lists: linux-kbuild's scripts/ is shared by a
# series), and the stamp.
remove() {
	local stamp=$1 path others
	others=$(ls /usr/src/linux-headers-*/.skf-rust-overlay* 2>/dev/null | grep -vxF "$stamp" || true)
	tail -n +2 "$stamp" | tac | while IFS= read -r path; do
		if grep -qxF -- "$path" $others /dev/null; then continue
		elif [ -d "$path" ]; then rmdir --ignore-fail-on-non-empty -- "$path"
		else rm -f -- "$path"
		fi
	done
	rm -f "$stamp"
	log "removed what the overlay added to $(dirname "$stamp")"
}

# Whether stamp $1 is of an overlay made for dkms (in the default work
# directory), which --remove removes.
dkms_made() { [ "$(head -1 "$1")" = "work $default_work" ]; }

if [ "${1:-}" = --remove ]; then
	[ "$(id -u)" = 0 ] || die "run as root: it removes files from /usr/src/linux-headers-*"
	for stamp in /usr/src/linux-headers-${2:-*}/.skf-rust-overlay /usr/src/linux-headers-${2:-*}/.skf-rust-overlay.part; do
		[ -f "$stamp" ] && dkms_made "$stamp" && remove "$stamp"
	done
	if [ -n "${2:-}" ]; then
		rm -rf "$default_work/rust-$2" "$default_work/rust-$2".*
		# The unpacked linux-source serves the next kernel of its series.
		ls -d "$default_work"/rust-* >/dev/null 2>&1 || rm -rf "$default_work"
	else
		rm -rf "$default_work"
	fi
	exit 0
fi

kver=${1:?usage: rust-overlay.sh KVER (a Debian kernel ABI such as 7.2.13+deb14-amd64) | --remove [KVER]}
headers=/usr/src/linux-headers-$kver
[ -f "$headers/.skf-rust-overlay" ] && exit 0
[ -f "$headers/.config" ] || die "$headers/.config not found: install linux-headers-$kver"
[ "$(id -u)" = 0 ] || die "run as root: it writes into $headers"

# A config value of the headers' .config (quotes removed).
config() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$headers/.config"; }

if ! grep -qx 'CONFIG_RUST=y' "$headers/.config"; then
	log "$kver was built without CONFIG_RUST: the module links its own kernel crate (module/kernel-crate), nothing to add to the headers"
	exit 0
fi
case "${kver##*-}" in
amd64) arch=x86 ;;
arm64) arch=arm64 ;;
*) die "unsupported Debian architecture in $kver (amd64 or arm64)" ;;
esac
series=$(echo "$kver" | cut -d. -f1,2)
version=$(dpkg-query -W -f '${Version}' "linux-headers-$kver")
source_version=$(dpkg-query -W -f '${Version}' "linux-source-$series" 2>/dev/null || true)
[ "$source_version" = "$version" ] ||
	die "linux-source-$series $version is needed (found '${source_version:-none}'): apt install linux-source-$series=$version"
want=$(config CONFIG_RUSTC_VERSION_TEXT)
have=$(rustc --version 2>/dev/null || echo "no rustc")
[ "$want" = "$have" ] ||
	die "$kver was built with '$want', but this system has '$have': modules would not link (their Rust symbol names differ); install that rustc"
# The compiler exactly as the .config names it, or olddefconfig rewrites
# CONFIG_CC_VERSION_TEXT.
cc=$(config CONFIG_CC_VERSION_TEXT | cut -d' ' -f1)
command -v "$cc" >/dev/null || die "$kver was built with $cc, which is not installed: apt install gcc-$(($(config CONFIG_GCC_VERSION) / 10000))"

src=$work/linux-source-$series
obj=$work/rust-$kver
if [ ! -f "$src/.skf-unpacked" ]; then
	log "unpacking linux-source-$series into $src"
	rm -rf "$src" && mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xJf "/usr/src/linux-source-$series.tar.xz"
	touch "$src/.skf-unpacked"
fi
kmake=(make -C "$src" O="$obj" ARCH="$arch" CC="$cc" HOSTCC="$cc")
mkdir -p "$obj"
cp "$headers/.config" "$obj/.config"
"${kmake[@]}" -s olddefconfig >/dev/null
cmp -s "$headers/.config" "$obj/.config" ||
	die "olddefconfig changed $kver's .config in $obj: a tool Kconfig probes is missing (bindgen, rust-src, pahole?)"
log "building rust/ for $kver (make prepare, about 4 minutes)"
"${kmake[@]}" -j"$(nproc)" prepare >"$obj.prepare.log" 2>&1 ||
	{ tail -30 "$obj.prepare.log" >&2; die "make prepare failed; log: $obj.prepare.log"; }
sed -nE 's/^EXPORT_SYMBOL_RUST_GPL\((.*)\);$/\1/p' "$obj"/rust/exports_*_generated.h | sort -u >"$obj.exports"
awk -F'\t' '{ print $2 }' "$headers/Module.symvers" | sort -u >"$obj.symvers"
missing=$(comm -23 "$obj.exports" "$obj.symvers" | wc -l)
ours=$(grep -c '^_R' "$obj.exports" || true)
theirs=$(grep -c '^_R' "$obj.symvers" || true)
[ "$missing" = 0 ] && [ "$ours" = "$theirs" ] ||
	die "the rebuilt kernel crates export $ours Rust symbols, $kver's Module.symvers $theirs, and $missing of ours are not Debian's: modules would not link (compare $obj.exports with $obj.symvers)"
log "rust/ matches $kver: $ours Rust exports, all in Module.symvers"
# The stamp lists each file added as it is added, and takes its final name
# last: an interrupted copy is removed by --remove, or by the next run.
stamp=$headers/.skf-rust-overlay.part
[ ! -f "$stamp" ] || remove "$stamp"
echo "work $work" >"$stamp"
[ -d "$headers/rust" ] || echo "$headers/rust" >>"$stamp"
mkdir -p "$headers/rust"
# scripts/ in Debian's headers links into linux-kbuild-*.
for file in "$obj"/rust/*.rmeta "$obj"/rust/*.so "$obj/scripts/target.json"; do
	dest=$headers/${file#"$obj"/}
	[ ! -e "$dest" ] || die "$dest exists, and the overlay would replace it: is it linux-headers-$kver's own? (dpkg -S $dest)"
	echo "$dest" >>"$stamp"
	cp "$file" "$dest"
done
mv "$stamp" "$headers/.skf-rust-overlay"
