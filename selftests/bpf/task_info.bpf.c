// SPDX-License-Identifier: GPL-2.0
/*
 * Calls every non-comm kfunc on the current task; the one added in API 2
 * only where the running module offers it, so this loads at every level.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

__u32 api_level;
__u64 start_time_ns;
__u32 cpu;
__u64 cpu_time_ns;
__u64 cgroup_id;
__u64 helper_cgroup_id;
int ancestor_level;
__u64 ancestor_id;
__u32 have_ancestor_kfunc;
__s64 rss_bytes;

SEC("syscall")
int task_info(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	api_level = skf_api_level();
	start_time_ns = skf_task_start_time_ns(task);
	cpu = skf_task_cpu(task);
	cpu_time_ns = skf_task_cpu_time_ns(task);
	cgroup_id = skf_task_cgroup_id(task);
	helper_cgroup_id = bpf_get_current_cgroup_id();
	rss_bytes = skf_task_rss_bytes(task);
	have_ancestor_kfunc = bpf_ksym_exists(skf_task_cgroup_ancestor_id);
	if (have_ancestor_kfunc)
		ancestor_id = skf_task_cgroup_ancestor_id(task, ancestor_level);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
