#!/usr/bin/env bash
# Test kernels, cached outside the repo.
#
#   kernel.sh build ARCH   build (or reuse) the test kernel, print its tree
#   kernel.sh path ARCH    print the tree the current key maps to; fail if unbuilt
#   kernel.sh image ARCH   print the bootable image of that tree
#
# The cache key covers the kernel package version, the config fragments, this
# script and the toolchain versions: change any of them and the kernel is
# rebuilt in a new directory; leave them alone and the old one is reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragments() { echo "$SKF_REPO/vm-test/config/common.config" "$SKF_REPO/vm-test/config/$1.config"; }

toolchain_versions() {
	clang --version | head -1
	ld.lld --version | head -1
	rustc --version
	bindgen --version
	pahole --version
}

kernel_key() {
	local arch=$1 f
	{
		echo "$arch $(kernel_package_version)"
		for f in $(fragments "$arch") "$0"; do sha256sum <"$f"; done
		toolchain_versions
	} | sha256sum | cut -c1-16
}

kernel_dir() {
	local arch=$1 ver
	ver=$(kernel_package_version)
	echo "$SKF_CACHE/kernel/$arch-${ver//[^A-Za-z0-9.]/_}-$(kernel_key "$arch")"
}

image_of() {
	case "$1" in
	x86_64) echo "$2/arch/x86/boot/bzImage" ;;
	arm64) echo "$2/arch/arm64/boot/Image" ;;
	esac
}

# One unpacked source per package version, shared by both architectures
# (each builds with O= into its own tree).
source_dir() {
	local ver src
	ver=$(kernel_package_version)
	src=$SKF_CACHE/src/${ver//[^A-Za-z0-9.]/_}
	if [ ! -f "$src/.skf-unpacked" ]; then
		log "unpacking $(kernel_tarball) into $src"
		rm -rf "$src" && mkdir -p "$src"
		tar -C "$src" --strip-components=1 -xf "$(kernel_tarball)"
		touch "$src/.skf-unpacked"
	fi
	echo "$src"
}

# Every line of the fragments must hold in the final .config: Kconfig drops
# options whose dependencies are unmet without a word, and a kernel missing
# e.g. 9p would only show up later as a VM that cannot mount its root.
verify_config() {
	local config=$1 bad=0 line sym want got
	shift
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) sym=${line%%=*} want=${line#*=} ;;
		"# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} want=n ;;
		*) continue ;;
		esac
		got=$(grep -E "^$sym=" "$config" | cut -d= -f2- || true)
		[ -n "$got" ] || got=n
		if [ "$got" != "$want" ]; then
			echo "error: $sym: fragment wants '$want', .config has '$got' (an unmet dependency?)" >&2
			bad=1
		fi
	done < <(cat "$@")
	[ $bad = 0 ] || die "the kernel config does not match vm-test/config/: fix the fragment"
}

build() {
	local arch=$1 dir src jobs targets
	dir=$(kernel_dir "$arch")
	if [ -f "$dir/.skf-complete" ]; then
		log "reusing cached $arch kernel: $dir"
		echo "$dir"
		return
	fi
	src=$(source_dir)
	mkdir -p "$dir"
	exec 9>"$dir.lock"
	flock 9
	local make=(make -C "$src" O="$dir" ARCH="$arch" LLVM=1)
	jobs=$(($(nproc) + 1))
	log "configuring $arch kernel in $dir"
	"${make[@]}" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" $(fragments "$arch") >/dev/null
	"${make[@]}" -s olddefconfig
	verify_config "$dir/.config" $(fragments "$arch")
	case "$arch" in
	x86_64) targets="bzImage modules" ;;
	arm64) targets="Image modules" ;;
	esac
	log "building $arch kernel ($targets) with -j$jobs"
	local start=$SECONDS
	"${make[@]}" -j"$jobs" $targets >"$dir/build.log" 2>&1 ||
		{ tail -40 "$dir/build.log" >&2; die "$arch kernel build failed; full log: $dir/build.log"; }
	[ -f "$dir/vmlinux" ] || die "$dir/vmlinux missing after build: modules would get no BTF"
	log "$arch kernel built in $((SECONDS - start))s"
	echo "$((SECONDS - start))" >"$dir/.skf-build-seconds"
	touch "$dir/.skf-complete"
	echo "$dir"
}

cmd=${1:-}
arch=$(normalize_arch "${2:-x86_64}")
case "$cmd" in
build) build "$arch" ;;
path)
	dir=$(kernel_dir "$arch")
	[ -f "$dir/.skf-complete" ] || die "no $arch test kernel built for the current config and toolchain: run 'make kernel ARCH=$arch'"
	echo "$dir"
	;;
image)
	dir=$("$0" path "$arch")
	image_of "$arch" "$dir"
	;;
*) die "usage: kernel.sh build|path|image [x86_64|arm64]" ;;
esac
