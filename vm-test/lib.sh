# SPDX-License-Identifier: GPL-2.0
# Shared paths and helpers for the vm-test scripts. Sourced, not run.

# Everything built or installed outside the repo lives here, so a clean clone
# reuses it and `git clean` never throws away a 10-minute kernel build.
SKF_CACHE=${SKF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stable-kfuncs}
SKF_VENV=$SKF_CACHE/venv
SKF_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "error: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

# The kernel series the test machines run, oldest first.
#   6.12  bookworm's linux-source-6.12, clang 14 (LLVM=1), bindgen 0.65.1
#   7.2   linux-source-7.2 from Debian's pool at a pinned version and checksum
#         (bookworm's apt does not carry it; nothing else comes from sid),
#         LLVM 19 (7.2 wants >= 17), bindgen 0.72.1 (7.2 wants >= 0.71.1; 0.73
#         drops struct padding: docs/testing.md), pahole 1.31 (1.24 emits no
#         bpf_kfunc decl tags, and 7.2's resolve_btfids needs them)
SKF_SERIES=(6.12 7.2)
# Debian's stock kernels the module is built for and tested in (stock.sh),
# each a machine ARCH-SERIES-FLAVOUR (stock_machine):
#   7.2.13+deb14-amd64   sid's, CONFIG_RUST=y: its headers get the kernel
#                        crates' metadata (packaging/rust-overlay.sh)
#   6.12.118+deb13-amd64 Debian 13's, built without Rust: the module links
#   6.12.118+deb13-arm64 its own kernel crate (module/kernel-crate/); arm64's
#                        is cross-built with Debian's cross gcc
# `make stock KVER=` names another ABI of the same suite and series.
SKF_STOCK_KVERS=(7.2.13+deb14-amd64 6.12.118+deb13-amd64 6.12.118+deb13-arm64)
# Where the chroot of a stock kernel without Rust keeps the kernel crate the
# module links (stock.sh), and one built without its patches
# (kernel-crate-check.sh): paths in the chroot.
SKF_STOCK_KERNEL_CRATE=/build/kernel-crate
SKF_UNPATCHED_KERNEL_CRATE=/build/kernel-crate-unpatched
SKF_72_DEB_VERSION=7.2.13-1
SKF_72_DEB_SHA256=30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d
SKF_72_DEB=linux-source-7.2_${SKF_72_DEB_VERSION}_all.deb
SKF_72_DEB_URL=http://deb.debian.org/debian/pool/main/l/linux/$SKF_72_DEB

# bindgen-cli version for series $1.
series_bindgen_version() {
	case "$1" in
	6.12) echo 0.65.1 ;;
	7.2) echo 0.72.1 ;;
	esac
}

# The bindgen binary of series $1: each version in its own cargo --root.
series_bindgen() { echo "$SKF_CACHE/bindgen/$(series_bindgen_version "$1")/bin/bindgen"; }

# LLVM= for series $1's kernel build: Debian's default clang, or a suffix.
series_llvm() {
	case "$1" in
	6.12) echo 1 ;;
	7.2) echo -19 ;;
	esac
}

# The libclang bindgen must load for series $1: the one of its clang.
series_libclang() {
	local clang=clang$([ "$(series_llvm "$1")" = 1 ] || series_llvm "$1")
	echo "$(dirname "$(readlink -f "$(command -v "$clang")")")/../lib"
}

# The Debian tarball of series $1's kernel source.
kernel_tarball() {
	local t
	case "$1" in
	6.12) t=/usr/src/linux-source-6.12.tar.xz ;;
	7.2) t=$SKF_CACHE/src-deb/$SKF_72_DEB_VERSION/usr/src/linux-source-7.2.tar.xz ;;
	esac
	[ -f "$t" ] || die "$t not found: run 'make deps' (it fetches linux-source-$1)"
	echo "$t"
}

# Exact version of series $1's source package, e.g. 6.12.117-1~deb12u1.
kernel_package_version() {
	case "$1" in
	6.12) dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed: run 'make deps'" ;;
	7.2) echo "$SKF_72_DEB_VERSION" ;;
	esac
}

# A test machine is an architecture, a kernel series and optionally a
# flavour: ARCH-SERIES[-FLAVOUR]. A bare ARCH means ARCH-6.12.
#   x86_64-6.12, arm64-6.12     Debian's pahole (1.24); make check runs Debian 13's
#                               arm64 6.12 instead of ours (check.sh)
#   x86_64-6.12-pahole131-kasan pahole 1.31, as distributions build with (module
#                               BTF gets .BTF.base), and KASAN; one flavour for
#                               both saves a 10-minute kernel build
#   x86_64-6.12-kcsan           KCSAN (which excludes KASAN): the default of
#                               `make soak`, not in `make check`'s set
#   x86_64-7.2, arm64-7.2       pahole 1.31 (the series needs it)
#   x86_64-7.2-debian           Debian sid's own build of 7.2 (gcc, CONFIG_RUST)
#   x86_64-6.12-debian13        Debian 13's own build of 6.12 (gcc, no CONFIG_RUST)
#   arm64-6.12-debian13         the same for arm64
#                               Debian's kernels are not built here: the module is
#                               built for them in a chroot of their suite (stock.sh)
SKF_FLAVOURS=(pahole131-kasan kcsan debian debian13)

