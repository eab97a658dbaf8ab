// SPDX-License-Identifier: GPL-2.0

//! Task family: name, start time, CPU and CPU time of a task.

use crate::ffi;
use crate::kfunc_table::SKF_COMM_GROUP_LEADER;
use core::ffi::c_int;
use kernel::ffi::c_char;
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, task_struct};
use kernel::prelude::*;
use kernel::task::Task;

pub(crate) type CommBuf = [u8; bindings::TASK_COMM_LEN as usize];

/// Copies `task`'s comm into `out`, NUL-terminated; returns its length.
///
/// Like bpf_get_current_comm(), it takes no lock: a concurrent rename may
/// tear the name, but the copy never leaves the array and is terminated.
///
/// # Safety
/// `task` points to a live task_struct.
pub(crate) unsafe fn comm_of(task: *const task_struct, out: &mut CommBuf) -> usize {
    // SAFETY: the caller guarantees `task` is live; no reference is formed.
    let comm = unsafe { addr_of!((*task).comm) }.cast::<u8>();
    for (i, byte) in out.iter_mut().enumerate() {
        // SAFETY: `i` stays within the TASK_COMM_LEN array; volatile as the name may change under us.
        *byte = unsafe { read_volatile(comm.add(i)) };
    }
    let len = out.iter().position(|&b| b == 0).unwrap_or(out.len() - 1);
    out[len] = 0;
    len
}

/// The name to copy for `task`: its own, or with SKF_COMM_GROUP_LEADER its
/// process's, read under RCU where the leader is not pinned.
///
/// # Safety
/// `task` points to a live task_struct.
unsafe fn comm_for(task: *mut task_struct, flags: u64, out: &mut CommBuf) -> Result<usize> {
    if flags & SKF_COMM_GROUP_LEADER == 0 {
        // SAFETY: the caller passes a live task.
        return Ok(unsafe { comm_of(task, out) });
    }
    // SAFETY: get_current() has no preconditions.
    if task == unsafe { bindings::get_current() } {
        // SAFETY: `task` is the running task, so live; its leader cannot be
        // released while it runs (release_task() delays a leader until its
        // thread group is empty).
        let leader = unsafe { (*task.cast::<Task>()).group_leader() };
        // SAFETY: `leader` is live, as above.
        return Ok(unsafe { comm_of((leader as *const Task).cast(), out) });
    }
    // Another task holds no reference on its leader: once it is unhashed
    // (exit), group_leader may point to a freed task. Leaders are freed
    // after an RCU grace period, so check liveness inside one.
    // SAFETY: paired with the unlock below; no sleeping in between.
    unsafe { ffi::skf_c_rcu_read_lock() };
    // SAFETY: `task` is live; pid_alive() only reads it.
    let len = if unsafe { ffi::skf_c_pid_alive(task) } {
        // SAFETY: `task` is live and not yet unhashed, so its group_leader is
        // a task_struct that cannot be freed before rcu_read_unlock().
        let leader = unsafe { read_volatile(addr_of!((*task).group_leader)) };
        // SAFETY: as above.
        Ok(unsafe { comm_of(leader, out) })
    } else {
        Err(ESRCH)
    };
    // SAFETY: locked above.
    unsafe { ffi::skf_c_rcu_read_unlock() };
    len
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_comm_v2(task: *mut task_struct, buf: *mut c_char, buf_sz: u32, flags: u64) -> c_int {
    if buf.is_null() || buf_sz == 0 {
        return EINVAL.to_errno();
    }
    let buf = buf.cast::<u8>();
    let mut comm = CommBuf::default();
    let copied = if task.is_null() || flags & !SKF_COMM_GROUP_LEADER != 0 {
        Err(EINVAL)
    } else {
        // SAFETY: KF_TRUSTED_ARGS: the verifier passes only a valid, referenced task.
        unsafe { comm_for(task, flags, &mut comm) }
    };
    // BPF memory that other CPUs may touch: no Rust reference over it, only
    // raw copies. On error, zero it all, as bpf_get_current_comm() does.
    match copied {
        Ok(len) => {
            let n = len.min(buf_sz as usize - 1);
            // SAFETY: the verifier checked that `buf` has `buf__sz` writable
            // bytes, and n < buf__sz; `comm` is our own stack buffer.
            unsafe {
                core::ptr::copy_nonoverlapping(comm.as_ptr(), buf, n);
                buf.add(n).write(0);
            }
            n as c_int
        }
        Err(e) => {
            // SAFETY: as above, `buf` has `buf__sz` writable bytes.
            unsafe { core::ptr::write_bytes(buf, 0, buf_sz as usize) };
            e.to_errno()
        }
    }
}

/// API 1's signature, kept as a thin adapter over v2 while it is deprecated.
#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_comm_v1(task: *mut task_struct, buf: *mut c_char, buf_sz: u32) -> c_int {
    skf_rs_task_comm_v2(task, buf, buf_sz, 0)
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_start_time_ns(task: *mut task_struct) -> u64 {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; start_time is set once at fork.
    unsafe { (*task).start_time }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_cpu(task: *mut task_struct) -> u32 {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; task_cpu() only reads it.
    unsafe { ffi::skf_c_task_cpu(task) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_cpu_time_ns(task: *mut task_struct) -> u64 {
    if task.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; the scheduler updates the
    // counter concurrently, so read it once, like READ_ONCE().
    unsafe { read_volatile(addr_of!((*task).se.sum_exec_runtime)) }
}
