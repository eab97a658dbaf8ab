// SPDX-License-Identifier: GPL-2.0

//! Namespace family: a task's pid and tgid as some pid namespace sees them,
//! and the inode numbers of its pid, mount and network namespaces.
//!
//! A kfunc runs in whatever task triggered the program, so "the loader's
//! namespace" cannot be implied: callers name a pid namespace by its inode
//! number (stat -L /proc/self/ns/pid, done once by the loader), which is
//! unique on the running kernel.

use super::guards::{with_task_locked, RcuReadLock};
use crate::ffi;
use crate::kfunc_table::{SKF_NS_MNT, SKF_NS_NET, SKF_NS_PID};
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, pid, task_struct};
use kernel::prelude::*;

/// The number of `pid` in the namespace with inode `pidns_inum` (0: the
/// pid's own, deepest namespace); 0 where it has none, as pid_nr_ns() says.
///
/// # Safety
/// `pid` is null or live (RCU held).
unsafe fn nr_in_ns(pid: *mut pid, pidns_inum: u32, _rcu: &RcuReadLock) -> i32 {
    if pid.is_null() {
        return 0;
    }
    // SAFETY: `pid` is live; level and numbers[] are fixed at allocation.
    let (level, numbers) = unsafe { ((*pid).level as usize, (*pid).numbers.as_ptr()) };
    // SAFETY: numbers[] holds level + 1 entries, root namespace first.
    let upids = unsafe { core::slice::from_raw_parts(numbers, level + 1) };
    if pidns_inum == 0 {
        return upids[level].nr;
    }
    upids
        .iter()
        // SAFETY: a pid holds a reference on each of its namespaces.
        .find(|upid| unsafe { ffi::skf_c_pid_ns_inum(upid.ns) } == pidns_inum)
        .map_or(0, |upid| upid.nr)
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_pid_in_ns(task: *mut task_struct, pidns_inum: u32) -> i32 {
    if task.is_null() {
        return 0;
    }
    let rcu = RcuReadLock::new();
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; release_task() clears
    // thread_pid, and the struct pid it pointed to outlives `rcu`.
    unsafe { nr_in_ns(read_volatile(addr_of!((*task).thread_pid)), pidns_inum, &rcu) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_tgid_in_ns(task: *mut task_struct, pidns_inum: u32) -> i32 {
    if task.is_null() {
        return 0;
    }
    let rcu = RcuReadLock::new();
    // SAFETY: KF_TRUSTED_ARGS keeps `task`, and so its signal_struct, live;
    // the struct pid in pids[PIDTYPE_TGID] outlives `rcu`, as in task_tgid_nr_ns().
    unsafe {
        let signal = (*task).signal;
        let tgid = read_volatile(addr_of!((*signal).pids[bindings::pid_type_PIDTYPE_TGID as usize]));
        nr_in_ns(tgid, pidns_inum, &rcu)
    }
}

/// The inode number of `task`'s mount or network namespace.
///
/// # Safety
/// `task` is a live task.
unsafe fn nsproxy_inum(task: *mut task_struct, kind: u64) -> Result<u32> {
    let read = || {
        // SAFETY: `task` is live; nsproxy and its namespaces stay put while
        // `with_task_locked` runs this.
        let nsproxy = unsafe { read_volatile(addr_of!((*task).nsproxy)) };
        if nsproxy.is_null() {
            return Err(ESRCH);
        }
        // SAFETY: a live nsproxy holds a reference on each namespace.
        Ok(unsafe {
            if kind == SKF_NS_MNT {
                ffi::skf_c_mnt_ns_inum((*nsproxy).mnt_ns)
            } else {
                ffi::skf_c_net_ns_inum((*nsproxy).net_ns)
            }
        })
    };
    // SAFETY: the caller guarantees `task`.
    unsafe { with_task_locked(task, read) }?
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_ns_inum(task: *mut task_struct, kind: u32) -> i64 {
    if task.is_null() {
        return EINVAL.to_errno().into();
    }
    let inum = match u64::from(kind) {
        SKF_NS_PID => {
            let _rcu = RcuReadLock::new();
            // SAFETY: KF_TRUSTED_ARGS keeps `task` live; task_active_pid_ns()
            // needs RCU, which `_rcu` holds, and gives null once it has exited.
            let ns = unsafe { ffi::task_active_pid_ns(task) };
            // SAFETY: `ns` is live under `_rcu`.
            (!ns.is_null()).then(|| unsafe { ffi::skf_c_pid_ns_inum(ns) }).ok_or(ESRCH)
        }
        // SAFETY: KF_TRUSTED_ARGS keeps `task` live.
        k @ (SKF_NS_MNT | SKF_NS_NET) => unsafe { nsproxy_inum(task, k) },
        _ => Err(EINVAL),
    };
    match inum {
        Ok(inum) => inum.into(),
        Err(e) => e.to_errno().into(),
    }
}
