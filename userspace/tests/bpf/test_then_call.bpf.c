// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for skf_task_state with bpf_ksym_exists(), then calls it whether or
 * not the test passed: where the level lacks the kfunc the call is reached
 * and the load fails, test or no test.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

__u32 has_state;
__u32 state;

SEC("tp_btf/sched_switch")
int state_after_a_test(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (bpf_ksym_exists(skf_task_state))
		has_state = 1;
	state = skf_task_state(task);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
