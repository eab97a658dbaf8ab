// SPDX-License-Identifier: GPL-2.0

//! The C side: module/generated/kfuncs.h and module/generated/kfuncs_btf.c.

use super::{alive_condition, c_struct, HEADER_NOTE};
use crate::manifest::{guarded_field, Kfunc, Manifest, PROG_TYPES};
use crate::proto::{CType, Prototype};
use std::fmt::Write;

pub fn header(m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "/* SPDX-License-Identifier: GPL-2.0 */\n/* {HEADER_NOTE} */");
    s.push_str("#ifndef SKF_GENERATED_KFUNCS_H\n#define SKF_GENERATED_KFUNCS_H\n\n#include <linux/types.h>\n\n");
    for name in m.struct_types() {
        let _ = writeln!(s, "struct {name};");
    }
    let _ = writeln!(s, "\n#define SKF_API_NEWEST {}\n", m.api_level);
    for st in &m.structs {
        s.push_str(&c_struct(st));
    }
    s.push_str("/* Indices into every per-kfunc table; the same at every API level. */\nenum skf_kfunc_index {\n");
    for k in &m.kfuncs {
        let _ = writeln!(s, "\tSKF_KFUNC_{},", k.name);
    }
    s.push_str("\tSKF_NR_KFUNCS\n};\n\n");
    s.push_str("/* The Rust implementations the kfunc symbols tail-call. */\n");
    for k in &m.kfuncs {
        let _ = writeln!(s, "{};", k.proto().render_as(&k.rust_impl_name()));
    }
    s.push_str("\n/* The manifest's layout_guard entries. */\n");
    let _ = writeln!(s, "#define SKF_NR_LAYOUT_FIELDS {}\n", m.layout_guard.len());
    s.push_str("#endif /* SKF_GENERATED_KFUNCS_H */\n");
    s
}

