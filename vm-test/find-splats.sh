#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints the kernel-log lines in FILE... that report a kernel bug (BUG,
# WARNING, Oops, lockdep, RCU, KASAN, kmemleak, Call Trace); exits 1 if
# there are any. Patterns: vm-test/splat-patterns.
patterns=$(dirname "$0")/splat-patterns
matches=$(cat "$@" 2>/dev/null | grep -E -f "$patterns" | sort -u)
[ -z "$matches" ] && exit 0
echo "$matches"
exit 1
