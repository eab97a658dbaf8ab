// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's timed loops (selftests/src/bin/bench). Each program runs
 * one operation ctx->iterations times in an open-coded loop and reports the
 * loop's bpf_ktime_get_ns() time in ctx->elapsed_ns: under QEMU's
 * instruction counting (vm-test/bench.sh), the instructions the guest
 * executed. empty_loop is the same loop with no call, subtracted by the
 * driver. One program per kfunc is generated from the manifest (build.rs:
 * bench_kfuncs.bpf.c); the ones here are what each kfunc is compared with:
 * the plain load of the same field through the pointer the program holds
 * (field_*), the bpf_probe_read_kernel() chain BPF_CORE_READ() makes of it
 * (probe_read_*), the closest helper, an upstream kfunc of similar shape.
 *
 * A kfunc on an object no syscall program has (a struct request, a struct
 * sock) is timed where programs get one: on a real event, looping over the
 * object the tracepoint hands over (the second half of this file).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

/* bpf_for()'s iterator state, as the kernel's uapi has it since 6.4. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* What the driver passes in and reads back (BPF_PROG_TEST_RUN copies ctx back). */
struct bench_ctx {
	__u32 iterations;
	__u32 pid;
	__u64 elapsed_ns;
	/* The benchmark's pid namespace, as bpf_get_ns_current_pid_tgid() takes it. */
	__u64 pidns_dev;
	__u64 pidns_ino;
};

/* Returned when the running module lacks the kfunc a program times. */
#define BENCH_NOT_OFFERED 1
/* Returned when the timed call fails: the loop would time an error path. */
#define BENCH_CALL_FAILED 2

/* Every result lands here, so no call or read can be optimised away. */
__u64 sink;

/*
 * Times `op` over the loop; `task` (the current task) and `buf` are there
 * for it. The loop's own cost is the same in every program.
 */
#define BENCH_LOOP(op)                                                  \
	({                                                              \
		struct task_struct *task = bpf_get_current_task_btf(); \
		char buf[16] __attribute__((aligned(8)));               \
		__u64 t0;                                               \
		int i;                                                  \
		(void)task;                                             \
		(void)buf;                                              \
		t0 = bpf_ktime_get_ns();                                \
		bpf_for(i, 0, ctx->iterations) { op; }                  \
		ctx->elapsed_ns = bpf_ktime_get_ns() - t0;              \
		0;                                                      \
	})

#define BENCH(name, op)                           \
	SEC("syscall") int name(struct bench_ctx *ctx) \
	{                                              \
		return BENCH_LOOP(op);                 \
	}

/* One per kfunc, from the manifest: BENCH_KFUNC(name, call). */
#define BENCH_KFUNC(kfunc, call)                               \
	SEC("syscall") int kfunc_##kfunc(struct bench_ctx *ctx) \
	{                                                       \
		if (!bpf_ksym_exists(kfunc))                    \
			return BENCH_NOT_OFFERED;               \
		return BENCH_LOOP(sink += call);                \
	}

/*
 * As BENCH_KFUNC, for a kfunc that returns a negative errno, plus
 * check_<kfunc>: one call, BENCH_CALL_FAILED if it fails. run.rs runs it
 * first, so a loop that would time only an error path is refused; apart,
 * so the timed program's JIT image is BENCH_KFUNC's.
 */
#define BENCH_KFUNC_ERRNO(kfunc, call)                                 \
	BENCH_KFUNC(kfunc, call)                                        \
	SEC("syscall") int check_##kfunc(struct bench_ctx *ctx)         \
	{                                                               \
		struct task_struct *task = bpf_get_current_task_btf(); \
		char buf[16];                                           \
                                                                        \
		if (!bpf_ksym_exists(kfunc))                            \
			return BENCH_NOT_OFFERED;                       \
		return (call) < 0 ? BENCH_CALL_FAILED : 0;              \
	}
BENCH(empty_loop, sink += i)

