//! `skf prog check --api N` on objects built from bpf/ and selftests/bpf/,
//! rated the way the VM selftests see them load (or not) at each level.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Compiles a BPF source of the repo with clang, as libbpf-cargo would.
fn build(source: &str, debug_info: bool) -> PathBuf {
    let out = std::env::temp_dir().join(format!("skf-test-{}-{}{}.o", std::process::id(), source.replace('/', "_"), debug_info));
    let mut clang = Command::new("clang");
    clang.args(["-O2", "-target", "bpf", "-D__TARGET_ARCH_x86", "-c"]);
    if debug_info {
        clang.arg("-g");
    }
    clang.arg(format!("-I{}", repo().join("bpf/include").display()));
    clang.arg(format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH));
    clang.arg(repo().join(source)).arg("-o").arg(&out);
    let status = clang.status().expect("clang must be installed (make deps installs it)");
    assert!(status.success(), "clang failed on {source} (libbpf-dev provides bpf/bpf_helpers.h; make deps)");
    out
}

/// (exit code, stdout, stderr) of skf.
fn skf(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skf")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn verdict(object: &Path, api: u32) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = skf(&["prog", "check", object.to_str().unwrap(), "--api", &api.to_string(), "--json"]);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("--json output is JSON ({e}): {stdout}{stderr}"));
    (code, json)
}

fn rating_of(report: &serde_json::Value, symbol: &str) -> String {
    report["kfuncs"].as_array().unwrap().iter().find(|k| k["symbol"] == symbol).unwrap_or_else(|| panic!("{symbol} not in {report}"))["rating"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn example_program_is_compatible_at_every_level() {
    let object = build("bpf/exec_exit.bpf.c", true);
    for api in 1..=3 {
        let (code, report) = verdict(&object, api);
        assert_eq!(code, 0, "API {api}: {report}");
        assert_ne!(report["verdict"], "incompatible");
    }
    let (_, at1) = verdict(&object, 1);
    assert_eq!(rating_of(&at1, "skf_task_comm_v2"), "missing_weak");
    assert_eq!(rating_of(&at1, "skf_task_comm_v1"), "ok");
    let (_, at2) = verdict(&object, 2);
    assert_eq!(rating_of(&at2, "skf_task_comm_v1"), "deprecated");
    let (_, at3) = verdict(&object, 3);
    assert_eq!(rating_of(&at3, "skf_task_comm_v1"), "missing_weak");
}

#[test]
fn an_untested_call_to_a_removed_kfunc_is_incompatible() {
    let object = build("selftests/bpf/comm_v1.bpf.c", true);
    let (code, report) = verdict(&object, 1);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("compatible")));
    let (code, report) = verdict(&object, 2);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("deprecated")));
    let (strict, _, _) = skf(&["prog", "check", object.to_str().unwrap(), "--api", "2", "--strict"]);
    assert_eq!(strict, 1, "--strict fails on deprecated kfuncs");
    let (code, report) = verdict(&object, 3);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")));
    let advice = report["kfuncs"][0]["advice"].as_str().unwrap();
    assert!(advice.contains("removed in API 3; use skf_task_comm_v2"), "{advice}");
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_3() {
    let no_btf = build("selftests/bpf/comm_v1.bpf.c", false);
    let cases: [(&str, &str); 4] = [
        (no_btf.to_str().unwrap(), "has no BTF"),
        ("Cargo.toml", "not an ELF object"),
        ("/bin/sh", "not a BPF object"),
        ("/nonexistent.bpf.o", "cannot read /nonexistent.bpf.o"),
    ];
    for (path, message) in cases {
        let (code, _, stderr) = skf(&["prog", "check", path, "--api", "1"]);
        assert_eq!(code, 3, "{path}: {stderr}");
        assert!(stderr.contains(message), "{path}: '{stderr}' lacks '{message}'");
    }
    let (code, _, stderr) = skf(&["prog", "check", "/bin/sh", "--api", "9"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("API level '9' does not exist"), "{stderr}");
}
