// SPDX-License-Identifier: GPL-2.0
/*
 * What skf cannot decide from the object alone: a call behind a .rodata
 * knob the loader sets (the verifier knows its value, skf does not), and a
 * program in a section libbpf gives no type (the load fails unless the
 * loader sets one).
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

const volatile int use_state = 0;
__u32 state;

SEC("tp_btf/sched_switch")
int state_if_asked(void *ctx)
{
	if (use_state)
		state = skf_task_state(bpf_get_current_task_btf());
	return 0;
}

SEC("kprobe_typo/do_exit")
int typo(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
