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

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_comm_v2(task: *mut task_struct, buf: *mut c_char, buf_sz: u32, flags: u64) -> c_int {
    if task.is_null() || buf.is_null() || buf_sz == 0 || flags & !SKF_COMM_GROUP_LEADER != 0 {
        return EINVAL.to_errno();
    }
    // SAFETY: KF_TRUSTED_ARGS: the verifier passes only a valid, referenced task;
    // `Task` is a transparent wrapper of task_struct.
    let task = unsafe { &*task.cast::<Task>() };
    let source = if flags & SKF_COMM_GROUP_LEADER != 0 { task.group_leader() } else { task };
    let mut comm = CommBuf::default();
    // SAFETY: `source` is live: `task` is, and it references its group leader.
    let len = unsafe { comm_of((source as *const Task).cast(), &mut comm) };
    // SAFETY: the verifier checked that `buf` has `buf__sz` writable bytes.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), buf_sz as usize) };
    let n = len.min(out.len() - 1);
    out[..n].copy_from_slice(&comm[..n]);
    out[n] = 0;
    n as c_int
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
