// SPDX-License-Identifier: GPL-2.0

//! `cargo xtask`'s verbs on scratch copies of the repository: what they
//! write and print, their exit codes and their errors.

#[path = "../../userspace/tests/common/scratch.rs"]
mod scratch;

use scratch::{broken_manifests, crafted, recorded_levels, repo};
use std::path::Path;
use tempfile::TempDir;

/// (exit code, stdout, stderr) of xtask `args`.
fn xtask(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn path_arg(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn gen_check_lists_what_is_stale_with_exit_1_and_gen_rewrites_it() {
    let dir = crafted("api_level = ", "api_level = ");
    for sub in ["module/generated", "bpf/include", "docs"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::copy(repo().join("docs/kfuncs.md"), dir.path().join("docs/kfuncs.md")).unwrap();
    let generated = [
        "module/generated/kfuncs.h",
        "module/generated/kfuncs_btf.c",
        "module/generated/kfunc_table.rs",
        "module/generated/ffi.h",
        "module/generated/ffi.rs",
        "bpf/include/stable_kfuncs.bpf.h",
    ];

    let (code, stdout, stderr) = xtask(&["gen", "--check", "--repo", path_arg(dir.path())]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let stale: String = generated.iter().map(|p| format!("stale: {p} (run `cargo xtask gen` and commit the result)\n")).collect();
    assert_eq!(stdout, stale);

    let (code, stdout, stderr) = xtask(&["gen", "--repo", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, generated.iter().map(|p| format!("wrote {p}\n")).collect::<String>());

    let (code, stdout, stderr) = xtask(&["gen", "--check", "--repo", path_arg(dir.path())]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

#[test]
fn a_manifest_that_cannot_be_read_is_an_error_named_with_what_to_do() {
    for (dir, says) in broken_manifests() {
        for verb in [&["gen", "--check"][..], &["abi-release", "1"]] {
            let (code, _, stderr) = xtask(&[verb, &["--repo", path_arg(dir.path())]].concat());
            assert_eq!(code, 3, "{verb:?}: {stderr}");
            assert!(stderr.starts_with("xtask: error: "), "{verb:?}: {stderr}");
            assert!(says.iter().all(|text| stderr.contains(text)), "{verb:?}: {says:?}: {stderr}");
        }
    }
}

#[test]
fn abi_release_freezes_the_next_level_once() {
    let newest = *recorded_levels().last().expect("module/abi/ records a level");
    let next = (newest + 1).to_string();
    let dir = crafted(&format!("api_level = {newest}"), &format!("api_level = {next}"));
    let record = dir.path().join(format!("module/abi/api-{next}.toml"));

    let (code, stdout, stderr) = xtask(&["abi-release", &next, "--repo", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, format!("wrote {}: API {next} is frozen\n", record.display()));
    let written = std::fs::read_to_string(&record).unwrap();
    assert!(written.starts_with(&format!("# API level {next} as released. Written by `cargo xtask abi-release {next}`")), "{written}");

    let (code, _, stderr) = xtask(&["abi-release", &next, "--repo", path_arg(dir.path())]);
    assert_eq!(code, 3, "a released level is never rewritten: {stderr}");
    assert!(stderr.contains(&format!("API {next} is already released")), "{stderr}");
}

#[test]
fn releasing_a_level_the_manifest_lacks_says_to_raise_api_level() {
    let dir = crafted("api_level = ", "api_level = ");
    let newest = *recorded_levels().last().expect("module/abi/ records a level");
    let raise = format!("raise api_level in module/kfuncs.toml to {} first", newest + 1);

    let (code, _, stderr) = xtask(&["abi-release", &(newest + 1).to_string(), "--repo", path_arg(dir.path())]);
    assert_eq!(code, 3, "{stderr}");
    let lacks = format!("API {} is not in the manifest (module/kfuncs.toml has api_level = {newest})", newest + 1);
    assert!(stderr.contains(&lacks) && stderr.contains(&raise), "{stderr}");

    let (code, _, stderr) = xtask(&["abi-release", &newest.to_string(), "--repo", path_arg(dir.path())]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(&format!("API {newest} is already released")), "{stderr}");
    assert!(stderr.contains(&format!("the next level to release is {}", newest + 1)) && stderr.contains(&raise), "{stderr}");
}

#[test]
fn no_level_is_released_over_a_broken_released_one() {
    let newest = *recorded_levels().last().expect("module/abi/ records a level");
    let next = newest + 1;
    let dir = crafted(&format!("api_level = {newest}"), &format!("api_level = {next}"));
    let manifest = dir.path().join("module/kfuncs.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("proto = \"u32 skf_task_cpu(", "proto = \"u64 skf_task_cpu(", 1)).unwrap();
    let (code, _, stderr) = xtask(&["abi-release", &next.to_string(), "--repo", path_arg(dir.path())]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(&format!("API {next} is not released")) && stderr.contains("skf_task_cpu: "), "{stderr}");
    assert!(!dir.path().join(format!("module/abi/api-{next}.toml")).exists(), "the record was written anyway");
}

#[test]
fn a_usage_error_exits_3_as_skfs_do() {
    let (code, _, stderr) = xtask(&["bogus"]);
    assert_eq!(code, 3, "{stderr}");
    let (code, stdout, _) = xtask(&["--help"]);
    assert_eq!(code, 0, "--help is no error");
    assert!(stdout.contains("abi-release"), "{stdout}");
}

#[test]
fn docs_writes_skfs_man_pages_and_completions_from_its_cli() {
    let dir = TempDir::new().unwrap();
    let (code, stdout, stderr) = xtask(&["docs", "--out", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(stdout.contains(&format!("wrote {}", dir.path().join("man/skf.1").display())), "{stdout}");
    assert!(read("man/skf-prog-check.1").contains("missing_weak"), "the verb's long help is in its page");
    let skf1 = read("man/skf.1");
    assert!(skf1.contains("Exit codes, the same for every command"), "skf(1) lists the exit codes");
    let contract = std::fs::read_to_string(repo().join("docs/skf-json.md")).unwrap();
    let json_section = skf1.split_once(".SH \"JSON OUTPUT\"").map(|(_, rest)| rest).expect("skf(1) has a JSON OUTPUT section");
    for line in contract.lines().filter(|l| l.starts_with("| `")) {
        assert!(json_section.contains(&line.replace('\\', r"\e")), "skf(1)'s JSON OUTPUT lacks docs/skf-json.md's line {line}");
    }
    assert!(!dir.path().join("man/skf-help.1").exists(), "no pages for clap's help pseudo-command");
    assert!(read("completions/skf.bash").contains("kfunc"));
    assert!(read("completions/_skf").contains("--pretty"));
    assert!(read("completions/skf.fish").contains("prog"));
}
