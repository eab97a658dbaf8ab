// SPDX-License-Identifier: GPL-2.0

//! Memory family: resident set size, whatever shape mm's counters have
//! (atomics before 6.2, per-CPU counters since).

use super::guards::with_task_locked;
use crate::ffi;
use crate::kfunc_table::{SKF_RSS_ANON, SKF_RSS_FILE, SKF_RSS_SHMEM};
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, mm_struct, task_struct};
use kernel::page::PAGE_SHIFT;
use kernel::prelude::*;

/// What `count` says of `task`'s mm, or the errno saying why it cannot be read.
///
/// # Safety
/// `task` is a live task.
unsafe fn with_mm(task: *mut task_struct, count: impl FnOnce(*mut mm_struct) -> u64) -> Result<u64> {
    let read = || {
        // SAFETY: `task` is live; its mm stays attached while `with_task_locked` runs this.
        let mm = unsafe { read_volatile(addr_of!((*task).mm)) };
        if mm.is_null() {
            Err(ESRCH)
        } else {
            Ok(count(mm))
        }
    };
    // SAFETY: the caller guarantees `task`.
    unsafe { with_task_locked(task, read) }?
}

/// `pages` in bytes, or the errno, as a kfunc returns it.
fn bytes_or_errno(pages: Result<u64>) -> i64 {
    match pages {
        Ok(pages) => (pages << PAGE_SHIFT) as i64,
        Err(e) => e.to_errno().into(),
    }
}

/// Each SKF_RSS_* kind with the mm counter that holds it.
const RSS_KINDS: [(u64, u32); 3] = [
    (SKF_RSS_FILE, bindings::MM_FILEPAGES),
    (SKF_RSS_ANON, bindings::MM_ANONPAGES),
    (SKF_RSS_SHMEM, bindings::MM_SHMEMPAGES),
];

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_rss_kind_bytes(task: *mut task_struct, flags: u64) -> i64 {
    if task.is_null() || flags == 0 || flags & !(SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM) != 0 {
        return EINVAL.to_errno().into();
    }
    let sum = |mm: *mut mm_struct| {
        RSS_KINDS
            .iter()
            .filter(|(kind, _)| flags & kind != 0)
            // SAFETY: `mm` is live while `with_mm` runs this; get_mm_counter() only reads.
            .map(|&(_, counter)| unsafe { ffi::skf_c_mm_counter_pages(mm, counter as core::ffi::c_int) } as u64)
            .sum()
    };
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live.
    bytes_or_errno(unsafe { with_mm(task, sum) })
}

/// API 1's whole RSS, kept as a thin adapter over the kind-aware version while it is deprecated.
#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_rss_bytes(task: *mut task_struct) -> i64 {
    skf_rs_task_rss_kind_bytes(task, SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM)
}
