// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's verification-time pair (selftests/src/bin/bench): the same
 * program with 64 call sites of a stable kfunc, and with 64 of an upstream
 * kfunc of the same shape (trusted task in, scalar out). The difference in
 * verification time is what the module's kfunc filter costs.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

struct cgroup {};
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern _Bool bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor) __ksym;

__u64 sink;

#define TIMES8(s) s s s s s s s s
#define TIMES64(s) TIMES8(TIMES8(s))

#define CALL_SITES(name, call)                                                     \
	SEC("syscall") int name(void *ctx)                                          \
	{                                                                           \
		struct task_struct *task = bpf_get_current_task_btf();             \
		struct cgroup *cgrp = bpf_cgroup_from_id(bpf_get_current_cgroup_id()); \
                                                                                    \
		if (!cgrp)                                                          \
			return 1;                                                   \
		TIMES64(sink += call;)                                              \
		bpf_cgroup_release(cgrp);                                           \
		return 0;                                                           \
	}

CALL_SITES(calls_stable, skf_task_cpu(task))
CALL_SITES(calls_upstream, bpf_task_under_cgroup(task, cgrp))

char LICENSE[] SEC("license") = "GPL";
