// SPDX-License-Identifier: GPL-2.0

//! SKF_REQUIRE_API(3) against a real kernel: below API 3, and without the
//! module, the object does not load and libbpf's log names the needed and
//! the found level; from API 3 on it loads.

use libbpf_rs::{ObjectBuilder, PrintLevel};
use skf_selftests::{LoadedModule, TestEnv, BPF_OBJECTS};
use std::sync::Mutex;

static LIBBPF_LOG: Mutex<String> = Mutex::new(String::new());

fn capture(_: PrintLevel, message: String) {
    LIBBPF_LOG.lock().unwrap().push_str(&message);
}

/// Whether selftests/bpf/require_api.bpf.c loads, and what libbpf logged.
fn load_require_api() -> (bool, String) {
    let (_, object) = BPF_OBJECTS.iter().find(|(name, _)| *name == "require_api").expect("require_api is built");
    LIBBPF_LOG.lock().unwrap().clear();
    libbpf_rs::set_print(Some((PrintLevel::Debug, capture)));
    let loaded = ObjectBuilder::default().open_memory(object).expect("open object").load().is_ok();
    libbpf_rs::set_print(None);
    (loaded, std::mem::take(&mut *LIBBPF_LOG.lock().unwrap()))
}

fn unresolved(marker: &str) -> String {
    format!("kfunc '{marker}' is referenced but wasn't resolved")
}

#[test]
fn an_older_module_fails_the_load_naming_both_levels() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let (loaded, log) = load_require_api();
    if env.api >= 3 {
        assert!(loaded, "needs API 3, the module is API {}:\n{log}", env.api);
    } else {
        assert!(!loaded, "needs API 3, yet loaded on API {}", env.api);
        let expected = unresolved(&format!("skf_needs_api_3_but_module_is_api_{}", env.api));
        assert!(log.contains(&expected), "libbpf's log lacks \"{expected}\":\n{log}");
    }
}

#[test]
fn without_the_module_the_load_fails_saying_so() {
    assert!(!LoadedModule::is_listed(), "a previous test left the module loaded");
    let (loaded, log) = load_require_api();
    assert!(!loaded, "needs API 3, yet loaded without stable_kfuncs");
    let expected = unresolved("skf_needs_api_3_but_module_is_not_loaded");
    assert!(log.contains(&expected), "libbpf's log lacks \"{expected}\":\n{log}");
}
