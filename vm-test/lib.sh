# Shared paths and helpers for the vm-test scripts. Sourced, not run.

# Everything built or installed outside the repo lives here, so a clean clone
# reuses it and `git clean` never throws away a 10-minute kernel build.
SKF_CACHE=${SKF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stable-kfuncs}
SKF_VENV=$SKF_CACHE/venv
SKF_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SKF_BINDGEN_VERSION=0.65.1
SKF_KERNEL_SERIES=6.12

# bindgen loads the newest libclang installed, not the one of the clang that
# compiles the kernel (LLVM=1: Debian's clang 14). With clang-16 installed
# beside it (the selftests' BPF), libclang 16 rejects a flag the kernel chose
# for clang 14 (-enable-trivial-auto-var-init-zero-knowing-it-will-be-
# removed-from-clang) and the kernel's bindgen step fails. Pin it to clang's.
if [ -z "${LIBCLANG_PATH:-}" ] && command -v clang >/dev/null; then
	export LIBCLANG_PATH
	LIBCLANG_PATH=$(dirname "$(readlink -f "$(command -v clang)")")/../lib
fi

die() { echo "error: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

# The Debian tarball of the kernel source, e.g. /usr/src/linux-source-6.12.tar.xz.
kernel_tarball() {
	local t=/usr/src/linux-source-$SKF_KERNEL_SERIES.tar.xz
	[ -f "$t" ] || die "$t not found: run 'make deps' (installs linux-source-$SKF_KERNEL_SERIES)"
	echo "$t"
}

# Exact upstream version of the packaged source, e.g. 6.12.117-1~deb12u1.
kernel_package_version() {
	dpkg-query -W -f '${Version}' "linux-source-$SKF_KERNEL_SERIES" 2>/dev/null ||
		die "linux-source-$SKF_KERNEL_SERIES is not installed: run 'make deps'"
}

# A test machine is an architecture, optionally with a kernel flavour:
#   x86_64, arm64             Debian's pahole (1.24)
#   x86_64-pahole131-kasan    pahole 1.31, as distributions build with (module
#                             BTF gets .BTF.base), and KASAN; one flavour for
#                             both saves a 10-minute kernel build
SKF_FLAVOURS=(pahole131-kasan)

# Prints the canonical machine name, or dies naming the bad part.
normalize_machine() {
	local arch flavour=
	arch=$(normalize_arch "${1%%-*}") || exit
	case "$1" in *-*) flavour=${1#*-} ;; esac
	if [ -n "$flavour" ] && [[ " ${SKF_FLAVOURS[*]} " != *" $flavour "* ]]; then
		die "unknown kernel flavour '$flavour' in '$1': use ${SKF_FLAVOURS[*]}"
	fi
	echo "$arch${flavour:+-$flavour}"
}

machine_arch() { echo "${1%%-*}"; }
machine_flavour() { case "$1" in *-*) echo "${1#*-}" ;; esac; }

normalize_arch() {
	case "${1:-x86_64}" in
	x86_64 | x86 | amd64) echo x86_64 ;;
	arm64 | aarch64) echo arm64 ;;
	*) die "unknown ARCH '$1': use x86_64 or arm64" ;;
	esac
}