/* Helpers. */
BENCH(helper_get_current_pid_tgid, sink += bpf_get_current_pid_tgid())
BENCH(helper_get_current_comm, sink += bpf_get_current_comm(buf, sizeof(buf)))
BENCH(helper_get_current_cgroup_id, sink += bpf_get_current_cgroup_id())
BENCH(helper_get_current_ancestor_cgroup_id, sink += bpf_get_current_ancestor_cgroup_id(0))
BENCH(helper_get_smp_processor_id, sink += bpf_get_smp_processor_id())
BENCH(helper_get_ns_current_pid_tgid, {
	struct bpf_pidns_info ns;

	if (!bpf_get_ns_current_pid_tgid(ctx->pidns_dev, ctx->pidns_ino, &ns, sizeof(ns)))
		sink += ns.pid;
})

/*
 * The fields the kfuncs return, as a program reads them. Only the fields
 * read are declared; libbpf relocates them against the running kernel's BTF.
 */
#define __core __attribute__((preserve_access_index))
struct thread_info___bench { __u32 cpu; } __core;
struct sched_entity___bench { __u64 sum_exec_runtime; } __core;
struct kernfs_node___bench { __u64 id; } __core;
struct cgroup___bench {
	struct kernfs_node___bench *kn;
	struct cgroup___bench *ancestors[];
} __core;
struct css_set___bench { struct cgroup___bench *dfl_cgrp; } __core;
struct percpu_counter___bench { __s64 count; } __core;
struct mm_struct___bench { struct percpu_counter___bench rss_stat[4]; } __core;
struct ns_common___bench { unsigned int inum; } __core;
struct pid_namespace___bench { struct ns_common___bench ns; } __core;
struct upid___bench {
	int nr;
	struct pid_namespace___bench *ns;
} __core;
struct pid___bench { struct upid___bench numbers[1]; } __core;
struct signal_struct___bench { struct pid___bench *pids[4]; } __core;
struct task_struct___bench {
	struct thread_info___bench thread_info;
	unsigned int __state;
	int prio;
	int static_prio;
	__u64 start_time;
	char comm[16];
	struct sched_entity___bench se;
	struct css_set___bench *cgroups;
	struct mm_struct___bench *mm;
	unsigned long nvcsw;
	unsigned long nivcsw;
	struct pid___bench *thread_pid;
	struct signal_struct___bench *signal;
} __core;
#define TASK ((struct task_struct___bench *)task)

/*
 * Plain loads through the trusted task pointer, the verifier's direct
 * access (one instruction a load; a fault-handled load past the first
 * pointer): the real CO-RE read.
 */
BENCH(field_start_time, sink += TASK->start_time)
BENCH(field_comm, {
	((__u64 *)buf)[0] = ((__u64 *)TASK->comm)[0];
	((__u64 *)buf)[1] = ((__u64 *)TASK->comm)[1];
	sink += buf[0];
})
BENCH(field_cpu, sink += TASK->thread_info.cpu)
BENCH(field_sum_exec_runtime, sink += TASK->se.sum_exec_runtime)
BENCH(field_cgroup_id, sink += TASK->cgroups->dfl_cgrp->kn->id)
/* cgroup_ancestor_id has none: the verifier refuses loads from ancestors[], a flexible array of pointers. */
/* The counters rss sums (file, anon, shmem), without their per-CPU deltas. */
BENCH(field_rss, {
	struct mm_struct___bench *mm = TASK->mm;

	sink += mm->rss_stat[0].count + mm->rss_stat[1].count + mm->rss_stat[3].count;
})
BENCH(field_state, sink += TASK->__state)
BENCH(field_static_prio, sink += TASK->static_prio)
BENCH(field_prio, sink += TASK->prio)
BENCH(field_nvcsw, sink += TASK->nvcsw)
BENCH(field_nivcsw, sink += TASK->nivcsw)
/* numbers[0]: the initial pid namespace's, where the benchmark runs. */
BENCH(field_pid_nr, sink += TASK->thread_pid->numbers[0].nr)
BENCH(field_tgid_nr, sink += TASK->signal->pids[1] /* PIDTYPE_TGID */->numbers[0].nr)
BENCH(field_pid_ns_inum, sink += TASK->thread_pid->numbers[0].ns->ns.inum)

