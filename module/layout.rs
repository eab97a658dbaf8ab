// SPDX-License-Identifier: GPL-2.0

//! The layout guard: bindgen can silently get a C struct layout wrong (it
//! once dropped the padding before an empty `__aligned__(64)` member and
//! shifted every later task_struct field). Every field the Rust code reads
//! is listed in the manifest; at load its Rust offset must equal C's.

use crate::ffi;
use crate::kfunc_table::LAYOUT_FIELDS;
use kernel::prelude::*;

/// A `struct.field[.field]` path and where bindgen put it.
pub(crate) struct LayoutField {
    pub(crate) path: &'static str,
    pub(crate) rust_offset: usize,
}

pub(crate) fn check() -> Result {
    for (field, idx) in LAYOUT_FIELDS.iter().zip(0usize..) {
        // SAFETY: a constant array defined in generated/kfuncs_btf.c.
        let c_offset = unsafe { ffi::skf_c_layout_offsets[idx] };
        if c_offset != field.rust_offset {
            let (strukt, member) = field.path.split_once('.').unwrap_or((field.path, ""));
            pr_err!(
                "layout guard: struct {} field {}: C offsetof {} != Rust offset_of {} (bindgen layout is wrong); refusing to load\n",
                strukt,
                member,
                c_offset,
                field.rust_offset
            );
            return Err(EINVAL);
        }
    }
    Ok(())
}
