// SPDX-License-Identifier: GPL-2.0

//! stable_kfuncs.ko loads with its BTF and sysfs, stays while a program uses
//! it, and leaves nothing behind when removed.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use nix::errno::Errno;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::{manifest, sysfs, LoadedModule, TestEnv};
use std::collections::BTreeSet;
use std::mem::MaybeUninit;
use std::path::Path;

fn assert_gone() {
    assert!(!LoadedModule::is_listed(), "stable_kfuncs still in /proc/modules after rmmod");
    assert!(!LoadedModule::btf_path().exists(), "module BTF left behind after rmmod");
    assert!(!Path::new(sysfs::ROOT).exists(), "{} left behind after rmmod", sysfs::ROOT);
}

#[test]
fn loads_with_btf_and_sysfs_and_unloads_cleanly() {
    let env = TestEnv::get();
    let module = LoadedModule::insert_cell_module();
    assert!(LoadedModule::is_listed(), "stable_kfuncs missing from /proc/modules after insmod");
    assert!(LoadedModule::btf_path().is_file(), "no module BTF in /sys/kernel/btf");
    assert_eq!(sysfs::read("api_level"), env.api.to_string());
    assert_eq!(sysfs::read("policy"), "warn", "the default policy");
    assert_eq!(sysfs::read("call_counting"), "0", "call counting is off by default");

    let offered: BTreeSet<String> = std::fs::read_dir(sysfs::path("kfuncs"))
        .expect("kfuncs directory")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let alive: BTreeSet<String> = manifest().kfuncs.iter().filter(|k| k.alive_at(env.api)).map(|k| k.name.clone()).collect();
    assert_eq!(offered, alive, "sysfs kfuncs at API {} differ from the manifest", env.api);

    module.remove().expect("delete_module(stable_kfuncs)");
    assert_gone();
}

#[test]
fn removal_is_refused_while_a_program_uses_a_kfunc() {
    let module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let skel = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load().expect("load task_info");

    let refcnt = std::fs::read_to_string("/sys/module/stable_kfuncs/refcnt").unwrap();
    assert_ne!(refcnt.trim(), "0", "a loaded program must pin the module");
    let err = LoadedModule::try_remove().expect_err("rmmod must fail while a program uses the module");
    assert_eq!(err.raw_os_error(), Some(Errno::EWOULDBLOCK as i32), "delete_module: {err}");
    assert!(LoadedModule::is_listed());

    drop(skel);
    module.remove().expect("rmmod after the program is gone");
    assert_gone();
}

#[test]
fn survives_repeated_load_unload_cycles() {
    for cycle in 0..5 {
        let module = LoadedModule::insert_cell_module();
        assert!(LoadedModule::is_listed(), "cycle {cycle}: not listed");
        module.remove().unwrap_or_else(|e| panic!("cycle {cycle}: rmmod: {e}"));
        assert_gone();
    }
}
