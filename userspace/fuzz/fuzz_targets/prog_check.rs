// SPDX-License-Identifier: GPL-2.0

//! `skf prog check` on arbitrary bytes: reading the object and rating its
//! imports and its programs' calls at every API level must give a result or an error, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skf::manifest::Manifest;
use std::sync::LazyLock;

static MANIFEST: LazyLock<Manifest> =
    LazyLock::new(|| Manifest::parse(include_str!("../../../module/kfuncs.toml")).expect("the built-in manifest is valid"));

fuzz_target!(|data: &[u8]| {
    if let Ok(object) = skf::bpf_object::parse(data) {
        for level in MANIFEST.levels() {
            let _ = skf::prog_check::check(&object, &MANIFEST, level);
        }
    }
});
