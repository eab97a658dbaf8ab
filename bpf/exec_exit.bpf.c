// SPDX-License-Identifier: GPL-2.0
/*
 * Reports every process exec and exit with its name, cgroup, start time
 * and RSS, through stable_kfuncs only. One compiled object runs unchanged
 * on API 1, 2 and 3: skf_task_comm() picks skf_task_comm_v2 or _v1, and
 * everything else it calls exists at every level.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

#define EVENT_EXEC 1
#define EVENT_EXIT 2

struct event {
	__u32 kind;
	__u32 pid;
	__u64 cgroup_id;
	__u64 start_time_ns;
	__s64 rss_bytes;	/* -errno where the kernel could not say */
	__s32 comm_ret;		/* length of comm, or -errno */
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Set by the loader to its own pid, to keep its own activity out; 0: none. */
__u32 skip_tgid;

static void report(__u32 kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct event *e;

	if (skip_tgid && (bpf_get_current_pid_tgid() >> 32) == skip_tgid)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;
	e->kind = kind;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->cgroup_id = skf_task_cgroup_id(task);
	e->start_time_ns = skf_task_start_time_ns(task);
	e->rss_bytes = skf_task_rss_bytes(task);
	e->comm_ret = skf_task_comm(task, e->comm, sizeof(e->comm), SKF_COMM_GROUP_LEADER);
	if (e->comm_ret == -SKF_EOPNOTSUPP) /* API 1: no flags, so the thread's own name */
		e->comm_ret = skf_task_comm(task, e->comm, sizeof(e->comm), 0);
	bpf_ringbuf_submit(e, 0);
}

/* After the new image is in place: comm and mm are the new program's. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec)
{
	report(EVENT_EXEC);
	return 0;
}

/* Entry of do_exit(), while the task still has its mm. */
SEC("kprobe/do_exit")
int BPF_KPROBE(on_exit)
{
	if ((__u32)bpf_get_current_pid_tgid() == bpf_get_current_pid_tgid() >> 32)
		report(EVENT_EXIT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
