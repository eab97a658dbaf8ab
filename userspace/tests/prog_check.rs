// SPDX-License-Identifier: GPL-2.0

//! `skf prog check --api N` on objects built from bpf/ and selftests/bpf/,
//! rated the way the VM selftests see them load (or not) at each level.
//! Every object builds with -Werror: the header's deprecation warnings fire
//! only where a program calls a deprecated kfunc for its target level.

mod common;

use common::json_doc::{documented_fields, field_paths};
use common::{build, repo, skf, skf_limited};
use std::path::Path;
use tempfile::TempDir;

/// (exit code, JSON report) of `prog check --api N`; its fields are among
/// those docs/skf-json.md lists, each once.
fn verdict(object: &Path, api: u32) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = skf(&["prog", "check", object.to_str().unwrap(), "--api", &api.to_string(), "--json"]);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("--json output is JSON ({e}): {stdout}{stderr}"));
    let (fields, documented) = (field_paths(&stdout), documented_fields("skf prog check"));
    assert!(fields.is_subset(&documented), "undocumented fields {:?}: {stdout}", fields.difference(&documented).collect::<Vec<_>>());
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

/// The problems `prog check` found in `program` of `report`.
fn problems_of(report: &serde_json::Value, program: &str) -> Vec<serde_json::Value> {
    let programs = report["programs"].as_array().unwrap_or_else(|| panic!("no programs in {report}"));
    let p = programs.iter().find(|p| p["name"] == program).unwrap_or_else(|| panic!("{program} not in {report}"));
    p["problems"].as_array().unwrap_or_else(|| panic!("{program} has no problems list: {p}")).clone()
}

/// The one problem of `program`, its reason holding each of `words`.
fn assert_one_problem(report: &serde_json::Value, program: &str, verdict: &str, words: &[&str]) {
    let problems = problems_of(report, program);
    assert_eq!(problems.len(), 1, "{program}: one problem: {report:#}");
    assert_eq!(problems[0]["verdict"], verdict, "{program}: {report:#}");
    let reason = problems[0]["reason"].as_str().unwrap();
    for word in words {
        assert!(reason.contains(word), "{program}: the reason lacks '{word}': {reason}");
    }
}

fn newest_level() -> u32 {
    skf::manifest::Manifest::load(&repo().join("module/kfuncs.toml")).unwrap().api_level
}

#[test]
fn a_tracing_only_kfunc_called_from_a_kprobe_is_incompatible() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/kprobe_block.bpf.c", &["-g"], dir.path());
    let (code, report) = verdict(&object, 4);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")), "{report:#}");
    assert_one_problem(
        &report,
        "sector_from_kprobe",
        "incompatible",
        &["sector_from_kprobe", "kprobe/blk_mq_start_request", "BPF_PROG_TYPE_KPROBE", "skf_rq_sector", "tracing"],
    );
    let (_, text, _) = skf(&["prog", "check", object.to_str().unwrap(), "--api", "4"]);
    assert!(text.contains("sector_from_kprobe") && text.contains("BPF_PROG_TYPE_KPROBE"), "the text names the program:\n{text}");
    // API 3 lacks skf_rq_sector: the guarded call is pruned, and the program loads.
    let (code, report) = verdict(&object, 3);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("compatible")), "{report:#}");
    assert_eq!(rating_of(&report, "skf_rq_sector"), "missing_weak");
}

#[test]
fn xdp_and_tc_programs_may_call_no_stable_kfunc() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/net_hooks.bpf.c", &["-g"], dir.path());
    for api in 1..=newest_level() {
        let (code, report) = verdict(&object, api);
        assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")), "API {api}: {report:#}");
        assert_one_problem(&report, "cpu_from_xdp", "incompatible", &["cpu_from_xdp", "xdp", "BPF_PROG_TYPE_XDP", "skf_task_cpu"]);
        assert_one_problem(&report, "cpu_from_tc", "incompatible", &["cpu_from_tc", "tc", "BPF_PROG_TYPE_SCHED_CLS", "skf_task_cpu"]);
    }
}

#[test]
fn raw_tp_programs_are_refused_at_every_level() {
    let dir = TempDir::new().unwrap();
    let object = build("selftests/bpf/raw_tp_call.bpf.c", &["-g"], dir.path());
    for api in 1..=newest_level() {
        let (code, report) = verdict(&object, api);
        assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")), "API {api}: {report:#}");
        assert_one_problem(
            &report,
            "cpu_from_raw_tp",
            "incompatible",
            &["cpu_from_raw_tp", "raw_tp/sys_enter", "BPF_PROG_TYPE_RAW_TRACEPOINT", "tp_btf"],
        );
        assert!(problems_of(&report, "cpu_from_tp_btf").is_empty(), "API {api}: the tp_btf twin is fine: {report:#}");
    }
}

#[test]
fn a_ksym_test_the_call_does_not_depend_on_guards_nothing() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/test_then_call.bpf.c", &["-g"], dir.path());
    let (code, report) = verdict(&object, 3);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("incompatible")), "API 3 lacks skf_task_state: {report:#}");
    assert_eq!(rating_of(&report, "skf_task_state"), "missing", "{report:#}");
    assert_one_problem(&report, "state_after_a_test", "incompatible", &["state_after_a_test", "skf_task_state", "bpf_ksym_exists"]);
    let (code, report) = verdict(&object, 4);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("compatible")), "{report:#}");
}

#[test]
fn endless_or_huge_input_is_refused_not_read_whole() {
    let (code, _, stderr) = skf_limited("prog check --api 4 /dev/zero");
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("/dev/zero") && stderr.contains("not an ELF object"), "{stderr}");
    let dir = TempDir::new().unwrap();
    let sparse = dir.path().join("sparse.o");
    std::fs::File::create(&sparse).unwrap().set_len(3 << 30).unwrap();
    let (code, _, stderr) = skf_limited(&format!("prog check --api 4 {}", sparse.display()));
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

#[test]
fn what_skf_cannot_decide_is_unknown_never_compatible() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/undecidable.bpf.c", &["-g"], dir.path());
    let (code, report) = verdict(&object, 3);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("unknown")), "{report:#}");
    assert_one_problem(&report, "state_if_asked", "unknown", &["state_if_asked", "skf_task_state", "API 3 lacks"]);
    assert_eq!(rating_of(&report, "skf_task_state"), "unknown");
    assert_one_problem(&report, "typo", "unknown", &["kprobe_typo/do_exit", "typo"]);
    let (code, report) = verdict(&object, 4);
    assert_eq!((code, report["verdict"].as_str()), (2, Some("unknown")), "the section is unknown at every level: {report:#}");
    assert!(problems_of(&report, "state_if_asked").is_empty(), "API 4 has skf_task_state: {report:#}");
    let (_, text, _) = skf(&["prog", "check", object.to_str().unwrap(), "--api", "3"]);
    assert!(text.starts_with(&format!("{}: unknown at API 3", object.display())), "{text}");
}
