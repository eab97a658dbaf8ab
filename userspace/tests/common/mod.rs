// SPDX-License-Identifier: GPL-2.0

//! What the host tests share: the repo, skf, and clang building BPF objects.
#![allow(dead_code)] // each test crate uses its own part

pub mod json_doc;
pub mod scratch;

pub use scratch::repo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// (exit code, stdout, stderr) of skf.
pub fn skf(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skf")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// skf under a 1 GiB address-space limit, run by sh: (exit code, stdout, stderr).
pub fn skf_limited(args: &str) -> (Option<i32>, String, String) {
    let script = format!("ulimit -v 1048576; exec {} {args}", env!("CARGO_BIN_EXE_skf"));
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// clang on a BPF source of the repo, as libbpf-cargo runs it, with
/// warnings as errors unless `warnings_allowed`; the object lands in `dir`.
pub fn clang(source: &str, extra: &[&str], dir: &Path) -> (Output, PathBuf) {
    let object = dir.join(format!("{}.o", source.replace('/', "_")));
    let mut cmd = Command::new("clang");
    cmd.args(["-O2", "-target", "bpf", "-D__TARGET_ARCH_x86", "-c"]).args(extra);
    cmd.arg(format!("-I{}", repo().join("bpf/include").display()));
    cmd.arg(format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH));
    cmd.arg(repo().join(source)).arg("-o").arg(&object);
    (cmd.output().expect("clang must be installed (make deps installs it)"), object)
}

/// Builds `source` with -Werror; panics with clang's output if it fails.
pub fn build(source: &str, extra: &[&str], dir: &Path) -> PathBuf {
    let (out, object) = clang(source, &[&["-Werror"], extra].concat(), dir);
    assert!(
        out.status.success(),
        "clang -Werror failed on {source} (libbpf-dev provides bpf/bpf_helpers.h; make deps):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    object
}
