#!/usr/bin/env bash
# `make stock`: stable_kfuncs.ko for Debian's stock kernel ($SKF_STOCK_KVER)
# at every API level, each checked against the manifest by `skf abi check`
# over that kernel's BTF. Prints the builds' paths.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"
machine=$(normalize_machine "x86_64-$(echo "$SKF_STOCK_KVER" | cut -d. -f1,2)-debian")
vm-test/kernel.sh build "$machine" >/dev/null
modules=()
for api in $(vm-test/api-levels.sh); do
	modules+=("$(vm-test/build-module.sh "$machine" "$api")")
done
cargo build -q -p skf
target/debug/skf abi check --repo "$SKF_REPO" -B "$(vm-test/kernel.sh path "$machine")/vmlinux" "${modules[@]}" >&2
printf '%s\n' "${modules[@]}"
