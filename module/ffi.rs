// SPDX-License-Identifier: GPL-2.0

//! The module's own C functions and data (module/*.c, generated/kfuncs_btf.c).

use crate::kfunc_table::SkfSockTuple;
use crate::kfunc_table::{KFUNCS, LAYOUT_FIELDS};
use core::ffi::c_int;
use kernel::bindings::{bpf_prog, cgroup, gendisk, mm_struct, mnt_namespace, net, pid_namespace, request, sock, task_struct};
use kernel::ffi::c_char;

// Only pointers cross this boundary. The lint also flags pointers to structs
// that contain an empty C struct (sched_statistics without SCHEDSTATS),
// which bindgen models as a field-less Rust struct.
#[allow(improper_ctypes)]
extern "C" {
    pub(crate) fn skf_register_kfuncs() -> c_int;
    /// The filter's first sighting of a load: a mask of our kfuncs (bit =
    /// index) that `prog` calls, `asked_idx` among them. `prog` must be
    /// the program the verifier is checking.
    pub(crate) fn skf_kfuncs_called(prog: *const bpf_prog, asked_idx: u32) -> u64;
    pub(crate) fn skf_sysfs_init() -> c_int;
    pub(crate) fn skf_sysfs_exit();
    pub(crate) fn skf_calls_exit();
    pub(crate) fn skf_call_count(idx: u32) -> u64;

    /// BTF id of each kfunc, 0 where it is not built at this API level.
    pub(crate) static skf_kfunc_btf_ids: [u32; KFUNCS.len()];
    /// C's offsetof for each `LAYOUT_FIELDS` entry.
    pub(crate) static skf_c_layout_offsets: [usize; LAYOUT_FIELDS.len()];
    /// C's sizeof_field for each `LAYOUT_FIELDS` entry.
    pub(crate) static skf_c_layout_sizes: [usize; LAYOUT_FIELDS.len()];

    pub(crate) fn skf_c_task_comm(task: *const task_struct, buf: *mut c_char, size: u32) -> u32;
    pub(crate) fn skf_c_rcu_read_lock();
    pub(crate) fn skf_c_rcu_read_unlock();
    pub(crate) fn skf_c_task_dfl_cgroup(task: *mut task_struct) -> *mut cgroup;
    pub(crate) fn skf_c_cgroup_ancestor(cgrp: *mut cgroup, level: c_int) -> *mut cgroup;
    pub(crate) fn skf_c_current_uid() -> u32;
    pub(crate) fn skf_c_in_task() -> bool;
    pub(crate) fn skf_c_irqs_disabled() -> bool;
    pub(crate) fn skf_c_pid_alive(task: *const task_struct) -> bool;
    pub(crate) fn skf_c_task_trylock(task: *mut task_struct) -> bool;
    pub(crate) fn skf_c_task_unlock(task: *mut task_struct);
    pub(crate) fn skf_c_mm_pages(mm: *mut mm_struct, members: core::ffi::c_uint) -> core::ffi::c_ulong;
    pub(crate) fn skf_c_task_state_char(task: *mut task_struct) -> core::ffi::c_char;
    pub(crate) fn skf_c_pid_ns_inum(ns: *mut pid_namespace) -> u32;
    pub(crate) fn skf_c_net_ns_inum(net: *mut net) -> u32;
    pub(crate) fn skf_c_mnt_ns_inum(ns: *mut mnt_namespace) -> u32;
    pub(crate) fn skf_c_mnt_ns_layout_holds() -> bool;
    pub(crate) fn skf_c_disk_devt_user(disk: *mut gendisk) -> u32;
    pub(crate) fn skf_c_rq_pos(rq: *const request) -> u64;
    pub(crate) fn skf_c_rq_bytes(rq: *const request) -> u32;
    pub(crate) fn skf_c_rq_op(rq: *const request) -> u32;
    pub(crate) fn skf_c_sk_tuple(sk: *const sock, tuple: *mut SkfSockTuple) -> bool;
    pub(crate) fn skf_c_sk_netns_cookie(sk: *const sock) -> u64;
    pub(crate) fn skf_c_tcp_srtt_us(sk: *const sock) -> i64;

    /// Exported by kernel/pid.c; not in 6.12's bindings. Needs RCU.
    pub(crate) fn task_active_pid_ns(task: *mut task_struct) -> *mut pid_namespace;
}
