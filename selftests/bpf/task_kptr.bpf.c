// SPDX-License-Identifier: GPL-2.0
/*
 * Keeps a reference on another process's thread as a kptr, so that the
 * process can exit and be reaped meanwhile, then asks skf_task_comm_v2 for
 * the thread's process (group leader) name: the leader may be freed by
 * then, which the kfunc must notice (-ESRCH) instead of reading it.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include "task_ref.h"

struct stashed_task {
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stashed_task);
} stash SEC(".maps");

/* test_run's ctx_in for stash_task. */
struct stash_args {
	__s32 tid;
};

__u32 have_comm_v2;
char comm[16];
int ret;

SEC("syscall")
int stash_task(struct stash_args *args)
{
	struct stashed_task *slot;
	struct task_struct *task;
	__u32 zero = 0;

	slot = bpf_map_lookup_elem(&stash, &zero);
	if (!slot)
		return 1;
	task = bpf_task_from_pid(args->tid);
	if (!task)
		return 2;
	task = bpf_kptr_xchg(&slot->task, task);
	if (task)
		bpf_task_release(task);
	return 0;
}

SEC("syscall")
int stashed_leader_comm(void *ctx)
{
	struct stashed_task *slot;
	struct task_struct *task;
	__u32 zero = 0;

	slot = bpf_map_lookup_elem(&stash, &zero);
	if (!slot)
		return 1;
	task = bpf_kptr_xchg(&slot->task, NULL);
	if (!task)
		return 2;
	have_comm_v2 = bpf_ksym_exists(skf_task_comm_v2);
	if (have_comm_v2)
		ret = skf_task_comm_v2(task, comm, sizeof(comm), SKF_COMM_GROUP_LEADER);
	task = bpf_kptr_xchg(&slot->task, task);
	if (task)
		bpf_task_release(task);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
