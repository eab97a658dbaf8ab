// SPDX-License-Identifier: GPL-2.0

//! Cgroup family: where a task sits in the cgroup v2 hierarchy.

use super::guards::RcuReadLock;
use crate::ffi;
use core::ffi::c_int;
use core::ptr::addr_of;
use kernel::bindings::{cgroup, task_struct};

/// # Safety
/// `cgrp` is a live cgroup (RCU held); every cgroup has a kernfs node.
unsafe fn cgroup_id(cgrp: *const cgroup) -> u64 {
    // SAFETY: as the caller guarantees; this is cgroup_id() from cgroup.h.
    unsafe { (*(*cgrp).kn).id }
}

/// The task's cgroup on the default hierarchy, valid while `_rcu` is held.
///
/// # Safety
/// `task` is a live task.
unsafe fn dfl_cgroup(task: *mut task_struct, _rcu: &RcuReadLock) -> *mut cgroup {
    // SAFETY: the caller guarantees `task`; RCU is held, as task_dfl_cgroup() needs.
    unsafe { ffi::skf_c_task_dfl_cgroup(task) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_cgroup_id(task: *mut task_struct) -> u64 {
    if task.is_null() {
        return 0;
    }
    let rcu = RcuReadLock::new();
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; the cgroup stays live under `rcu`.
    unsafe { cgroup_id(dfl_cgroup(task, &rcu)) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_task_cgroup_ancestor_id(task: *mut task_struct, level: c_int) -> u64 {
    if task.is_null() || level < 0 {
        return 0;
    }
    let rcu = RcuReadLock::new();
    // SAFETY: KF_TRUSTED_ARGS keeps `task` live; the cgroup stays live under `rcu`.
    let cgrp = unsafe { dfl_cgroup(task, &rcu) };
    // SAFETY: `cgrp` is live; `level` is immutable after creation.
    if level > unsafe { (*cgrp).level } {
        return 0;
    }
    // SAFETY: ancestors[] holds level + 1 entries (root first, self last), so
    // index `level` is in bounds; ancestors outlive their descendants.
    unsafe {
        let ancestors = (*addr_of!((*cgrp).ancestors)).as_ptr();
        cgroup_id(*ancestors.add(level as usize))
    }
}
