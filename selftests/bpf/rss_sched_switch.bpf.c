// SPDX-License-Identifier: GPL-2.0
/*
 * skf_task_rss_bytes on the task being switched to: another task, with
 * IRQs off and the runqueue locked, where taking its task_lock is not
 * allowed (-EBUSY expected).
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

/* CO-RE: only the field read here, relocated against the kernel's task_struct. */
struct task_struct___skf {
	int tgid;
} __attribute__((preserve_access_index));

__s32 target_tgid;
__u32 seen;
__s64 rss_bytes;

SEC("tp_btf/sched_switch")
int BPF_PROG(rss_of_next, __u64 preempt, struct task_struct *prev, struct task_struct *next)
{
	if (seen || ((struct task_struct___skf *)next)->tgid != target_tgid)
		return 0;
	rss_bytes = skf_task_rss_bytes(next);
	seen = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
