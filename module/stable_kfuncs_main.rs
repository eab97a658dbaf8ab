// SPDX-License-Identifier: GPL-2.0

//! stable_kfuncs: versioned BPF kfuncs with stability classes.
//!
//! The kfunc symbols BPF sees are C (generated/kfuncs_btf.c), because Rust
//! code gets no BTF in 6.12; each tail-calls its Rust body in `kfuncs`.
//! Everything else that can be Rust is: the registry of kfuncs, the layout
//! guard, the verifier-time policy, usage counts, and sysfs values.

use kernel::prelude::*;

mod call_warning;
mod current_process;
mod dedup;
#[path = "generated/ffi.rs"]
#[rustfmt::skip] // `cargo xtask gen` writes it
mod ffi;
#[path = "generated/kfunc_table.rs"]
#[rustfmt::skip] // `cargo xtask gen` writes it
mod kfunc_table;
mod kfuncs;
mod layout;
mod policy;
mod printable;
mod registry;
mod report_limit;
mod sysfs;
mod usage;
mod verify;

// No author here: module! took `author:` until 7.x and `authors: [..]`
// since; register.c's MODULE_AUTHOR() means the same on both.
module! {
    type: StableKfuncs,
    name: "stable_kfuncs",
    description: "Versioned BPF kfuncs with stability classes",
    license: "GPL",
}

struct StableKfuncs {
    _verify: verify::Registration,
}

/// Init step `what`'s result, said in dmesg if it failed: an allocation that
/// fails inside the kernel (or under fault injection) may say nothing itself.
fn step<T>(what: &str, result: Result<T>) -> Result<T> {
    result.inspect_err(|e| pr_err!("init: {} failed (error {}); refusing to load\n", what, e.to_errno()))
}

impl kernel::Module for StableKfuncs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        step("checking struct layouts", layout::check())?;
        step("the BTF id check", registry::check_btf_ids())?;
        let verify = step("allocating the verifier filter's state", verify::Registration::new())?;
        // SAFETY: called once, from module init, as register_btf_kfunc_id_set requires.
        step("registering the kfunc sets", kernel::error::to_result(unsafe { ffi::skf_register_kfuncs() }))?;
        // SAFETY: called once; undone by `Drop` below, or by nothing if it fails.
        step("creating /sys/kernel/stable_kfuncs", kernel::error::to_result(unsafe { ffi::skf_sysfs_init() }))?;
        pr_info!("API level {}: {} kfuncs offered\n", registry::API_LEVEL, registry::alive().count());
        Ok(StableKfuncs { _verify: verify })
    }
}

impl Drop for StableKfuncs {
    fn drop(&mut self) {
        // SAFETY: init succeeded, so sysfs was created; the kfunc sets go with the module's BTF.
        unsafe { ffi::skf_sysfs_exit() };
        // SAFETY: at exit no program can call a kfunc any more (each pins the module).
        unsafe { ffi::skf_calls_exit() };
    }
}
