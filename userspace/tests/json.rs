// SPDX-License-Identifier: GPL-2.0

//! skf's JSON documents, as skf prints them on the host, against their
//! contract in docs/skf-json.md: every documented field there, none other,
//! none twice. (Documents that need a loaded module are checked by skf's
//! unit tests; `prog check` and `abi check` runs are also checked by their
//! own host tests.)

mod common;

use common::json_doc::{documented_fields, field_paths};
use common::{build, repo, skf};
use std::path::Path;
use tempfile::TempDir;

/// Asserts that skf `args` exits `code` with a JSON document, compact with
/// `-j` and indented with `-p`, that has exactly `document`'s fields.
fn assert_documented(document: &str, args: &[&str], code: i32) {
    for format in ["-j", "-p"] {
        let args = [&[format][..], args].concat();
        let (status, stdout, stderr) = skf(&args);
        assert_eq!(status, code, "skf {args:?}: {stdout}{stderr}");
        assert_eq!(field_paths(&stdout), documented_fields(document), "skf {args:?}: {stdout}");
    }
}

#[test]
fn version_is_a_json_document_with_j() {
    assert_documented("skf --version", &["--version"], 0);
    let (_, text, _) = skf(&["--version"]);
    assert_eq!(text, format!("skf {}\n", env!("CARGO_PKG_VERSION")), "without -j, --version stays text");
}

#[test]
fn errors_are_json_documents_usage_errors_included() {
    assert_documented("error", &["bogus"], 3);
    assert_documented("error", &["prog"], 3);
    assert_documented("error", &["prog", "check", "/dev/null", "--api", "1"], 3);
}

#[test]
fn prog_check_prints_the_documented_fields() {
    let dir = TempDir::new().unwrap();
    // A program with a problem, so that every nested field shows.
    let object = build("userspace/tests/bpf/kprobe_block.bpf.c", &["-g"], dir.path());
    assert_documented("skf prog check", &["prog", "check", object.to_str().unwrap(), "--api", "4"], 2);
}

/// A scratch repository with the real manifest, docs/kfuncs.md and released levels,
/// and the directories `gen` writes to.
fn scratch_repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    for sub in ["module/abi", "module/generated", "bpf/include", "docs"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    for file in ["module/kfuncs.toml", "docs/kfuncs.md"] {
        std::fs::copy(repo().join(file), dir.path().join(file)).unwrap();
    }
    for entry in std::fs::read_dir(repo().join("module/abi")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join("module/abi").join(entry.file_name())).unwrap();
    }
    dir
}

fn path_arg(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn gen_and_gen_check_print_the_documented_fields() {
    let dir = scratch_repo();
    assert_documented("skf gen --check", &["gen", "--check", "--repo", path_arg(dir.path())], 1);
    let (code, stdout, stderr) = skf(&["-j", "gen", "--repo", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(field_paths(&stdout), documented_fields("skf gen"), "{stdout}");
    assert_documented("skf gen --check", &["gen", "--check", "--repo", path_arg(dir.path())], 0);
}

#[test]
fn abi_release_prints_the_documented_fields() {
    let dir = scratch_repo();
    let manifest_path = dir.path().join("module/kfuncs.toml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let released = std::fs::read_dir(dir.path().join("module/abi")).unwrap().count();
    let newest = skf::manifest::Manifest::parse(&manifest).unwrap().api_level as usize;
    assert_eq!(released, newest, "the scratch repo's newest level is released");
    let next = newest + 1;
    std::fs::write(&manifest_path, manifest.replacen(&format!("api_level = {newest}"), &format!("api_level = {next}"), 1)).unwrap();
    let (code, stdout, stderr) = skf(&["-j", "abi", "release", &next.to_string(), "--repo", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(field_paths(&stdout), documented_fields("skf abi release"), "{stdout}");
}

#[test]
fn docs_prints_the_documented_fields() {
    let dir = TempDir::new().unwrap();
    let (code, stdout, stderr) = skf(&["-j", "docs", "--out", path_arg(dir.path())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(field_paths(&stdout), documented_fields("skf docs"), "{stdout}");
}