pub fn btf_glue(m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "// SPDX-License-Identifier: GPL-2.0\n/*\n * {HEADER_NOTE}");
    s.push_str(concat!(
        " *\n",
        " * The BTF-visible kfunc symbols with their stability decl tags, and the\n",
        " * kfunc sets per program type, as built at API level SKF_API. C because\n",
        " * Rust code gets no BTF in 6.12; each symbol tail-calls its Rust body.\n",
        " */\n",
        "#include \"../glue.h\"\n\n",
    ));
    let _ =
        writeln!(s, "#if SKF_API < 1 || SKF_API > {n}\n#error \"SKF_API must be an API level from 1 to {n}\"\n#endif\n", n = m.api_level);
    s.push_str("__bpf_kfunc_start_defs();\n");
    for k in &m.kfuncs {
        let proto = k.proto();
        let args = proto.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
        // `return f(...);` as a statement; a void kfunc calls, then returns.
        let tail_call = |callee: &str| match proto.ret {
            CType::Void => format!("{{ {callee}({args}); return; }}"),
            _ => format!("return {callee}({args});"),
        };
        let warn = format!("{}_warn", k.name);
        let _ = writeln!(s, "\n#if {}", alive_condition(k.since, k.removed));
        if let Some(d) = k.deprecated {
            let warn_proto = Prototype { name: warn.clone(), ..proto.clone() };
            let _ = writeln!(
                s,
                "#if SKF_API >= {d}\n/* The call-time warning, out of line: the quiet path below keeps its tail call. */\nstatic noinline {warn_proto}\n{{\n\tskf_deprecated_call(SKF_KFUNC_{});\n\t{}\n}}\n#endif",
                k.name,
                tail_call(&k.rust_impl_name())
            );
        }
        let _ = write!(s, "/* {} */\n__bpf_kfunc {}", k.doc, decl_tags(k, |kv| format!("SKF_TAG(\"{kv}\")")));
        let _ = writeln!(s, "{proto}\n{{\n\tskf_count_call(SKF_KFUNC_{});", k.name);
        if let Some(d) = k.deprecated {
            let _ = writeln!(
                s,
                "#if SKF_API >= {d}\n\tif (static_branch_unlikely(&skf_deprecated_armed[SKF_KFUNC_{}]))\n\t\t{}\n#endif",
                k.name,
                tail_call(&warn)
            );
        }
        let _ = writeln!(s, "\t{}\n}}", tail_call(&k.rust_impl_name()));
        let _ = writeln!(s, "{}#endif", decl_tags(k, |kv| format!("SKF_TAG_RECORD({}, \"{kv}\")", k.name)));
    }
    s.push_str("\n__bpf_kfunc_end_defs();\n");

    for (prog_type, _) in PROG_TYPES {
        let members: Vec<_> = m.kfuncs.iter().filter(|k| k.prog_types.iter().any(|p| p == prog_type)).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\nBTF_KFUNCS_START(skf_kfuncs_{prog_type})");
        for k in members {
            let flags = if k.flags.is_empty() { String::new() } else { format!(", {}", k.flags.join(" | ")) };
            let _ = writeln!(s, "#if {}\nBTF_ID_FLAGS(func, {}{flags})\n#endif", alive_condition(k.since, k.removed), k.name);
        }
        let _ = writeln!(s, "BTF_KFUNCS_END(skf_kfuncs_{prog_type})");
    }

    s.push_str("\nBTF_ID_LIST_GLOBAL(skf_kfunc_btf_ids, SKF_NR_KFUNCS)\n");
    for k in &m.kfuncs {
        let _ = writeln!(s, "#if {}\nBTF_ID(func, {})\n#else\nBTF_ID_UNUSED\n#endif", alive_condition(k.since, k.removed), k.name);
    }

    s.push_str("\nconst struct skf_kfunc_set skf_kfunc_sets[] = {\n");
    for (prog_type, bpf_type) in PROG_TYPES {
        if m.kfuncs.iter().any(|k| k.prog_types.iter().any(|p| p == prog_type)) {
            let _ = writeln!(s, "\t{{ {bpf_type}, \"{prog_type}\", &skf_kfuncs_{prog_type} }},");
        }
    }
    s.push_str("};\nconst size_t skf_nr_kfunc_sets = ARRAY_SIZE(skf_kfunc_sets);\n");

    for (array, measure) in [("skf_c_layout_offsets", "offsetof"), ("skf_c_layout_sizes", "sizeof_field")] {
        let _ = writeln!(s, "\nconst size_t {array}[SKF_NR_LAYOUT_FIELDS] = {{");
        for entry in &m.layout_guard {
            let guarded = guarded_field(entry);
            let (strukt, field) = guarded.path.split_once('.').expect("validated as struct.field");
            let element = if guarded.flexible && measure == "sizeof_field" { "[0]" } else { "" };
            let _ = writeln!(s, "\t{measure}(struct {strukt}, {field}{element}) + SKF_LAYOUT_SKEW,");
        }
        s.push_str("};\n");
    }
    s
}

/// The stability decl tags of kfunc `k`, as the lines of `tag` applied to
/// each "key=value", under the API levels where each holds: as attributes
/// before the function (SKF_TAG), and as records after it for compilers
/// without btf_decl_tag (SKF_TAG_RECORD, module/btf_decl_tag.h).
fn decl_tags(k: &Kfunc, tag: impl Fn(&str) -> String) -> String {
    let mut s = tag(&format!("since={}", k.since));
    s.push('\n');
    match (k.deprecated, &k.replacement) {
        (Some(d), Some(r)) => {
            let _ = writeln!(s, "#if SKF_API >= {d}\n{} {}", tag("class=KF_DEPRECATED"), tag(&format!("deprecated={d}")));
            if let Some(removed) = k.removed {
                let _ = writeln!(s, "{}", tag(&format!("removed={removed}")));
            }
            let _ = writeln!(s, "{}\n#else\n{}\n#endif", tag(&format!("replacement={r}")), tag("class=KF_STABLE"));
        }
        _ => {
            let _ = writeln!(s, "{}", tag("class=KF_STABLE"));
        }
    }
    s
}
