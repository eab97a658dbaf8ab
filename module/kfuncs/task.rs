// SPDX-License-Identifier: GPL-2.0

//! Task family: name, start time, CPU and CPU time of a task.

use super::guards::RcuReadLock;
use super::view::{read_once, OutBuf, Task};
use crate::ffi;
use crate::kfunc_table::SKF_COMM_GROUP_LEADER;
use core::ffi::c_int;
use kernel::bindings::{self, task_struct};
use kernel::ffi::c_char;
use kernel::prelude::*;

/// A task's name as the kernel holds it (TASK_COMM_LEN).
pub(crate) type CommBuf = [u8; bindings::TASK_COMM_LEN as usize];

impl Task {
    pub(crate) fn is_current(&self) -> bool {
        // SAFETY: get_current() has no preconditions.
        self.as_ptr() == unsafe { bindings::get_current() }
    }

    /// Its comm into `buf`, NUL-padded, as bpf_get_current_comm() copies it
    /// (no lock: a concurrent rename may tear the name, but the copy stays
    /// in the array and is terminated); returns the length copied.
    pub(crate) fn comm(&self, buf: &OutBuf<'_>) -> usize {
        // SAFETY: the task is valid (view), and `buf` has len() writable bytes.
        unsafe { ffi::skf_c_task_comm(self.as_ptr(), buf.as_ptr(), buf.len() as u32) as usize }
    }

    /// Runs `f` on the running task's group leader, as `with_group_leader`:
    /// a thread past exit_notify() still runs (the rest of do_exit(), its
    /// last context switch) after its leader may have been released.
    pub(crate) fn with_current_group_leader<R>(f: impl FnOnce(&Task) -> R) -> Result<R> {
        // SAFETY: get_current() has no preconditions; the running task is
        // valid while it runs, which outlasts this call.
        let current = unsafe { Task::from_raw(bindings::get_current()) }.ok_or(ESRCH)?;
        current.with_group_leader(f)
    }

    pub(crate) fn pid(&self) -> i32 {
        // pid is set once, at fork.
        read_once!(self, pid)
    }

    fn start_time(&self) -> u64 {
        // start_time is set once, at fork.
        read_once!(self, start_time)
    }

    /// task_cpu(): thread_info.cpu on THREAD_INFO_IN_TASK configs, which
    /// x86_64 and arm64 always are. A migration rewrites it concurrently:
    /// read_once!, as task_cpu()'s READ_ONCE().
    fn cpu(&self) -> u32 {
        read_once!(self, thread_info.cpu)
    }

    fn cpu_time_ns(&self) -> u64 {
        // The scheduler updates it concurrently; read_once!, like READ_ONCE().
        read_once!(self, se.sum_exec_runtime)
    }

    /// Runs `f` on its group leader. No task, not even the running one,
    /// holds a reference on its leader: once a thread is unhashed
    /// (release_task(), which may also release a zombie leader), group_leader
    /// may point to a freed task. So that is checked inside an RCU read-side
    /// section, which keeps the leader (freed after a grace period) valid;
    /// -ESRCH once unhashed.
    fn with_group_leader<R>(&self, f: impl FnOnce(&Task) -> R) -> Result<R> {
        let _rcu = RcuReadLock::new();
        // SAFETY: the task is valid (view); pid_alive() only reads it.
        if !unsafe { ffi::skf_c_pid_alive(self.as_ptr()) } {
            return Err(ESRCH);
        }
        let leader = read_once!(self, group_leader);
        // SAFETY: not yet unhashed, so `leader` is a task_struct that cannot
        // be freed before `_rcu` is dropped, after `f` returns.
        let leader = unsafe { Task::from_raw(leader) }.ok_or(ESRCH)?;
        Ok(f(leader))
    }

    /// Copies the name: its own, or with SKF_COMM_GROUP_LEADER its process's.
    fn comm_for(&self, flags: u64, buf: &OutBuf<'_>) -> Result<usize> {
        match flags {
            0 => Ok(self.comm(buf)),
            SKF_COMM_GROUP_LEADER => self.with_group_leader(|leader| leader.comm(buf)),
            _ => Err(EINVAL),
        }
    }
}

/// skf_task_comm_v2's body: the name, or the errno with `buf` zeroed, as
/// bpf_get_current_comm() leaves it.
fn task_comm(task: &Task, buf: &OutBuf<'_>, flags: u64) -> Result<usize> {
    task.comm_for(flags, buf).inspect_err(|_| buf.zero())
}

/// # Safety
/// `task` is null or valid for the call; `buf` is null or has `buf_sz`
/// writable bytes (KF_TRUSTED_ARGS and `buf__sz`, checked by the verifier).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_comm_v2(task: *mut task_struct, buf: *mut c_char, buf_sz: u32, flags: u64) -> c_int {
    // SAFETY: as the caller guarantees.
    let (task, buf) = unsafe { (Task::from_raw(task), OutBuf::from_raw(buf, buf_sz)) };
    match (task, buf) {
        (Some(task), Some(buf)) => task_comm(task, &buf, flags).map_or_else(|e| e.to_errno(), |n| n as c_int),
        (None, Some(buf)) => {
            buf.zero();
            EINVAL.to_errno()
        }
        (_, None) => EINVAL.to_errno(),
    }
}

/// API 1's signature, kept as a thin adapter over v2 while it is deprecated.
///
/// # Safety
/// As skf_rs_task_comm_v2.
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_comm_v1(task: *mut task_struct, buf: *mut c_char, buf_sz: u32) -> c_int {
    // SAFETY: the same contract.
    unsafe { skf_rs_task_comm_v2(task, buf, buf_sz, 0) }
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_start_time_ns(task: *mut task_struct) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::start_time)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_cpu(task: *mut task_struct) -> u32 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::cpu)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_cpu_time_ns(task: *mut task_struct) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::cpu_time_ns)
}
