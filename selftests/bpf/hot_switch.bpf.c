// SPDX-License-Identifier: GPL-2.0
/*
 * A hot caller for the test of reset_usage (selftests/tests/usage.rs):
 * skf_task_cpu, CALLS_PER_SWITCH times in each context switch on every CPU,
 * the calls also counted here. And a map of maps, whose update from user
 * space returns only once every running BPF program has finished (the
 * kernel's maybe_wait_bpf_programs()).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

/* As in usage.rs. */
#define CALLS_PER_SWITCH 64

/* The calls made, added once they are. */
__u64 calls;

struct barrier_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} barrier_inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct barrier_inner);
} barrier SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(hot_switch, __u64 preempt, struct task_struct *prev, struct task_struct *next)
{
	int i;

	for (i = 0; i < CALLS_PER_SWITCH; i++)
		skf_task_cpu(next);
	__sync_fetch_and_add(&calls, CALLS_PER_SWITCH);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
