// SPDX-License-Identifier: GPL-2.0

//! skf's help and error text, held to the golden files in tests/cmd/ so the
//! command-line contract cannot drift unnoticed. After an intended change,
//! `TRYCMD=overwrite cargo test -p skf --test cli` rewrites them: review the diff.

#[test]
fn help_and_error_text_match_the_golden_files() {
    trycmd::TestCases::new()
        .register_bin("skf", trycmd::schema::Bin::Path(env!("CARGO_BIN_EXE_skf").into()))
        .case("tests/cmd/*.trycmd")
        .case("tests/cmd/*.toml");
}

#[test]
fn man_pages_and_completions_are_generated_from_the_cli() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skf")).args(["-j", "docs", "--out"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(read("man/skf-prog-check.1").contains("missing_weak"), "the verb's long help is in its page");
    let skf1 = read("man/skf.1");
    assert!(skf1.contains("Exit codes, the same for every command"), "skf(1) lists the exit codes");
    let contract = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/skf-json.md")).unwrap();
    let json_section = skf1.split_once(".SH \"JSON OUTPUT\"").map(|(_, rest)| rest).expect("skf(1) has a JSON OUTPUT section");
    for line in contract.lines().filter(|l| l.starts_with("| `")) {
        assert!(json_section.contains(&line.replace('\\', r"\e")), "skf(1)'s JSON OUTPUT lacks docs/skf-json.md's line {line}");
    }
    assert!(!dir.path().join("man/skf-help.1").exists(), "no pages for clap's help pseudo-command");
    assert!(read("completions/skf.bash").contains("kfunc"));
    assert!(!read("completions/skf.bash").contains("docs"), "the hidden docs verb is not offered");
    assert!(read("completions/_skf").contains("--pretty"));
    assert!(read("completions/skf.fish").contains("prog"));
}

#[test]
fn a_missing_module_is_loaded_with_modprobe_or_from_a_checkout_by_its_path() {
    if std::path::Path::new("/sys/kernel/stable_kfuncs").exists() {
        eprintln!("skipped: stable_kfuncs is loaded here");
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skf")).args(["policy", "get"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("stable_kfuncs is not loaded: load it with `modprobe stable_kfuncs`"), "{stderr}");
    assert!(
        stderr.contains("in a source checkout after `make` with `insmod module/stable_kfuncs.ko`"),
        "insmod wants the build's path: {stderr}"
    );
}
