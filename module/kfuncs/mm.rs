// SPDX-License-Identifier: GPL-2.0

//! Memory family: resident set size, whatever shape mm's counters have
//! (atomics before 6.2, per-CPU counters since).

use crate::ffi;
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, task_struct};
use kernel::page::PAGE_SHIFT;
use kernel::prelude::*;

/// Resident pages of `task`, or the errno saying why they cannot be read.
///
/// # Safety
/// `task` is a live task.
unsafe fn rss_pages(task: *mut task_struct) -> Result<u64> {
    // SAFETY: get_current() has no preconditions.
    if task == unsafe { bindings::get_current() } {
        // SAFETY: only a task itself changes its mm, and it cannot while we
        // run in its context, so the mm read here stays valid until we return.
        let mm = unsafe { read_volatile(addr_of!((*task).mm)) };
        if mm.is_null() {
            return Err(ESRCH);
        }
        // SAFETY: `mm` is live, as above.
        return Ok(unsafe { ffi::skf_c_mm_rss_pages(mm) } as u64);
    }
    // Another task's mm needs task_lock. Never from interrupt context or with
    // IRQs off (lockdep would see alloc_lock taken there; the scheduler's
    // tracepoints run so), never on PREEMPT_RT (alloc_lock is a sleeping
    // lock there), and only trylock: the traced function may be holding it.
    // SAFETY: in_task() and irqs_disabled() only read CPU state.
    if cfg!(CONFIG_PREEMPT_RT) || !unsafe { ffi::skf_c_in_task() } || unsafe { ffi::skf_c_irqs_disabled() } {
        return Err(EBUSY);
    }
    // SAFETY: `task` is live.
    if !unsafe { ffi::skf_c_task_trylock(task) } {
        return Err(EBUSY);
    }
    // SAFETY: task_lock is held, so `mm` cannot be detached and dropped.
    let mm = unsafe { (*task).mm };
    let pages = if mm.is_null() {
        Err(ESRCH)
    } else {
        // SAFETY: `mm` is live while task_lock is held.
        Ok(unsafe { ffi::skf_c_mm_rss_pages(mm) } as u64)
    };
    // SAFETY: we took the lock above.
    unsafe { ffi::skf_c_task_unlock(task) };
    pages
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_rss_bytes(task: *mut task_struct) -> i64 {
    if task.is_null() {
        return EINVAL.to_errno().into();
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live.
    match unsafe { rss_pages(task) } {
        Ok(pages) => (pages << PAGE_SHIFT) as i64,
        Err(e) => e.to_errno().into(),
    }
}
