// SPDX-License-Identifier: GPL-2.0

//! Net family: a socket's addresses, its network namespace's cookie, and
//! TCP's smoothed RTT. struct sock is opaque to 6.12's Rust bindings, so
//! the reads themselves are C shims (shims.c).

use super::view::{OutBuf, Sock};
use crate::ffi;
use crate::kfunc_table::SkfSockTuple;
use core::ffi::c_int;
use core::mem::size_of;
use kernel::bindings::{self, sock};
use kernel::ffi::c_char;
use kernel::prelude::*;

impl Sock {
    /// Its addresses and ports into `tuple`; -EAFNOSUPPORT for a family
    /// other than IPv4 and IPv6.
    fn tuple(&self, tuple: &mut SkfSockTuple) -> Result {
        // SAFETY: the socket is valid (view); the shim only reads it.
        if unsafe { ffi::skf_c_sk_tuple(self.as_ptr(), tuple) } {
            Ok(())
        } else {
            Err(Error::from_errno(-(bindings::EAFNOSUPPORT as c_int)))
        }
    }

    fn netns_cookie(&self) -> u64 {
        // SAFETY: the socket, and so its namespace, is valid (view).
        unsafe { ffi::skf_c_sk_netns_cookie(self.as_ptr()) }
    }

    fn srtt_us(&self) -> i64 {
        // SAFETY: the socket is valid (view); the shim checks it is TCP first.
        unsafe { ffi::skf_c_tcp_srtt_us(self.as_ptr()) }
    }
}

/// skf_sk_tuple's body: the tuple's size, or the errno with `buf` zeroed,
/// as skf_task_comm_v2 does.
fn sk_tuple(sk: &Sock, buf: &OutBuf<'_>) -> Result<usize> {
    let tuple = || {
        // A short buffer is refused before the socket is read.
        if buf.len() < size_of::<SkfSockTuple>() {
            return Err(EINVAL);
        }
        let mut tuple = SkfSockTuple::default();
        sk.tuple(&mut tuple)?;
        buf.write(&tuple)?;
        Ok(size_of::<SkfSockTuple>())
    };
    tuple().inspect_err(|_| buf.zero())
}

/// # Safety
/// `sk` is null or valid for the call (KF_TRUSTED_ARGS); `buf` is null or
/// has `buf_sz` writable bytes (`buf__sz`, checked by the verifier).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_sk_tuple(sk: *mut sock, buf: *mut c_char, buf_sz: u32) -> c_int {
    // SAFETY: as the caller guarantees.
    let (sk, buf) = unsafe { (Sock::from_raw(sk), OutBuf::from_raw(buf, buf_sz)) };
    match (sk, buf) {
        (Some(sk), Some(buf)) => sk_tuple(sk, &buf).map_or_else(|e| e.to_errno(), |n| n as c_int),
        (None, Some(buf)) => {
            buf.zero();
            EINVAL.to_errno()
        }
        (_, None) => EINVAL.to_errno(),
    }
}

/// # Safety
/// `sk` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_sk_netns_cookie(sk: *mut sock) -> u64 {
    // SAFETY: as the caller guarantees.
    unsafe { Sock::from_raw(sk) }.map_or(0, Sock::netns_cookie)
}

/// # Safety
/// `sk` is null or valid for the call (KF_TRUSTED_ARGS).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_tcp_srtt_us(sk: *mut sock) -> i64 {
    // SAFETY: as the caller guarantees.
    match unsafe { Sock::from_raw(sk) } {
        Some(sk) => sk.srtt_us(),
        None => EINVAL.to_errno().into(),
    }
}
