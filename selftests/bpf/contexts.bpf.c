// SPDX-License-Identifier: GPL-2.0
/*
 * Every kfunc in every context it is offered to, on the strangest objects
 * those contexts hand over: the tasks of a context switch (idle, kernel
 * threads, a dying prev), an exiting task, a task being freed (an RCU
 * callback, refcount 0), a task still being created, whatever a timer
 * interrupt (perf_event) or a kprobe interrupts, tasks a syscall program
 * looks up; block requests at issue and completion (flushes carry no
 * data); sockets changing state. The calls are generated from the manifest
 * (build.rs: context_calls.bpf.h), each where the running module offers
 * the kfunc; per (context, kfunc) the outcomes are counted for the test
 * (selftests/tests/contexts.rs) to hold against the kfunc's documentation.
 */
/* It calls every version ever released, deprecated ones too: no warnings. */
#define SKF_TARGET_API 1
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* The contexts, as selftests/tests/contexts.rs names them. */
enum context {
	SWITCH_PREV,
	SWITCH_NEXT,
	PROCESS_EXIT,
	PROCESS_FREE,
	NEW_TASK,
	PERF_EVENT,
	KPROBE,
	SYSCALL,
	RQ_ISSUE,
	RQ_COMPLETE,
	SOCK_STATE,
	NR_CONTEXTS,
};

#include "context_calls.bpf.h"

/* Per (context, kfunc): calls, and bit e of errnos for each -e returned (127: larger). */
struct outcome {
	__u64 calls;
	__u64 errnos[2];
};
struct outcome outcomes[NR_CONTEXTS][NR_KFUNCS];

static __noinline void record(__u32 context, __u32 kfunc, __s64 ret)
{
	struct outcome *o;
	__u64 e;

	if (context >= NR_CONTEXTS || kfunc >= NR_KFUNCS)
		return;
	o = &outcomes[context][kfunc];
	__sync_fetch_and_add(&o->calls, 1);
	if (ret >= 0)
		return;
	e = -ret > 127 ? 127 : -ret;
	/*
	 * Not atomic (BPF's atomic or needs cpu v3): a racing update may drop a
	 * bit another call sets again. Constant indices: the verifier loses
	 * the bound of a computed one.
	 */
	if (e < 64)
		o->errnos[0] |= 1ULL << e;
	else
		o->errnos[1] |= 1ULL << (e - 64);
}

/* A value (0) or an errno; an unsigned kfunc returns no errno. */
#define CONTEXT_CALL(context, idx, kfunc, is_signed, call)     \
	if (bpf_ksym_exists(kfunc)) {                           \
		__s64 ret = (__s64)(call);                      \
		record(context, idx, is_signed && ret < 0 ? ret : 0); \
	}

/* Each program's scratch buffer, large enough for every kfunc's. */
#define BUF char buf[64] = {}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, _Bool preempt, struct task_struct *prev, struct task_struct *next)
{
	BUF;

	KFUNCS_TASK_TRACING(SWITCH_PREV, prev);
	KFUNCS_TASK_TRACING(SWITCH_NEXT, next);
	return 0;
}




/* A tp_btf program that hands KFUNCS_<group>_TRACING its first argument, `obj`. */
#define ON_TRACEPOINT(tp, name, group, context, args...)               \
	SEC("tp_btf/" tp) int BPF_PROG(name, args)                      \
	{                                                                 \
		BUF;                                                      \
                                                                          \
		KFUNCS_##group##_TRACING(context, obj);                   \
		return 0;                                                 \
	}

ON_TRACEPOINT("sched_process_exit", on_exit, TASK, PROCESS_EXIT, struct task_struct *obj)
ON_TRACEPOINT("sched_process_free", on_free, TASK, PROCESS_FREE, struct task_struct *obj)
ON_TRACEPOINT("task_newtask", on_new_task, TASK, NEW_TASK, struct task_struct *obj, __u64 clone_flags)
ON_TRACEPOINT("block_rq_issue", on_rq_issue, REQUEST, RQ_ISSUE, struct request *obj)
ON_TRACEPOINT("block_rq_complete", on_rq_complete, REQUEST, RQ_COMPLETE, struct request *obj, int error, unsigned int nr_bytes)

/* A program that hands its kfuncs (KFUNCS_TASK_<kind>) the task it interrupted. */
#define ON_CURRENT_TASK(sec, name, kind, context)                        \
	SEC(sec) int name(void *ctx)                                      \
	{                                                                 \
		struct task_struct *task = bpf_get_current_task_btf();    \
		BUF;                                                      \
                                                                          \
		KFUNCS_TASK_##kind(context, task);                        \
		return 0;                                                 \
	}

ON_CURRENT_TASK("perf_event", on_sample, TRACING, PERF_EVENT)
ON_CURRENT_TASK("kprobe/vfs_open", on_open, KPROBE, KPROBE)

/* Run by the test (BPF_PROG_TEST_RUN) on the pids it picks. */
struct syscall_args {
	__s32 pid;
};

SEC("syscall")
int on_syscall(struct syscall_args *args)
{
	struct task_struct *task = bpf_task_from_pid(args->pid);
	BUF;

	if (!task)
		return 1;
	KFUNCS_TASK_SYSCALL(SYSCALL, task);
	bpf_task_release(task);
	return 0;
}



SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_sock_state, const struct sock *sk, int oldstate, int newstate)
{
	BUF;

	KFUNCS_SOCK_TRACING(SOCK_STATE, (struct sock *)sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
