// SPDX-License-Identifier: GPL-2.0

//! Compiles the selftests' BPF programs and generates their skeletons; the
//! objects stay in OUT_DIR for tests that hand them to `skf prog check`.
//! PROGRAMS is the one list of them: src/lib.rs includes `BPF_OBJECTS` and
//! the `skel` modules written from it. TASK_PROBED numbers task_probe's
//! kfunc bits for the program and its tests alike. Also generates the
//! benchmark's per-kfunc programs and the oracle's corpus
//! (build/oracle_corpus.rs) from the manifest.

#[path = "build/oracle_corpus.rs"]
mod oracle_corpus;

use libbpf_cargo::SkeletonBuilder;
use skf::manifest::Manifest;
use skf::proto::{CType, Prototype};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// (skeleton name, source): the selftests' own programs and bpf/'s examples.
/// src/lib.rs has each as `skel::<name>` and in `BPF_OBJECTS`.
const PROGRAMS: &[(&str, &str)] = &[
    ("comm_v1", "bpf/comm_v1.bpf.c"),
    ("comm_v2", "bpf/comm_v2.bpf.c"),
    ("task_info", "bpf/task_info.bpf.c"),
    ("task_probe", "bpf/task_probe.bpf.c"),
    ("sock_probe", "bpf/sock_probe.bpf.c"),
    ("sock_timewait", "bpf/sock_timewait.bpf.c"),
    ("request_sock", "bpf/request_sock.bpf.c"),
    ("leader_last_switch", "bpf/leader_last_switch.bpf.c"),
    ("raw_tp_call", "bpf/raw_tp_call.bpf.c"),
    ("task_kptr", "bpf/task_kptr.bpf.c"),
    ("rss_sched_switch", "bpf/rss_sched_switch.bpf.c"),
    ("hot_switch", "bpf/hot_switch.bpf.c"),
    ("contexts", "bpf/contexts.bpf.c"),
    ("require_api", "bpf/require_api.bpf.c"),
    ("exec_exit", "../bpf/exec_exit.bpf.c"),
    ("biosnoop", "../bpf/biosnoop.bpf.c"),
];

/// The kfuncs task_probe.bpf.c tests with bpf_ksym_exists(): bit i of its
/// `have` for the i-th, numbered here for both the program
/// (task_probed.bpf.h) and the tests (`task_probe::PROBED`).
const TASK_PROBED: &[&str] = &[
    "skf_task_state",
    "skf_task_nice",
    "skf_task_prio",
    "skf_task_nvcsw",
    "skf_task_nivcsw",
    "skf_task_pid_in_ns",
    "skf_task_tgid_in_ns",
    "skf_task_ns_inum",
    "skf_task_rss_kind_bytes",
    "skf_task_rss_bytes",
];

/// The benchmark's objects, loaded by name (no skeleton: its kfunc programs vary with the manifest).
const BENCH_OBJECTS: &[(&str, &str)] = &[("bench", "bpf/bench.bpf.c"), ("bench_verify", "bpf/bench_verify.bpf.c")];

const MANIFEST: &str = "../module/kfuncs.toml";

/// Clang 14 (Debian's default) drops BTF type tags, so `__kptr` fields would
/// be plain pointers to the verifier; 16 is the newest clang Debian 12 ships.
const CLANG: &str = "clang-16";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let text = std::fs::read_to_string(MANIFEST).unwrap_or_else(|e| panic!("reading {MANIFEST}: {e}"));
    let manifest = Manifest::parse(&text).unwrap_or_else(|e| panic!("{MANIFEST}: {e:#}"));
    generate_bench_kfuncs(&out, &manifest);
    generate_context_calls(&out, &manifest);
    generate_program_list(&out);
    generate_task_probed(&out);
    // BPF objects are built on the host for any target; <asm/types.h> is host-arch.
    let host_asm = format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    let out_include = format!("-I{}", out.display());
    let clang_args = ["-I../bpf/include", host_asm.as_str(), out_include.as_str()];
    for (name, src) in PROGRAMS {
        SkeletonBuilder::new()
            .clang(CLANG)
            .source(src)
            .obj(out.join(format!("{name}.bpf.o")))
            .clang_args(clang_args)
            .build_and_generate(out.join(format!("{name}.skel.rs")))
            .unwrap_or_else(|e| panic!("building {src}: {e:#}"));
        println!("cargo:rerun-if-changed={src}");
    }
    let oracle_objects = oracle_corpus::generate(&out, &manifest);
    for (src, obj) in &oracle_objects {
        SkeletonBuilder::new()
            .clang(CLANG)
            .source(src)
            .obj(obj)
            .clang_args(clang_args)
            .build()
            .unwrap_or_else(|e| panic!("building {}: {e:#}", src.display()));
    }
    for (name, src) in BENCH_OBJECTS {
        SkeletonBuilder::new()
            .clang(CLANG)
            .source(src)
            .obj(out.join(format!("{name}.bpf.o")))
            .clang_args(clang_args)
            .build()
            .unwrap_or_else(|e| panic!("building {src}: {e:#}"));
        println!("cargo:rerun-if-changed={src}");
    }
    println!("cargo:rerun-if-changed=../bpf/include/stable_kfuncs.bpf.h");
    println!("cargo:rerun-if-changed=bpf/task_ref.h");
    println!("cargo:rerun-if-changed=build/oracle_corpus.rs");
    println!("cargo:rerun-if-changed={MANIFEST}");
}

