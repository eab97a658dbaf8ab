// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's timed loops (selftests/src/bin/bench). Each program runs
 * one operation ctx->iterations times in an open-coded loop and reports the
 * loop's bpf_ktime_get_ns() time in ctx->elapsed_ns; empty_loop is the same
 * loop with no call, subtracted by the driver. One program per kfunc is
 * generated from the manifest (build.rs: bench_kfuncs.bpf.c); the ones here
 * are what each kfunc is compared with: the closest helper, the CO-RE read
 * of the same field, an upstream kfunc of similar shape.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

/* bpf_for()'s iterator state, as the kernel's uapi has it since 6.4. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* What the driver passes in and reads back (BPF_PROG_TEST_RUN copies ctx back). */
struct bench_ctx {
	__u32 iterations;
	__u32 pid;
	__u64 elapsed_ns;
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
		char buf[16];                                           \
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
#include "bench_kfuncs.bpf.c"

BENCH(empty_loop, sink += i)

/* Helpers. */
BENCH(helper_get_current_pid_tgid, sink += bpf_get_current_pid_tgid())
BENCH(helper_get_current_comm, sink += bpf_get_current_comm(buf, sizeof(buf)))
BENCH(helper_get_current_cgroup_id, sink += bpf_get_current_cgroup_id())
BENCH(helper_get_smp_processor_id, sink += bpf_get_smp_processor_id())

/*
 * CO-RE reads of the fields the kfuncs return. Only the fields read are
 * declared; libbpf relocates them against the running kernel's BTF.
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

/* A plain load through the trusted task pointer: the floor. */
BENCH(direct_start_time, sink += TASK->start_time)
BENCH(core_start_time, sink += BPF_CORE_READ(TASK, start_time))
BENCH(core_comm, sink += BPF_CORE_READ_STR_INTO(&buf, TASK, comm))
BENCH(core_cpu, sink += BPF_CORE_READ(TASK, thread_info.cpu))
BENCH(core_sum_exec_runtime, sink += BPF_CORE_READ(TASK, se.sum_exec_runtime))
BENCH(core_cgroup_id, sink += BPF_CORE_READ(TASK, cgroups, dfl_cgrp, kn, id))
BENCH(core_cgroup_ancestor_id, sink += BPF_CORE_READ(TASK, cgroups, dfl_cgrp, ancestors[0], kn, id))
/* The counters rss sums (file, anon, shmem), without their per-CPU deltas. */
BENCH(core_rss, {
	struct mm_struct___bench *mm = BPF_CORE_READ(TASK, mm);

	sink += BPF_CORE_READ(mm, rss_stat[0].count) + BPF_CORE_READ(mm, rss_stat[1].count) +
		BPF_CORE_READ(mm, rss_stat[3].count);
})

BENCH(core_state, sink += BPF_CORE_READ(TASK, __state))
BENCH(core_static_prio, sink += BPF_CORE_READ(TASK, static_prio))
BENCH(core_prio, sink += BPF_CORE_READ(TASK, prio))
BENCH(core_nvcsw, sink += BPF_CORE_READ(TASK, nvcsw))
BENCH(core_nivcsw, sink += BPF_CORE_READ(TASK, nivcsw))
/* numbers[0]: the initial pid namespace's, where the benchmark runs. */
BENCH(core_pid_nr, sink += BPF_CORE_READ(TASK, thread_pid, numbers[0].nr))
BENCH(core_tgid_nr, sink += BPF_CORE_READ(TASK, signal, pids[1] /* PIDTYPE_TGID */, numbers[0].nr))
BENCH(core_pid_ns_inum, sink += BPF_CORE_READ(TASK, thread_pid, numbers[0].ns, ns.inum))

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

char LICENSE[] SEC("license") = "GPL";
