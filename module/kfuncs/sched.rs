// SPDX-License-Identifier: GPL-2.0

//! Scheduler family: a task's state as a stable enum, its nice value and
//! priority, and its context switches.

use crate::ffi;
use crate::kfunc_table::*;
use core::ffi::c_int;
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::task_struct;

/// The SKF_TASK_* value of a /proc/PID/stat state letter. The letters are
/// user-space ABI; the kernel's state bits and their index order are not.
fn state_of_letter(letter: u8) -> u64 {
    match letter {
        b'R' => SKF_TASK_RUNNING,
        b'S' => SKF_TASK_SLEEPING,
        b'D' => SKF_TASK_DISK_SLEEP,
        b'T' => SKF_TASK_STOPPED,
        b't' => SKF_TASK_TRACED,
        b'X' => SKF_TASK_DEAD,
        b'Z' => SKF_TASK_ZOMBIE,
        b'P' => SKF_TASK_PARKED,
        // 'I' and any letter a later kernel adds: an idle wait is the closest.
        _ => SKF_TASK_IDLE,
    }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_state(task: *mut task_struct) -> u32 {
    if task.is_null() {
        return SKF_TASK_DEAD as u32;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; task_state_to_char() reads
    // __state once (READ_ONCE) and exit_state, lock-free like /proc does.
    let letter = unsafe { ffi::skf_c_task_state_char(task) } as u8;
    state_of_letter(letter) as u32
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_nice(task: *mut task_struct) -> c_int {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; task_nice() reads static_prio.
    unsafe { ffi::skf_c_task_nice(task) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_prio(task: *mut task_struct) -> c_int {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; the shim only reads prio.
    unsafe { ffi::skf_c_task_prio(task) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_nvcsw(task: *mut task_struct) -> u64 {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; the scheduler bumps the
    // counter concurrently, so read it once, like READ_ONCE().
    unsafe { read_volatile(addr_of!((*task).nvcsw)) as u64 }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_nivcsw(task: *mut task_struct) -> u64 {
    if task.is_null() {
        return 0;
    }
    // SAFETY: as in skf_rs_task_nvcsw.
    unsafe { read_volatile(addr_of!((*task).nivcsw)) as u64 }
}
