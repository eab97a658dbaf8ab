//! Compiles the selftests' BPF programs and generates their skeletons.

use libbpf_cargo::SkeletonBuilder;
use std::path::PathBuf;

const PROGRAMS: &[&str] = &["comm_v1", "comm_v2", "task_info"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // BPF objects are built on the host for any target; <asm/types.h> is host-arch.
    let host_asm = format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    for name in PROGRAMS {
        let src = format!("bpf/{name}.bpf.c");
        SkeletonBuilder::new()
            .source(&src)
            .clang_args(["-I../bpf/include", host_asm.as_str()])
            .build_and_generate(out.join(format!("{name}.skel.rs")))
            .unwrap_or_else(|e| panic!("building {src}: {e:#}"));
        println!("cargo:rerun-if-changed={src}");
    }
    println!("cargo:rerun-if-changed=../bpf/include/stable_kfuncs.bpf.h");
}
