#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs one shell command as root inside a test VM, with the repo visible at
# the same path as on the host.
#
#   run-vm.sh [--machine MACHINE] [--timeout SECONDS] [--out DIR] [--icount] [--possible-cpus N] -- COMMAND
#
# MACHINE: x86_64 (default), arm64, x86_64-6.12-pahole131-kasan,
# x86_64-7.2-debian or x86_64-6.12-debian13 (lib.sh);
# --arch is the same option.
#
# --icount: QEMU's instruction counting (-icount shift=0,sleep=off), for the
# benchmark: the guest's clocks advance one ns per instruction the guest
# executes and jump over idle time, so a clock delta counts instructions.
# It needs one TCG thread for all vCPUs (QEMU refuses MTTCG with it) and no
# KVM; arm64's generic counter runs at 1 GHz (QEMU 7.2's default, 62.5 MHz,
# would count in steps of 16).
#
# --possible-cpus: N vCPUs, of which the guest brings up 2 (maxcpus=2), as
# every guest has; the others stay possible, never started (starting 64
# under one TCG thread starves them into soft lockups). For the benchmark's
# CPU scaling: what per-CPU walks over possible CPUs cost.
#
# Prints the command's output. Exits with the command's status, or:
#   124  the VM did not finish within the time limit
#   125  the VM did not run the command (boot failure, crash)
#   126  the guest kernel logged a splat (BUG, WARNING, lockdep, kmemleak...)
# DIR keeps output, status, dmesg, kmemleak and console.log afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

machine=x86_64 timeout=600 out= icount= cpus=2 cmdline_cpus=
while [ $# -gt 0 ]; do
	case "$1" in
	--machine | --arch) machine=$(normalize_machine "$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--possible-cpus) cpus=$2 cmdline_cpus=" maxcpus=2"; shift 2 ;;
	--) shift; break ;;
	*) die "unknown option '$1' (usage: run-vm.sh [--machine M] [--timeout S] [--out DIR] [--icount] [--possible-cpus N] -- COMMAND)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given (usage: run-vm.sh [--machine M] [--timeout S] [--out DIR] [--icount] [--possible-cpus N] -- COMMAND)"
[[ "$cpus" =~ ^([2-9]|[1-9][0-9]+)$ ]] || die "--possible-cpus $cpus: give a number of CPUs, 2 or more"
arch=$(machine_arch "$machine")
# QEMU's virt board with its default GICv2 takes 8 CPUs.
[ "$arch" != arm64 ] || [ "$cpus" -le 8 ] || die "--possible-cpus $cpus: arm64 guests take at most 8 vCPUs here (the virt board's GICv2)"

