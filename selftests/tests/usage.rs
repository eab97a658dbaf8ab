// SPDX-License-Identifier: GPL-2.0

//! Usage accounting: programs verified per kfunc (a load the module
//! refuses counts for none of its kfuncs), and per-CPU call counts that only
//! move while call counting is switched on.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use skf::manifest::Stability;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::syscall_prog::{load_calling, module_btf_fd, task_kfuncs};
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

/// Under `deny`, a load calling a deprecated and a stable kfunc is refused
/// (at the deprecated call): the stable one's count must not move either.
/// Under `warn` the same load counts once for each.
#[test]
fn a_load_refused_by_policy_counts_for_none_of_its_kfuncs() {
    let env = TestEnv::get();
    let m = manifest();
    let kfuncs = task_kfuncs(&m, env.api);
    let stability = |k: &String| m.kfunc(k).unwrap().stability_at(env.api);
    let Some(deprecated) = kfuncs.iter().find(|k| stability(k) == Stability::Deprecated) else {
        return; // no deprecated kfunc for syscall programs at this level: deny refuses nothing
    };
    let stable = kfuncs.iter().find(|k| stability(k) == Stability::Stable).expect("no stable task kfunc for syscall programs");
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    sysfs::write("reset_usage", "1").unwrap();
    // The stable kfunc first: the filter sees it before the deprecated one.
    let both = [stable.as_str(), deprecated.as_str()];

    sysfs::write("policy", "deny").unwrap();
    let refused = load_calling(&both, 1, &btf, &[]).expect_err("deny let a deprecated kfunc's user load");
    assert!(refused.contains(&format!("calling kernel function {deprecated} is not allowed")), "refused for another reason: {refused}");
    for kfunc in both {
        assert_eq!(sysfs::counter(kfunc, "programs"), 0, "{kfunc}: counted for a load the policy refused");
    }

    sysfs::write("policy", "warn").unwrap();
    load_calling(&both, 1, &btf, &[]).expect("warn refused a load");
    for kfunc in both {
        assert_eq!(sysfs::counter(kfunc, "programs"), 1, "{kfunc}: one count per load allowed");
    }
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
