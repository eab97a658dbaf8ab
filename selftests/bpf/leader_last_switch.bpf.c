// SPDX-License-Identifier: GPL-2.0
/*
 * skf_task_comm_v2(SKF_COMM_GROUP_LEADER) on a thread in its last context
 * switch (prev_state TASK_DEAD), after release_task() unhashed it and may
 * have released its leader: the leader must not be read (-ESRCH expected).
 * Loads at every level; calls v2 only where the module offers it.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

#define TASK_DEAD 0x80

struct task_struct___skf {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

/* In: the process whose non-leader threads to watch. */
__s32 target_tgid;

/* Out. */
__u32 have_comm_v2;
__u32 seen;
int ret;
char comm[16];

SEC("tp_btf/sched_switch")
int BPF_PROG(on_last_switch, __u64 preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct task_struct___skf *t = (void *)prev;

	have_comm_v2 = bpf_ksym_exists(skf_task_comm_v2);
	if (!have_comm_v2 || !(prev_state & TASK_DEAD) || t->tgid != target_tgid || t->pid == target_tgid)
		return 0;
	ret = skf_task_comm_v2(prev, comm, sizeof(comm), SKF_COMM_GROUP_LEADER);
	seen++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
