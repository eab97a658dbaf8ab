#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make fmt`: rustfmt (rustfmt.toml) over every crate here: the workspace
# (userspace/, selftests/, xtask/) and the kernel module, which is not a
# Cargo crate (its generated tables are skipped: `cargo xtask gen` owns them).
#
#   fmt.sh [--check]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

check=()
case "${1:-}" in
"") ;;
--check) check=(--check) ;;
*) die "unknown option '$1' (usage: fmt.sh [--check])" ;;
esac
status=0
cargo fmt --all "${check[@]}" || status=1
rustfmt --edition 2021 --config-path rustfmt.toml "${check[@]}" module/stable_kfuncs_main.rs || status=1
exit $status
