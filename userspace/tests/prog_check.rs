//! `skf prog check --api N` on objects built from bpf/ and selftests/bpf/,
//! rated the way the VM selftests see them load (or not) at each level.
//! Every object builds with -Werror: the header's deprecation warnings fire
//! only where a program calls a deprecated kfunc for its target level.

mod common;

use common::{build, repo, skf};
use std::path::Path;
use tempfile::TempDir;

fn verdict(object: &Path, api: u32) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = skf(&["prog", "check", object.to_str().unwrap(), "--api", &api.to_string(), "--json"]);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("--json output is JSON ({e}): {stdout}{stderr}"));
    (code, json)
}

fn rating_of(report: &serde_json::Value, symbol: &str) -> String {
    report["kfuncs"].as_array().unwrap().iter().find(|k| k["symbol"] == symbol).unwrap_or_else(|| panic!("{symbol} not in {report}"))
        ["rating"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn example_program_is_compatible_at_every_level() {
    let dir = TempDir::new().unwrap();
    let object = build("bpf/exec_exit.bpf.c", &["-g"], dir.path());
    let newest = skf::manifest::Manifest::load(&repo().join("module/kfuncs.toml")).unwrap().api_level;
    for api in 1..=newest {
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
    assert_eq!(rating_of(&at3, "skf_task_rss_kind_bytes"), "missing_weak");
    let (_, at4) = verdict(&object, 4);
    assert_eq!(rating_of(&at4, "skf_task_rss_kind_bytes"), "ok");
    assert_eq!(rating_of(&at4, "skf_task_rss_bytes"), "deprecated", "the second deprecation cycle: {at4}");
    let rss = at4["kfuncs"].as_array().unwrap().iter().find(|k| k["symbol"] == "skf_task_rss_bytes").unwrap();
    assert!(rss["advice"].as_str().unwrap().contains("use skf_task_rss_kind_bytes"), "{rss}");
}

#[test]
fn the_block_tracer_needs_api_4() {
    let dir = TempDir::new().unwrap();
    let object = build("bpf/biosnoop.bpf.c", &["-g"], dir.path());
    let (code, report) = verdict(&object, 3);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")), "{report}");
    assert_eq!(rating_of(&report, "skf_rq_dev"), "missing");
    let (code, report) = verdict(&object, 4);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("compatible")), "{report}");
}

#[test]
fn an_untested_call_to_a_removed_kfunc_is_incompatible() {
    let dir = TempDir::new().unwrap();
    let object = build("selftests/bpf/comm_v1.bpf.c", &["-g"], dir.path());
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
fn a_missing_object_is_named_before_the_module_is_looked_for() {
    let (code, _, stderr) = skf(&["prog", "check", "/nonexistent.bpf.o"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("cannot read /nonexistent.bpf.o"), "the missing file must be named first: {stderr}");
}

#[test]
fn output_to_a_closed_pipe_ends_quietly_by_sigpipe() {
    use std::os::unix::process::ExitStatusExt;
    let dir = TempDir::new().unwrap();
    let object = build("bpf/exec_exit.bpf.c", &["-g"], dir.path());
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    drop(read_end);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skf"))
        .args(["prog", "check", object.to_str().unwrap(), "--api", "4"])
        .stdout(std::process::Stdio::from(write_end))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), Some(nix::libc::SIGPIPE), "skf | head must end by SIGPIPE: {:?}, stderr: {stderr}", out.status);
    assert!(stderr.is_empty(), "nothing on stderr (no panic): {stderr}");
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_3() {
    let dir = TempDir::new().unwrap();
    let no_btf = build("selftests/bpf/comm_v1.bpf.c", &[], dir.path());
    let empty = dir.path().join("empty.o");
    std::fs::write(&empty, b"").unwrap();
    let short = dir.path().join("short.o");
    std::fs::write(&short, b"\x7fELF").unwrap();
    let cases: [(&str, &str); 6] = [
        (empty.to_str().unwrap(), "the file is empty, not an ELF object"),
        (short.to_str().unwrap(), "only 4 bytes, too short for an ELF object"),
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
    for level in ["9", "0", "-1", "x"] {
        let (code, _, stderr) = skf(&["prog", "check", "/bin/sh", "--api", level]);
        assert_eq!(code, 3);
        assert!(stderr.contains(&format!("API level '{level}' does not exist: stable_kfuncs has levels 1 to")), "{stderr}");
    }
}

/// skf under a 1 GiB address-space limit: (exit code, stdout, stderr).
fn skf_limited(args: &str, stdout: std::process::Stdio) -> (Option<i32>, String, String) {
    let script = format!("ulimit -v 1048576; exec {} {args}", env!("CARGO_BIN_EXE_skf"));
    let out = std::process::Command::new("sh").args(["-c", &script]).stdout(stdout).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn endless_or_huge_input_is_refused_not_read_whole() {
    let (code, _, stderr) = skf_limited("prog check --api 4 /dev/zero", std::process::Stdio::piped());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("/dev/zero") && stderr.contains("not an ELF object"), "{stderr}");
    let dir = TempDir::new().unwrap();
    let sparse = dir.path().join("sparse.o");
    std::fs::File::create(&sparse).unwrap().set_len(3 << 30).unwrap();
    let (code, _, stderr) = skf_limited(&format!("prog check --api 4 {}", sparse.display()), std::process::Stdio::piped());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains(sparse.to_str().unwrap()) && stderr.contains("256 MiB"), "names the file and the limit: {stderr}");
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    let dir = TempDir::new().unwrap();
    let object = build("bpf/exec_exit.bpf.c", &["-g"], dir.path());
    let object = object.to_str().unwrap();
    for args in [&["prog", "check", object, "--api", "4"][..], &["-j", "prog", "check", object, "--api", "4"], &["--help"]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_skf")).args(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to standard output") && stderr.contains("No space left on device"), "{args:?}: {stderr}");
    }
}
