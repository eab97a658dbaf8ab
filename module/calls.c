// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU call counters behind a static key, and the call-time warning for
 * deprecated kfuncs behind one static key each. C because 6.12 has no Rust
 * static keys, per-CPU data, irq_work or jiffies.
 */
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include "glue.h"

DEFINE_STATIC_KEY_FALSE(skf_call_counting);
DEFINE_PER_CPU(struct skf_call_counts, skf_calls);

/*
 * Each CPU's counters are written by that CPU only: this_cpu_inc is a
 * read-modify-write that is atomic against the CPU's own interrupts but not
 * against a remote store, so a reset that zeroed them from another CPU
 * could be overwritten by an increment that read the old count (on x86, a
 * plain incq). A reset instead records, per kfunc, the sum of the counters,
 * and a read subtracts it.
 *
 * Exact: a counter only grows (mod 2^64, as the u64 arithmetic here is).
 * The lock puts each read after the last reset, so the read finds every
 * CPU's counter at least where the reset found it (coherence), and the
 * difference of the sums is the sum over CPUs of the calls each made since
 * the reset read its counter: a call racing a reset counts on exactly one
 * side of it. Readers take the lock too: one overlapping a reset could
 * otherwise sum counters the reset then read higher, and subtract the
 * reset's sum from them, going below zero. Both are sysfs accesses
 * (process context), root's only.
 */
static DEFINE_MUTEX(skf_calls_reset_lock);
/* Per kfunc, the sum of the per-CPU counters at the last reset. */
static u64 skf_calls_at_reset[SKF_NR_KFUNCS];

static u64 skf_calls_sum(u32 idx)
{
	u64 sum = 0;
	int cpu;

	lockdep_assert_held(&skf_calls_reset_lock);
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(skf_calls, cpu).n[idx]);
	return sum;
}

u64 skf_call_count(u32 idx)
{
	u64 calls;

	mutex_lock(&skf_calls_reset_lock);
	calls = skf_calls_sum(idx) - skf_calls_at_reset[idx];
	mutex_unlock(&skf_calls_reset_lock);
	return calls;
}

void skf_reset_call_counts(void)
{
	u32 idx;

	mutex_lock(&skf_calls_reset_lock);
	for (idx = 0; idx < SKF_NR_KFUNCS; idx++)
		skf_calls_at_reset[idx] = skf_calls_sum(idx);
	mutex_unlock(&skf_calls_reset_lock);
}

/*
 * The call-time warning: at most one per deprecated kfunc per 10 seconds,
 * however hot the caller. Each deprecated kfunc's entry is a static branch,
 * skf_deprecated_armed[idx]: a call while it is armed warns and has it
 * patched out; a delayed work re-arms it 10 seconds later. A quiet
 * deprecated kfunc then costs what a stable one does, one NOP (an inline
 * deadline check, or __ratelimit()'s lock, would be paid on every call).
 * Patching sleeps, so it runs in a work item, reached through irq_work, as
 * kfuncs may run in NMI.
 */
DEFINE_STATIC_KEY_ARRAY_TRUE(skf_deprecated_armed, SKF_NR_KFUNCS);
/* Warned and not re-armed yet: the kfunc stays quiet. */
static DECLARE_BITMAP(skf_deprecated_quiet, SKF_NR_KFUNCS);
/* Its caller is noted (call_warning.rs) and the line not logged yet. */
static DECLARE_BITMAP(skf_deprecated_unlogged, SKF_NR_KFUNCS);
/* When (jiffies) each disarmed kfunc is re-armed; under skf_deprecated_lock. */
static unsigned long skf_deprecated_rearm_at[SKF_NR_KFUNCS];
/* Serialises the two work items' patching. */
static DEFINE_MUTEX(skf_deprecated_lock);

static void skf_disarm_fn(struct work_struct *work);
static void skf_rearm_fn(struct work_struct *work);
static DECLARE_WORK(skf_disarm_work, skf_disarm_fn);
static DECLARE_DELAYED_WORK(skf_rearm_work, skf_rearm_fn);

static void skf_disarm_irq_fn(struct irq_work *work)
{
	schedule_work(&skf_disarm_work);
}
static DEFINE_IRQ_WORK(skf_disarm_irq_work, skf_disarm_irq_fn);

/*
 * Any context, NMI included: notes the caller; the work item formats and
 * logs the line. test_bit() first: until its branch is patched out, a hot
 * warned kfunc would otherwise write the bitmap's cache line on every call.
 */
void skf_deprecated_call(u32 idx)
{
	if (test_bit(idx, skf_deprecated_quiet) || test_and_set_bit(idx, skf_deprecated_quiet))
		return; /* warned: its branch is being patched out */
	skf_rs_note_deprecated_caller(idx);
	smp_mb__before_atomic(); /* the note is written before it is marked */
	set_bit(idx, skf_deprecated_unlogged);
	irq_work_queue(&skf_disarm_irq_work);
}

/* Runs the re-arm work when the earliest disarmed kfunc is due. */
static void skf_schedule_rearm(void)
{
	unsigned long now = jiffies, delay = ULONG_MAX;
	u32 idx;

	lockdep_assert_held(&skf_deprecated_lock);
	for_each_set_bit(idx, skf_deprecated_quiet, SKF_NR_KFUNCS)
		if (!static_key_enabled(&skf_deprecated_armed[idx]))
			delay = min(delay, time_after(skf_deprecated_rearm_at[idx], now) ?
						   skf_deprecated_rearm_at[idx] - now : 0);
	if (delay != ULONG_MAX)
		mod_delayed_work(system_wq, &skf_rearm_work, delay);
}

static void skf_disarm_fn(struct work_struct *work)
{
	u32 idx;

	mutex_lock(&skf_deprecated_lock);
	for_each_set_bit(idx, skf_deprecated_unlogged, SKF_NR_KFUNCS)
		if (test_and_clear_bit(idx, skf_deprecated_unlogged)) /* ordered before the read */
			skf_rs_report_deprecated_call(idx);
	for_each_set_bit(idx, skf_deprecated_quiet, SKF_NR_KFUNCS) {
		if (!static_key_enabled(&skf_deprecated_armed[idx]))
			continue; /* disarmed by an earlier run */
		static_branch_disable(&skf_deprecated_armed[idx]);
		skf_deprecated_rearm_at[idx] = jiffies + 10 * HZ;
	}
	skf_schedule_rearm();
	mutex_unlock(&skf_deprecated_lock);
}

static void skf_rearm_fn(struct work_struct *work)
{
	u32 idx;

	mutex_lock(&skf_deprecated_lock);
	for_each_set_bit(idx, skf_deprecated_quiet, SKF_NR_KFUNCS) {
		if (static_key_enabled(&skf_deprecated_armed[idx]) ||
		    time_before(jiffies, skf_deprecated_rearm_at[idx]) ||
		    test_bit(idx, skf_deprecated_unlogged))
			continue; /* not disarmed yet, not due, or its line is not logged */
		clear_bit(idx, skf_deprecated_quiet);
		static_branch_enable(&skf_deprecated_armed[idx]);
	}
	skf_schedule_rearm();
	mutex_unlock(&skf_deprecated_lock);
}

/* Module exit: no kfunc can be called any more (programs pin the module). */
void skf_calls_exit(void)
{
	irq_work_sync(&skf_disarm_irq_work);
	cancel_work_sync(&skf_disarm_work);
	cancel_delayed_work_sync(&skf_rearm_work);
}
