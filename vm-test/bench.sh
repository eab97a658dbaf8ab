#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: counts the instructions every kfunc the newest module offers
# executes per call, beside field loads, probe-read chains, helpers and
# upstream kfuncs, in one test VM boot under QEMU's instruction counting
# (run-vm.sh --icount; the module at the newest level, with call counting
# off, on and compiled out, and at API 2 for the deprecated v1 adapter),
# then counts path lengths on the host. Prints the tables and writes
# build/bench/MACHINE.json; `target/debug/bench agree` compares two runs.
#
#   bench.sh [--short] [--possible-cpus N] [MACHINE]   (default x86_64-6.12; an ARCH means ARCH-6.12)
#
# --short: few iterations and repetitions, only to prove the benchmark runs
# and produces every row (make check); writes build/bench/MACHINE-short.json.
# --possible-cpus N: N CPUs possible, 2 online, as run-vm.sh gives them;
# writes build/bench/MACHINE-Npossible.json. `bench compare` puts two runs'
# counts side by side (docs/benchmark.md, CPU scaling).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

machine=x86_64-6.12 short= possible=
while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=--short; shift ;;
	--possible-cpus) possible=$2; shift 2 ;;
	-*) die "unknown option '$1' (usage: bench.sh [--short] [--possible-cpus N] [MACHINE])" ;;
	*) machine=$(normalize_machine "$1"); shift ;;
	esac
done
name=$machine${short:+-short}${possible:+-${possible}possible}
arch=$(machine_arch "$machine")
target=$(rust_target "$arch")

# What the report names as measured: the tree the modules are built from.
commit=$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- || echo -dirty)
api=$(vm-test/api-levels.sh | tail -1)
kdir=$(vm-test/kernel.sh build "$machine")
newest=$(vm-test/build-module.sh "$machine" "$api")
no_counting=$(vm-test/build-module.sh "$machine" "$api" no-counting)
api2=$(vm-test/build-module.sh "$machine" 2)
log "building the benchmark for $arch and the host"
cargo build -q -p skf-selftests --bin bench --target "$target"
cargo build -q -p skf-selftests --bin bench

out=$SKF_REPO/build/bench
mkdir -p "$out"
# The guest writes only to run-vm's output directory (the repo is read-only there).
vm=$(mktemp -d)
trap 'rm -rf "$vm"' EXIT
# The run measures, and the report disassembles, these copies: a module
# rebuilt in the work tree meanwhile must not slip into one run. Without
# DWARF, as distributions ship modules: init_module(2) copies the whole
# image, and its cost is measured.
mkdir "$vm/modules"
llvm-strip --strip-debug -o "$vm/modules/newest.ko" "$newest"
llvm-strip --strip-debug -o "$vm/modules/no-counting.ko" "$no_counting"
llvm-strip --strip-debug -o "$vm/modules/api2.ko" "$api2"
vm-test/run-vm.sh --machine "$machine" --timeout 1800 --out "$vm" --icount ${possible:+--possible-cpus "$possible"} -- \
	"$SKF_REPO/target/$target/debug/bench run --out $vm $short --newest $vm/modules/newest.ko --no-counting $vm/modules/no-counting.ko --api2 $vm/modules/api2.ko" \
	2>&1 | tee "$vm/bench.log"
# Keep what the guest wrote: `bench report` can be rerun on it.
run=$out/$name-run
rm -rf "$run"
cp -r "$vm" "$run"
host="$(qemu-system-x86_64 --version | sed -n '1s/ version / /p'), -icount shift=0: $machine guest, ${possible:-2} vCPUs${possible:+, 2 online}"
# A distribution's image comes without its vmlinux (kernel.sh build gives its headers).
if machine_is_stock "$machine"; then vmlinux=(--no-vmlinux); else vmlinux=(--vmlinux "$kdir/vmlinux"); fi
target/debug/bench report --run "$run" --ko "$run/modules/newest.ko" "${vmlinux[@]}" --arch "$arch" --machine "$host" \
	--commit "$commit" --date "$(date -u +%F)" --json "$out/$name.json"
