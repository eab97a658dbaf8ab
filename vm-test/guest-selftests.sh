#!/bin/sh
# Runs inside a test VM: each selftest binary in turn, one test at a time
# (tests insert and remove the one module), printing libtest's output for
# check.sh to count. Exits non-zero if any binary failed.
rc=0
for bin in "$@"; do
	echo "--- $(basename "$bin")"
	"$bin" --test-threads=1 || rc=1
done
exit $rc
