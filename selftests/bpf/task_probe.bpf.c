// SPDX-License-Identifier: GPL-2.0
/*
 * Calls the API 4 sched, ns and mm kfuncs on the task with pid target_pid
 * (in the initial pid namespace), each only where the running module
 * offers it, so this loads at every level.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include "task_probed.bpf.h"

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* In: the task, and the pid namespace to see its pid from. */
__s32 target_pid;
__u32 loader_pidns_inum;

/* Out: which kfuncs exist (bit i: build.rs's TASK_PROBED[i]), and their values. */
__u64 have;
int found;
__u32 state;
int nice, prio;
__u64 nvcsw, nivcsw;
__s32 pid_own, tgid_own, pid_loader, tgid_loader, pid_nowhere;
__s64 ns_pid, ns_mnt, ns_net, ns_bad_kind;
__s64 rss_file, rss_anon, rss_shmem, rss_all, rss_old, rss_no_kind;

#define HAVE(i, sym) (bpf_ksym_exists(sym) ? 1ULL << (i) : 0)

SEC("syscall")
int task_probe(void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(target_pid);

	have = TASK_PROBED_BITS(HAVE);
	found = task != 0;
	if (!task)
		return 0;
	if (bpf_ksym_exists(skf_task_state))
		state = skf_task_state(task);
	if (bpf_ksym_exists(skf_task_nice))
		nice = skf_task_nice(task);
	if (bpf_ksym_exists(skf_task_prio))
		prio = skf_task_prio(task);
	if (bpf_ksym_exists(skf_task_nvcsw))
		nvcsw = skf_task_nvcsw(task);
	if (bpf_ksym_exists(skf_task_nivcsw))
		nivcsw = skf_task_nivcsw(task);
	if (bpf_ksym_exists(skf_task_pid_in_ns)) {
		pid_own = skf_task_pid_in_ns(task, 0);
		pid_loader = skf_task_pid_in_ns(task, loader_pidns_inum);
		pid_nowhere = skf_task_pid_in_ns(task, 1); /* no namespace has inode 1 */
	}
	if (bpf_ksym_exists(skf_task_tgid_in_ns)) {
		tgid_own = skf_task_tgid_in_ns(task, 0);
		tgid_loader = skf_task_tgid_in_ns(task, loader_pidns_inum);
	}
	if (bpf_ksym_exists(skf_task_ns_inum)) {
		ns_pid = skf_task_ns_inum(task, SKF_NS_PID);
		ns_mnt = skf_task_ns_inum(task, SKF_NS_MNT);
		ns_net = skf_task_ns_inum(task, SKF_NS_NET);
		ns_bad_kind = skf_task_ns_inum(task, 99);
	}
	if (bpf_ksym_exists(skf_task_rss_kind_bytes)) {
		rss_file = skf_task_rss_kind_bytes(task, SKF_RSS_FILE);
		rss_anon = skf_task_rss_kind_bytes(task, SKF_RSS_ANON);
		rss_shmem = skf_task_rss_kind_bytes(task, SKF_RSS_SHMEM);
		rss_all = skf_task_rss_kind_bytes(task, SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM);
		rss_no_kind = skf_task_rss_kind_bytes(task, 0);
	}
	if (bpf_ksym_exists(skf_task_rss_bytes))
		rss_old = skf_task_rss_bytes(task);
	bpf_task_release(task);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
