// SPDX-License-Identifier: GPL-2.0

//! The repository, and scratch copies of it with a crafted manifest: shared
//! by skf's host tests and xtask's (which include this file by its path).

use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The repository root (every test crate sits one directory below it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch repo with the real manifest (with `from` replaced by `to`), the
/// real records and module/ffi.toml.
pub fn crafted(from: &str, to: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("module/abi")).unwrap();
    let manifest = std::fs::read_to_string(repo().join("module/kfuncs.toml")).unwrap();
    assert!(manifest.contains(from), "module/kfuncs.toml no longer contains '{from}': update this test");
    std::fs::write(dir.path().join("module/kfuncs.toml"), manifest.replacen(from, to, 1)).unwrap();
    for entry in std::fs::read_dir(repo().join("module/abi")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join("module/abi").join(entry.file_name())).unwrap();
    }
    std::fs::copy(repo().join("module/ffi.toml"), dir.path().join("module/ffi.toml")).unwrap();
    dir
}

/// The levels module/abi/ records, from its api-N.toml file names.
pub fn recorded_levels() -> Vec<u64> {
    let mut levels: Vec<u64> = std::fs::read_dir(repo().join("module/abi"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_prefix("api-")?.strip_suffix(".toml")?.parse().ok())
        .collect();
    levels.sort();
    levels
}

/// Scratch repos with a manifest no verb can use (not TOML, not UTF-8, a
/// directory), each with the texts every verb that reads it must print.
pub fn broken_manifests() -> Vec<(TempDir, Vec<String>)> {
    let not_toml = crafted("api_level = ", "api_level = = ");
    let path = not_toml.path().join("module/kfuncs.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = 1 + text[..text.find("api_level = = ").unwrap()].matches('\n').count();
    let not_toml_says = vec![format!("cannot parse the manifest {}: fix the TOML", path.display()), format!("at line {line},")];

    let not_utf8 = crafted("api_level = ", "api_level = ");
    let path = not_utf8.path().join("module/kfuncs.toml");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xff);
    std::fs::write(&path, bytes).unwrap();
    let not_utf8_says =
        vec![format!("the manifest {} is not UTF-8 text (at byte offset {at} of the file, on line 2): save it as UTF-8", path.display())];

    // A directory where the file should be: not a file anyone can read.
    let directory = crafted("api_level = ", "api_level = ");
    let path = directory.path().join("module/kfuncs.toml");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let directory_says = vec![format!("cannot read the manifest {}: run skf from the repository root, or pass --repo DIR", path.display())];

    vec![(not_toml, not_toml_says), (not_utf8, not_utf8_says), (directory, directory_says)]
}
