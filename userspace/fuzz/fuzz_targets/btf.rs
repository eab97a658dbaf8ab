// SPDX-License-Identifier: GPL-2.0

//! skf's BTF reader on arbitrary bytes, as 6.12 and 7.2 write BTF (7.2's
//! wider kind and vlen fields, its layout section): parsing it, alone and as
//! split BTF over itself, and describing every type must give a result or an
//! error, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skf::btf::Btf;
use std::sync::Arc;

fn describe_every_type(btf: &Btf) {
    for (id, t) in btf.types() {
        let _ = btf.name(t);
        let _ = btf.c_type(id);
        let _ = btf.func_prototype(id);
        let _ = btf.params(id);
        let _ = btf.enum_values(id);
        let _ = btf.decl_tag_component(id);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(base) = Btf::parse(data) else { return };
    describe_every_type(&base);
    if let Ok(split) = Btf::parse_split(data, Arc::new(base)) {
        describe_every_type(&split);
    }
});
