// SPDX-License-Identifier: GPL-2.0
/* Needs API 3: loads only where the module is at API 3 or newer. No kfunc
 * call of its own, so SKF_REQUIRE_API is the only reason it can fail. */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

SKF_REQUIRE_API(3);

__u64 pid_tgid;

SEC("syscall")
int remember_pid(void *ctx)
{
	pid_tgid = bpf_get_current_pid_tgid();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
