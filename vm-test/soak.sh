#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make soak`: the soak tests' long form on one machine, at the newest API
# level: load/unload cycles under racing switches for SECONDS (selftest
# soak), 1000 concurrent loads (concurrent_loads), and where the kernel can
# inject faults, the init fault sweep over every allocation (init_faults).
# `make check` runs their short forms on every machine.
#
#   soak.sh [MACHINE] [SECONDS]
#
# MACHINE defaults to x86_64-6.12-kcsan, whose kernel reports data races
# (KCSAN) the module's code takes part in, and SECONDS to 600. `make soak
# [ARCH=..] [SERIES=..] [FLAVOUR=..] [SOAK_SECONDS=..]` passes them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

machine=$(normalize_machine "${1:-x86_64-6.12-kcsan}")
seconds=${2:-600}
[[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number of seconds, not '$seconds'"
arch=$(machine_arch "$machine")
api=$(vm-test/api-levels.sh | tail -1)
vm-test/kernel.sh build "$machine" >/dev/null
module=$(vm-test/build-module.sh "$machine" "$api")
skf=$(build_skf "$arch")
tests=(soak concurrent_loads)
# The fault sweep, over every allocation, where the kernel can inject faults.
if kernel_has "$machine" "${selftest_needs[init_faults]}"; then
	tests+=(init_faults)
else
	log "init_faults: not run on $machine (its kernel lacks ${selftest_needs[init_faults]})"
fi
bins=$(build_selftests "$arch" | grep -E "/($(IFS='|'; echo "${tests[*]}"))-[0-9a-f]+\$" | paste -sd' ')
[ "$(echo $bins | wc -w)" = ${#tests[@]} ] || die "the selftests ${tests[*]} were not all built (found: $bins)"
# Booting, the loads and the unload waits come on top of the cycles.
vm-test/run-vm.sh --machine "$machine" --timeout $((seconds + 1800)) -- \
	"SKF_SOAK_SECONDS=$seconds sh vm-test/guest-selftests.sh $machine '$api:$module:$module' $skf $module '' $bins"
