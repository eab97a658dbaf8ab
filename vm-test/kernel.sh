#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Test kernels, cached outside the repo.
#
#   kernel.sh build MACHINE    build (or reuse) the test kernel, print its tree
#   kernel.sh path MACHINE     print the tree the current key maps to; fail if unbuilt
#   kernel.sh image MACHINE    print the bootable image of that tree
#   kernel.sh pahole MACHINE   print the pahole it is built with (modules must match)
#
# MACHINE is ARCH-SERIES[-FLAVOUR], e.g. x86_64-6.12, arm64-7.2 (lib.sh).
#
# A machine's cache key covers its kernel package version, the contents of
# the config fragments it uses, the build recipe every machine shares (the
# functions below that build) and its toolchain's versions (its pahole's
# too): change any of them and the kernel is rebuilt in a new directory;
# leave them alone and the old one is reused. Which fragments and which
# pahole a machine uses is keyed by what they are, not by the functions
# that choose them, so a new flavour re-keys no other machine's kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragments() {
	local config=$SKF_REPO/vm-test/config
	echo "$config/common.config" "$config/$(machine_arch "$1").config"
	case "$(machine_flavour "$1")" in
	pahole131-kasan) echo "$config/kasan.config" "$config/faults.config" ;;
	kcsan) echo "$config/kcsan.config" "$config/faults.config" ;;
	'') [ "$1" != x86_64-7.2 ] || echo "$config/faults.config" ;;
	esac
}

# Whether a machine's kernel is built with the vendored pahole 1.31: the
# pahole131 flavour, and every 7.2 kernel.
vendored_pahole() {
	[[ "$(machine_flavour "$1")" == pahole131-* ]] || [ "$(machine_series "$1")" != 6.12 ]
}

# The pahole a machine's kernel (and so its modules) is built with.
pahole_of() {
	if vendored_pahole "$1"; then
		"$SKF_REPO/vm-test/pahole.sh" "${2:-path}"
	else
		command -v pahole || die "pahole not found: run 'make deps'"
	fi
}

toolchain_versions() {
	local series llvm
	series=$(machine_series "$1")
	llvm=$(series_llvm "$series")
	[ "$llvm" != 1 ] || llvm=
	"clang$llvm" --version | head -1
	"ld.lld$llvm" --version | head -1
	rustc --version
	"$(series_bindgen "$series")" --version
	# The vendored pahole is keyed by its path, which holds its source's hash,
	# so computing the key never needs it built.
	if vendored_pahole "$1"; then pahole_of "$1"; else pahole --version; fi
}

# What builds every kernel; a change to any of it is a new kernel for each.
recipe() {
	declare -f build source_dir verify_config series_llvm series_libclang series_bindgen series_bindgen_version
}

kernel_key() {
	local machine=$1 f
	{
		echo "$machine $(kernel_package_version "$(machine_series "$machine")")"
		for f in $(fragments "$machine"); do sha256sum <"$f"; done
		recipe
		toolchain_versions "$machine"
	} | sha256sum | cut -c1-16
}

kernel_dir() {
	local machine=$1 ver
	ver=$(kernel_package_version "$(machine_series "$machine")")
	echo "$SKF_CACHE/kernel/$machine-${ver//[^A-Za-z0-9.]/_}-$(kernel_key "$machine")"
}

image_of() {
	case "$1" in
	x86_64) echo "$2/arch/x86/boot/bzImage" ;;
	arm64) echo "$2/arch/arm64/boot/Image" ;;
	esac
}

# One unpacked source per package version (series $1), shared by both
# architectures (each builds with O= into its own tree).
source_dir() {
	local ver src
	ver=$(kernel_package_version "$1")
	src=$SKF_CACHE/src/${ver//[^A-Za-z0-9.]/_}
	if [ ! -f "$src/.skf-unpacked" ]; then
		log "unpacking $(kernel_tarball "$1") into $src"
		rm -rf "$src" && mkdir -p "$src"
		tar -C "$src" --strip-components=1 -xf "$(kernel_tarball "$1")"
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
	local machine=$1 arch series dir src jobs targets pahole
	arch=$(machine_arch "$machine")
	series=$(machine_series "$machine")
	dir=$(kernel_dir "$machine")
	mkdir -p "$dir"
	# Another build of the same key (a parallel `make`) may hold the lock:
	# wait for it, then reuse what it built.
	exec 9>"$dir.lock"
	flock 9
	if [ -f "$dir/.skf-complete" ]; then
		log "reusing cached $machine kernel: $dir"
		echo "$dir"
		return
	fi
	src=$(source_dir "$series")
	pahole=$(pahole_of "$machine" build)
	# bindgen must load its clang's libclang, not the newest installed (a
	# newer one rejects flags the kernel chose for its clang).
	local make=(env LIBCLANG_PATH="$(series_libclang "$series")" make -C "$src" O="$dir" ARCH="$arch"
		LLVM="$(series_llvm "$series")" BINDGEN="$(series_bindgen "$series")" PAHOLE="$pahole")
	jobs=$(($(nproc) + 1))
	log "configuring $machine kernel in $dir"
	"${make[@]}" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" $(fragments "$machine") >/dev/null
	"${make[@]}" -s olddefconfig
	verify_config "$dir/.config" $(fragments "$machine")
	case "$arch" in
	x86_64) targets="bzImage modules" ;;
	arm64) targets="Image modules" ;;
	esac
	log "building $machine kernel ($targets) with -j$jobs, $("$pahole" --version | sed 's/^v/pahole /')"
	local start=$SECONDS
	"${make[@]}" -j"$jobs" $targets >"$dir/build.log" 2>&1 ||
		{ tail -40 "$dir/build.log" >&2; die "$machine kernel build failed; full log: $dir/build.log"; }
	[ -f "$dir/vmlinux" ] || die "$dir/vmlinux missing after build: modules would get no BTF"
	log "$machine kernel built in $((SECONDS - start))s"
	echo "$((SECONDS - start))" >"$dir/.skf-build-seconds"
	touch "$dir/.skf-complete"
	echo "$dir"
}

cmd=${1:-}
machine=$(normalize_machine "${2:-x86_64}")
# A distribution's kernel is Debian's build: its tree is its headers.
if machine_is_stock "$machine"; then
	case "$cmd" in
	build) exec "$SKF_REPO/vm-test/stock.sh" headers "$(stock_kver "$machine")" ;;
	path) exec "$SKF_REPO/vm-test/stock.sh" path "$(stock_kver "$machine")" ;;
	*) die "kernel.sh $cmd: $machine is Debian's kernel, which this project does not build" ;;
	esac
fi
case "$cmd" in
build) build "$machine" ;;
path)
	dir=$(kernel_dir "$machine")
	[ -f "$dir/.skf-complete" ] || die "no $machine test kernel built for the current config and toolchain: run 'make kernel ARCH=$(machine_arch "$machine") SERIES=$(machine_series "$machine")$(f=$(machine_flavour "$machine"); echo "${f:+ FLAVOUR=$f}")'"
	echo "$dir"
	;;
image)
	dir=$("$0" path "$machine")
	image_of "$(machine_arch "$machine")" "$dir"
	;;
pahole) pahole_of "$machine" ;;
*) die "usage: kernel.sh build|path|image|pahole [ARCH-SERIES[-FLAVOUR]]" ;;
esac
