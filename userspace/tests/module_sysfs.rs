// SPDX-License-Identifier: GPL-2.0

//! The kfunc attributes sysfs.c creates and those sysfs.rs answers are named
//! in each file by hand: this test holds the two lists to each other.

use std::fs;
use std::path::{Path, PathBuf};

fn module_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../module")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Names in `text` written as `open` NAME `close`, e.g. `Ok("` NAME `") =>`.
fn names_between<'a>(text: &'a str, open: &str, close: &str) -> std::collections::BTreeSet<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once(close))
        .map(|(name, _)| name)
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

#[test]
fn every_kfunc_sysfs_attribute_has_a_rust_value_and_back() {
    let c = read(&module_dir().join("sysfs.c"));
    let rust = read(&module_dir().join("sysfs.rs"));
    let show = &rust[rust.find("fn skf_rs_kfunc_show").expect("sysfs.rs defines skf_rs_kfunc_show")..];
    let mut in_c = names_between(&c, "SKF_KFUNC_ATTR(", ")");
    in_c.extend(names_between(&c, "SKF_KFUNC_COUNTER(", ")"));
    in_c.remove("name"); // the macros' own parameter, in their #define
    let in_rust = names_between(show, "Ok(\"", "\") =>");
    assert!(in_c.len() >= 10, "sysfs.c: read only {in_c:?}; has its layout changed?");
    assert_eq!(in_c, in_rust, "the kfunc attributes sysfs.c creates and those skf_rs_kfunc_show answers differ");
}