guest_modules=()
if machine_is_stock "$machine"; then
	# Debian's image, and the modules its guest loads before mounting 9p.
	kver=$(stock_kver "$machine")
	mapfile -t boot < <("$SKF_REPO/vm-test/stock.sh" boot "$kver")
	[ ${#boot[@]} -gt 1 ] || die "could not fetch Debian's $kver image and modules (vm-test/stock.sh boot)"
	image=${boot[0]} guest_modules=("${boot[@]:1}")
else
	image=$("$SKF_REPO/vm-test/kernel.sh" image "$machine")
fi
if [ -z "$out" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{status,output,dmesg,kmemleak,console.log}
printf '%s\n' "$*" >"$out/command"
pwd >"$out/cwd"

# KVM is only worth it if a guest actually boots with it: on some hosts
# /dev/kvm exists but guests hang after the firmware. Probe once per host boot.
kvm_works() {
	local stamp=$SKF_CACHE/kvm-probe-$(cat /proc/sys/kernel/random/boot_id)
	if [ ! -f "$stamp" ]; then
		local verdict=no
		if [ -w /dev/kvm ] && timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 \
			-nographic -no-reboot -kernel "$image" -append "console=ttyS0 panic=-1 init=/nonexistent" \
			2>/dev/null | grep -q 'Kernel panic'; then
			verdict=yes
		fi
		mkdir -p "$SKF_CACHE" && echo $verdict >"$stamp"
	fi
	[ "$(cat "$stamp")" = yes ]
}

# The kernel command line both runners add: a log buffer that holds a whole
# `make check` machine's run (the 128 KiB default wraps, losing the early
# lines the splat check must see).
SKF_GUEST_CMDLINE="log_buf_len=16M$cmdline_cpus"

ICOUNT=(-icount shift=0,sleep=off)

# One host thread for all of a guest's vCPUs. With multi-threaded TCG a
# vCPU can go on running code that text patching on another vCPU has
# already changed: Debian's x86_64 image oopsed ("Oops: int3") when a
# static key flipped under its code (its own sched_schedstats, within
# 10 s; single-threaded, none in a minute), and in the soak test one kfunc
# counted none of 5 calls right after call counting was switched on, while
# every other kfunc counted all 5, as a stale translation of its entry
# would (once on x86_64-6.12 in CI, once on arm64-6.12; not reproduced on
# demand). A guest gets about one host
# core anyway (check.sh runs one guest per core).
TCG=(-accel tcg,thread=single)

run_x86_64() {
	local accel=--disable-kvm qemu_opts=()
	[ -z "$icount" ] && kvm_works && accel=--force-kvm
	# virtme-ng passes this word on, and it must come last; without KVM it
	# names no accelerator itself.
	[ "$accel" = --disable-kvm ] && qemu_opts=(--qemu-opts="${TCG[*]}${icount:+ ${ICOUNT[*]}}")
	log "booting x86_64 VM (virtme-ng, ${accel#--}${icount:+, icount})"
	# root=/dev/root: virtme-ng's 9p root tag. 6.12 mounts a nodev root only
	# by name, and virtme-ng leaves root= out when it boots without initramfs.
	PATH=$SKF_VENV/bin:$PATH timeout -k 10 "$timeout" vng --run "$image" $accel --verbose \
		--memory 1G --cpus "$cpus" --user root --rwdir "$out" --append "root=/dev/root $SKF_GUEST_CMDLINE" \
		--exec "sh $SKF_REPO/vm-test/guest-exec.sh $out" "${qemu_opts[@]}" </dev/null >"$out/console.log" 2>&1
}

# qemu with a busybox initramfs of Debian packages (mkrootfs.sh): the arm64
# guests, and Debian's stock kernel, whose 9p is modules virtme-ng would look
# for on the host.
run_qemu() {
	local rootfs qemu console
	rootfs=$("$SKF_REPO/vm-test/mkrootfs.sh" "$arch" "${guest_modules[@]}")
	case "$arch" in
	arm64) qemu=(qemu-system-aarch64 "${TCG[@]}" -M virt -cpu max${icount:+,cntfrq=1000000000}) console=ttyAMA0 ;;
	x86_64) qemu=(qemu-system-x86_64 "${TCG[@]}" -cpu max) console=ttyS0 ;;
	esac
	[ -n "$icount" ] && qemu+=("${ICOUNT[@]}")
	log "booting $machine VM (${qemu[0]}, tcg${icount:+, icount})"
	timeout -k 10 "$timeout" "${qemu[@]}" -smp "$cpus" -m 1G \
		-nographic -no-reboot -kernel "$image" -initrd "$rootfs" \
		-append "console=$console panic=-1 skf.repo=$SKF_REPO skf.out=$out $SKF_GUEST_CMDLINE" \
		-virtfs "local,path=$SKF_REPO,mount_tag=repo,security_model=none,readonly=on" \
		-virtfs "local,path=$out,mount_tag=out,security_model=none" \
		</dev/null >"$out/console.log" 2>&1
}

start=$SECONDS
rc=0
if [ "$arch" = x86_64 ] && ! machine_is_stock "$machine"; then run_x86_64 || rc=$?; else run_qemu || rc=$?; fi
[ -f "$out/output" ] && cat "$out/output"
log "$machine VM finished in $((SECONDS - start))s"
if [ $rc = 124 ] || [ $rc = 137 ]; then
	tail -30 "$out/console.log" >&2
	echo "error: the $machine VM did not finish within ${timeout}s (console log above)" >&2
	exit 124
fi
if [ ! -f "$out/status" ]; then
	tail -30 "$out/console.log" >&2
	echo "error: the $machine VM exited ($rc) without running the command (console log above)" >&2
	exit 125
fi
# An empty log would hide every splat: insist on seeing the boot banner.
if ! grep -q 'Linux version' "$out/dmesg" 2>/dev/null; then
	echo "error: the $machine guest left no kernel log in $out/dmesg; cannot check it for splats" >&2
	exit 125
fi
if ! splats=$("$SKF_REPO/vm-test/find-splats.sh" "$out/dmesg" "$out/kmemleak" "$out/console.log"); then
	echo "$splats" | head -20 >&2
	echo "error: the $machine guest kernel logged a splat (above; full log: dmesg in the VM output)" >&2
	cat "$out/dmesg" >&2
	exit 126
fi
exit "$(cat "$out/status")"
