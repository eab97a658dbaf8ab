#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest, as root, on either architecture (busybox sh or bash).
# Executes the command the host left in $OUT/command, then leaves its status,
# the kernel log and any kmemleak report in $OUT for the host to judge.
OUT=$1
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs none /sys/kernel/tracing 2>/dev/null
mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf none /sys/fs/bpf 2>/dev/null
KMEMLEAK=/sys/kernel/debug/kmemleak
# Forget what boot leaked, so only leaks made by the command are reported.
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

cd "$(cat "$OUT/cwd")" || exit 1
sh -c "$(cat "$OUT/command")" >"$OUT/output" 2>&1 </dev/null
echo $? >"$OUT/status"

if [ -w $KMEMLEAK ]; then
	# Two scans: kmemleak only reports an object found unreferenced twice.
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >"$OUT/kmemleak"
fi
dmesg >"$OUT/dmesg"
sync

# End the VM now. Both runners start QEMU with -no-reboot, so a reboot is an
# exit; power-off would need ACPI, which the x86 test kernel leaves out.
busybox reboot -f
