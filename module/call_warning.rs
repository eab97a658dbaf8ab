// SPDX-License-Identifier: GPL-2.0

//! The call-time warning of a deprecated kfunc (rate-limited by calls.c):
//! the caller is noted where the call runs, in any context, NMI included;
//! the line is formatted and logged later, from calls.c's work item.

use crate::current_process::CurrentProcess;
use crate::kfunc_table::KFUNCS;
use crate::registry;
use crate::verify::Deprecation;
use core::cell::UnsafeCell;
use kernel::prelude::*;

/// Per kfunc, the caller of its last warned call.
struct WarnedCallers([UnsafeCell<CurrentProcess>; KFUNCS.len()]);

// SAFETY: calls.c gives a slot one writer at a time and never a reader
// during a write: the caller that sets the kfunc's quiet bit writes it, then
// marks it unreported; the work item clears that mark before it reads, and
// the quiet bit is cleared (letting the next writer in) only by the re-arm
// work, under the same mutex as the read, and never while marked.
unsafe impl Sync for WarnedCallers {}

static WARNED_CALLERS: WarnedCallers = WarnedCallers([const { UnsafeCell::new(CurrentProcess::NONE) }; KFUNCS.len()]);

/// calls.c, in the caller's context, having set `idx`'s quiet bit.
#[no_mangle]
pub(crate) extern "C" fn skf_rs_note_deprecated_caller(idx: u32) {
    let Some(slot) = WARNED_CALLERS.0.get(idx as usize) else {
        return;
    };
    // SAFETY: we are the slot's one writer (see `WarnedCallers`).
    unsafe { *slot.get() = CurrentProcess::get() };
}

/// calls.c's work item, process context, once per noted call.
#[no_mangle]
pub(crate) extern "C" fn skf_rs_report_deprecated_call(idx: u32) {
    let (Some(kfunc), Some(slot)) = (registry::get(idx), WARNED_CALLERS.0.get(idx as usize)) else {
        return;
    };
    // SAFETY: no writer while the slot is read (see `WarnedCallers`).
    let caller = unsafe { *slot.get() };
    pr_warn!("deprecated kfunc {} called in {} ({}) [rate-limited]\n", kfunc.name(), caller, Deprecation(kfunc));
}