/* The same fields through BPF_CORE_READ(): one bpf_probe_read_kernel() call per pointer hop. */
BENCH(probe_read_start_time, sink += BPF_CORE_READ(TASK, start_time))
BENCH(probe_read_comm, sink += BPF_CORE_READ_STR_INTO(&buf, TASK, comm))
BENCH(probe_read_cpu, sink += BPF_CORE_READ(TASK, thread_info.cpu))
BENCH(probe_read_sum_exec_runtime, sink += BPF_CORE_READ(TASK, se.sum_exec_runtime))
BENCH(probe_read_cgroup_id, sink += BPF_CORE_READ(TASK, cgroups, dfl_cgrp, kn, id))
BENCH(probe_read_cgroup_ancestor_id, sink += BPF_CORE_READ(TASK, cgroups, dfl_cgrp, ancestors[0], kn, id))
BENCH(probe_read_rss, {
	struct mm_struct___bench *mm = BPF_CORE_READ(TASK, mm);

	sink += BPF_CORE_READ(mm, rss_stat[0].count) + BPF_CORE_READ(mm, rss_stat[1].count) +
		BPF_CORE_READ(mm, rss_stat[3].count);
})
BENCH(probe_read_state, sink += BPF_CORE_READ(TASK, __state))
BENCH(probe_read_static_prio, sink += BPF_CORE_READ(TASK, static_prio))
BENCH(probe_read_prio, sink += BPF_CORE_READ(TASK, prio))
BENCH(probe_read_nvcsw, sink += BPF_CORE_READ(TASK, nvcsw))
BENCH(probe_read_nivcsw, sink += BPF_CORE_READ(TASK, nivcsw))
BENCH(probe_read_pid_nr, sink += BPF_CORE_READ(TASK, thread_pid, numbers[0].nr))
BENCH(probe_read_tgid_nr, sink += BPF_CORE_READ(TASK, signal, pids[1] /* PIDTYPE_TGID */, numbers[0].nr))
BENCH(probe_read_pid_ns_inum, sink += BPF_CORE_READ(TASK, thread_pid, numbers[0].ns, ns.inum))

/* Upstream kfuncs of similar shape: a lookup that acquires, and its release. */
struct cgroup {};
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

BENCH(upstream_task_from_pid, {
	struct task_struct *found = bpf_task_from_pid(ctx->pid);

	if (found) {
		sink += 1;
		bpf_task_release(found);
	}
})

SEC("syscall")
int upstream_cgroup_ancestor(struct bench_ctx *ctx)
{
	struct cgroup *cgrp = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	int ret;

	if (!cgrp)
		return BENCH_NOT_OFFERED;
	ret = BENCH_LOOP({
		struct cgroup *root = bpf_cgroup_ancestor(cgrp, 0);

		if (root) {
			sink += 1;
			bpf_cgroup_release(root);
		}
	});
	bpf_cgroup_release(cgrp);
	return ret;
}

/*
 * Timed on events. run.rs attaches one of these programs at a time and
 * makes its event happen a known number of times; every event runs the
 * loop over the object it hands over and adds its time here. The outcome
 * codes are the syscall programs' return values.
 */
#define EVENT_SAMPLES 16
struct event_timing {
	__u32 iterations;	/* in: the loop length */
	__u32 outcome;		/* out: 0, or BENCH_NOT_OFFERED / BENCH_CALL_FAILED */
	__u64 events;		/* out: events the program ran on */
	__u64 elapsed_ns[EVENT_SAMPLES];	/* out: the first events' loop times */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_timing);
} event_timing SEC(".maps");

