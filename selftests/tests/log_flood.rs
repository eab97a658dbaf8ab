//! A CAP_BPF-only user loading in a loop cannot flood the kernel log: the
//! module logs one line per (loader uid, kfunc, reason) per 5 s interval,
//! the next one counting the loads that went unreported; reasons are keyed
//! apart, so a policy refusal is explained however many capability refusals
//! and warnings came first; and a refused load is not counted as a use.

use skf::manifest::Stability;
use skf_selftests::caps::{CAP_PERFMON, CAP_SYS_ADMIN};
use skf_selftests::syscall_prog::{load_calling, module_btf_fd, task_kfuncs, PROG};
use skf_selftests::{manifest, most_reports_in, sysfs, Kmsg, LoadedModule, TestEnv, REPORT_INTERVAL};
use std::time::Instant;

/// Loads in each loop: far more than the lines an interval may show.
const LOADS: usize = 20;

/// Lines of `lines` that mention both `needle` and `kfunc`.
fn matching<'a>(lines: &'a [String], needle: &str, kfunc: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.contains(needle) && l.contains(&format!(" {kfunc}"))).collect()
}

fn count(lines: &[String], needle: &str, kfunc: &str) -> usize {
    matching(lines, needle, kfunc).len()
}

/// The loads a line stands for: itself and the "(and N more such loads ...)".
fn loads_told(line: &str) -> usize {
    let more = line.split_once("(and ").map(|(_, rest)| rest.split_once(" more such loads since the last line)").expect(line).0);
    1 + more.map_or(0, |n| n.parse::<usize>().unwrap_or_else(|e| panic!("{e}: {line}")))
}

#[test]
fn a_cap_bpf_loop_logs_a_line_per_kfunc_per_interval_and_counts_nothing() {
    let env = TestEnv::get();
    let kfuncs = task_kfuncs(&manifest(), env.api);
    let kfuncs: Vec<&str> = kfuncs.iter().take(2).map(String::as_str).collect();
    assert_eq!(kfuncs.len(), 2, "API {} offers fewer than two task kfuncs to syscall programs: pick others", env.api);
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let mut kmsg = Kmsg::tail();

    let start = Instant::now();
    for _ in 0..LOADS {
        for kfunc in &kfuncs {
            load_calling(&[kfunc], 1, &btf, &[CAP_PERFMON, CAP_SYS_ADMIN]).expect_err("a CAP_BPF-only syscall program read a task");
        }
    }
    let elapsed = start.elapsed();
    let lines = kmsg.read_new();
    for kfunc in &kfuncs {
        let n = count(&lines, &format!("refusing syscall prog '{PROG}'"), kfunc);
        assert!(
            (1..=most_reports_in(elapsed)).contains(&n),
            "{kfunc}: {n} refusal lines for {LOADS} loads in {elapsed:?}, expected 1 per {REPORT_INTERVAL:?}: {lines:#?}"
        );
        assert_eq!(sysfs::counter(kfunc, "programs"), 0, "{kfunc}: refused loads were counted as uses");
    }

    // An interval after the loop, the next load is logged with the count
    // of those that were not: every load is accounted for.
    std::thread::sleep(REPORT_INTERVAL);
    load_calling(&kfuncs[..1], 1, &btf, &[CAP_PERFMON, CAP_SYS_ADMIN]).expect_err("a CAP_BPF-only syscall program read a task");
    let lines = [lines, kmsg.read_new()].concat();
    let told: usize = matching(&lines, "refusing syscall prog", kfuncs[0]).iter().map(|l| loads_told(l)).sum();
    assert_eq!(told, LOADS + 1, "{}: the lines do not account for every load: {lines:#?}", kfuncs[0]);
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
        load_calling(&[kfunc], 1, &btf, &[CAP_PERFMON, CAP_SYS_ADMIN]).expect_err("a CAP_BPF-only syscall program read a task");
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
