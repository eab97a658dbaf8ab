#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints every API level the module can be built at, oldest first, from the
# manifest's api_level.
set -euo pipefail
newest=$(sed -n 's/^api_level = //p' "$(dirname "$0")/../module/kfuncs.toml")
[ -n "$newest" ] || { echo "error: module/kfuncs.toml has no api_level line" >&2; exit 1; }
seq 1 "$newest"
