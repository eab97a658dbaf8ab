// SPDX-License-Identifier: GPL-2.0

//! The Rust side: module/generated/kfunc_table.rs.

use super::HEADER_NOTE;
use crate::manifest::{guarded_field, parse_field, Manifest};
use std::fmt::Write;

fn option(v: Option<impl std::fmt::Debug>) -> String {
    v.map_or("None".to_string(), |v| format!("Some({v:?})"))
}

pub fn table(m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "// SPDX-License-Identifier: GPL-2.0\n// {HEADER_NOTE}\n");
    s.push_str("use crate::layout::LayoutField;\nuse crate::registry::KfuncInfo;\nuse kernel::c_str;\n\n");
    s.push_str("/// The API level this module is built at (SKF_API in Kbuild).\n");
    for level in m.levels() {
        let _ = writeln!(s, "#[cfg(skf_api = \"{level}\")]\npub(crate) const API_LEVEL: u32 = {level};");
    }
    let any: Vec<String> = m.levels().map(|l| format!("skf_api = \"{l}\"")).collect();
    let _ =
        writeln!(s, "#[cfg(not(any({})))]\ncompile_error!(\"SKF_API must be an API level from 1 to {}\");\n", any.join(", "), m.api_level);

    for f in &m.flags {
        let _ = writeln!(s, "/// {} flag: {}.\npub(crate) const {}: u64 = {:#x};", f.kfunc, f.doc, f.name, f.value);
    }
    for c in &m.constants {
        let _ = writeln!(s, "/// {} value: {}.\npub(crate) const {}: u64 = {};", c.kfunc, c.doc, c.name, c.value);
    }
    for st in &m.structs {
        let _ = writeln!(
            s,
            "/// C `struct {}` ({}): {}.\n#[repr(C)]\n#[derive(Default)]\npub(crate) struct {} {{",
            st.name,
            st.kfunc,
            st.doc,
            camel_case(&st.name)
        );
        for f in &st.fields {
            let (ty, name, len) = parse_field(f).expect("validated by Manifest::parse");
            let ty = len.map_or(ty.to_string(), |n| format!("[{ty}; {n}]"));
            let _ = writeln!(s, "    pub(crate) {name}: {ty},");
        }
        s.push_str("}\n");
    }
    s.push('\n');
    let _ = writeln!(
        s,
        "/// Every kfunc ever released, by `enum skf_kfunc_index`.\npub(crate) static KFUNCS: [KfuncInfo; {}] = [",
        m.kfuncs.len()
    );
    for k in &m.kfuncs {
        let _ = writeln!(s, "    KfuncInfo {{");
        let _ = writeln!(s, "        name: c_str!({:?}),", k.name);
        let _ = writeln!(s, "        family: {:?},", k.family);
        let _ = writeln!(s, "        proto: {:?},", k.proto().to_string());
        let _ = writeln!(s, "        flags: {:?},", k.flags.join(" | "));
        let _ = writeln!(s, "        prog_types: {:?},", k.prog_types.join(" "));
        let _ = writeln!(s, "        since: {},", k.since);
        let _ = writeln!(s, "        deprecated: {},", option(k.deprecated));
        let _ = writeln!(s, "        removed: {},", option(k.removed));
        let _ = writeln!(s, "        replacement: {},", option(k.replacement.as_deref()));
        let _ = writeln!(s, "        doc: {:?},", k.doc);
        s.push_str("    },\n");
    }
    s.push_str("];\n\n");

    s.push_str("// Each Rust body must have its kfunc's C prototype: checked at compile time.\n");
    for k in &m.kfuncs {
        let p = k.proto();
        let params: Vec<String> = p.params.iter().map(|p| p.ty.rust()).collect();
        let _ = writeln!(
            s,
            "const _: unsafe extern \"C\" fn({}) -> {} = crate::kfuncs::{};",
            params.join(", "),
            p.ret.rust(),
            k.rust_impl_name()
        );
    }

    let _ = writeln!(
        s,
        "\n/// Fields Rust reads through bindgen, checked against C at load.\npub(crate) static LAYOUT_FIELDS: [LayoutField; {}] = [",
        m.layout_guard.len()
    );
    for path in &m.layout_guard {
        let guarded = guarded_field(path);
        let (strukt, field) = guarded.path.split_once('.').expect("validated as struct.field");
        let size = if guarded.flexible { "element_size_of_field" } else { "size_of_field" };
        let _ = writeln!(
            s,
            "    LayoutField {{ path: {path:?}, rust_offset: core::mem::offset_of!(kernel::bindings::{strukt}, {field}), rust_size: crate::layout::{size}!(kernel::bindings::{strukt}, {field}) }},"
        );
    }
    s.push_str("];\n");
    s
}

/// skf_sock_tuple -> SkfSockTuple: a C struct's name as a Rust type.
pub(super) fn camel_case(name: &str) -> String {
    name.split('_').filter(|w| !w.is_empty()).map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}
