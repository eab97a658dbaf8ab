// SPDX-License-Identifier: GPL-2.0

//! Values behind /sys/kernel/stable_kfuncs (the files are made in sysfs.c).

use crate::ffi;
use crate::policy::Policy;
use crate::registry::{self, API_LEVEL};
use crate::usage;
use core::fmt::{self, Write};
use kernel::ffi::c_char;
use kernel::page::PAGE_SIZE;
use kernel::prelude::*;

/// A sysfs show buffer: one page, never overrun.
struct ShowBuf<'a> {
    page: &'a mut [u8],
    len: usize,
}

impl ShowBuf<'_> {
    /// # Safety
    /// `buf` is the PAGE_SIZE buffer sysfs passes to a show callback.
    unsafe fn new<'a>(buf: *mut c_char) -> ShowBuf<'a> {
        // SAFETY: sysfs show buffers are one writable page, owned by us for the call.
        let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), PAGE_SIZE) };
        ShowBuf { page, len: 0 }
    }

    fn emit(mut self, args: fmt::Arguments<'_>) -> isize {
        match self.write_fmt(args) {
            Ok(()) => self.len as isize,
            Err(_) => EFBIG.to_errno() as isize,
        }
    }
}

impl Write for ShowBuf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).filter(|&e| e <= self.page.len()).ok_or(fmt::Error)?;
        self.page[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// "3", or "-" where the kfunc has no such level.
struct Level(Option<u32>);

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(level) => write!(f, "{level}"),
            None => f.write_str("-"),
        }
    }
}

/// # Safety
/// `buf` is a sysfs show buffer (one writable page).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_api_level_show(buf: *mut c_char) -> isize {
    // SAFETY: as the caller guarantees.
    unsafe { ShowBuf::new(buf) }.emit(format_args!("{API_LEVEL}\n"))
}

/// # Safety
/// `buf` is a sysfs show buffer (one writable page).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_policy_show(buf: *mut c_char) -> isize {
    // SAFETY: as the caller guarantees.
    unsafe { ShowBuf::new(buf) }.emit(format_args!("{}\n", Policy::get().name()))
}

/// # Safety
/// `buf` is a sysfs store buffer of `len` readable bytes.
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_policy_store(buf: *const c_char, len: usize) -> isize {
    // SAFETY: as the caller guarantees.
    let text = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
    match Policy::parse(text) {
        Some(policy) => {
            policy.set();
            pr_info!("policy set to {}\n", policy.name());
            len as isize
        }
        None => EINVAL.to_errno() as isize,
    }
}

/// # Safety
/// `attr` is a NUL-terminated attribute name; `buf` is a sysfs show buffer
/// (one writable page).
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_kfunc_show(idx: u32, attr: *const c_char, buf: *mut c_char) -> isize {
    // SAFETY: as the caller guarantees.
    let (attr, out) = unsafe { (CStr::from_char_ptr(attr), ShowBuf::new(buf)) };
    let Some(k) = registry::get(idx) else {
        return ENOENT.to_errno() as isize;
    };
    let calls;
    // to_str(): on 6.12's kernel::str::CStr and 7.x's core::ffi::CStr alike.
    let value: &dyn fmt::Display = match attr.to_str() {
        Ok("class") => &k.stability().class(),
        Ok("since") => &k.since,
        Ok("deprecated_in") => &Level(k.deprecated),
        Ok("removed_in") => &Level(k.removed),
        Ok("replacement") => &k.replacement.unwrap_or("-"),
        Ok("family") => &k.family,
        Ok("prog_types") => &k.prog_types,
        Ok("flags") => &k.flags,
        Ok("proto") => &k.proto,
        Ok("doc") => &k.doc,
        Ok("programs") => &usage::programs(idx as usize),
        Ok("calls") => {
            // SAFETY: idx indexes the per-CPU counter array (checked by `get` above).
            calls = unsafe { ffi::skf_call_count(idx) };
            &calls
        }
        _ => return EINVAL.to_errno() as isize,
    };
    out.emit(format_args!("{value}\n"))
}
