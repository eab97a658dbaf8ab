#!/bin/sh
# Runs inside a test VM: for each cell (one API level's module builds), each
# selftest binary in turn, one test at a time (tests insert and remove the
# one module). Prints libtest's output under "=== cell MACHINE apiN" headers for
# check.sh to count. Exits non-zero if any binary failed.
#
#   guest-selftests.sh MACHINE "API:MODULE:SKEWED_MODULE ..." SKF_BIN BINARY...
machine=$1 cells=$2 skf_bin=$3
shift 3
rc=0
for cell in $cells; do
	api=${cell%%:*}
	rest=${cell#*:}
	echo "=== cell $machine api$api"
	for bin in "$@"; do
		echo "--- $(basename "$bin")"
		SKF_MACHINE=$machine SKF_API=$api SKF_BIN=$skf_bin SKF_MODULE=${rest%%:*} SKF_MODULE_SKEWED=${rest#*:} \
			"$bin" --test-threads=1 || rc=1
	done
done
exit $rc
