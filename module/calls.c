// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU call counters behind a static key, and the call-time warning for
 * deprecated kfuncs. C because 6.12 has no Rust static keys, per-CPU data or
 * ratelimit.
 */
#include <linux/ratelimit.h>
#include "glue.h"

DEFINE_STATIC_KEY_FALSE(skf_call_counting);
DEFINE_PER_CPU(struct skf_call_counts, skf_calls);

/* Sum over CPUs; a racing increment may or may not be seen. */
u64 skf_call_count(u32 idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(skf_calls, cpu).n[idx]);
	return sum;
}

void skf_reset_call_counts(void)
{
	int cpu;
	u32 i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < SKF_NR_KFUNCS; i++)
			WRITE_ONCE(per_cpu(skf_calls, cpu).n[i], 0);
}

/* One warning per deprecated kfunc per 10 seconds, however hot the caller. */
static struct ratelimit_state skf_deprecated_ratelimit[SKF_NR_KFUNCS] = {
	[0 ... SKF_NR_KFUNCS - 1] = RATELIMIT_STATE_INIT(skf_deprecated_ratelimit, 10 * HZ, 1),
};

/* Kfuncs may run in NMI; __ratelimit only trylocks, so this is safe there. */
void skf_deprecated_call(u32 idx)
{
	if (__ratelimit(&skf_deprecated_ratelimit[idx]))
		skf_rs_report_deprecated_call(idx);
}
