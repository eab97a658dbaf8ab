// SPDX-License-Identifier: GPL-2.0

//! `skf abi check|diff` on arbitrary bytes as a module build: reading its
//! split BTF over a real vmlinux's and its kfunc sets must give a result or
//! an error, never a panic. SKF_FUZZ_VMLINUX names the vmlinux (run.sh sets it).

#![no_main]

use libfuzzer_sys::fuzz_target;
use skf::btf::Btf;
use std::path::Path;
use std::sync::{Arc, LazyLock};

static BASE: LazyLock<Arc<Btf>> = LazyLock::new(|| {
    let path = std::env::var("SKF_FUZZ_VMLINUX").expect("SKF_FUZZ_VMLINUX must name a vmlinux with BTF (run.sh sets it)");
    skf::module_btf::load_base(Path::new(&path)).expect("the vmlinux BTF is readable")
});

fuzz_target!(|data: &[u8]| {
    let _ = skf::module_btf::parse_ko(data, || Ok(Arc::clone(&BASE)));
});
