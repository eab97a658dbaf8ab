//! Usage accounting: programs verified per kfunc, and per-CPU call counts
//! that only move while call counting is switched on.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::{kfuncs_imported_by, manifest, sysfs, LoadedModule, TestEnv};
use std::mem::MaybeUninit;

fn assert_counters(names: &[String], counter: &str, expected: u64) {
    for name in names {
        assert_eq!(sysfs::counter(name, counter), expected, "{name}/{counter}");
    }
}

#[test]
fn counters_match_the_programs_loaded_and_the_calls_made() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    sysfs::write("reset_usage", "1").unwrap();
    let used = kfuncs_imported_by("task_info", env.api);
    let unused: Vec<String> =
        manifest().kfuncs.iter().filter(|k| k.alive_at(env.api) && !used.contains(&k.name)).map(|k| k.name.clone()).collect();

    let mut first_obj = MaybeUninit::uninit();
    let first = TaskInfoSkelBuilder::default().open(&mut first_obj).unwrap().load().unwrap();
    assert_counters(&used, "programs", 1);
    let mut second_obj = MaybeUninit::uninit();
    let _second = TaskInfoSkelBuilder::default().open(&mut second_obj).unwrap().load().unwrap();
    assert_counters(&used, "programs", 2);
    assert_counters(&unused, "programs", 0);

    let run = |times: usize| {
        for _ in 0..times {
            first.progs.task_info.test_run(ProgramInput::default()).unwrap();
        }
    };
    run(3);
    assert_counters(&used, "calls", 0);
    sysfs::write("call_counting", "1").unwrap();
    run(4);
    assert_counters(&used, "calls", 4);
    assert_counters(&unused, "calls", 0);
    sysfs::write("call_counting", "0").unwrap();
    run(2);
    assert_counters(&used, "calls", 4);

    sysfs::write("reset_usage", "1").unwrap();
    assert_counters(&used, "programs", 0);
    assert_counters(&used, "calls", 0);
}

#[test]
fn counters_are_root_only_and_the_rest_is_public() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let offered: Vec<_> = manifest().kfuncs.into_iter().filter(|k| k.alive_at(env.api)).collect();
    assert!(!offered.is_empty(), "no kfunc offered at API {}", env.api);
    for k in offered {
        for entry in std::fs::read_dir(sysfs::path(&format!("kfuncs/{}", k.name))).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            let expected = if name == "programs" || name == "calls" { 0o400 } else { 0o444 };
            assert_eq!(mode, expected, "{}/{name}: mode {mode:o}", k.name);
        }
    }
}
