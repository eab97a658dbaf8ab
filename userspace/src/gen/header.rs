//! bpf/include/stable_kfuncs.bpf.h: what BPF programs include.

use super::{c_struct, HEADER_NOTE};
use crate::manifest::{split_version, Kfunc, Manifest};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn header(m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */\n/* {HEADER_NOTE} */");
    s.push_str(concat!(
        "/*\n",
        " * The stable_kfuncs BPF API. Every kfunc version ever released is declared\n",
        " * __weak, so one object loads on any API level: test a kfunc with\n",
        " * bpf_ksym_exists() before calling it. Needs\n",
        " * libbpf 1.3+; include vmlinux.h or <linux/types.h> first.\n",
        " */\n",
        "#ifndef __STABLE_KFUNCS_BPF_H\n#define __STABLE_KFUNCS_BPF_H\n\n",
        "#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\n\n",
        "#ifndef bpf_ksym_exists /* libbpf headers before 1.2 */\n",
        "#define bpf_ksym_exists(sym) ({ _Static_assert(!__builtin_constant_p(!!sym), #sym \" should be __weak\"); !!sym; })\n",
        "#endif\n\n",
        "/* The kernel's names, as vmlinux.h has them (a repeated typedef is valid C11). */\n",
        "typedef __u8 u8;\ntypedef __u16 u16;\ntypedef __u32 u32;\ntypedef __u64 u64;\ntypedef __s32 s32;\ntypedef __s64 s64;\n\n",
    ));
    s.push_str(concat!(
        "/* libbpf accepts a kfunc extern only if its prototype matches the\n",
        " * kernel's, and a forward-declared struct never matches a struct; an empty\n",
        " * definition does (structs match by name). vmlinux.h has the real ones. */\n",
        "#ifndef __VMLINUX_H__\n",
    ));
    for name in m.struct_types() {
        let _ = writeln!(s, "struct {name} {{}};");
    }
    s.push_str("#endif\n");
    let _ = writeln!(
        s,
        concat!(
            "\n/* The newest API level this header knows. */\n#define SKF_API_NEWEST {}\n\n",
            "/* The loaded module's API level, read from its BTF at load time (CO-RE);\n",
            " * 0 if stable_kfuncs is not loaded. */\n",
            "enum skf_api_level {{ SKF_API_LEVEL = 0 }};\n",
            "#define skf_api_level()                                                   \\\n",
            "\t(bpf_core_enum_value_exists(enum skf_api_level, SKF_API_LEVEL) ?        \\\n",
            "\t\t bpf_core_enum_value(enum skf_api_level, SKF_API_LEVEL) : 0)\n"
        ),
        m.api_level
    );
    if !m.flags.is_empty() {
        s.push_str("/* Flags. */\n");
        for f in &m.flags {
            let _ = writeln!(s, "#define {} {:#x}ULL /* {}: {} */", f.name, f.value, f.kfunc, f.doc);
        }
        s.push('\n');
    }
    if !m.constants.is_empty() {
        s.push_str("/* Values kfuncs take or return. */\n");
        for c in &m.constants {
            let _ = writeln!(s, "#define {} {} /* {}: {} */", c.name, c.value, c.kfunc, c.doc);
        }
        s.push('\n');
    }
    for st in &m.structs {
        s.push_str(&c_struct(st));
    }
    s.push_str("/* Every kfunc version ever released. */\n");
    for k in &m.kfuncs {
        let lifecycle = match (k.deprecated, k.removed) {
            (Some(d), Some(r)) => format!(", deprecated in {d}, removed in {r}"),
            (Some(d), None) => format!(", deprecated in {d}"),
            _ => String::new(),
        };
        let _ = writeln!(s, "/* API {}{lifecycle}: {} */", k.since, k.doc);
        let _ = writeln!(s, "extern {} __ksym __weak;", k.proto());
    }
    for chain in version_chains(m) {
        s.push_str(&compat_wrapper(&chain));
    }
    s.push_str("\n#endif /* __STABLE_KFUNCS_BPF_H */\n");
    s
}

/// Kfuncs named BASE_vN with the same BASE, newest first.
fn version_chains(m: &Manifest) -> Vec<Vec<&Kfunc>> {
    let mut chains: BTreeMap<&str, Vec<(u32, &Kfunc)>> = BTreeMap::new();
    for k in &m.kfuncs {
        if let Some((base, v)) = split_version(&k.name) {
            chains.entry(base).or_default().push((v, k));
        }
    }
    chains
        .into_values()
        .map(|mut versions| {
            versions.sort_by_key(|v| std::cmp::Reverse(v.0));
            versions.into_iter().map(|(_, k)| k).collect()
        })
        .collect()
}

/// `BASE(...)`: calls the newest version the running module offers. An
/// older version whose parameters are a prefix of the newest's is used only
/// when the arguments it lacks are zero (new flags the old one cannot honour).
fn compat_wrapper(chain: &[&Kfunc]) -> String {
    let newest = chain[0].proto();
    let base = split_version(&chain[0].name).map_or(chain[0].name.as_str(), |(b, _)| b);
    let params: Vec<String> = newest.params.iter().map(|p| p.to_string()).collect();
    let mut s = format!(
        "\n/*\n * {base}(): calls the newest of {} that the running module\n * offers; -EOPNOTSUPP if none can serve these arguments.\n */\nstatic __always_inline {} {base}({})\n{{\n",
        chain.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", "),
        newest.ret,
        params.join(", ")
    );
    for k in chain {
        let p = k.proto();
        let is_prefix = p.params.len() <= newest.params.len() && p.params.iter().zip(&newest.params).all(|(a, b)| a == b);
        if !is_prefix {
            continue;
        }
        let mut cond = vec![format!("bpf_ksym_exists({})", k.name)];
        cond.extend(newest.params[p.params.len()..].iter().map(|extra| format!("!{}", extra.name)));
        let args: Vec<&str> = p.params.iter().map(|a| a.name.as_str()).collect();
        let _ = writeln!(s, "\tif ({})\n\t\treturn {}({});", cond.join(" && "), k.name, args.join(", "));
    }
    s.push_str("\treturn -95; /* EOPNOTSUPP */\n}\n");
    s
}
