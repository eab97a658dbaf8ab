// SPDX-License-Identifier: GPL-2.0

//! Cgroup family: where a task sits in the cgroup v2 hierarchy.

use super::guards::RcuReadLock;
use super::view::Task;
use crate::ffi;
use core::ffi::c_int;
use kernel::bindings::{cgroup, task_struct};

/// # Safety
/// `cgrp` is a live cgroup (RCU held); every cgroup has a kernfs node.
unsafe fn cgroup_id(cgrp: *const cgroup) -> u64 {
    // SAFETY: as the caller guarantees; this is cgroup_id() from cgroup.h.
    unsafe { (*(*cgrp).kn).id }
}

impl Task {
    /// Its cgroup on the default hierarchy, valid while `_rcu` is held.
    fn dfl_cgroup(&self, _rcu: &RcuReadLock) -> *mut cgroup {
        // SAFETY: the task is valid (view); RCU is held, as task_dfl_cgroup() needs.
        unsafe { ffi::skf_c_task_dfl_cgroup(self.as_ptr()) }
    }

    fn cgroup_id(&self) -> u64 {
        let rcu = RcuReadLock::new();
        // SAFETY: the cgroup stays live under `rcu`.
        unsafe { cgroup_id(self.dfl_cgroup(&rcu)) }
    }

    /// The id of its cgroup's ancestor at `level` (0: the root); 0 if deeper than its own.
    fn cgroup_ancestor_id(&self, level: c_int) -> u64 {
        let rcu = RcuReadLock::new();
        // SAFETY: the cgroup is live under `rcu`; cgroup_ancestor() checks
        // `level` against its own, and ancestors outlive their descendants.
        let ancestor = unsafe { ffi::skf_c_cgroup_ancestor(self.dfl_cgroup(&rcu), level) };
        if ancestor.is_null() {
            return 0;
        }
        // SAFETY: a live ancestor, under `rcu`.
        unsafe { cgroup_id(ancestor) }
    }
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_cgroup_id(task: *mut task_struct) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, Task::cgroup_id)
}

/// # Safety
/// `task` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_task_cgroup_ancestor_id(task: *mut task_struct, level: c_int) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Task::from_raw(task) }.map_or(0, |task| task.cgroup_ancestor_id(level))
}
