// SPDX-License-Identifier: GPL-2.0

//! A CAP_BPF-only user loading in a loop cannot flood the kernel log: the
//! module logs at most one line per program load, however many of its
//! kfuncs the program calls; one per (loader uid, reason, deprecated kfuncs
//! called) per 5 s interval, the next one counting the loads that went
//! unreported; and at most 10 per reason per interval whatever the uid, the
//! next one counting those dropped. Reasons are limited apart, so a policy
//! refusal is explained however many capability refusals and warnings came
//! first; and a refused load is not counted as a use.

use skf::manifest::Stability;
use skf_selftests::caps::{CAP_PERFMON, CAP_SYS_ADMIN};
use skf_selftests::syscall_prog::{load_calling, load_calling_as, module_btf_fd, task_kfuncs, PROG};
use skf_selftests::{loads_told, manifest, most_reports_in, sysfs, Kmsg, LoadedModule, TestEnv, REPORT_BURST, REPORT_INTERVAL};
use std::time::Instant;

/// Loads in each loop: far more than the lines an interval may show.
const LOADS: usize = 20;

/// The capabilities a CAP_BPF-only loader lacks.
const TRACING: [u32; 2] = [CAP_PERFMON, CAP_SYS_ADMIN];

/// Lines of `lines` that mention both `needle` and `kfunc`.
fn matching<'a>(lines: &'a [String], needle: &str, kfunc: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.contains(needle) && l.contains(&format!(" {kfunc}"))).collect()
}

fn count(lines: &[String], needle: &str, kfunc: &str) -> usize {
    matching(lines, needle, kfunc).len()
}

fn refusals(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| l.contains(&format!("refusing syscall prog '{PROG}'"))).collect()
}

#[test]
fn a_cap_bpf_loop_logs_one_line_per_interval_whatever_kfuncs_it_calls() {
    let env = TestEnv::get();
    let kfuncs = task_kfuncs(&manifest(), env.api);
    let kfuncs: Vec<&str> = kfuncs.iter().map(String::as_str).collect();
    assert!(kfuncs.len() >= 2, "API {} offers fewer than two task kfuncs to syscall programs: pick others", env.api);
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let mut kmsg = Kmsg::tail();

    // One load calling them all, then loads calling each: the capability
    // refusal does not depend on the kfuncs, so it is one key.
    let start = Instant::now();
    load_calling(&kfuncs, 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
    let first = kmsg.read_new();
    for i in 0..LOADS {
        load_calling(&[kfuncs[i % kfuncs.len()]], 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
    }
    let elapsed = start.elapsed();
    let lines = [first.clone(), kmsg.read_new()].concat();
    let first = refusals(&first);
    assert_eq!(first.len(), 1, "one line for a load calling {} kfuncs: {first:#?}", kfuncs.len());
    for kfunc in &kfuncs {
        assert!(first[0].contains(&format!(" {kfunc}")), "the line does not name {kfunc}: {}", first[0]);
        assert_eq!(sysfs::counter(kfunc, "programs"), 0, "{kfunc}: refused loads were counted as uses");
    }
    let n = refusals(&lines).len();
    assert!(
        n <= most_reports_in(elapsed),
        "{n} refusal lines for {} loads in {elapsed:?}, expected 1 per {REPORT_INTERVAL:?}: {lines:#?}",
        LOADS + 1
    );

    // An interval after the loop, the next load is logged with the count
    // of those that were not: every load is accounted for.
    std::thread::sleep(REPORT_INTERVAL);
    load_calling(&kfuncs[..1], 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
    let lines = [lines, kmsg.read_new()].concat();
    let told: usize = refusals(&lines).iter().map(|l| loads_told(l)).sum();
    assert_eq!(told, LOADS + 2, "the lines do not account for every load: {lines:#?}");
}

/// Past the 256 keys the module remembers, so each uid's first line would
/// be due at once but for the per-reason limit.
const UIDS: u32 = 300;

#[test]
fn loads_by_many_uids_log_a_bounded_number_of_lines() {
    let env = TestEnv::get();
    let kfunc = task_kfuncs(&manifest(), env.api).into_iter().next().expect("no task kfunc for syscall programs at this level");
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let mut kmsg = Kmsg::tail();

    let start = Instant::now();
    for uid in 10_000..10_000 + UIDS {
        load_calling_as(uid, &[&kfunc], 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
    }
    let elapsed = start.elapsed();
    let lines = kmsg.read_new();
    let n = refusals(&lines).len();
    let most = REPORT_BURST * most_reports_in(elapsed);
    assert!((1..=most).contains(&n), "{n} refusal lines for loads by {UIDS} uids in {elapsed:?}, at most {most}: {lines:#?}");

    std::thread::sleep(REPORT_INTERVAL);
    load_calling_as(10_000 + UIDS, &[&kfunc], 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
    let lines = [lines, kmsg.read_new()].concat();
    // The dropped lines are counted by the next line due: the first of a
    // later interval in the flood, or this one if the flood's last
    // interval dropped any (not if it ended within the burst).
    assert!(
        refusals(&lines).iter().any(|l| l.contains("lines of this kind dropped over the limit")),
        "no line counts the dropped ones: {lines:#?}"
    );
    let told: usize = refusals(&lines).iter().map(|l| loads_told(l)).sum();
    assert_eq!(told, UIDS as usize + 1, "the lines do not account for every load: {lines:#?}");
}

#[test]
fn a_policy_refusal_is_explained_after_a_flood_of_refusals_and_warnings() {
    let env = TestEnv::get();
    let m = manifest();
    let kfunc = task_kfuncs(&m, env.api)
        .into_iter()
        .find(|k| m.kfunc(k).unwrap().stability_at(env.api) == Stability::Deprecated)
        .unwrap_or_else(|| panic!("API {} has no deprecated task kfunc for syscall programs: this test needs one", env.api));
    let kfunc = kfunc.as_str();
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let mut kmsg = Kmsg::tail();

    let start = Instant::now();
    sysfs::write("policy", "warn").unwrap();
    for _ in 0..LOADS {
        load_calling(&[kfunc], 1, &btf, &TRACING).expect_err("a CAP_BPF-only syscall program read a task");
        load_calling(&[kfunc], 1, &btf, &[]).expect("warn refused a privileged load");
    }
    sysfs::write("policy", "deny").unwrap();
    let refused = load_calling(&[kfunc], 1, &btf, &[]).expect_err("deny let a deprecated kfunc's user load");
    let elapsed = start.elapsed();
    assert!(refused.contains(&format!("calling kernel function {kfunc} is not allowed")), "refused for another reason: {refused}");

    let lines = kmsg.read_new();
    let capability = count(&lines, "refusing syscall prog", kfunc);
    let warnings = count(&lines, "calls deprecated kfunc", kfunc) - count(&lines, "policy deny: refusing", kfunc);
    for (what, n) in [("capability refusal", capability), ("warning", warnings)] {
        assert!((1..=most_reports_in(elapsed)).contains(&n), "{n} {what} lines for {LOADS} loads in {elapsed:?}: {lines:#?}");
    }
    assert_eq!(count(&lines, "policy deny: refusing", kfunc), 1, "the deny is explained once: {lines:#?}");
    assert_eq!(sysfs::counter(kfunc, "programs"), LOADS as u64, "{kfunc}: only the loads warn allowed count");
}
