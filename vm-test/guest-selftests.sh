#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a test VM: for each cell (one API level's module builds), each
# selftest binary in turn, one test at a time (tests insert and remove the
# one module); the ONCE binaries (level-independent) in the last cell only.
# Prints libtest's output under "=== cell MACHINE apiN" headers for check.sh
# to count. Exits non-zero if any binary failed.
#
#   guest-selftests.sh MACHINE "API:MODULE:SKEWED_MODULE ..." SKF_BIN DISTILLED_MODULE "ONCE..." BINARY...
machine=$1 cells=$2 skf_bin=$3 distilled=$4 once=$5
shift 5
last=$(echo $cells | awk '{ print $NF }')
rc=0
for cell in $cells; do
	api=${cell%%:*}
	rest=${cell#*:}
	bins="$*"
	[ "$cell" = "$last" ] && bins="$bins $once"
	echo "=== cell $machine api$api"
	for bin in $bins; do
		echo "--- $(basename "$bin")"
		SKF_MACHINE=$machine SKF_API=$api SKF_BIN=$skf_bin SKF_MODULE=${rest%%:*} SKF_MODULE_SKEWED=${rest#*:} \
			SKF_MODULE_DISTILLED=$distilled \
			"$bin" --test-threads=1 || rc=1
	done
done
exit $rc
