#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the Rust-for-Linux kernel crate (core, compiler_builtins, ffi,
# bindings, uapi, kernel, helpers) for a kernel built without CONFIG_RUST,
# so stable_kfuncs.ko can carry its own copy (module/Kbuild links it in).
#
#   kernel-crate/build.sh KDIR OUT
#
# KDIR is the kernel's build tree or headers (/lib/modules/KVER/build). The
# crate comes from that kernel's own source, /usr/src/linux-source-SERIES.tar.xz
# (Debian's linux-source package of the same version), configured with
# KDIR's .config plus CONFIG_RUST, patched by the *.patch files beside this
# script (or in $SKF_KERNEL_CRATE_PATCHES: the test that each is needed
# builds one without them), and built with the rustc and bindgen on PATH, which must also
# compile the module. OUT gets the objects, the crates' metadata and the
# rustc flags a module of that tree is compiled with. Idempotent: a finished
# OUT is reused while the rustc, the source and the patches are the same.
set -euo pipefail

die() { echo "kernel-crate: error: $*" >&2; exit 1; }
log() { echo "kernel-crate: $*" >&2; }

kdir=$(realpath "${1:?usage: build.sh KDIR OUT}")
out=${2:?usage: build.sh KDIR OUT}
patches=$(realpath "${SKF_KERNEL_CRATE_PATCHES:-$(dirname "$0")}")
[ -f "$kdir/.config" ] || die "$kdir/.config not found: KDIR must be a configured kernel tree or its headers (install linux-headers-\$(uname -r))"
grep -qx 'CONFIG_RUST=y' "$kdir/.config" && die "$kdir was built with CONFIG_RUST: the module uses that kernel's own crate"

# A config value of KDIR's .config (quotes removed).
config() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$kdir/.config"; }

# kCFI checks the type hash of every indirect call; without CONFIG_RUST the
# kernel's Kbuild gives rustc no kCFI flags, so Rust code would fault there.
[ "$(config CONFIG_CFI_CLANG)" != y ] ||
	die "$kdir is a clang kCFI kernel without Rust: a bundled kernel crate cannot match its call checks; use a kernel built with CONFIG_RUST"
if grep -qx 'CONFIG_X86_64=y' "$kdir/.config"; then arch=x86
elif grep -qx 'CONFIG_ARM64=y' "$kdir/.config"; then arch=arm64
else die "$kdir is neither x86_64 nor arm64, the architectures stable_kfuncs supports"
fi
release=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) || die "$kdir/include/config/kernel.release not found: not a prepared kernel tree"
version=$(make -s -C "$kdir" kernelversion 2>/dev/null) || die "make kernelversion failed in $kdir"
series=$(echo "$version" | cut -d. -f1,2)

# The source: the linux-source package of exactly the kernel's version.
tarball=/usr/src/linux-source-$series.tar.xz
[ -f "$tarball" ] || die "$tarball not found: apt install linux-source-$series (the same version as the kernel, $version)"
if package=$(dpkg-query -S "$kdir/.config" 2>/dev/null | cut -d: -f1) && [ -n "$package" ]; then
	want=$(dpkg-query -W -f '${Version}' "$package")
	have=$(dpkg-query -W -f '${Version}' "linux-source-$series" 2>/dev/null || true)
	[ "$want" = "$have" ] ||
		die "linux-source-$series $want is needed for $release (found '${have:-none}'): apt install linux-source-$series=$want"
fi

# The toolchain: the kernel's C compiler (as its .config names it, or
# olddefconfig rewrites CONFIG_CC_VERSION_TEXT; Debian's name it with their
# target, aarch64-linux-gnu-gcc-14 for arm64, a cross compiler elsewhere),
# rustc with its library source, bindgen.
[ "$(config CONFIG_CC_IS_GCC)" = y ] ||
	die "$release was built with clang: a kernel without Rust is served only when built with gcc"
