// SPDX-License-Identifier: GPL-2.0

//! Namespace family: a task's pid and tgid as some pid namespace sees them,
//! and the inode numbers of its pid, mount and network namespaces.
//!
//! A kfunc runs in whatever task triggered the program, so "the loader's
//! namespace" cannot be implied: callers name a pid namespace by its inode
//! number (stat -L /proc/self/ns/pid, done once by the loader), which is
//! unique on the running kernel.

use super::guards::{with_task_locked, RcuReadLock};
use super::view::{read_once, Task};
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

impl Task {
    /// Its pid in the namespace with inode `pidns_inum`, as nr_in_ns() says.
    fn pid_in_ns(&self, pidns_inum: u32) -> i32 {
        let rcu = RcuReadLock::new();
        // release_task() clears thread_pid; the struct pid it pointed to outlives `rcu`.
        let pid = read_once!(self, thread_pid);
        // SAFETY: as above.
        unsafe { nr_in_ns(pid, pidns_inum, &rcu) }
    }

    /// Its tgid in the namespace with inode `pidns_inum`, as nr_in_ns() says.
    fn tgid_in_ns(&self, pidns_inum: u32) -> i32 {
        let rcu = RcuReadLock::new();
        // The task pins its signal_struct.
        let signal = read_once!(self, signal);
        // SAFETY: `signal` is live, as above; the struct pid in
        // pids[PIDTYPE_TGID] outlives `rcu`, as in task_tgid_nr_ns().
        unsafe {
            let tgid = read_volatile(addr_of!((*signal).pids[bindings::pid_type_PIDTYPE_TGID as usize]));
            nr_in_ns(tgid, pidns_inum, &rcu)
        }
    }

    /// The inode number of its pid namespace (task_active_pid_ns()).
    fn pid_ns_inum(&self) -> Result<u32> {
        let _rcu = RcuReadLock::new();
        // SAFETY: the task is valid (view); task_active_pid_ns() needs RCU,
        // which `_rcu` holds, and gives null once the task has exited.
        let ns = unsafe { ffi::task_active_pid_ns(self.as_ptr()) };
        // SAFETY: `ns` is live under `_rcu`.
        (!ns.is_null()).then(|| unsafe { ffi::skf_c_pid_ns_inum(ns) }).ok_or(ESRCH)
    }

    /// The inode number of its mount or network namespace (`kind`).
    fn nsproxy_inum(&self, kind: u64) -> Result<u32> {
        let read = || {
            // nsproxy and its namespaces stay put while `with_task_locked` runs this.
            let nsproxy = read_once!(self, nsproxy);
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
        with_task_locked(self, read)?
    }

    fn ns_inum(&self, kind: u64) -> Result<u32> {
        match kind {
            SKF_NS_PID => self.pid_ns_inum(),
            SKF_NS_MNT | SKF_NS_NET => self.nsproxy_inum(kind),
            _ => Err(EINVAL),
        }
    }
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_pid_in_ns(task: *mut task_struct, pidns_inum: u32) -> i32 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, |task| task.pid_in_ns(pidns_inum))
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_tgid_in_ns(task: *mut task_struct, pidns_inum: u32) -> i32 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, |task| task.tgid_in_ns(pidns_inum))
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_ns_inum(task: *mut task_struct, kind: u32) -> i64 {
    // SAFETY: as the caller guarantees.
    let task = unsafe { Task::from_raw(task) };
    match task.ok_or(EINVAL).and_then(|task| task.ns_inum(kind.into())) {
        Ok(inum) => inum.into(),
        Err(e) => e.to_errno().into(),
    }
}