/* The events, each with the object its kfuncs take. */
#define BLOCK_RQ_ISSUE(name) SEC("tp_btf/block_rq_issue") int BPF_PROG(name, struct request *rq)
#define TCP_RCV_SPACE_ADJUST(name) SEC("tp_btf/tcp_rcv_space_adjust") int BPF_PROG(name, struct sock *sk)

/* Counts one event that ended with `outcome` after `elapsed_ns` of loop. */
static __always_inline int event_end(struct event_timing *t, __u32 outcome, __u64 elapsed_ns)
{
	__u64 n = __sync_fetch_and_add(&t->events, 1);

	if (outcome)
		t->outcome = outcome;
	if (n < EVENT_SAMPLES)
		t->elapsed_ns[n] = elapsed_ns;
	return 0;
}

/*
 * Program `name` on `event`: the body (the remaining arguments) has the
 * event's object, `t` and `buf` (big enough for a struct skf_sock_tuple).
 */
#define EVENT_PROG(event, name, ...)                                         \
	event(name)                                                          \
	{                                                                    \
		__u32 zero = 0;                                              \
		struct event_timing *t = bpf_map_lookup_elem(&event_timing, &zero); \
		char buf[sizeof(struct skf_sock_tuple)] __attribute__((aligned(8))); \
                                                                             \
		(void)buf;                                                   \
		if (!t)                                                      \
			return 0;                                            \
		__VA_ARGS__;                                                 \
	}

/* Times the operation (the arguments) over the loop, as BENCH_LOOP does. */
#define EVENT_LOOP(...)                                                \
	({                                                             \
		__u64 t0 = bpf_ktime_get_ns();                         \
		int i;                                                 \
		bpf_for(i, 0, t->iterations) { __VA_ARGS__; }          \
		event_end(t, 0, bpf_ktime_get_ns() - t0);              \
	})

#define EVENT_BENCH(event, name, ...) EVENT_PROG(event, name, return EVENT_LOOP(__VA_ARGS__))

/* One per kfunc on an event's object, from the manifest, as BENCH_KFUNC. */
#define BENCH_EVENT_KFUNC(event, kfunc, call)                                  \
	EVENT_PROG(event, kfunc_##kfunc,                                        \
		   if (!bpf_ksym_exists(kfunc)) return event_end(t, BENCH_NOT_OFFERED, 0); \
		   return EVENT_LOOP(sink += call))

/* As BENCH_KFUNC_ERRNO: check_<kfunc> calls it once per event. */
#define BENCH_EVENT_KFUNC_ERRNO(event, kfunc, call)                             \
	BENCH_EVENT_KFUNC(event, kfunc, call)                                   \
	EVENT_PROG(event, check_##kfunc,                                        \
		   if (!bpf_ksym_exists(kfunc)) return event_end(t, BENCH_NOT_OFFERED, 0); \
		   return event_end(t, (call) < 0 ? BENCH_CALL_FAILED : 0, 0))

#include "bench_kfuncs.bpf.c"

EVENT_BENCH(BLOCK_RQ_ISSUE, blk_empty_loop, sink += i)
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_empty_loop, sink += i)

/* The cheapest helper, on the event: no helper reads a request. */
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_helper_get_current_pid_tgid, sink += bpf_get_current_pid_tgid())
/* What a program calls before it reads a tcp_sock's fields. */
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_helper_skc_to_tcp_sock, {
	void *tp = bpf_skc_to_tcp_sock(sk);

	if (tp)
		sink += 1;
})

/* The fields the block kfuncs return, as a program reads them. */
struct gendisk___bench {
	int major;
	int first_minor;
} __core;
struct request_queue___bench { struct gendisk___bench *disk; } __core;
struct request___bench {
	struct request_queue___bench *q;
	__u32 cmd_flags;
	__u32 __data_len;
	__u64 __sector;
} __core;
#define RQ ((struct request___bench *)rq)
/* The low bits of cmd_flags that req_op() keeps (REQ_OP_BITS). */
#define REQ_OP_MASK ((1 << 8) - 1)

