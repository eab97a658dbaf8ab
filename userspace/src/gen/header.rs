// SPDX-License-Identifier: GPL-2.0

//! bpf/include/stable_kfuncs.bpf.h: what BPF programs include.

use super::{c_struct, HEADER_NOTE};
use crate::manifest::{split_version, Kfunc, Manifest};
use crate::require_api;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn header(m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */\n/* {HEADER_NOTE} */");
    s.push_str(concat!(
        "/*\n",
        " * The stable_kfuncs BPF API. Every kfunc version ever released is declared\n",
        " * __weak, so one object loads on any API level: test a kfunc with\n",
        " * bpf_ksym_exists() (or its family with SKF_HAS_<FAMILY>()) before calling\n",
        " * it. Needs libbpf 1.3+; include vmlinux.h or <linux/types.h> first.\n",
        " *\n",
        " * A kfunc deprecated at any level up to SKF_TARGET_API (default: the newest\n",
        " * level, SKF_API_NEWEST) carries __attribute__((deprecated)), so calling it\n",
        " * draws a compiler warning naming its replacement. A program written for an\n",
        " * older level defines SKF_TARGET_API to that level before including this.\n",
        " *\n",
        " * SKF_REQUIRE_API(N), once at file scope, makes the object fail to load\n",
        " * where the module is older than API N (see its definition).\n",
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
            "/* The level whose deprecations draw warnings. */\n",
            "#ifndef SKF_TARGET_API\n#define SKF_TARGET_API SKF_API_NEWEST\n#endif\n\n",
            "/* What the compat wrappers return when no version can serve the call\n",
            " * (-SKF_EOPNOTSUPP); EOPNOTSUPP's value, which vmlinux.h lacks. */\n",
            "#define SKF_EOPNOTSUPP 95\n\n",
            "/* Compat code calls deprecated versions on purpose. */\n",
            "#define __SKF_ALLOW_DEPRECATED_BEGIN \\\n",
            "\t_Pragma(\"clang diagnostic push\") _Pragma(\"clang diagnostic ignored \\\"-Wdeprecated-declarations\\\"\")\n",
            "#define __SKF_ALLOW_DEPRECATED_END _Pragma(\"clang diagnostic pop\")\n\n",
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
        s.push_str(&declaration(k));
    }
    s.push_str(&family_tests(m));
    for chain in version_chains(m) {
        s.push_str(&compat_wrapper(&chain));
    }
    s.push_str(&require_api_macro(m.api_level));
    s.push_str("\n#endif /* __STABLE_KFUNCS_BPF_H */\n");
    s
}

/// The extern, deprecated from its deprecation level on.
fn declaration(k: &Kfunc) -> String {
    let lifecycle = match (k.deprecated, k.removed) {
        (Some(d), Some(r)) => format!(", deprecated in {d}, removed in {r}"),
        (Some(d), None) => format!(", deprecated in {d}"),
        _ => String::new(),
    };
    let mut s = format!("/* API {}{lifecycle}: {} */\nextern {} __ksym __weak", k.since, k.doc, k.proto());
    if let (Some(d), Some(replacement)) = (k.deprecated, &k.replacement) {
        let removal = k.removed.map_or(String::new(), |r| format!(" and removed in API {r}"));
        let _ = write!(
            s,
            "\n#if SKF_TARGET_API >= {d}\n\t__attribute__((deprecated(\"{} is deprecated since API {d}{removal}; use {replacement}\")))\n#endif\n",
            k.name
        );
    }
    s.push_str(";\n");
    s
}

/// `SKF_HAS_<FAMILY>()`: whether the running module offers any kfunc of a
/// family, for each family the manifest names.
fn family_tests(m: &Manifest) -> String {
    let mut families: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for k in &m.kfuncs {
        families.entry(&k.family).or_default().push(&k.name);
    }
    let mut s = String::from(concat!(
        "\n/* SKF_HAS_<FAMILY>(): the running module offers some kfunc of the family.\n",
        " * It tests each with bpf_ksym_exists(), so `skf prog check` counts them all\n",
        " * as tested: guard a kfunc newer than its family with its own test. */\n"
    ));
    for (family, names) in families {
        let tests: Vec<String> = names.iter().map(|n| format!("bpf_ksym_exists({n})")).collect();
        let _ = writeln!(
            s,
            "#define SKF_HAS_{}() \\\n\t({{ __SKF_ALLOW_DEPRECATED_BEGIN int __has = {}; __SKF_ALLOW_DEPRECATED_END __has; }})",
            family.to_uppercase(),
            tests.join(" || \\\n\t\t\t")
        );
    }
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
        "\n/*\n * {base}(): calls the newest of {} that the running module\n * offers; -SKF_EOPNOTSUPP if none can serve these arguments.\n */\n\
         __SKF_ALLOW_DEPRECATED_BEGIN\nstatic __always_inline {} {base}({})\n{{\n",
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
    s.push_str("\treturn -SKF_EOPNOTSUPP;\n}\n__SKF_ALLOW_DEPRECATED_END\n");
    s
}

/// `SKF_REQUIRE_API(N)`: a SEC("syscall") program that, on the branch the
/// loaded level selects (a CO-RE constant, so the verifier walks no other),
/// calls a kfunc no module offers whose name says both levels.
fn require_api_macro(newest: u32) -> String {
    let mut s = format!(
        concat!(
            "\n/*\n",
            " * SKF_REQUIRE_API(N), once at file scope: the object loads only where the\n",
            " * module is at API N or newer. It adds a SEC(\"syscall\") program that, where\n",
            " * the module is older, calls a kfunc no module offers; libbpf then fails\n",
            " * the load and its log names the levels, e.g.\n",
            " *   kfunc '{}' is referenced but wasn't resolved\n",
            " * Where the module is new enough the verifier prunes the call (the level\n",
            " * is a CO-RE constant) and the program is a no-op nobody needs to run.\n",
            " */\n",
            "#define SKF_REQUIRE_API(n) \\\n",
            "\t__SKF_REQUIRE_API_LEVEL(n) \\\n",
            "\t_Static_assert((n) >= 1 && (n) <= SKF_API_NEWEST, \"SKF_REQUIRE_API: no such API level in this header\")\n",
            "/* A second expansion step, so that N may itself be a macro. */\n",
            "#define __SKF_REQUIRE_API_LEVEL(n) __SKF_REQUIRE_API_##n\n"
        ),
        require_api::marker(newest, newest.saturating_sub(1))
    );
    for needed in 1..=newest {
        let mut externs = String::new();
        let mut branches = String::new();
        for found in 0..needed {
            let marker = require_api::marker(needed, found);
            let _ = writeln!(externs, "\textern void {marker}(void) __ksym __weak; \\");
            let _ = writeln!(branches, "\t\tif (skf_api_level() == {found}) \\\n\t\t\t{marker}(); \\");
        }
        let _ = write!(
            s,
            "#define __SKF_REQUIRE_API_{needed} \\\n{externs}\tSEC(\"syscall\") int skf_require_api_{needed}(void *ctx) \\\n\t{{ \\\n{branches}\t\treturn 0; \\\n\t}}\n"
        );
    }
    s
}
