// SPDX-License-Identifier: GPL-2.0

//! Block family: what biosnoop-like tools read of a blk-mq request.

use crate::ffi;
use crate::kfunc_table::*;
use core::ptr::{addr_of, read_volatile};
use kernel::bindings::{self, request};

#[no_mangle]
pub(crate) extern "C" fn skf_rs_rq_dev(rq: *mut request) -> u32 {
    if rq.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `rq` live, and a request's queue
    // outlives it; the disk is set before the queue issues requests and
    // cleared only after it drains. Read once: del_gendisk() may be racing.
    let disk = unsafe { read_volatile(addr_of!((*(*rq).q).disk)) };
    if disk.is_null() {
        return 0;
    }
    // SAFETY: `disk` is live while its queue has requests in flight.
    unsafe { ffi::skf_c_disk_devt_user(disk) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_rq_sector(rq: *mut request) -> u64 {
    if rq.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `rq` live; blk_rq_pos() only reads it.
    unsafe { ffi::skf_c_rq_pos(rq) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_rq_bytes(rq: *mut request) -> u32 {
    if rq.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `rq` live; blk_rq_bytes() only reads it.
    unsafe { ffi::skf_c_rq_bytes(rq) }
}

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

#[no_mangle]
pub(crate) extern "C" fn skf_rs_rq_op(rq: *mut request) -> u32 {
    if rq.is_null() {
        return SKF_BLK_OP_OTHER as u32;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `rq` live; req_op() only reads cmd_flags.
    op_of(unsafe { ffi::skf_c_rq_op(rq) }) as u32
}