/// Writes src/lib.rs's bpf_objects.rs, each of PROGRAMS's names with its
/// object, and skeletons.rs, a module per program with its skeleton.
fn generate_program_list(out: &Path) {
    let mut objects = String::from("&[\n");
    let mut skeletons = String::new();
    for (name, _) in PROGRAMS {
        writeln!(objects, "    ({name:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{name}.bpf.o\"))),").unwrap();
        writeln!(skeletons, "pub mod {name} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{name}.skel.rs\"));\n}}").unwrap();
    }
    objects.push_str("]\n");
    std::fs::write(out.join("bpf_objects.rs"), objects).expect("writing bpf_objects.rs");
    std::fs::write(out.join("skeletons.rs"), skeletons).expect("writing skeletons.rs");
}

/// Writes TASK_PROBED numbered: task_probed.bpf.h's TASK_PROBED_BITS(bit),
/// `(bit(0, first) | bit(1, second) | ...)`, for task_probe.bpf.c, and
/// task_probed.rs, the names in the same order, for src/task_probe.rs.
fn generate_task_probed(out: &Path) {
    let bits: Vec<String> = TASK_PROBED.iter().enumerate().map(|(i, kfunc)| format!("bit({i}, {kfunc})")).collect();
    let h = format!("/* Generated by selftests/build.rs from its TASK_PROBED. */\n#define TASK_PROBED_BITS(bit) ({})\n", bits.join(" | "));
    std::fs::write(out.join("task_probed.bpf.h"), h).expect("writing task_probed.bpf.h");
    std::fs::write(out.join("task_probed.rs"), format!("&{TASK_PROBED:?}\n")).expect("writing task_probed.rs");
}

/// Arguments other than bench_call's defaults, for kfuncs whose defaults
/// only reach an error path (BENCH_KFUNC_ERRNO refuses to time one).
const BENCH_ARGS: &[(&str, &str)] = &[
    // Flags 0 is -EINVAL. All three counters: the work skf_task_rss_bytes,
    // its deprecated adapter, does, so the two compare.
    ("skf_task_rss_kind_bytes", "task, SKF_RSS_FILE | SKF_RSS_ANON | SKF_RSS_SHMEM"),
];

/// Where the benchmark gets each object a kfunc can take first: (struct,
/// its variable in bench.bpf.c, the program type that has it, the event
/// macro whose program hands it over; None: BENCH_LOOP's current task in a
/// syscall program).
const BENCH_OBJECTS_FROM: &[(&str, &str, &str, Option<&str>)] = &[
    ("task_struct", "task", "syscall", None),
    ("request", "rq", "tracing", Some("BLOCK_RQ_ISSUE")),
    ("sock", "sk", "tracing", Some("TCP_RCV_SPACE_ADJUST")),
];

/// Writes bench_kfuncs.bpf.c, one program per kfunc ever released whose
/// arguments a benchmark program can make: BENCH_KFUNC (syscall) or
/// BENCH_EVENT_KFUNC(EVENT, ...) by its first object, with _ERRNO for one
/// that returns a negative errno; and bench_kfuncs.rs, why the others are
/// not timed.
fn generate_bench_kfuncs(out: &Path, manifest: &Manifest) {
    let mut c = String::from("/* Generated by selftests/build.rs from module/kfuncs.toml. */\n");
    let mut rs = String::from("/// Kfuncs no benchmark program can call, and why.\npub const UNTIMED: &[(&str, &str)] = &[\n");
    for kfunc in &manifest.kfuncs {
        let proto = kfunc.proto();
        let signed = matches!(proto.ret, CType::Int | CType::S32 | CType::S64);
        let errno = if signed { "_ERRNO" } else { "" };
        match bench_program(kfunc.prog_types.as_slice(), proto) {
            Ok((None, call)) => writeln!(c, "BENCH_KFUNC{errno}({}, {call})", kfunc.name).unwrap(),
            Ok((Some(event), call)) => writeln!(c, "BENCH_EVENT_KFUNC{errno}({event}, {}, {call})", kfunc.name).unwrap(),
            Err(why) => writeln!(rs, "    ({:?}, {why:?}),", kfunc.name).unwrap(),
        }
    }
    rs.push_str("];\n");
    std::fs::write(out.join("bench_kfuncs.bpf.c"), c).expect("writing bench_kfuncs.bpf.c");
    std::fs::write(out.join("bench_kfuncs.rs"), rs).expect("writing bench_kfuncs.rs");
}

