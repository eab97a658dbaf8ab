// SPDX-License-Identifier: GPL-2.0

//! What kfunc bodies hold while they read another task's state: the RCU
//! read lock, and a task's alloc_lock (task_lock) taken only where that is safe.

use super::view::Task;
use crate::ffi;
use kernel::prelude::*;

/// Holds the RCU read lock, which keeps a task's css_set, cgroups and
/// struct pids alive. Safe in any context, NMI included.
pub(crate) struct RcuReadLock;

impl RcuReadLock {
    pub(crate) fn new() -> Self {
        // SAFETY: rcu_read_lock() may be called anywhere; paired in `drop`.
        unsafe { ffi::skf_c_rcu_read_lock() };
        RcuReadLock
    }
}

impl Drop for RcuReadLock {
    fn drop(&mut self) {
        // SAFETY: pairs with the lock taken in `new`.
        unsafe { ffi::skf_c_rcu_read_unlock() };
    }
}

/// Runs `read` where `task`'s mm and nsproxy cannot change under it: for the
/// current task without a lock (only a task itself replaces its own mm or
/// nsproxy, and it cannot while we run in its context), for another under
/// its task_lock. That lock is never taken from interrupt context or with
/// IRQs off (lockdep would see alloc_lock taken there; the scheduler's
/// tracepoints run so), never on PREEMPT_RT (alloc_lock sleeps there), and
/// only tried: the traced function may hold it. -EBUSY where it cannot be taken.
pub(crate) fn with_task_locked<R>(task: &Task, read: impl FnOnce() -> R) -> Result<R> {
    if task.is_current() {
        return Ok(read());
    }
    // SAFETY: in_task() and irqs_disabled() only read CPU state.
    if cfg!(CONFIG_PREEMPT_RT) || !unsafe { ffi::skf_c_in_task() } || unsafe { ffi::skf_c_irqs_disabled() } {
        return Err(EBUSY);
    }
    // SAFETY: the task is valid (view).
    if !unsafe { ffi::skf_c_task_trylock(task.as_ptr()) } {
        return Err(EBUSY);
    }
    let value = read();
    // SAFETY: we took the lock above.
    unsafe { ffi::skf_c_task_unlock(task.as_ptr()) };
    Ok(value)
}
