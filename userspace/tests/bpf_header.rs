// SPDX-License-Identifier: GPL-2.0

//! bpf/include/stable_kfuncs.bpf.h as clang sees it: deprecation warnings
//! where a program calls a deprecated kfunc, none where it opts out or goes
//! through a compat wrapper, and SKF_REQUIRE_API / SKF_HAS_<FAMILY>() as
//! `prog check` rates them. (That SKF_REQUIRE_API really fails a load needs
//! a kernel: selftests/tests/require_api.rs.)

mod common;

use common::{build, clang, skf};
use tempfile::TempDir;

const DEPRECATION: &str =
    "'skf_task_comm_v1' is deprecated: skf_task_comm_v1 is deprecated since API 2 and removed in API 3; use skf_task_comm_v2";

/// selftests/bpf/comm_v1.bpf.c calls skf_task_comm_v1 directly and targets
/// API 1 unless told otherwise.
const CALLS_V1: &str = "selftests/bpf/comm_v1.bpf.c";

#[test]
fn calling_a_deprecated_kfunc_draws_a_warning_naming_its_replacement() {
    let dir = TempDir::new().unwrap();
    for target in ["-DSKF_TARGET_API=2", "-DSKF_TARGET_API=3"] {
        let (out, _) = clang(CALLS_V1, &[target], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains(DEPRECATION), "{target}: no deprecation warning in:\n{stderr}");
        assert_eq!(stderr.matches("warning:").count(), 1, "{target}: one warning, at the call site:\n{stderr}");
    }
}

#[test]
fn a_program_targeting_an_older_level_gets_no_warning() {
    let dir = TempDir::new().unwrap();
    build(CALLS_V1, &[], dir.path());
    build(CALLS_V1, &["-DSKF_TARGET_API=1"], dir.path());
}

#[test]
fn require_api_fails_below_the_level_and_names_it() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/require_api.bpf.c", &["-g", "-DREQUIRED=3"], dir.path());
    let object = object.to_str().unwrap();
    for (api, marker) in [(1, "skf_needs_api_3_but_module_is_api_1"), (2, "skf_needs_api_3_but_module_is_api_2")] {
        let (code, stdout, _) = skf(&["prog", "check", object, "--api", &api.to_string()]);
        assert_eq!(code, 2, "{stdout}");
        let line = stdout.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker} in\n{stdout}"));
        assert!(line.contains("missing") && line.contains("SKF_REQUIRE_API(3)"), "{line}");
        assert_eq!(stdout.matches("skf_needs_api_").count(), 1, "only the marker for API {api} fires:\n{stdout}");
    }
    let (code, stdout, _) = skf(&["prog", "check", object, "--api", "3"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("skf_needs_api_"), "{stdout}");
}

#[test]
fn family_tests_guard_their_kfuncs() {
    let dir = TempDir::new().unwrap();
    let object = build("userspace/tests/bpf/require_api.bpf.c", &["-g", "-DREQUIRED=1"], dir.path());
    let (_, stdout, _) = skf(&["-j", "prog", "check", object.to_str().unwrap(), "--api", "1"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let cgroup_id = report["kfuncs"].as_array().unwrap().iter().find(|k| k["kfunc"] == "skf_task_cgroup_id").expect("imported");
    assert_eq!(cgroup_id["tested"], true, "SKF_HAS_CGROUP() tests for the family's kfuncs: {report}");
}

#[test]
fn require_api_of_an_unknown_level_is_a_compile_error() {
    let dir = TempDir::new().unwrap();
    let (out, _) = clang("userspace/tests/bpf/require_api.bpf.c", &["-DREQUIRED=99"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("SKF_REQUIRE_API: no such API level in this header"), "{stderr}");
}
