// SPDX-License-Identifier: GPL-2.0

//! Usage accounting: programs verified per kfunc (a load the module
//! refuses counts for none of its kfuncs), per-CPU call counts that only
//! move while call counting is switched on, and resets that are exact
//! however hot the callers.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::{MapCore, MapFlags, ProgramInput};
use skf::manifest::Stability;
use skf_selftests::skel::hot_switch::{HotSwitchSkel, HotSwitchSkelBuilder};
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::syscall_prog::{load_calling, module_btf_fd, task_kfuncs};
use skf_selftests::{kfuncs_imported_by, manifest, sysfs, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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

/// The kfunc hot_switch.bpf.c calls, and how often per context switch.
const HOT_KFUNC: &str = "skf_task_cpu";
const CALLS_PER_SWITCH: u64 = 64;

/// Resets raced by the hot caller, and the calls it gets to make between
/// two (a lost reset leaves about that many per CPU counted).
const RACED_RESETS: usize = 400;
const BETWEEN_RESETS: Duration = Duration::from_millis(5);

/// Runs of task_info counted once the hot caller is gone.
const COUNTED_RUNS: u64 = 7;

/// The calls hot_switch.bpf.c has made; it adds to the count as this reads.
fn calls_made(skel: &HotSwitchSkel) -> u64 {
    let bss = skel.maps.bss_data.as_deref().unwrap();
    // SAFETY: an aligned u64 of the mapped .bss; volatile, as the program changes it.
    unsafe { std::ptr::read_volatile(&bss.calls) }
}

/// Returns once every BPF program under way has finished: an update of a
/// map of maps waits for them (synchronize_rcu() in the kernel's
/// maybe_wait_bpf_programs()), so a detached program counts no more.
fn wait_for_running_programs(skel: &HotSwitchSkel) {
    let inner = skel.maps.barrier_inner.as_fd().as_raw_fd();
    skel.maps.barrier.update(&0u32.to_ne_bytes(), &inner.to_ne_bytes(), MapFlags::ANY).expect("update the map of maps");
}

/// Sets the flag when dropped, panicking included: the switching threads
/// stop, so a failed assertion fails the test rather than hangs it.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A reset used to zero every CPU's counters from the resetting CPU, and an
/// increment racing it (x86's incq reads, then writes) could put back the
/// count it had read. Here a sched_switch program calls a kfunc on every
/// CPU while the test resets hundreds of times: each read right after a
/// reset must count no more calls than the program made since the reset
/// began, give or take the runs under way at either end (a lost reset
/// leaves the calls made since the previous one). Then, the program
/// detached, a reset leaves exactly the calls made after it.
#[test]
fn resets_are_exact_under_a_hot_sched_switch_caller() {
    let env = TestEnv::get();
    assert!(manifest().kfunc(HOT_KFUNC).is_some_and(|k| k.alive_at(env.api)), "{HOT_KFUNC} is not offered at API {}", env.api);
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let skel = HotSwitchSkelBuilder::default().open(&mut obj).unwrap().load().expect("hot_switch loads at every level");
    sysfs::write("call_counting", "1").unwrap();
    let cpus = std::thread::available_parallelism().unwrap().get() as u64;
    // At most one run per CPU straddles each end of a reset and its read.
    let slack = 2 * cpus * CALLS_PER_SWITCH;

    let link = skel.progs.hot_switch.attach().expect("attach tp_btf/sched_switch");
    let stop = AtomicBool::new(false);
    let mut most_after = 0;
    std::thread::scope(|s| {
        let _stop_switching = SetOnDrop(&stop);
        // Two yielding threads per CPU: a context switch at every yield.
        for _ in 0..2 * cpus {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::yield_now();
                }
            });
        }
        for reset in 0..RACED_RESETS {
            std::thread::sleep(BETWEEN_RESETS);
            let before = sysfs::counter(HOT_KFUNC, "calls");
            let made_before = calls_made(&skel);
            sysfs::write("reset_usage", "1").unwrap();
            let after = sysfs::counter(HOT_KFUNC, "calls");
            let made_since = calls_made(&skel) - made_before;
            assert!(
                after <= made_since + slack,
                "reset {reset} lost: {after} calls counted after it ({before} before it), but only {made_since} made since it began"
            );
            most_after = most_after.max(after);
        }
    });
    let made = calls_made(&skel);
    eprintln!("{RACED_RESETS} resets under {made} calls: at most {most_after} counted right after one");
    assert!(made >= RACED_RESETS as u64 * CALLS_PER_SWITCH, "the hot caller made only {made} calls");

    drop(link);
    wait_for_running_programs(&skel);
    sysfs::write("reset_usage", "1").unwrap();
    assert_eq!(sysfs::counter(HOT_KFUNC, "calls"), 0, "calls counted after a reset with no caller left");
    let mut obj = MaybeUninit::uninit();
    let task_info = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load().unwrap();
    for _ in 0..COUNTED_RUNS {
        task_info.progs.task_info.test_run(ProgramInput::default()).unwrap();
    }
    assert_eq!(sysfs::counter(HOT_KFUNC, "calls"), COUNTED_RUNS, "calls counted after the reset");
    assert_eq!(sysfs::counter(HOT_KFUNC, "programs"), 1, "loads counted after the reset");
    sysfs::write("call_counting", "0").unwrap();
}
