#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints the kernel-log lines in FILE... that report a kernel bug (BUG,
# WARNING, Oops, lockdep, RCU, KASAN, KCSAN, kmemleak, Call Trace); exits 1
# if there are any. Patterns: vm-test/splat-patterns.
#
# A KCSAN report counts only if one of its stacks runs the module's code
# (a frame in [stable_kfuncs], or a skf_ function): a kernel built with
# KCSAN reports its own races too (the scheduler's, the VFS's), which are
# not this project's to fix. Those are named on stderr, not counted.
patterns=$(dirname "$0")/splat-patterns
matches=$(cat "$@" 2>/dev/null | awk '
	# A KCSAN report: from its BUG line to the rule of = that closes it.
	/BUG: KCSAN:/ { report = $0; ours = 0; next }
	report != "" {
		report = report "\n" $0
		if (/\[stable_kfuncs\]|[ :/]skf_[a-z0-9_]+\+0x/) ours = 1
		if (/====================/) {
			if (ours) print report
			else print "kernel race (no module frame): " substr(report, 1, index(report, "\n") - 1) > "/dev/stderr"
			report = ""
		}
		next
	}
	{ print }
	# A report the log cut short is kept whole: it may be ours.
	END { if (report != "") print report }
' | grep -E -f "$patterns" | sort -u)
[ -z "$matches" ] && exit 0
echo "$matches"
exit 1
