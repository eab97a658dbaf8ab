// SPDX-License-Identifier: GPL-2.0

//! Net family: a socket's addresses, its network namespace's cookie, and
//! TCP's smoothed RTT. struct sock is opaque to 6.12's Rust bindings, so
//! the reads themselves are C shims (shims.c).

use crate::ffi;
use crate::kfunc_table::SkfSockTuple;
use core::ffi::c_int;
use core::mem::size_of;
use kernel::bindings::{self, sock};
use kernel::ffi::c_char;
use kernel::prelude::*;

#[no_mangle]
pub(crate) extern "C" fn skf_rs_sk_tuple(sk: *mut sock, buf: *mut c_char, buf_sz: u32) -> c_int {
    if sk.is_null() || buf.is_null() || (buf_sz as usize) < size_of::<SkfSockTuple>() {
        return EINVAL.to_errno();
    }
    let mut tuple = SkfSockTuple::default();
    // SAFETY: KF_TRUSTED_ARGS keeps `sk` live; the shim only reads it.
    if !unsafe { ffi::skf_c_sk_tuple(sk, &mut tuple) } {
        return -(bindings::EAFNOSUPPORT as c_int);
    }
    // SAFETY: the verifier checked that `buf` has `buf__sz` writable bytes,
    // at least the tuple's size as checked above; `buf` may be unaligned.
    unsafe { buf.cast::<SkfSockTuple>().write_unaligned(tuple) };
    size_of::<SkfSockTuple>() as c_int
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_sk_netns_cookie(sk: *mut sock) -> u64 {
    if sk.is_null() {
        return 0;
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `sk`, and so its namespace, live.
    unsafe { ffi::skf_c_sk_netns_cookie(sk) }
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_tcp_srtt_us(sk: *mut sock) -> i64 {
    if sk.is_null() {
        return EINVAL.to_errno().into();
    }
    // SAFETY: KF_TRUSTED_ARGS keeps `sk` live; the shim checks it is TCP first.
    unsafe { ffi::skf_c_tcp_srtt_us(sk) }
}
