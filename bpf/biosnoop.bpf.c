// SPDX-License-Identifier: GPL-2.0
/*
 * biosnoop on stable names: every block request with its device, sector,
 * size, operation and latency, and the process that issued it, with its
 * pid both in its own (container) pid namespace and in the tracer's. Needs
 * API 4 (skf_api_level() >= 4); no kernel struct is read directly, so the
 * same object runs on every kernel the module supports.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

struct event {
	__u64 latency_ns;	/* issue to completion */
	__u64 sector;
	__u32 dev;		/* as stat(2)'s st_rdev encodes it */
	__u32 bytes;
	__u32 op;		/* SKF_BLK_OP_* */
	__s32 pid;		/* in the tracer's pid namespace; 0: not visible there */
	__s32 ns_pid;		/* in the issuer's own pid namespace */
	__u32 pidns_inum;	/* the issuer's pid namespace */
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Requests in flight, by address, as their issue left them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct event);
} issued SEC(".maps");

/* Set by the loader: its own pid namespace's inode number (stat -L /proc/self/ns/pid). */
__u32 tracer_pidns_inum;
/* Set by the loader: trace only this device (st_rdev encoding); 0: all. */
__u32 only_dev;

SEC("tp_btf/block_rq_issue")
int BPF_PROG(on_issue, struct request *rq)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)rq;
	struct event e = {};

	e.dev = skf_rq_dev(rq);
	if (only_dev && e.dev != only_dev)
		return 0;
	e.sector = skf_rq_sector(rq);
	e.bytes = skf_rq_bytes(rq);
	e.op = skf_rq_op(rq);
	e.pid = skf_task_tgid_in_ns(task, tracer_pidns_inum);
	e.ns_pid = skf_task_tgid_in_ns(task, 0);
	e.pidns_inum = skf_task_ns_inum(task, SKF_NS_PID);
	skf_task_comm_v2(task, e.comm, sizeof(e.comm), SKF_COMM_GROUP_LEADER);
	e.latency_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&issued, &key, &e, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(on_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	struct event *start = bpf_map_lookup_elem(&issued, &key);
	struct event *e;

	if (!start)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		*e = *start;
		e->latency_ns = bpf_ktime_get_ns() - start->latency_ns;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&issued, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
