// SPDX-License-Identifier: GPL-2.0

//! The module under sustained use: load/unload cycles, in each of which a
//! sched_switch program calls every task kfunc on every CPU while threads
//! race policy and call-counting switches and loads; then, with the race
//! over, a syscall program's calls are counted exactly; then the module
//! unloads. `make check` runs a short form (SHORT_CYCLES); `make soak
//! SECONDS=N` cycles for N seconds. kmemleak and the splat check run over
//! the whole VM afterwards (run-vm.sh).

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use skf_selftests::skel::contexts::ContextsSkelBuilder;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::{kfuncs_imported_by, sysfs, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Cycles in `make check`.
const SHORT_CYCLES: u32 = 10;

/// How long the switches race in each cycle.
const RACE: Duration = Duration::from_millis(300);

/// Runs of the counted syscall program per cycle.
const COUNTED_RUNS: u64 = 5;

/// Flips sysfs `file` between `values` until `stop`.
fn flip(file: &str, values: &[&str], stop: &AtomicBool) {
    for value in values.iter().cycle() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        sysfs::write(file, value).unwrap_or_else(|e| panic!("{file} <- {value}: {e}"));
    }
}

/// Loads task_info (a user of a deprecated kfunc at some levels) until `stop`.
fn load_until(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let mut obj = MaybeUninit::uninit();
        // Refused while the policy is deny, where it calls a deprecated kfunc.
        let _ = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load();
    }
}

/// One cycle's work with the module loaded.
fn cycle(api: u32, counted: &[String]) {
    let mut obj = MaybeUninit::uninit();
    let skel = ContextsSkelBuilder::default().open(&mut obj).unwrap().load().expect("contexts.bpf.c loads at every level");
    let on_switch = skel.progs.on_switch.attach().expect("attach tp_btf/sched_switch");
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| flip("policy", &["allow", "warn", "deny"], &stop));
        s.spawn(|| flip("call_counting", &["1", "0"], &stop));
        s.spawn(|| load_until(&stop));
        std::thread::sleep(RACE);
        stop.store(true, Ordering::Relaxed);
    });
    drop(on_switch);

    sysfs::write("policy", "allow").unwrap();
    sysfs::write("call_counting", "1").unwrap();
    sysfs::write("reset_usage", "1").unwrap();
    let mut obj = MaybeUninit::uninit();
    let task_info = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load().expect("task_info loads under allow");
    for _ in 0..COUNTED_RUNS {
        task_info.progs.task_info.test_run(ProgramInput::default()).unwrap();
    }
    for kfunc in counted {
        assert_eq!(sysfs::counter(kfunc, "programs"), 1, "{kfunc}: one load counted once (API {api})");
        assert_eq!(sysfs::counter(kfunc, "calls"), COUNTED_RUNS, "{kfunc}: every call counted (API {api})");
    }
}

#[test]
fn load_unload_cycles_while_kfuncs_run_and_switches_race() {
    let env = TestEnv::get();
    // Loads the policy refuses are expected: keep libbpf's logs of them out.
    libbpf_rs::set_print(None);
    let counted = kfuncs_imported_by("task_info", env.api);
    assert!(!counted.is_empty(), "task_info calls no kfunc offered at API {}", env.api);
    let start = Instant::now();
    let more = |cycles: u32| match env.soak_seconds {
        Some(seconds) => start.elapsed() < Duration::from_secs(seconds),
        None => cycles < SHORT_CYCLES,
    };
    let mut cycles = 0;
    while more(cycles) {
        let module = LoadedModule::insert_cell_module();
        cycle(env.api, &counted);
        module.remove().unwrap_or_else(|e| panic!("cycle {cycles}: rmmod once its programs are gone: {e}"));
        cycles += 1;
    }
    assert!(cycles > 0, "no cycle ran");
    eprintln!("soak: {cycles} load/unload cycles in {:?}", start.elapsed());
}
