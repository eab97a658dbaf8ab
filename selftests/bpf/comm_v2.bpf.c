// SPDX-License-Identifier: GPL-2.0
/* Calls skf_task_comm_v2 unconditionally: loads only where v2 exists. */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

__u64 flags;
__u32 buf_size; /* 0: the whole buffer */
char comm[16];
int ret;

SEC("syscall")
int call_comm_v2(void *ctx)
{
	__u32 size = buf_size;

	/* Let userspace pick a smaller buffer to check truncation. Two steps
	 * with a barrier: clang folds "size == 0 || size > 16" into one
	 * unsigned compare on a copy, and the verifier loses the bound. */
	if (size > sizeof(comm))
		size = sizeof(comm);
	barrier_var(size);
	if (size == 0)
		size = sizeof(comm);
	ret = skf_task_comm_v2(bpf_get_current_task_btf(), comm, size, flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
