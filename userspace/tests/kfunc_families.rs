// SPDX-License-Identifier: GPL-2.0

//! A kfunc's family is the manifest's `family` and the file of its body,
//! module/kfuncs/<family>.rs; nothing else lists the families, so a
//! misspelt one is caught here, where it names no file with the body.

mod common;

use common::repo;
use skf::manifest::Manifest;

#[test]
fn every_kfunc_body_is_in_its_familys_file() {
    let manifest = Manifest::load(&repo().join("module/kfuncs.toml")).unwrap();
    let misplaced: Vec<String> = manifest
        .kfuncs
        .iter()
        .filter_map(|k| {
            let file = format!("module/kfuncs/{}.rs", k.family);
            let body = format!("fn {}(", k.rust_impl_name());
            match std::fs::read_to_string(repo().join(&file)) {
                Ok(text) if text.contains(&body) => None,
                Ok(_) => Some(format!("{}: {file} has no `{body}`", k.name)),
                Err(e) => Some(format!("{}: family '{}': {file}: {e}", k.name, k.family)),
            }
        })
        .collect();
    assert!(misplaced.is_empty(), "kfunc bodies not in their family's file:\n{}", misplaced.join("\n"));
}
