// SPDX-License-Identifier: GPL-2.0

//! Scheduler family: a task's state as a stable enum, its nice value and
//! priority, and its context switches.

use super::view::{read_once, Task};
use crate::ffi;
use crate::kfunc_table::*;
use core::ffi::c_int;
use kernel::bindings::{self, task_struct};

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

impl Task {
    fn state(&self) -> u32 {
        // SAFETY: the task is valid (view); task_state_to_char() reads
        // __state once (READ_ONCE) and exit_state, lock-free like /proc does.
        let letter = unsafe { ffi::skf_c_task_state_char(self.as_ptr()) } as u8;
        state_of_letter(letter) as u32
    }

    /// task_nice(): static_prio less DEFAULT_PRIO. setpriority() rewrites
    /// it concurrently: read_once!. wrapping_sub: no overflow panic path.
    fn nice(&self) -> c_int {
        read_once!(self, static_prio).wrapping_sub(bindings::DEFAULT_PRIO as c_int)
    }

    /// task_prio(), which is not exported: prio less MAX_RT_PRIO, as
    /// /proc/PID/stat shows it. Priority inheritance rewrites it concurrently.
    fn prio(&self) -> c_int {
        read_once!(self, prio).wrapping_sub(bindings::MAX_RT_PRIO as c_int)
    }

    /// The scheduler bumps both counters concurrently: read_once!, like READ_ONCE().
    fn nvcsw(&self) -> u64 {
        read_once!(self, nvcsw) as u64
    }

    fn nivcsw(&self) -> u64 {
        read_once!(self, nivcsw) as u64
    }
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_state(task: *mut task_struct) -> u32 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(SKF_TASK_DEAD as u32, Task::state)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_nice(task: *mut task_struct) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::nice)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_prio(task: *mut task_struct) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::prio)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_nvcsw(task: *mut task_struct) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::nvcsw)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_nivcsw(task: *mut task_struct) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::nivcsw)
}
