// SPDX-License-Identifier: GPL-2.0

//! `skf abi check` on the tree as it is and on crafted bad manifests: each
//! kind of broken promise is caught and named. (Module builds are checked
//! against the manifest by vm-test/abi-check.sh, which has a kernel.)

mod common;

use common::json_doc::{documented_fields, field_paths};
use common::scratch::{broken_manifests, crafted, recorded_levels};
use common::{build, repo, skf_limited};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// (exit code, JSON report) of `skf abi check --repo DIR --json`; its
/// fields are among those docs/skf-json.md lists (all of them where it
/// reports a problem), each once.
fn abi_check(dir: &Path) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_skf")).args(["--json", "abi", "check", "--repo"]).arg(dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    let (fields, documented) = (field_paths(&stdout), documented_fields("skf abi check"));
    if json["problems"].as_array().is_some_and(|p| !p.is_empty()) {
        assert_eq!(fields, documented, "{stdout}");
    } else {
        assert!(fields.is_subset(&documented), "undocumented fields {:?}: {stdout}", fields.difference(&documented).collect::<Vec<_>>());
    }
    (out.status.code().unwrap(), json)
}

/// Asserts the check fails with exit 2 and a problem about `kfunc` (None:
/// about no one kfunc) whose text has `needle`.
fn assert_caught(dir: &Path, kfunc: Option<&str>, needle: &str) {
    let (code, json) = abi_check(dir);
    assert_eq!((code, json["verdict"].as_str()), (2, Some("incompatible")), "{json:#}");
    let problems = json["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["kfunc"].as_str() == kfunc && p["change"].as_str().unwrap().contains(needle)),
        "no problem for {kfunc:?} mentioning '{needle}' in {json:#}"
    );
}

/// (exit code, stderr) of skf `args` with `--repo DIR`.
fn skf_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skf")).args(args).arg("--repo").arg(dir).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_tree_as_it_is_keeps_every_released_level() {
    let (code, json) = abi_check(&repo());
    assert_eq!(code, 0, "{json:#}");
    let levels = recorded_levels();
    assert!(!levels.is_empty(), "module/abi/ records no level");
    assert_eq!(json["released"], serde_json::json!(levels));
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn a_changed_released_prototype_is_caught() {
    let dir = crafted("proto = \"u32 skf_task_cpu(", "proto = \"u64 skf_task_cpu(");
    assert_caught(dir.path(), Some("skf_task_cpu"), "prototype changed from `u32 skf_task_cpu(struct task_struct *task)` to `u64");
}

#[test]
fn deleting_a_released_kfunc_is_caught() {
    let manifest = std::fs::read_to_string(repo().join("module/kfuncs.toml")).unwrap();
    let start = manifest.find("[[kfunc]]\nname = \"skf_task_rss_bytes\"").expect("skf_task_rss_bytes entry");
    let end = manifest[start + 1..].find("\n[[").map_or(manifest.len(), |e| start + 1 + e + 1);
    let dir = crafted(&manifest[start..end], "");
    assert_caught(dir.path(), Some("skf_task_rss_bytes"), "deleted from the manifest");
}

#[test]
fn removal_without_deprecation_is_caught() {
    let dir = crafted("name = \"skf_task_cpu\"", "name = \"skf_task_cpu\"\nremoved = 3");
    assert_caught(dir.path(), None, "removed = 3 without being deprecated first");
}

#[test]
fn deprecating_inside_a_released_level_is_caught() {
    let dir = crafted("name = \"skf_task_cpu\"", "name = \"skf_task_cpu\"\ndeprecated = 3\nreplacement = \"skf_task_cpu_time_ns\"");
    assert_caught(dir.path(), Some("skf_task_cpu"), "API 3: class changed from stable to deprecated");
}

#[test]
fn incompatible_flag_changes_are_caught() {
    let cpu = "proto = \"u32 skf_task_cpu(struct task_struct *task)\"\nflags = [\"KF_TRUSTED_ARGS\"]";
    let dir = crafted(cpu, &cpu.replace("[\"KF_TRUSTED_ARGS\"]", "[\"KF_SLEEPABLE\", \"KF_TRUSTED_ARGS\"]"));
    assert_caught(dir.path(), Some("skf_task_cpu"), "verifier flag KF_SLEEPABLE added");

    let dir = crafted("value = 1", "value = 2");
    assert_caught(dir.path(), Some("skf_task_comm_v2"), "flag SKF_COMM_GROUP_LEADER changed from 1");
}