cc=$(config CONFIG_CC_VERSION_TEXT | cut -d' ' -f1)
cross=${cc%gcc*}
hostcc=${cc#"$cross"}
command -v "$cc" >/dev/null || die "$release was built with $cc, which is not installed: apt install ${hostcc}${cross:+-${cross%-}}"
command -v "$hostcc" >/dev/null || die "$hostcc (for the build's host tools) is not installed: apt install $hostcc"
command -v rustc >/dev/null || die "rustc not found: apt install rustc rust-src"
[ -f "$(rustc --print sysroot)/lib/rustlib/src/rust/library/core/src/lib.rs" ] ||
	die "rustc's library source not found under $(rustc --print sysroot): apt install rust-src"
command -v bindgen >/dev/null || die "bindgen not found: apt install bindgen"
command -v patch >/dev/null || die "patch not found: apt install patch"

# What this build depends on besides KDIR: a change rebuilds it.
key=$({ rustc --version; bindgen --version; sha256sum "$tarball" | cut -d' ' -f1; cat "$patches"/*.patch "$0" 2>/dev/null; cat "$kdir/.config"; } | sha256sum | cut -c1-16)
if [ -f "$out/.skf-complete" ] && [ "$(cat "$out/.skf-complete")" = "$key" ]; then
	exit 0
fi
rm -rf "$out" && mkdir -p "$out"
log "unpacking $tarball into $out/source"
mkdir -p "$out/source"
tar -C "$out/source" --strip-components=1 -xJf "$tarball"
[ "$(make -s -C "$out/source" kernelversion)" = "$version" ] ||
	die "$tarball holds Linux $(make -s -C "$out/source" kernelversion), not $version: install the linux-source that matches $release"
for patch in $(ls "$patches"/*.patch 2>/dev/null); do
	patch -s -d "$out/source" -p1 --forward <"$patch" ||
		die "$(basename "$patch") does not apply to Linux $version: this kernel needs a patch set of its own"
done

# KDIR's configuration with Rust support turned on (which requires
# MODVERSIONS off, in this scratch tree only: nothing Rust exports crosses
# the module's boundary). Options that appear with Rust (Rust drivers) are
# new; any option of KDIR's that changes is a different kernel, and the
# crate's struct layouts would not be KDIR's.
kmake=(make -C "$out/source" O="$out/obj" ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc" HOSTCC="$hostcc")
mkdir -p "$out/obj"
cp "$kdir/.config" "$out/obj/.config"
"$out/source/scripts/config" --file "$out/obj/.config" --enable RUST --disable MODVERSIONS
"${kmake[@]}" -s olddefconfig >/dev/null
grep -qx 'CONFIG_RUST=y' "$out/obj/.config" || {
	"${kmake[@]}" -s rustavailable >&2 || true
	die "Linux $version's Kconfig refuses CONFIG_RUST with this toolchain or config (see above)"
}
# "SYMBOL<TAB>VALUE" for each option of a .config, unset ones as n.
options() { sed -nE 's/^(CONFIG_[A-Za-z0-9_]+)=(.*)$/\1\t\2/p; s/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1\tn/p' "$1" | sort; }
changed=$(join -t "$(printf '\t')" <(options "$kdir/.config") <(options "$out/obj/.config") | awk -F '\t' '$2 != $3 { print $1 }' |
	grep -vxE 'CONFIG_(RUST|RUSTC_.*|BINDGEN_.*|MODVERSIONS|ASM_MODVERSIONS|GENKSYMS|CFI_ICALL_NORMALIZE_INTEGERS)' || true)
[ -z "$changed" ] ||
	die "turning on CONFIG_RUST also changed $(echo $changed) from $release's config: the crate would not match the kernel"

log "building the kernel crate for $release with $(rustc --version) (make rust/, about 4 minutes)"
"${kmake[@]}" -j"$(nproc)" rust/ >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; die "make rust/ failed; log: $out/build.log"; }

# The objects a module links: rust/'s built-in objects, except the exports
# (the crate is private to this module).
mkdir -p "$out/objects"
for object in $(ar t "$out/obj/rust/built-in.a"); do
	[ "$(basename "$object")" != exports.o ] || continue
	cp "$object" "$out/objects/"
	basename "$object" >>"$out/objects.list"
done
# The rustc flags of a module of the scratch tree, where the headers' own
# would be wrong (rustc checks run against CONFIG_RUSTC_VERSION=0; no
# target.json): KBUILD_RUSTFLAGS, with its tree-relative paths made absolute.
printf 'skf-print-rustflags:\n\t@echo $(KBUILD_RUSTFLAGS)\n' >"$out/print-rustflags.mk"
make -s --no-print-directory -C "$out/obj" -f "$out/obj/Makefile" -f "$out/print-rustflags.mk" ARCH="$arch" \
	CROSS_COMPILE="$cross" CC="$cc" HOSTCC="$hostcc" skf-print-rustflags |
	sed "s|=\./|=$out/obj/|g" >"$out/rustflags"
grep -q -- '-Cpanic=abort' "$out/rustflags" || die "could not read the scratch tree's KBUILD_RUSTFLAGS (got: $(cat "$out/rustflags"))"
rustc --version >"$out/rustc-version"
echo "$key" >"$out/.skf-complete"
log "kernel crate for $release ready in $out ($(wc -l <"$out/objects.list") objects)"
