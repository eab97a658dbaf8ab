#!/usr/bin/env bash
# Fuzzes `skf prog check` for SECONDS (default 600), seeded with the repo's
# own BPF objects. Installs cargo-fuzz on first use.
#
#   userspace/fuzz/run.sh [SECONDS]
set -euo pipefail
. "$(dirname "$0")/../../vm-test/lib.sh"
seconds=${1:-600}
fuzz_dir=$SKF_REPO/userspace/fuzz
corpus=$SKF_REPO/build/fuzz/corpus/prog_check
mkdir -p "$corpus"

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

for source in "$SKF_REPO"/bpf/*.bpf.c "$SKF_REPO"/selftests/bpf/*.bpf.c; do
	clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$SKF_REPO/bpf/include" \
		-I"/usr/include/$(uname -m)-linux-gnu" -c "$source" \
		-o "$corpus/seed-$(basename "$source" .c).o" ||
		die "clang failed on $source (make deps installs clang and libbpf-dev)"
done

# The machine has one (stable) toolchain; cargo-fuzz needs -Z flags.
cd "$fuzz_dir"
start=$(date +%s)
RUSTC_BOOTSTRAP=1 cargo fuzz run prog_check "$corpus" -- -max_total_time="$seconds" -print_final_stats=1
log "fuzzed prog_check for $(($(date +%s) - start)) s without a crash"
