// SPDX-License-Identifier: GPL-2.0

//! skf's JSON documents, as skf prints them on the host, against their
//! contract in docs/skf-json.md: every documented field there, none other,
//! none twice. (Documents that need a loaded module are checked by skf's
//! unit tests; `prog check` and `abi check` runs are also checked by their
//! own host tests.)

mod common;

use common::json_doc::{documented_fields, field_paths};
use common::{build, skf};
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
