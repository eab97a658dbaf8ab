// SPDX-License-Identifier: GPL-2.0
/*
 * A task kfunc from networking programs: stable_kfuncs registers its kfuncs
 * for tracing, kprobe and syscall programs only, so neither XDP nor tc may
 * call skf_task_cpu, at any level.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

__u32 cpu;

SEC("xdp")
int cpu_from_xdp(void *ctx)
{
	cpu = skf_task_cpu(bpf_get_current_task_btf());
	return 2; /* XDP_PASS */
}

SEC("tc")
int cpu_from_tc(void *ctx)
{
	cpu = skf_task_cpu(bpf_get_current_task_btf());
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
