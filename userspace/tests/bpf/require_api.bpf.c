// SPDX-License-Identifier: GPL-2.0
/* Needs API REQUIRED (a -D); uses the cgroup family only where it exists. */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

SKF_REQUIRE_API(REQUIRED);

__u64 cgroup_id;

SEC("syscall")
int cgroup_of_current(void *ctx)
{
	if (SKF_HAS_CGROUP())
		cgroup_id = skf_task_cgroup_id(bpf_get_current_task_btf());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
