// SPDX-License-Identifier: GPL-2.0
/*
 * A block kfunc from a kprobe: skf_rq_sector is offered to tracing programs
 * only (prog_types = ["tracing"]), so the verifier refuses the call wherever
 * the kfunc exists. Guarded as a careful program would be: where the level
 * lacks the kfunc the call is pruned and the program loads.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>

__u64 sector;

SEC("kprobe/blk_mq_start_request")
int sector_from_kprobe(struct request *rq)
{
	if (bpf_ksym_exists(skf_rq_sector))
		sector = skf_rq_sector(rq);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