/* new_encode_dev() of a disk's major and first minor. */
#define ENCODE_DEV(major, minor) (((minor) & 0xff) | ((major) << 8) | (((minor) & ~0xff) << 12))

EVENT_BENCH(BLOCK_RQ_ISSUE, blk_field_rq_bytes, sink += RQ->__data_len)
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_field_rq_sector, sink += RQ->__sector)
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_field_rq_op, sink += RQ->cmd_flags & REQ_OP_MASK)
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_field_rq_dev, {
	struct gendisk___bench *disk = RQ->q->disk;

	sink += ENCODE_DEV(disk->major, disk->first_minor);
})

EVENT_BENCH(BLOCK_RQ_ISSUE, blk_probe_read_rq_bytes, sink += BPF_CORE_READ(RQ, __data_len))
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_probe_read_rq_sector, sink += BPF_CORE_READ(RQ, __sector))
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_probe_read_rq_op, sink += BPF_CORE_READ(RQ, cmd_flags) & REQ_OP_MASK)
EVENT_BENCH(BLOCK_RQ_ISSUE, blk_probe_read_rq_dev, {
	struct gendisk___bench *disk = BPF_CORE_READ(RQ, q, disk);

	sink += ENCODE_DEV(BPF_CORE_READ(disk, major), BPF_CORE_READ(disk, first_minor));
})

/* ... and those the net kfuncs return; the addresses as IPv4 (loopback) has them. */
struct net___bench { __u64 net_cookie; } __core;
struct sock_common___bench {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct {
		struct net___bench *net;
	} skc_net;
} __core;
struct sock___bench {
	struct sock_common___bench __sk_common;
	__u16 sk_protocol;
} __core;
struct tcp_sock___bench { __u32 srtt_us; } __core;
#define SK ((struct sock___bench *)sk)

/* The tuple as a program fills it, reading each field with READ(sk, field). */
#define SK_TUPLE(READ)                                                          \
	({                                                                      \
		struct skf_sock_tuple *tuple = (void *)buf;                     \
                                                                                \
		tuple->family = READ(SK, __sk_common.skc_family);               \
		tuple->protocol = READ(SK, sk_protocol);                        \
		tuple->local_port = READ(SK, __sk_common.skc_num);              \
		tuple->remote_port = bpf_ntohs(READ(SK, __sk_common.skc_dport)); \
		*(__u32 *)tuple->local_addr = READ(SK, __sk_common.skc_rcv_saddr); \
		*(__u32 *)tuple->remote_addr = READ(SK, __sk_common.skc_daddr); \
		sink += tuple->local_port;                                      \
	})
#define FIELD(ptr, field) ((ptr)->field)

EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_field_sk_tuple, SK_TUPLE(FIELD))
/* skc_net.net is __rcu: the verifier wants it tested before the load. */
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_field_sk_netns_cookie, {
	struct net___bench *net = SK->__sk_common.skc_net.net;

	if (net)
		sink += net->net_cookie;
})
/* tcp_sock.srtt_us holds the RTT << 3; a program reaches it through bpf_skc_to_tcp_sock(). */
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_field_tcp_srtt_us, {
	struct tcp_sock___bench *tp = (void *)bpf_skc_to_tcp_sock(sk);

	if (tp)
		sink += tp->srtt_us >> 3;
})

EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_probe_read_sk_tuple, SK_TUPLE(BPF_CORE_READ))
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_probe_read_sk_netns_cookie, sink += BPF_CORE_READ(SK, __sk_common.skc_net.net, net_cookie))
EVENT_BENCH(TCP_RCV_SPACE_ADJUST, tcp_probe_read_tcp_srtt_us, sink += BPF_CORE_READ((struct tcp_sock___bench *)sk, srtt_us) >> 3)

char LICENSE[] SEC("license") = "GPL";
