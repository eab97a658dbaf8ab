// SPDX-License-Identifier: GPL-2.0

//! The layout guard: bindgen can silently get a C struct layout wrong (it
//! once dropped the padding before an empty `__aligned__(64)` member and
//! shifted every later task_struct field). Every field the Rust code reads
//! is listed in the manifest; at load its Rust offset and size must equal C's.
//! One layout no header gives (fs/mount.h's mnt_namespace) is checked by
//! what lies there instead.

use crate::ffi;
use crate::kfunc_table::LAYOUT_FIELDS;
use kernel::prelude::*;

/// A `struct.field[.field]` path and where bindgen put it.
pub(crate) struct LayoutField {
    pub(crate) path: &'static str,
    pub(crate) rust_offset: usize,
    pub(crate) rust_size: usize,
}

/// C's `sizeof_field()` for a bindgen struct, usable in a static.
macro_rules! size_of_field {
    ($strukt:ty, $($field:ident).+) => {{
        const fn pointee_size<T>(_: *const T) -> usize {
            core::mem::size_of::<T>()
        }
        let outer = core::mem::MaybeUninit::<$strukt>::uninit();
        // SAFETY: addr_of! neither reads the uninitialised struct nor forms a
        // reference; the pointer serves only for its type.
        pointee_size(unsafe { core::ptr::addr_of!((*outer.as_ptr()).$($field).+) })
    }};
}
pub(crate) use size_of_field;

/// The element size of a flexible array member (bindgen's
/// `__IncompleteArrayField<T>`), whose own size C leaves undefined.
macro_rules! element_size_of_field {
    ($strukt:ty, $($field:ident).+) => {{
        const fn element_size<T>(_: *const kernel::bindings::__IncompleteArrayField<T>) -> usize {
            core::mem::size_of::<T>()
        }
        let outer = core::mem::MaybeUninit::<$strukt>::uninit();
        // SAFETY: as in size_of_field!.
        element_size(unsafe { core::ptr::addr_of!((*outer.as_ptr()).$($field).+) })
    }};
}
pub(crate) use element_size_of_field;

/// Logs every field whose Rust offset or size differs from C's, then refuses.
pub(crate) fn check() -> Result {
    let mut mismatches = 0;
    for (field, idx) in LAYOUT_FIELDS.iter().zip(0usize..) {
        // SAFETY: constant arrays defined in generated/kfuncs_btf.c.
        let (c_offset, c_size) = unsafe { (ffi::skf_c_layout_offsets[idx], ffi::skf_c_layout_sizes[idx]) };
        let (strukt, member) = field.path.split_once('.').unwrap_or((field.path, ""));
        if c_offset != field.rust_offset {
            mismatches += 1;
            pr_err!(
                "layout guard: struct {} field {}: C offsetof {} != Rust offset_of {} (bindgen layout is wrong); refusing to load\n",
                strukt,
                member,
                c_offset,
                field.rust_offset
            );
        }
        if c_size != field.rust_size {
            mismatches += 1;
            pr_err!(
                "layout guard: struct {} field {}: C sizeof_field {} != Rust size {} (bindgen layout is wrong); refusing to load\n",
                strukt,
                member,
                c_size,
                field.rust_size
            );
        }
    }
    // SAFETY: reads the init task's mount namespace, which lives as long as
    // the kernel, and only without faulting past it.
    if !unsafe { ffi::skf_c_mnt_ns_layout_holds() } {
        mismatches += 1;
        pr_err!(
            "layout guard: struct mnt_namespace: no ns_common of the mount namespace at its start (fs/mount.h changed); refusing to load\n"
        );
    }
    if mismatches > 0 {
        return Err(EINVAL);
    }
    Ok(())
}
