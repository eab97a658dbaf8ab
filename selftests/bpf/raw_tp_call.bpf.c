// SPDX-License-Identifier: GPL-2.0
/*
 * The same kfunc call from a raw_tp and a tp_btf program. No kfunc set of
 * the module is registered for raw_tp; 7.x maps raw_tp to the tracing hook
 * (6.12 does not), and the module keeps it refused on both.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_helpers.h>

__u32 cpu;

SEC("raw_tp/sys_enter")
int cpu_from_raw_tp(void *ctx)
{
	cpu = skf_task_cpu(bpf_get_current_task_btf());
	return 0;
}

SEC("tp_btf/sys_enter")
int cpu_from_tp_btf(void *ctx)
{
	cpu = skf_task_cpu(bpf_get_current_task_btf());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
