#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fuzzes one of skf's readers for SECONDS (default 600), seeded with the
# repo's own inputs. Installs cargo-fuzz on first use.
#
#   userspace/fuzz/run.sh [prog_check|module_abi|btf] [SECONDS]
#
# prog_check: `skf prog check` on arbitrary bytes as a BPF object, seeded
#             with the BPF objects built from bpf/ and selftests/bpf/.
# module_abi: `skf abi check` on arbitrary bytes as a module build, over the
#             cached x86_64 kernel's vmlinux BTF, seeded with the module
#             builds under build/module/ cut down to the sections skf reads.
# btf:        skf's BTF reader on arbitrary bytes, seeded with the BTF of
#             those BPF objects and of the 6.12 and 7.2 module builds, and
#             with each rewritten as 7.2 may write it: a layout section.
set -euo pipefail
. "$(dirname "$0")/../../vm-test/lib.sh"
target=${1:-prog_check}
seconds=${2:-600}
corpus=$SKF_REPO/build/fuzz/corpus/$target
mkdir -p "$corpus"

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

# The BPF objects built from bpf/ and selftests/bpf/, as the selftests'
# build script compiles them (with the headers it generates), into directory $1.
bpf_objects() {
	local out
	out=$(cd "$SKF_REPO" && cargo check -q -p skf-selftests --tests --message-format=json |
		grep '"reason":"build-script-executed"' | grep '"package_id":"[^"]*selftests' |
		grep -o '"out_dir":"[^"]*"' | cut -d'"' -f4) ||
		die "building the selftests' BPF objects failed (make deps installs clang and libbpf-dev)"
	for object in "$out"/*.bpf.o; do cp "$object" "$1/seed-$(basename "$object")"; done
}

# The x86_64 module builds under build/module/ of series $1.
module_builds() {
	local builds=("$SKF_REPO"/build/module/x86_64-"$1"-api*/module/stable_kfuncs.ko)
	[ -f "${builds[0]}" ] || die "no x86_64-$1 module builds under build/module: run make check (or vm-test/build-module.sh x86_64-$1 N) first"
	echo "${builds[@]}"
}

cell_of() { basename "$(dirname "$(dirname "$1")")"; }

# BTF file $1 rewritten with 7.2's 32-byte header and a layout section
# (info_sz, elem_sz per kind 0..19) between its types and strings.
with_layout_section() {
	python3 - "$1" <<'PY'
import struct, sys
path = sys.argv[1]
d = open(path, "rb").read()
magic, version, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<HBBIIIII", d)
types = d[hdr_len + type_off:hdr_len + type_off + type_len]
strings = d[hdr_len + str_off:hdr_len + str_off + str_len]
sizes = {1: (4, 0), 14: (4, 0), 17: (4, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 15: (0, 12), 19: (0, 12), 6: (0, 8), 13: (0, 8)}
layout = b"".join(struct.pack("<BBH", *sizes.get(kind, (0, 0)), 0) for kind in range(20))
header = struct.pack("<HBBIIIIIII", magic, version, flags, 32, 0, len(types), len(types) + len(layout), len(strings), len(types), len(layout))
open(path + ".layout", "wb").write(header + types + layout + strings)
PY
}

case "$target" in
prog_check) bpf_objects "$corpus" ;;
module_abi)
	export SKF_FUZZ_VMLINUX
	SKF_FUZZ_VMLINUX=$("$SKF_REPO/vm-test/kernel.sh" path x86_64-6.12)/vmlinux
	[ -f "$SKF_FUZZ_VMLINUX" ] || die "no cached x86_64 kernel: run make kernel first"
	for ko in $(module_builds 6.12); do
		llvm-objcopy --only-section=.BTF --only-section=.BTF_ids "$ko" "$corpus/seed-$(cell_of "$ko").ko"
	done
	;;
btf)
	objects=$(mktemp -d)
	trap 'rm -rf "$objects"' EXIT
	bpf_objects "$objects"
	for object in "$objects"/*.o $(module_builds 6.12) $(module_builds 7.2); do
		seed=$corpus/$(basename "$object" .o)
		[[ "$object" != *.ko ]] || seed=$corpus/seed-$(cell_of "$object")
		llvm-objcopy --dump-section=.BTF="$seed.btf" "$object" /dev/null
		with_layout_section "$seed.btf"
	done
	;;
*) die "unknown fuzz target '$target' (use prog_check, module_abi or btf)" ;;
esac

# The machine has one (stable) toolchain; cargo-fuzz needs -Z flags.
cd "$SKF_REPO/userspace/fuzz"
start=$(date +%s)
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1
log "fuzzed $target for $(($(date +%s) - start)) s without a crash"