#[test]
fn a_new_level_may_add_and_deprecate_without_touching_released_ones() {
    let newest = *recorded_levels().last().expect("module/abi/ records a level");
    let next = newest + 1;
    let dir = crafted(&format!("api_level = {newest}"), &format!("api_level = {next}"));
    let text = std::fs::read_to_string(dir.path().join("module/kfuncs.toml")).unwrap()
        + &format!(
            "\n[[kfunc]]\nname = \"skf_task_example\"\nfamily = \"task\"\nproto = \"int skf_task_example(struct task_struct *task)\"\n\
             flags = [\"KF_TRUSTED_ARGS\"]\nprog_types = [\"tracing\"]\nsince = {next}\ndoc = \"An example.\"\n\
             churn = \"An example change.\"\n"
        );
    std::fs::write(dir.path().join("module/kfuncs.toml"), text).unwrap();
    let (code, json) = abi_check(dir.path());
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn a_changed_constant_or_struct_layout_is_caught() {
    let dir = crafted("name = \"SKF_TASK_ZOMBIE\"\nvalue = 6", "name = \"SKF_TASK_ZOMBIE\"\nvalue = 60");
    assert_caught(dir.path(), Some("skf_task_state"), "constant SKF_TASK_ZOMBIE changed from 6");

    let dir = crafted("\"u16 local_port\", \"u16 remote_port\"", "\"u16 remote_port\", \"u16 local_port\"");
    assert_caught(dir.path(), Some("skf_sk_tuple"), "struct skf_sock_tuple's layout changed");
}

#[test]
fn a_new_kfunc_without_churn_is_refused() {
    let manifest = std::fs::read_to_string(repo().join("module/kfuncs.toml")).unwrap();
    let start = manifest.find("churn = \"5.17 removed request.rq_disk").expect("skf_rq_dev's churn");
    let line = &manifest[start..=start + manifest[start..].find('\n').unwrap()];
    let dir = crafted(line, "");
    assert_caught(dir.path(), None, "kfunc skf_rq_dev: since = 4 needs churn");
}

#[test]
fn a_missing_manifest_is_an_error_not_a_verdict() {
    let empty = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_skf")).args(["abi", "check", "--repo"]).arg(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --repo"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_manifest_that_cannot_be_read_is_an_error_named_with_what_to_do_not_a_verdict() {
    for (dir, says) in broken_manifests() {
        let (code, stderr) = skf_in(dir.path(), &["abi", "check"]);
        assert_eq!(code, 3, "{stderr}");
        assert!(says.iter().all(|text| stderr.contains(text)), "{says:?}: {stderr}");
    }
}

#[test]
fn endless_or_huge_builds_vmlinux_and_manifests_are_refused_not_read_whole() {
    let dir = TempDir::new().unwrap();
    // A device is read only until its first bytes show it is no module.
    let (code, _, stderr) = skf_limited("abi diff /dev/zero /dev/zero");
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("/dev/zero: not an ELF file"), "{stderr}");
    // Module BTF with no .BTF.base of its own (a BPF object's) is read over the vmlinux given.
    let object = build("bpf/exec_exit.bpf.c", &["-g"], dir.path());
    let (code, _, stderr) = skf_limited(&format!("abi diff -B /dev/zero {0} {0}", object.display()));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("malformed BTF in /dev/zero"), "{stderr}");
    // A file larger than any module, vmlinux or manifest is refused unread.
    let sparse = dir.path().join("sparse");
    std::fs::File::create(&sparse).unwrap().set_len(5 << 30).unwrap();
    let (code, _, stderr) = skf_limited(&format!("abi diff {0} {0}", sparse.display()));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot read the module {}: it is {} bytes, more than the 1024 MiB", sparse.display(), 5u64 << 30)),
        "{stderr}"
    );
    let (code, _, stderr) = skf_limited(&format!("abi diff -B {} {1} {1}", sparse.display(), object.display()));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot read vmlinux BTF {}: it is {} bytes, more than the 4096 MiB", sparse.display(), 5u64 << 30)),
        "{stderr}"
    );
    let repo = crafted("api_level = ", "api_level = ");
    let manifest = repo.path().join("module/kfuncs.toml");
    std::fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &manifest).unwrap();
    let (code, _, stderr) = skf_limited(&format!("abi check --repo {}", repo.path().display()));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains(&format!("cannot read the manifest {}: it holds more than the 16 MiB", manifest.display())), "{stderr}");
}
