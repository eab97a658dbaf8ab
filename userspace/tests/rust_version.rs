// SPDX-License-Identifier: GPL-2.0

//! The workspace's `rust-version` is a promise to packagers: no locked
//! dependency may need a newer rustc than it states.

use std::path::Path;
use std::process::Command;

/// "1.85" and "1.85.0" are the same rustc.
fn version(text: &str) -> [u32; 3] {
    let mut parts = [0; 3];
    for (slot, part) in parts.iter_mut().zip(text.split('.')) {
        *slot = part.parse().unwrap_or_else(|_| panic!("bad version '{text}'"));
    }
    parts
}

#[test]
fn workspace_rust_version_covers_every_locked_dependency() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let ours = packages.iter().find(|p| p["name"] == "skf").and_then(|p| p["rust_version"].as_str()).expect("skf states a rust-version");
    let needs_newer: Vec<String> = packages
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["version"].as_str()?, p["rust_version"].as_str()?)))
        .filter(|(_, _, needs)| version(needs) > version(ours))
        .map(|(name, v, needs)| format!("{name} {v} needs rustc {needs}"))
        .collect();
    assert!(needs_newer.is_empty(), "workspace rust-version is {ours}, but: {}; raise it in Cargo.toml", needs_newer.join(", "));
}
