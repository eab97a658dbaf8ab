#!/usr/bin/env bash
# Fuzzes one of skf's readers for SECONDS (default 600), seeded with the
# repo's own inputs. Installs cargo-fuzz on first use.
#
#   userspace/fuzz/run.sh [prog_check|module_abi] [SECONDS]
#
# prog_check: `skf prog check` on arbitrary bytes as a BPF object, seeded
#             with the BPF objects built from bpf/ and selftests/bpf/.
# module_abi: `skf abi check` on arbitrary bytes as a module build, over the
#             cached x86_64 kernel's vmlinux BTF, seeded with the module
#             builds under build/module/ cut down to the sections skf reads.
set -euo pipefail
. "$(dirname "$0")/../../vm-test/lib.sh"
target=${1:-prog_check}
seconds=${2:-600}
corpus=$SKF_REPO/build/fuzz/corpus/$target
mkdir -p "$corpus"

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

case "$target" in
prog_check)
	for source in "$SKF_REPO"/bpf/*.bpf.c "$SKF_REPO"/selftests/bpf/*.bpf.c; do
		clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$SKF_REPO/bpf/include" \
			-I"/usr/include/$(uname -m)-linux-gnu" -c "$source" \
			-o "$corpus/seed-$(basename "$source" .c).o" ||
			die "clang failed on $source (make deps installs clang and libbpf-dev)"
	done
	;;
module_abi)
	export SKF_FUZZ_VMLINUX
	SKF_FUZZ_VMLINUX=$("$SKF_REPO/vm-test/kernel.sh" path x86_64)/vmlinux
	[ -f "$SKF_FUZZ_VMLINUX" ] || die "no cached x86_64 kernel: run make kernel first"
	seeds=("$SKF_REPO"/build/module/x86_64-api*/module/stable_kfuncs.ko)
	[ -f "${seeds[0]}" ] || die "no x86_64 module builds under build/module: run make check (or vm-test/build-module.sh x86_64 N) first"
	for ko in "${seeds[@]}"; do
		cell=$(basename "$(dirname "$(dirname "$ko")")")
		llvm-objcopy --only-section=.BTF --only-section=.BTF_ids "$ko" "$corpus/seed-$cell.ko"
	done
	;;
*) die "unknown fuzz target '$target' (use prog_check or module_abi)" ;;
esac

# The machine has one (stable) toolchain; cargo-fuzz needs -Z flags.
cd "$SKF_REPO/userspace/fuzz"
start=$(date +%s)
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1
log "fuzzed $target for $(($(date +%s) - start)) s without a crash"
