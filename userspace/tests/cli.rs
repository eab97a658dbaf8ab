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
