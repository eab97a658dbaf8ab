// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU call counters behind a static key, and the call-time warning for
 * deprecated kfuncs. C because 6.12 has no Rust static keys, per-CPU data or
 * jiffies.
 */
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

unsigned long skf_deprecated_quiet_until[SKF_NR_KFUNCS];

/*
 * One warning per deprecated kfunc per 10 seconds, however hot the caller;
 * skf_enter() calls this once `until` has passed. Lock-free, as kfuncs may
 * run in NMI, and __ratelimit()'s lock on every call made the v1 adapter
 * cost ~10x v2 (make bench). Losing the cmpxchg race means another CPU warns.
 */
void skf_deprecated_call(u32 idx, unsigned long until)
{
	if (cmpxchg(&skf_deprecated_quiet_until[idx], until, jiffies + 10 * HZ) == until)
		skf_rs_report_deprecated_call(idx);
}
