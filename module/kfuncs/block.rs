// SPDX-License-Identifier: GPL-2.0

//! Block family: what biosnoop-like tools read of a blk-mq request.

use super::guards::RcuReadLock;
use super::view::{read_once, Request};
use crate::ffi;
use crate::kfunc_table::*;
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, request};

/// The SKF_BLK_OP_* value of a kernel REQ_OP_*, whose numbers are the kernel's own.
fn op_of(op: u32) -> u64 {
    match op {
        bindings::req_op_REQ_OP_READ => SKF_BLK_OP_READ,
        bindings::req_op_REQ_OP_WRITE => SKF_BLK_OP_WRITE,
        bindings::req_op_REQ_OP_FLUSH => SKF_BLK_OP_FLUSH,
        bindings::req_op_REQ_OP_DISCARD => SKF_BLK_OP_DISCARD,
        bindings::req_op_REQ_OP_SECURE_ERASE => SKF_BLK_OP_SECURE_ERASE,
        bindings::req_op_REQ_OP_WRITE_ZEROES => SKF_BLK_OP_WRITE_ZEROES,
        bindings::req_op_REQ_OP_ZONE_APPEND
        | bindings::req_op_REQ_OP_ZONE_OPEN
        | bindings::req_op_REQ_OP_ZONE_CLOSE
        | bindings::req_op_REQ_OP_ZONE_FINISH
        | bindings::req_op_REQ_OP_ZONE_RESET
        | bindings::req_op_REQ_OP_ZONE_RESET_ALL => SKF_BLK_OP_ZONE,
        bindings::req_op_REQ_OP_DRV_IN | bindings::req_op_REQ_OP_DRV_OUT => SKF_BLK_OP_DRIVER,
        _ => SKF_BLK_OP_OTHER,
    }
}

impl Request {
    /// Its disk's device number as user space encodes it; 0 once the disk is gone.
    fn dev(&self) -> u32 {
        // A request's queue outlives it.
        let q = read_once!(self, q);
        // disk_release() clears `q->disk` before it drops the disk's last
        // reference, and the disk is freed with its part0 inode, after an RCU
        // grace period (bdev_free_inode). So a disk read non-null under the
        // RCU read lock stays allocated until the lock is dropped.
        let _rcu = RcuReadLock::new();
        // SAFETY: `q` is live, as above; read once, as disk_release() may be
        // clearing it.
        let disk = unsafe { read_volatile(addr_of!((*q).disk)) };
        if disk.is_null() {
            return 0;
        }
        // SAFETY: `disk` is allocated while `_rcu` is held (above); its major
        // and first minor are set before it takes requests and never change.
        unsafe { ffi::skf_c_disk_devt_user(disk) }
    }

    fn sector(&self) -> u64 {
        // SAFETY: the request is valid (view); blk_rq_pos() only reads it.
        unsafe { ffi::skf_c_rq_pos(self.as_ptr()) }
    }

    fn bytes(&self) -> u32 {
        // SAFETY: the request is valid (view); blk_rq_bytes() only reads it.
        unsafe { ffi::skf_c_rq_bytes(self.as_ptr()) }
    }

    fn op(&self) -> u32 {
        // SAFETY: the request is valid (view); req_op() only reads cmd_flags.
        op_of(unsafe { ffi::skf_c_rq_op(self.as_ptr()) }) as u32
    }
}

/// # Safety
/// `rq` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_rq_dev(rq: *mut request) -> u32 {
    // SAFETY: as the caller guarantees.
    unsafe { Request::from_raw(rq) }.map_or(0, Request::dev)
}

/// # Safety
/// `rq` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_rq_sector(rq: *mut request) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Request::from_raw(rq) }.map_or(0, Request::sector)
}

/// # Safety
/// `rq` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_rq_bytes(rq: *mut request) -> u32 {
    // SAFETY: as the caller guarantees.
    unsafe { Request::from_raw(rq) }.map_or(0, Request::bytes)
}

/// # Safety
/// `rq` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_rq_op(rq: *mut request) -> u32 {
    // SAFETY: as the caller guarantees.
    unsafe { Request::from_raw(rq) }.map_or(SKF_BLK_OP_OTHER as u32, Request::op)
}
