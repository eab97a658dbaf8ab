// SPDX-License-Identifier: GPL-2.0

//! Memory family: resident set size, whatever shape mm's counters have
//! (atomics before 6.2, per-CPU counters since).

use super::guards::with_task_locked;
use super::view::{read_once, Task};
use crate::ffi;
use crate::kfunc_table::{SKF_RSS_ANON, SKF_RSS_FILE, SKF_RSS_SHMEM};
use kernel::bindings::{self, task_struct};
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;

/// The pages `task`'s mm holds in the mm counters `members` selects (a bit
/// per counter), or the errno saying why they cannot be read.
fn rss_pages(task: &Task, members: u32) -> Result<u64> {
    let read = || {
        // mm stays attached while `with_task_locked` runs this.
        let mm = read_once!(task, mm);
        if mm.is_null() {
            return Err(ESRCH);
        }
        // SAFETY: `mm` is live, as above; the shim only reads its counters.
        Ok(unsafe { ffi::skf_c_mm_pages(mm, members) } as u64)
    };
    with_task_locked(task, read)?
}

/// Each SKF_RSS_* kind with the mm counter that holds it.
const RSS_KINDS: [(u64, u32); 3] =
    [(SKF_RSS_FILE, bindings::MM_FILEPAGES), (SKF_RSS_ANON, bindings::MM_ANONPAGES), (SKF_RSS_SHMEM, bindings::MM_SHMEMPAGES)];

/// skf_task_rss_kind_bytes's body.
fn rss_kind_bytes(task: &Task, flags: u64) -> Result<u64> {
    if flags == 0 || flags & !(SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM) != 0 {
        return Err(EINVAL);
    }
    let members = RSS_KINDS.iter().filter(|(kind, _)| flags & kind != 0).fold(0, |members, &(_, counter)| members | 1 << counter);
    Ok(bytes_of_pages(rss_pages(task, members)?))
}

/// Capped where the i64 return value would read as an errno.
fn bytes_of_pages(pages: u64) -> u64 {
    pages.saturating_mul(PAGE_SIZE as u64).min(i64::MAX as u64)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_rss_kind_bytes(task: *mut task_struct, flags: u64) -> i64 {
    // SAFETY: as the caller guarantees.
    let task = unsafe { Task::from_raw(task) };
    match task.ok_or(EINVAL).and_then(|task| rss_kind_bytes(task, flags)) {
        Ok(bytes) => bytes as i64,
        Err(e) => e.to_errno().into(),
    }
}

/// API 1's whole RSS, kept as a thin adapter over the kind-aware version while it is deprecated.
///
/// # Safety
/// As skf_rs_task_rss_kind_bytes.
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_rss_bytes(task: *mut task_struct) -> i64 {
    // SAFETY: the same contract.
    unsafe { skf_rs_task_rss_kind_bytes(task, SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM) }
}
