//! Compiles the selftests' BPF programs and generates their skeletons; the
//! objects stay in OUT_DIR for tests that hand them to `skf prog check`.

use libbpf_cargo::SkeletonBuilder;
use std::path::PathBuf;

/// (skeleton name, source): the selftests' own programs and bpf/'s examples.
const PROGRAMS: &[(&str, &str)] = &[
    ("comm_v1", "bpf/comm_v1.bpf.c"),
    ("comm_v2", "bpf/comm_v2.bpf.c"),
    ("task_info", "bpf/task_info.bpf.c"),
    ("task_probe", "bpf/task_probe.bpf.c"),
    ("sock_probe", "bpf/sock_probe.bpf.c"),
    ("task_kptr", "bpf/task_kptr.bpf.c"),
    ("rss_sched_switch", "bpf/rss_sched_switch.bpf.c"),
    ("require_api", "bpf/require_api.bpf.c"),
    ("exec_exit", "../bpf/exec_exit.bpf.c"),
    ("biosnoop", "../bpf/biosnoop.bpf.c"),
];

/// Clang 14 (Debian's default) drops BTF type tags, so `__kptr` fields would
/// be plain pointers to the verifier; 16 is the newest clang Debian 12 ships.
const CLANG: &str = "clang-16";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // BPF objects are built on the host for any target; <asm/types.h> is host-arch.
    let host_asm = format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    for (name, src) in PROGRAMS {
        SkeletonBuilder::new()
            .clang(CLANG)
            .source(src)
            .obj(out.join(format!("{name}.bpf.o")))
            .clang_args(["-I../bpf/include", host_asm.as_str()])
            .build_and_generate(out.join(format!("{name}.skel.rs")))
            .unwrap_or_else(|e| panic!("building {src}: {e:#}"));
        println!("cargo:rerun-if-changed={src}");
    }
    println!("cargo:rerun-if-changed=../bpf/include/stable_kfuncs.bpf.h");
    println!("cargo:rerun-if-changed=bpf/task_ref.h");
}