/// The event that times a kfunc of `proto` (None: a syscall program) and
/// the call expression, over its object's variable and `buf`; scalars are
/// 0 unless BENCH_ARGS says otherwise. A void kfunc adds 0 to the sink.
fn bench_program(prog_types: &[String], proto: &Prototype) -> Result<(Option<&'static str>, String), String> {
    let first = proto.params.first().map(|p| &p.ty);
    let (object, var, prog_type, event) =
        BENCH_OBJECTS_FROM.iter().find(|(object, ..)| first == Some(&CType::StructPtr(object.to_string()))).ok_or_else(|| {
            format!("takes `{}`, which no benchmark program has", proto.params.first().map_or("nothing".into(), |p| p.to_string()))
        })?;
    if !prog_types.iter().any(|t| t == prog_type) {
        return Err(format!("is not offered to {prog_type} programs, where the benchmark has a `struct {object} *`"));
    }
    let call = match BENCH_ARGS.iter().find(|(name, _)| *name == proto.name) {
        Some((name, args)) => format!("{name}({args})"),
        None => call_expr(proto, |name| (name == *object).then_some(*var), "0")
            .map_err(|param| format!("takes `{param}`, which no benchmark program has"))?,
    };
    Ok((*event, call))
}

/// `proto`'s call with struct pointers named by `object_of` (None: the
/// parameter that cannot be made), buffers `buf` of sizeof(buf), and each
/// scalar `scalar`. A void kfunc's call is 0.
fn call_expr(proto: &Prototype, object_of: impl Fn(&str) -> Option<&'static str>, scalar: &str) -> Result<String, String> {
    let mut args = Vec::new();
    for (i, param) in proto.params.iter().enumerate() {
        let after_buffer = i > 0 && proto.params[i - 1].ty == CType::CharPtr;
        args.push(match &param.ty {
            CType::StructPtr(name) => object_of(name).ok_or_else(|| param.to_string())?.to_string(),
            CType::CharPtr => "buf".to_string(),
            _ if after_buffer => "sizeof(buf)".to_string(),
            CType::Int | CType::U32 | CType::U64 | CType::S32 | CType::S64 => scalar.to_string(),
            CType::Void => return Err(param.to_string()),
        });
    }
    let call = format!("{}({})", proto.name, args.join(", "));
    Ok(if proto.ret == CType::Void { format!("({call}, 0)") } else { call })
}

/// The objects the context matrix hands kfuncs: (struct, macro group).
const CONTEXT_OBJECTS: &[(&str, &str)] = &[("task_struct", "TASK"), ("request", "REQUEST"), ("sock", "SOCK")];

/// Writes context_calls.bpf.h for contexts.bpf.c: per object and program
/// type, KFUNCS_<OBJECT>_<PROG TYPE>(ctx, obj) calls every kfunc ever
/// released that takes that object and is offered to that program type,
/// once with every scalar 0 and once with every scalar all ones, through
/// CONTEXT_CALL(ctx, manifest index, kfunc, returns a signed value, call).
fn generate_context_calls(out: &Path, manifest: &Manifest) {
    let mut h = format!("/* Generated by selftests/build.rs from module/kfuncs.toml. */\n#define NR_KFUNCS {}\n", manifest.kfuncs.len());
    for (object, group) in CONTEXT_OBJECTS {
        for prog_type in ["tracing", "kprobe", "syscall"] {
            write!(h, "#define KFUNCS_{group}_{}(ctx, obj)", prog_type.to_uppercase()).unwrap();
            for (idx, kfunc) in manifest.kfuncs.iter().enumerate() {
                let proto = kfunc.proto();
                if !kfunc.prog_types.iter().any(|t| t == prog_type)
                    || proto.params.first().map(|p| &p.ty) != Some(&CType::StructPtr(object.to_string()))
                {
                    continue;
                }
                let signed = matches!(proto.ret, CType::Int | CType::S32 | CType::S64);
                let mut calls: Vec<String> = ["0", "~0ULL"]
                    .iter()
                    .map(|scalar| {
                        call_expr(proto, |name| (name == *object).then_some("obj"), scalar)
                            .unwrap_or_else(|param| panic!("{}: the context matrix cannot make `{param}`", kfunc.name))
                    })
                    .collect();
                calls.dedup(); // one call where there is no scalar
                for call in calls {
                    write!(h, " \\\n\tCONTEXT_CALL(ctx, {idx}, {}, {}, {call})", kfunc.name, signed as u8).unwrap();
                }
            }
            h.push('\n');
        }
    }
    std::fs::write(out.join("context_calls.bpf.h"), h).expect("writing context_calls.bpf.h");
}
