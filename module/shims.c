// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel APIs that are static inline or macros, so bindgen cannot expose
 * them and 6.12's kernel crate has no wrapper. Each shim is one call.
 */
#include <linux/cgroup.h>
#include <linux/hardirq.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include "glue.h"

/* task_cpu() reads thread_info.cpu or task_struct.cpu, by config. */
u32 skf_c_task_cpu(const struct task_struct *task)
{
	return task_cpu(task);
}

/* rcu_read_lock()/unlock() are inline; 6.12 has no Rust RCU guard. */
void skf_c_rcu_read_lock(void)
{
	rcu_read_lock();
}

void skf_c_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/* task_dfl_cgroup() is inline; the caller holds the RCU read lock. */
struct cgroup *skf_c_task_dfl_cgroup(struct task_struct *task)
{
	return task_dfl_cgroup(task);
}

/* in_task() is a preempt_count() macro. */
bool skf_c_in_task(void)
{
	return in_task();
}

/* irqs_disabled() is an arch macro. */
bool skf_c_irqs_disabled(void)
{
	return irqs_disabled();
}

/* pid_alive() is inline; false once the task is unhashed at exit. */
bool skf_c_pid_alive(const struct task_struct *task)
{
	return pid_alive(task);
}

/* task_lock() is inline; trylock because a traced function may hold it. */
bool skf_c_task_trylock(struct task_struct *task)
{
	return spin_trylock(&task->alloc_lock);
}

void skf_c_task_unlock(struct task_struct *task)
{
	task_unlock(task);
}

/* get_mm_rss() is inline; its counters became per-CPU in 6.2. */
unsigned long skf_c_mm_rss_pages(struct mm_struct *mm)
{
	return get_mm_rss(mm);
}
