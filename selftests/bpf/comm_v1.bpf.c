// SPDX-License-Identifier: GPL-2.0
/* Calls skf_task_comm_v1 unconditionally: loads only where v1 exists. */
#ifndef SKF_TARGET_API /* written for API 1, where v1 is not deprecated */
#define SKF_TARGET_API 1
#endif
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

char comm[16];
int ret;

SEC("syscall")
int call_comm_v1(void *ctx)
{
	ret = skf_task_comm_v1(bpf_get_current_task_btf(), comm, sizeof(comm));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
