// SPDX-License-Identifier: GPL-2.0

//! What any BTF reader sees in /sys/kernel/btf/stable_kfuncs: exactly the
//! kfuncs alive at this API level, each with the stability decl tags the
//! manifest promises, and the API level as an enum for CO-RE. Read with
//! bpftool, an independent BTF reader.

use serde_json::Value;
use skf::manifest::Stability;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn bpftool_dump() -> Vec<Value> {
    let out = Command::new("bpftool")
        .args(["-j", "btf", "dump", "file", "/sys/kernel/btf/stable_kfuncs"])
        .output()
        .expect("bpftool must be installed in the test VM (make deps installs it)");
    assert!(out.status.success(), "bpftool failed: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("bpftool -j prints JSON");
    json["types"].as_array().expect("a 'types' array").clone()
}

#[test]
fn bpftool_shows_each_alive_kfunc_with_its_stability_tags() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let types = bpftool_dump();

    let mut funcs: BTreeMap<u64, String> = BTreeMap::new();
    for t in types.iter().filter(|t| t["kind"] == "FUNC") {
        funcs.insert(t["id"].as_u64().unwrap(), t["name"].as_str().unwrap().to_string());
    }
    let mut tags: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in types.iter().filter(|t| t["kind"] == "DECL_TAG") {
        let name = t["name"].as_str().unwrap();
        if let (Some(tag), Some(func)) = (name.strip_prefix("skf."), funcs.get(&t["type_id"].as_u64().unwrap())) {
            tags.entry(func.clone()).or_default().insert(tag.to_string());
        }
    }

    for k in &manifest().kfuncs {
        if !k.alive_at(env.api) {
            assert!(!funcs.values().any(|f| f == &k.name), "{} is in BTF at API {}", k.name, env.api);
            continue;
        }
        let mut expected = BTreeSet::from([format!("since={}", k.since)]);
        match k.stability_at(env.api) {
            Stability::Stable => {
                expected.insert("class=KF_STABLE".into());
            }
            Stability::Deprecated => {
                expected.insert("class=KF_DEPRECATED".into());
                expected.insert(format!("deprecated={}", k.deprecated.unwrap()));
                expected.insert(format!("replacement={}", k.replacement.as_ref().unwrap()));
                if let Some(r) = k.removed {
                    expected.insert(format!("removed={r}"));
                }
            }
        }
        assert_eq!(tags.get(&k.name), Some(&expected), "decl tags of {} at API {}", k.name, env.api);
    }

    let api_enum = types.iter().find(|t| t["kind"] == "ENUM" && t["name"] == "skf_api_level").expect("enum skf_api_level in BTF");
    assert_eq!(api_enum["values"][0]["name"], "SKF_API_LEVEL");
    assert_eq!(api_enum["values"][0]["val"].as_u64(), Some(u64::from(env.api)));
}
