#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make stock [KVER=]`: stable_kfuncs.ko for Debian's stock kernel
# $SKF_STOCK_KVER, or each of lib.sh's SKF_STOCK_KVERS, at every API level,
# each checked against the manifest by `skf abi check` over that kernel's BTF
# (abi-check.sh, as make check does). Prints the builds' paths.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"
cargo build -q -p skf
for kver in ${SKF_STOCK_KVER:-${SKF_STOCK_KVERS[@]}}; do
	machine=$(normalize_machine "$(stock_machine "$kver")")
	vm-test/kernel.sh build "$machine" >/dev/null
	modules=()
	for api in $(vm-test/api-levels.sh); do
		modules+=("$(vm-test/build-module.sh "$machine" "$api")")
	done
	vm-test/abi-check.sh "$machine" "$SKF_REPO/target/debug/skf" "${modules[@]}" >&2
	printf '%s\n' "${modules[@]}"
done