# Prints the canonical machine name, or dies naming the bad part.
normalize_machine() {
	local arch rest series=6.12 flavour=
	arch=$(normalize_arch "${1%%-*}") || exit
	case "$1" in *-*) rest=${1#*-} ;; *) rest= ;; esac
	case "$rest" in
	[0-9]*) series=${rest%%-*}; case "$rest" in *-*) flavour=${rest#*-} ;; esac ;;
	*) flavour=$rest ;;
	esac
	if [[ " ${SKF_SERIES[*]} " != *" $series "* ]]; then
		die "unknown kernel series '$series' in '$1': use ${SKF_SERIES[*]}"
	fi
	if [ -n "$flavour" ] && [[ " ${SKF_FLAVOURS[*]} " != *" $flavour "* ]]; then
		die "unknown kernel flavour '$flavour' in '$1': use ${SKF_FLAVOURS[*]}"
	fi
	if [[ "$flavour" == debian* ]] && ! stock_kver "$arch-$series-$flavour" >/dev/null; then
		die "no Debian stock kernel for '$1': the stock machines are $(for k in "${SKF_STOCK_KVERS[@]}"; do stock_machine "$k"; done | paste -sd' ')"
	fi
	echo "$arch-$series${flavour:+-$flavour}"
}

# The kernel series of Debian kernel ABI $1: 7.2 for 7.2.13+deb14-amd64.
kver_series() { echo "$1" | cut -d. -f1,2; }

# The Debian architecture of kernel ABI $1: amd64 for 7.2.13+deb14-amd64.
kver_arch() { echo "${1##*-}"; }

# The machine of Debian kernel ABI $1: x86_64-6.12-debian13 for
# 6.12.118+deb13-amd64 (Debian 13's suite), x86_64-7.2-debian for sid's.
stock_machine() {
	local flavour=debian
	case "$1" in *+deb13-*) flavour=debian13 ;; esac
	echo "$(normalize_arch "$(kver_arch "$1")")-$(kver_series "$1")-$flavour"
}

# The Debian kernel ABI of stock machine $1 ($SKF_STOCK_KVER, from `make
# stock KVER=`, where it is that machine's); fails for other machines.
stock_kver() {
	local kver
	for kver in ${SKF_STOCK_KVER:-} "${SKF_STOCK_KVERS[@]}"; do
		[ "$(stock_machine "$kver")" != "$1" ] || { echo "$kver"; return; }
	done
	return 1
}

# The Debian suites that carry kernel ABI $1's packages.
stock_suites() {
	case "$1" in
	*+deb13-*) echo trixie trixie-updates trixie-security ;;
	*) echo sid ;;
	esac
}

# The packages of kernel ABI $1's image and modules, the image's first: from
# 7.x Debian splits them in two.
stock_image_packages() {
	case "$1" in
	*+deb13-*) echo "linux-image-$1" ;;
	*) echo "linux-binary-$1 linux-modules-$1" ;;
	esac
}

# Whether machine $1 is a distribution's kernel rather than a test kernel.
machine_is_stock() { [[ "$(machine_flavour "$1")" == debian* ]]; }

machine_arch() { echo "${1%%-*}"; }
machine_series() { local rest=${1#*-}; echo "${rest%%-*}"; }
machine_flavour() { local rest=${1#*-}; case "$rest" in *-*) echo "${rest#*-}" ;; esac; }

normalize_arch() {
	case "${1:-x86_64}" in
	x86_64 | x86 | amd64) echo x86_64 ;;
	arm64 | aarch64) echo arm64 ;;
	*) die "unknown ARCH '$1': use x86_64 or arm64" ;;
	esac
}

# Debian's name of architecture $1.
debian_arch() {
	case "$1" in
	x86_64) echo amd64 ;;
	arm64) echo arm64 ;;
	esac
}

# The Rust target triple of architecture $1.
rust_target() {
	case "$1" in
	x86_64) echo x86_64-unknown-linux-gnu ;;
	arm64) echo aarch64-unknown-linux-gnu ;;
	esac
}

# Prints the path of skf cross-built for arch $1, in the profile for the
# guests (Cargo.toml's profile.vm: small binaries, optimised).
build_skf() {
	cargo build -q -p skf --profile vm --target "$(rust_target "$1")" || return
	echo "$SKF_REPO/target/$(rust_target "$1")/vm/skf"
}

# Prints the paths of the selftest binaries cross-built for arch $1 (not
# the examples, which are programs, not tests).
build_selftests() {
	local json
	json=$(cargo test -p skf-selftests --profile vm --no-run --lib --tests --target "$(rust_target "$1")" --message-format=json-render-diagnostics) ||
		return
	# Test harnesses only: cargo also builds bin targets (the benchmark) for the tests.
	echo "$json" | grep '"test":true' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4
}

# Selftests that need a kernel option, and the option: they run only on the
# machines whose kernel has it (check.sh names the others in its summary).
declare -A selftest_needs=([init_faults]=CONFIG_FAILSLAB)

# Whether machine $1's (built) kernel has option $2 built in.
kernel_has() {
	grep -qx "$2=y" "$("$SKF_REPO/vm-test/kernel.sh" path "$1")/.config"
}
