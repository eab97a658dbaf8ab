// SPDX-License-Identifier: GPL-2.0

//! skf_task_comm_v1 through its life: stable at API 1, deprecated at 2
//! (warned about, or refused, or allowed, by policy), removed at 3. What
//! each level must do comes from the manifest.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use skf::manifest::{Kfunc, Stability};
use skf_selftests::skel::comm_v1::CommV1SkelBuilder;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::{manifest, sysfs, Kmsg, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

const KFUNC: &str = "skf_task_comm_v1";
const PROG: &str = "call_comm_v1";

struct Outcome {
    loads_ok: usize,
    verify_lines: Vec<String>,
    deny_lines: Vec<String>,
    call_lines: Vec<String>,
}

/// How long the call-time warning may take: calls.c logs it from a work item.
const CALL_LINE_LATENCY: Duration = Duration::from_secs(5);

/// Under `policy`, loads the v1 program twice and runs each load once;
/// waits for the call-time warning where one is `expected`.
fn load_twice_under(policy: &str, call_line_expected: bool) -> Outcome {
    sysfs::write("policy", policy).expect("set policy");
    let mut kmsg = Kmsg::tail();
    let mut loads_ok = 0;
    for _ in 0..2 {
        let mut obj = MaybeUninit::uninit();
        let mut open = CommV1SkelBuilder::default().open(&mut obj).unwrap();
        // With a verifier log from the start, libbpf makes one BPF_PROG_LOAD
        // per load; without, it retries a refused load to fetch the log.
        open.progs.call_comm_v1.set_log_level(1);
        let loaded = open.load();
        if let Ok(skel) = loaded {
            loads_ok += 1;
            skel.progs.call_comm_v1.test_run(ProgramInput::default()).expect("test_run");
            let bss = skel.maps.bss_data.as_deref().unwrap();
            assert!(bss.ret > 0, "{KFUNC} returned {}", bss.ret);
        }
    }
    let lines = if call_line_expected { kmsg.read_until("called in pid", CALL_LINE_LATENCY) } else { kmsg.read_new() };
    let with = |needle: &str| lines.iter().filter(|l| l.contains(needle) && l.contains(KFUNC)).cloned().collect();
    Outcome {
        loads_ok,
        verify_lines: with("calls deprecated kfunc"),
        deny_lines: with("policy deny: refusing"),
        call_lines: with("called in pid"),
    }
}

fn v1() -> Kfunc {
    manifest().kfuncs.into_iter().find(|k| k.name == KFUNC).expect("manifest declares skf_task_comm_v1")
}

/// Each line names the program, the loader (pid and comm), the kfunc, the
/// deprecating and removing API levels and the replacement.
fn assert_names_everything(lines: &[String], k: &Kfunc) {
    let pid = std::process::id();
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    let loader = format!("loaded by pid {pid} ({})", comm.trim_end());
    let removed = k.removed.map_or("no removal scheduled".to_string(), |r| format!("removed in API {r}"));
    let verdict = format!("deprecated in API {}, {removed}; use {} instead", k.deprecated.unwrap(), k.replacement.as_ref().unwrap());
    for line in lines {
        for part in [format!("prog '{PROG}'"), loader.clone(), verdict.clone()] {
            assert!(line.contains(&part), "'{line}' lacks '{part}'");
        }
    }
}

#[test]
fn each_policy_does_what_this_api_level_requires() {
    let env = TestEnv::get();
    let k = v1();
    let _module = LoadedModule::insert_cell_module();

    if !k.alive_at(env.api) {
        for policy in ["allow", "warn", "deny"] {
            let o = load_twice_under(policy, false);
            assert_eq!(o.loads_ok, 0, "{KFUNC} was removed before API {}, yet a program using it loaded", env.api);
            assert!(o.verify_lines.is_empty() && o.deny_lines.is_empty());
        }
        return;
    }
    match k.stability_at(env.api) {
        Stability::Stable => {
            for policy in ["allow", "warn", "deny"] {
                let o = load_twice_under(policy, false);
                assert_eq!(o.loads_ok, 2, "policy {policy} must not refuse a stable kfunc");
                assert!(o.verify_lines.is_empty() && o.deny_lines.is_empty() && o.call_lines.is_empty(), "stable kfunc warned about");
            }
        }
        Stability::Deprecated => {
            // Within one interval, one line per (loader uid, kfunc, reason): log_flood.
            let warn = load_twice_under("warn", true);
            assert_eq!(warn.loads_ok, 2);
            assert_eq!(warn.verify_lines.len(), 1, "one line for two loads by one user: {:?}", warn.verify_lines);
            assert_names_everything(&warn.verify_lines, &k);
            assert_eq!(warn.call_lines.len(), 1, "call-time warning, rate-limited: {:?}", warn.call_lines);

            let deny = load_twice_under("deny", false);
            assert_eq!(deny.loads_ok, 0, "deny must refuse programs calling {KFUNC}");
            assert_eq!(deny.deny_lines.len(), 1, "one refusal line for two loads by one user: {:?}", deny.deny_lines);
            assert_names_everything(&deny.deny_lines, &k);

            let allow = load_twice_under("allow", false);
            assert_eq!(allow.loads_ok, 2);
            assert!(allow.verify_lines.is_empty() && allow.deny_lines.is_empty(), "allow must be silent");
        }
    }
}

/// The call-time warning fires once, stays quiet while its static branch is
/// patched out (module/calls.c: 10 s), then a delayed work re-arms it and
/// the next call warns again.
#[test]
fn call_time_warning_comes_back_after_its_quiet_period() {
    let env = TestEnv::get();
    let k = v1();
    if !(k.alive_at(env.api) && k.stability_at(env.api) == Stability::Deprecated) {
        return; // nothing warns at this level: each_policy_does_what_this_api_level_requires checks that
    }
    let _module = LoadedModule::insert_cell_module();
    let first = load_twice_under("warn", true);
    assert_eq!(first.call_lines.len(), 1, "two loads' calls within the quiet period: {:?}", first.call_lines);
    std::thread::sleep(std::time::Duration::from_secs(12));
    let again = load_twice_under("warn", true);
    assert_eq!(again.call_lines.len(), 1, "12 s later the warning must be re-armed, and fire once: {:?}", again.call_lines);
}

#[test]
fn policy_knob_is_root_only_and_rejects_unknown_values() {
    let _module = LoadedModule::insert_cell_module();
    let mode = std::fs::metadata(sysfs::path("policy")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "only root may write the policy");
    let err = sysfs::write("policy", "sometimes").expect_err("an unknown policy must be refused");
    assert_eq!(err.raw_os_error(), Some(nix::libc::EINVAL));
    assert_eq!(sysfs::read("policy"), "warn");
    for policy in ["deny", "allow", "warn"] {
        sysfs::write("policy", &format!("{policy}\n")).unwrap();
        assert_eq!(sysfs::read("policy"), policy);
    }
}

/// The second deprecation cycle: skf_task_rss_bytes, which task_info.bpf.c
/// calls unconditionally, warned about and refused by policy only from the
/// level that deprecates it, with its kind-aware replacement named.
#[test]
fn rss_bytes_is_deprecated_where_the_manifest_says() {
    let env = TestEnv::get();
    let k = manifest().kfuncs.into_iter().find(|k| k.name == "skf_task_rss_bytes").expect("manifest declares skf_task_rss_bytes");
    let _module = LoadedModule::insert_cell_module();
    let load_under = |policy: &str| -> (bool, Vec<String>) {
        sysfs::write("policy", policy).expect("set policy");
        let mut kmsg = Kmsg::tail();
        let mut obj = MaybeUninit::uninit();
        let mut open = TaskInfoSkelBuilder::default().open(&mut obj).unwrap();
        open.progs.task_info.set_log_level(1);
        let loaded = open.load().is_ok();
        (loaded, kmsg.read_new().into_iter().filter(|l| l.contains("skf_task_rss_bytes")).collect())
    };
    let (loaded, lines) = load_under("warn");
    assert!(loaded, "warn never refuses");
    let (denied_loaded, deny_lines) = load_under("deny");
    sysfs::write("policy", "warn").unwrap();
    if !k.alive_at(env.api) {
        assert!(!loaded && !denied_loaded, "removed at API {}, yet loaded", env.api);
    } else if k.stability_at(env.api) == Stability::Deprecated {
        assert_eq!(lines.len(), 1, "one warning per load: {lines:?}");
        let replacement = format!("use {} instead", k.replacement.as_ref().unwrap());
        assert!(lines[0].contains("prog 'task_info'") && lines[0].contains(&replacement), "{lines:?}");
        assert!(!denied_loaded, "deny must refuse a program calling the deprecated skf_task_rss_bytes");
        assert!(deny_lines.iter().any(|l| l.contains("policy deny: refusing")), "{deny_lines:?}");
    } else {
        assert!(lines.is_empty() && deny_lines.is_empty(), "stable at API {}, yet: {lines:?} {deny_lines:?}", env.api);
        assert!(denied_loaded, "deny must not refuse a stable kfunc");
    }
}
