#!/usr/bin/env bash
# `make stock`: stable_kfuncs.ko for Debian's stock kernel ($SKF_STOCK_KVER)
# at every API level, each checked against the manifest by `skf abi check`
# over that kernel's BTF (abi-check.sh, as make check does). Prints the
# builds' paths.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"
machine=$(normalize_machine "x86_64-$(kver_series "$SKF_STOCK_KVER")-debian")
vm-test/kernel.sh build "$machine" >/dev/null
modules=()
for api in $(vm-test/api-levels.sh); do
	modules+=("$(vm-test/build-module.sh "$machine" "$api")")
done
cargo build -q -p skf
vm-test/abi-check.sh "$machine" "$SKF_REPO/target/debug/skf" "${modules[@]}" >&2
printf '%s\n' "${modules[@]}"
