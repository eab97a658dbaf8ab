// SPDX-License-Identifier: GPL-2.0

//! Borrowed views of what a kfunc is passed: a task, a blk-mq request, a
//! socket, and the program's output buffer.
//!
//! Each `skf_rs_*` entry point turns its raw pointers into views once, in
//! one `unsafe` block whose justification is the verifier's (KF_TRUSTED_ARGS:
//! a valid, referenced object for the whole call; `buf__sz`: that many
//! writable bytes), then calls a safe body. Other CPUs write these objects
//! while we read them, so a view wraps `Opaque` (no Rust reference ever
//! covers the C struct, whose fields may change under it) and its
//! accessors read a field once, as READ_ONCE() does.

use core::marker::PhantomData;
use kernel::bindings::{request, sock, task_struct};
use kernel::ffi::c_char;
use kernel::prelude::*;
use kernel::types::Opaque;

/// Declares a view of C struct `$c`: valid for as long as it is borrowed.
/// With `holding $valid`, only a `$valid` is promised to be there (a shorter
/// object may come typed as `$c`).
macro_rules! view {
    ($(#[$doc:meta])* $view:ident => $c:ty) => {
        view!($(#[$doc])* $view => $c, holding $c);
    };
    ($(#[$doc:meta])* $view:ident => $c:ty, holding $valid:ty) => {
        $(#[$doc])*
        #[repr(transparent)]
        pub(crate) struct $view(Opaque<$valid>);

        impl $view {
            /// The view of `ptr`; None if it is null.
            ///
            /// # Safety
            /// `ptr` is null or points to a valid object that stays valid for `'a`.
            pub(crate) unsafe fn from_raw<'a>(ptr: *mut $c) -> Option<&'a Self> {
                // SAFETY: `Self` is a transparent `Opaque<$valid>`, which lets
                // C write the object while it is borrowed; the caller
                // guarantees it is valid for `'a`.
                unsafe { ptr.cast::<Self>().as_ref() }
            }

            /// The C pointer, by cast: `Opaque::get` is a call here, as
            /// the kernel crate's generics are not inlined into modules.
            #[inline(always)]
            pub(crate) fn as_ptr(&self) -> *mut $c {
                // `Self` is transparent over `Opaque<$valid>`, which is over
                // an `UnsafeCell` of the C object: one address, writable by C.
                (self as *const Self).cast_mut().cast::<$c>()
            }
        }
    };
}

view!(
    /// A task_struct, valid while borrowed (its usage count pinned by the
    /// verifier, or it is the running task).
    Task => task_struct
);
view!(
    /// A blk-mq request, valid while borrowed.
    Request => request
);
view!(
    /// A socket, valid while borrowed, but not always a full `struct sock`:
    /// tracepoints hand BPF TIME_WAIT socks as `struct sock *`,
    /// which end after their sock_common. So the view promises no bytes;
    /// the C shims read past sock_common only after sk_fullsock().
    Sock => sock, holding [u8; 0]
);

/// Reads `$view`'s C field `$field` once. Only for fields of an object the
/// view keeps valid; say at the call site why the field itself may be read.
macro_rules! read_once {
    ($view:expr, $($field:tt)+) => {
        // SAFETY: a view's object is valid while borrowed (view.rs); a
        // volatile read never forms a reference to a field C may write.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!((*$view.as_ptr()).$($field)+)) }
    };
}
pub(crate) use read_once;

/// A buffer a kfunc fills: a BPF program's, of `len` writable bytes that
/// other programs may access meanwhile (a map value), so it is only ever
/// written through raw copies, never borrowed as a Rust slice.
pub(crate) struct OutBuf<'a> {
    ptr: *mut c_char,
    len: usize,
    _buf: PhantomData<&'a mut [u8]>,
}

impl<'a> OutBuf<'a> {
    /// The buffer at `ptr`; None if it is null or empty.
    ///
    /// # Safety
    /// `ptr` is null or has `len` writable bytes for `'a` (the verifier
    /// checks a `buf`/`buf__sz` pair so).
    pub(crate) unsafe fn from_raw(ptr: *mut c_char, len: u32) -> Option<OutBuf<'a>> {
        (!ptr.is_null() && len > 0).then_some(OutBuf { ptr, len: len as usize, _buf: PhantomData })
    }

    /// One of our own arrays.
    pub(crate) fn of<const N: usize>(array: &'a mut [u8; N]) -> OutBuf<'a> {
        OutBuf { ptr: array.as_mut_ptr().cast(), len: N, _buf: PhantomData }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// For a C shim that writes at most `len()` bytes.
    pub(crate) fn as_ptr(&self) -> *mut c_char {
        self.ptr
    }

    /// Copies `value`'s bytes to the start; -EINVAL if they do not fit.
    pub(crate) fn write<T>(&self, value: &T) -> Result {
        let size = core::mem::size_of::<T>();
        if self.len < size {
            return Err(EINVAL);
        }
        // SAFETY: size <= len bytes are writable (from_raw, of), and a byte
        // copy needs no alignment, which BPF memory does not promise.
        unsafe { core::ptr::copy_nonoverlapping((value as *const T).cast::<u8>(), self.ptr.cast::<u8>(), size) };
        Ok(())
    }

    /// Zeroes it all, as helpers do on error.
    pub(crate) fn zero(&self) {
        // SAFETY: len bytes are writable (from_raw, of).
        unsafe { core::ptr::write_bytes(self.ptr, 0, self.len) };
    }
}
