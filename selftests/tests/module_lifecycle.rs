//! stable_kfuncs.ko loads, is visible with its BTF, and unloads cleanly.

use skf_selftests::{LoadedModule, TestEnv};

#[test]
fn module_loads_with_btf_and_unloads_cleanly() {
    let env = TestEnv::get();
    let module = LoadedModule::insert(&env.module_path).expect("finit_module(stable_kfuncs.ko)");
    assert!(LoadedModule::is_listed(), "stable_kfuncs missing from /proc/modules after insmod");
    let btf = std::fs::read(LoadedModule::btf_path()).expect("module BTF in /sys/kernel/btf");
    assert!(
        btf.windows(b"skf_api_level".len()).any(|w| w == b"skf_api_level"),
        "module BTF lacks the skf_api_level enum"
    );

    module.remove().expect("delete_module(stable_kfuncs)");
    assert!(!LoadedModule::is_listed(), "stable_kfuncs still in /proc/modules after rmmod");
    assert!(!LoadedModule::btf_path().exists(), "module BTF left behind after rmmod");
}
