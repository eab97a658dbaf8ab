// SPDX-License-Identifier: GPL-2.0

//! module/btf_decl_tag.h: the stability decl tags must never be dropped
//! silently. clang emits them as btf_decl_tag attributes; a compiler without
//! the attribute (gcc before 15: Debian 13's kernel is built with gcc 14)
//! records them in the .skf_decl_tags section, which
//! module/btf_decl_tags.py moves into the module's BTF.

use std::path::Path;
use std::process::Command;

const TAGGED_FUNCTION: &str = "#include \"btf_decl_tag.h\"\nSKF_TAG(\"since=1\") int skf_tagged(void) { return 0; }\n\
    SKF_TAG_RECORD(skf_tagged, \"since=1\")\nSKF_TAG_RECORD(skf_tagged, \"class=KF_STABLE\")\n";

/// Compiles the tagged function with `compiler` into an object: its
/// `.skf_decl_tags` section's bytes, or None without one.
fn tag_records(compiler: &str) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("skf-decl-tag-{}-{compiler}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("tagged.c");
    let object = dir.join("tagged.o");
    let section = dir.join("records");
    std::fs::write(&source, TAGGED_FUNCTION).unwrap();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../module");
    let out = Command::new(compiler)
        .args(["-c", "-Wall", "-Werror"])
        .arg(format!("-I{}", module.display()))
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .output()
        .unwrap_or_else(|e| panic!("{compiler} must be installed for this test (apt-get install {compiler}): {e}"));
    assert!(out.status.success(), "{compiler} rejected the tagged function:\n{}", String::from_utf8_lossy(&out.stderr));
    let dumped = Command::new("objcopy")
        .args(["-O", "binary", "--only-section=.skf_decl_tags"])
        .arg(&object)
        .arg(&section)
        .status()
        .expect("objcopy (binutils) must be installed for this test");
    assert!(dumped.success(), "objcopy could not read {}", object.display());
    let records = std::fs::read(&section).ok().filter(|r| !r.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
    records
}

#[test]
fn gcc_without_btf_decl_tag_records_the_tags() {
    let records = tag_records("gcc").expect("gcc left no .skf_decl_tags section: the tags would be lost");
    let words: Vec<&[u8]> = records.split(|&b| b == 0).filter(|w| !w.is_empty()).collect();
    assert_eq!(words, [&b"skf_tagged"[..], b"skf.since=1", b"skf_tagged", b"skf.class=KF_STABLE"]);
}

#[test]
fn clang_emits_decl_tags_and_no_records() {
    assert_eq!(tag_records("clang"), None, "clang has btf_decl_tag: records would tag the kfunc twice");
}
