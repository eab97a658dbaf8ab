// SPDX-License-Identifier: GPL-2.0
/* Calls the deprecated skf_task_comm_v1 directly: the header must warn,
 * unless the program targets API 1 (-DSKF_TARGET_API=1). */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

char comm[16];
int ret;

SEC("syscall")
int call_v1(void *ctx)
{
	ret = skf_task_comm_v1(bpf_get_current_task_btf(), comm, sizeof(comm));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
