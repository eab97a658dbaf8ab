// SPDX-License-Identifier: GPL-2.0

//! Many programs verified at once: each load of a kfunc user is counted
//! once however many loads overlap, and under `warn` reported once per
//! interval (log_flood); a policy switch mid-verification never refuses a
//! load without a line that explains it.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use skf::manifest::Stability;
use skf_selftests::skel::comm_v1::CommV1SkelBuilder;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::{manifest, most_reports_in, sysfs, Kmsg, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Loads, more than the old 64-slot ring could tell apart.
const LOADS: usize = 128;

/// `make soak`'s loads.
const SOAK_LOADS: usize = 1024;

/// Loader threads, each loading its share back to back. Every libbpf load
/// parses vmlinux BTF (about 5 MB on the KASAN kernel): 128 started at once
/// ran its 1 GB guest out of memory.
const LOADERS: usize = 32;

/// The selftest programs that call a kfunc unconditionally.
enum UserProgram {
    CommV1,
    TaskInfo,
}

/// The selftest program that calls `kfunc` unconditionally, if there is one.
fn user_program(kfunc: &str) -> Option<UserProgram> {
    match kfunc {
        "skf_task_comm_v1" => Some(UserProgram::CommV1),
        "skf_task_rss_bytes" | "skf_task_start_time_ns" => Some(UserProgram::TaskInfo),
        _ => None,
    }
}

/// A deprecated kfunc at this level, if any; each must have a user program.
fn deprecated_user(api: u32) -> Option<String> {
    let deprecated: Vec<_> = manifest()
        .kfuncs
        .iter()
        .filter(|k| k.alive_at(api) && k.stability_at(api) == Stability::Deprecated)
        .map(|k| k.name.clone())
        .collect();
    for name in &deprecated {
        assert!(user_program(name).is_some(), "no selftest program calls deprecated kfunc {name}: add one to user_program()");
    }
    deprecated.into_iter().next()
}

/// Loads the program calling `kfunc` once; true if it loaded.
fn load_user_of(kfunc: &str) -> bool {
    let mut obj = MaybeUninit::uninit();
    // A log from the start: one BPF_PROG_LOAD per load, refused or not.
    match user_program(kfunc) {
        Some(UserProgram::CommV1) => {
            let mut open = CommV1SkelBuilder::default().open(&mut obj).unwrap();
            open.progs.call_comm_v1.set_log_level(1);
            open.load().is_ok()
        }
        Some(UserProgram::TaskInfo) => {
            let mut open = TaskInfoSkelBuilder::default().open(&mut obj).unwrap();
            open.progs.task_info.set_log_level(1);
            open.load().is_ok()
        }
        None => panic!("no selftest program calls {kfunc}: add one to user_program()"),
    }
}

/// Runs `loads` loads of `kfunc`'s user on `threads` threads, all started
/// together; returns how many loaded.
fn load_concurrently(kfunc: &str, threads: usize, loads_each: usize) -> usize {
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    (0..loads_each).filter(|_| load_user_of(kfunc)).count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a loader thread panicked")).sum()
    })
}

#[test]
fn overlapping_loads_are_each_counted_once_and_warned_about_once_per_interval() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    // A deprecated kfunc's user where there is one, else a stable kfunc's.
    let deprecated = deprecated_user(env.api);
    let warns = deprecated.is_some();
    let kfunc = deprecated.as_deref().unwrap_or("skf_task_start_time_ns");
    sysfs::write("policy", "warn").unwrap();
    let mut kmsg = Kmsg::tail();
    let loads = if env.soak_seconds.is_some() { SOAK_LOADS } else { LOADS };
    let start = Instant::now();
    let loaded = load_concurrently(kfunc, LOADERS, loads / LOADERS);
    let elapsed = start.elapsed();
    assert_eq!(loaded, loads, "every load of {kfunc}'s user must succeed under warn");
    assert_eq!(sysfs::counter(kfunc, "programs"), loads as u64, "{kfunc}: one program count per load");
    let lines = kmsg.matching(&format!("calls deprecated kfunc {kfunc}"));
    if warns {
        assert!((1..=most_reports_in(elapsed)).contains(&lines.len()), "{kfunc}: {loads} loads in {elapsed:?} by one user: {lines:#?}");
    } else {
        assert!(lines.is_empty(), "{kfunc} is stable, yet warned about: {lines:#?}");
    }
}

#[test]
fn a_policy_switch_mid_verification_never_refuses_unexplained() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let kfunc = deprecated_user(env.api);
    let user = kfunc.as_deref().unwrap_or("skf_task_start_time_ns");
    let (threads, loads_each) = (4, 16);
    let mut kmsg = Kmsg::tail();
    let start = Instant::now();
    let done = AtomicBool::new(false);
    // Each switch logs a line too: drain the log while loading, or the ring
    // buffer overwrites the lines counted here.
    let (loaded, lines) = std::thread::scope(|s| {
        s.spawn(|| {
            for policy in ["warn", "deny"].iter().cycle() {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                sysfs::write("policy", policy).unwrap();
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let reader = s.spawn(|| {
            let mut lines = Vec::new();
            while !done.load(Ordering::Relaxed) {
                lines.extend(kmsg.read_new().into_iter().filter(|l| l.contains(user)));
                std::thread::sleep(Duration::from_millis(5));
            }
            lines.extend(kmsg.read_new().into_iter().filter(|l| l.contains(user)));
            lines
        });
        let loaded = load_concurrently(user, threads, loads_each);
        done.store(true, Ordering::Relaxed);
        (loaded, reader.join().expect("the log reader panicked"))
    });
    let total = threads * loads_each;
    let count = |needle: &str| lines.iter().filter(|l| l.contains(needle) && l.contains(user)).count();
    // A refusal line also says "calls deprecated kfunc": tell them apart.
    let refusals = count("policy deny: refusing");
    let warnings = count("calls deprecated kfunc") - refusals;
    if kfunc.is_none() {
        assert_eq!((loaded, refusals, warnings), (total, 0, 0), "a stable kfunc's users must load silently under any policy");
        return;
    }
    assert!(loaded > 0 && loaded < total, "the policy never switched during the loads ({loaded} of {total} loaded): nothing was tested");
    let most = most_reports_in(start.elapsed());
    assert!((1..=most).contains(&refusals), "{} refused loads need a 'refusing' line, at most {most}: {lines:#?}", total - loaded);
    assert!((1..=most).contains(&warnings), "{loaded} loads allowed under warn need a warning, at most {most}: {lines:#?}");
}
