// SPDX-License-Identifier: GPL-2.0

//! `skf` against the live module: `kfunc list` shows what the manifest
//! promises at this level (for root and for an unprivileged user), `kfunc
//! show` explains a kfunc the level lacks, and `prog check`'s verdict on
//! each selftest object predicts whether libbpf can really load it.

use libbpf_rs::ObjectBuilder;
use serde_json::Value;
use skf::abi::LevelAbi;
use skf_selftests::{manifest, LoadedModule, TestEnv, BPF_OBJECTS};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// An unprivileged uid (nobody).
const NOBODY: u32 = 65534;

/// skf copied (once: it is large, and 9p under TCG is slow) where any user
/// may run it; the repo share may not allow that.
fn skf_anyone_can_run() -> &'static Path {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let path = std::env::temp_dir().join("skf-selftest-bin");
        std::fs::copy(TestEnv::get().skf_path, &path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    })
}

/// (exit code, stdout, stderr) of skf `args`, optionally as `uid`.
fn skf(args: &[&str], uid: Option<u32>) -> (i32, String, String) {
    let mut cmd = Command::new(skf_anyone_can_run());
    cmd.args(args);
    if let Some(uid) = uid {
        cmd.uid(uid).gid(uid);
    }
    let out = cmd.output().expect("run skf");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn json_of(args: &[&str], uid: Option<u32>) -> Value {
    let (code, stdout, stderr) = skf(args, uid);
    assert_eq!(code, 0, "skf {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("skf {args:?} --json is not JSON ({e}): {stdout}"))
}

#[test]
fn kfunc_list_shows_what_the_manifest_promises_at_this_level() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let listing = json_of(&["--json", "kfunc", "list"], None);
    assert_eq!(listing["api_level"], env.api);

    let promised = LevelAbi::of_manifest(&manifest(), env.api);
    let listed: Vec<&str> = listing["kfuncs"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(listed, promised.kfuncs.keys().map(String::as_str).collect::<Vec<_>>());
    for entry in listing["kfuncs"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let p = &promised.kfuncs[name];
        // Lifecycle levels are spelled as the module's sysfs files (docs/skf-json.md).
        let expected = serde_json::json!({
            "name": p.name, "proto": p.proto, "class": p.class, "since": p.since,
            "deprecated_in": p.deprecated, "removed_in": p.removed, "replacement": p.replacement,
            "prog_types": p.prog_types, "flags": p.flags,
        });
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(&entry[field], value, "{name}.{field}");
        }
        let k = manifest().kfunc(name).unwrap().doc.clone();
        assert_eq!(entry["doc"], k, "{name}.doc");
    }
}

/// The usage counters a kfunc entry carries; root's only (mode 0400).
const COUNTERS: [&str; 2] = ["programs", "calls"];

#[test]
fn kfunc_list_needs_no_root_and_hides_only_the_counters() {
    let _module = LoadedModule::insert_cell_module();
    // Calls are null for everyone while call counting is off (as in `usage show`): count them.
    skf_selftests::sysfs::write("call_counting", "1").unwrap();
    let mut as_root = json_of(&["--json", "kfunc", "list"], None);
    let mut as_nobody = json_of(&["--json", "kfunc", "list"], Some(NOBODY));
    for (root, nobody) in as_root["kfuncs"].as_array_mut().unwrap().iter_mut().zip(as_nobody["kfuncs"].as_array_mut().unwrap()) {
        for counter in COUNTERS {
            assert!(root[counter].is_u64(), "root must see {counter}: {root}");
            assert!(nobody[counter].is_null(), "an unprivileged user must not see {counter}: {nobody}");
            root[counter] = Value::Null;
        }
    }
    assert_eq!(as_root, as_nobody, "an unprivileged user must see everything but the counters");
    let (code, stdout, stderr) = skf(&["kfunc", "list"], Some(NOBODY));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("readable by root only"), "the listing must say why the counters are missing: {stdout}");
    skf_selftests::sysfs::write("call_counting", "0").unwrap();
    let uncounted = json_of(&["--json", "kfunc", "list"], None);
    assert!(uncounted["kfuncs"].as_array().unwrap().iter().all(|k| k["calls"].is_null()), "calls while not counting: {uncounted}");

    let (code, _, stderr) = skf(&["policy", "set", "deny"], Some(NOBODY));
    assert_eq!(code, 3);
    assert!(stderr.contains("needs root"), "{stderr}");
}

#[test]
fn kfunc_show_explains_what_this_level_lacks() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let m = manifest();
    // Every kfunc this level lacks, and one it offers: the listing test
    // already compares each offered kfunc's fields, and each skf run costs
    // half a second in a TCG guest.
    let offered = m.kfuncs.iter().find(|k| k.alive_at(env.api)).expect("every level offers a kfunc");
    for k in std::iter::once(offered).chain(m.kfuncs.iter().filter(|k| !k.alive_at(env.api))) {
        let (code, stdout, stderr) = skf(&["kfunc", "show", &k.name], None);
        if k.alive_at(env.api) {
            assert_eq!(code, 0, "{}: {stderr}", k.name);
            assert!(stdout.starts_with(&k.proto().to_string()), "{}: {stdout}", k.name);
        } else {
            assert_eq!(code, 3, "{}: {stdout}", k.name);
            let why = match k.removed {
                Some(r) if r <= env.api => format!("removed in API {r}; use {}", k.replacement.as_deref().unwrap()),
                _ => format!("arrives in API {}", k.since),
            };
            assert!(stderr.contains(&why), "{}: '{why}' not in: {stderr}", k.name);
        }
    }
    let (code, _, stderr) = skf(&["kfunc", "show", "skf_no_such_kfunc"], None);
    assert_eq!(code, 3);
    assert!(stderr.contains("unknown kfunc skf_no_such_kfunc"), "{stderr}");
}

/// Whether libbpf can load `object` into this kernel.
fn loads(object: &[u8]) -> bool {
    ObjectBuilder::default().open_memory(object).expect("open object").load().is_ok()
}

/// Objects the verifier refuses for what `prog check` does not judge:
/// request_sock calls a net kfunc on skb->sk, which is not trusted
/// (selftests/tests/request_socks.rs).
const REFUSED_BEYOND_PROG_CHECK: &[&str] = &["request_sock"];

#[test]
fn prog_check_verdicts_predict_real_loads() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    assert_eq!(json_of(&["--json", "policy", "set", "warn"], None)["policy"], "warn");
    let mut strict_checked = std::collections::HashSet::new();
    for (name, object) in BPF_OBJECTS.iter().filter(|(name, _)| !REFUSED_BEYOND_PROG_CHECK.contains(name)) {
        let path = std::env::temp_dir().join(format!("{name}.bpf.o"));
        std::fs::write(&path, object).unwrap();
        let path = path.to_str().unwrap();
        let verdict = |args: &[&str]| -> (i32, Value) {
            let (code, stdout, stderr) = skf(args, None);
            (code, serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("skf {args:?}: {e}: {stdout}{stderr}")))
        };
        let (code, mut live) = verdict(&["--json", "prog", "check", path]);
        let mut offline = verdict(&["--json", "prog", "check", path, "--api", &env.api.to_string()]);
        // The same verdicts, each saying where its kfuncs came from.
        assert_eq!(live["offered_by"].take(), "module", "{name}: {live:#}");
        assert_eq!(offline.1["offered_by"].take(), "manifest", "{name}: {:#}", offline.1);
        assert_eq!((code, &live), (offline.0, &offline.1), "{name}: the live module and --api {} disagree", env.api);
        let incompatible = live["verdict"] == "incompatible";
        assert_eq!(code, if incompatible { 2 } else { 0 }, "{name}: {live:#}");
        assert_eq!(loads(object), !incompatible, "{name}: prog check says {} at API {}", live["verdict"], env.api);

        // --strict maps the verdict to the exit code alone: one object per
        // verdict is enough (each skf run costs half a second in a TCG guest).
        let verdict = live["verdict"].as_str().unwrap().to_string();
        if strict_checked.insert(verdict.clone()) {
            let (strict, _, _) = skf(&["prog", "check", path, "--strict"], None);
            let expected = match verdict.as_str() {
                "deprecated" => 1,
                "incompatible" => 2,
                _ => 0,
            };
            assert_eq!(strict, expected, "{name} --strict");
        }
    }
}

#[test]
fn commands_that_need_the_module_say_how_to_load_it() {
    assert!(!Path::new("/sys/kernel/stable_kfuncs").exists(), "a previous test left the module loaded");
    for args in [&["kfunc", "list"][..], &["usage", "show"], &["policy", "get"]] {
        let (code, _, stderr) = skf(args, None);
        assert_eq!(code, 3, "{args:?}");
        assert!(stderr.contains("stable_kfuncs is not loaded: load it with `modprobe stable_kfuncs`"), "{args:?}: {stderr}");
    }
}

#[test]
fn usage_show_reports_the_module_counters_and_reset_zeroes_them() {
    let _module = LoadedModule::insert_cell_module();
    let (_, exec_exit) = BPF_OBJECTS.iter().find(|(n, _)| *n == "exec_exit").unwrap();
    assert!(loads(exec_exit), "the example loads at every level");
    let programs = |usage: &Value| -> u64 { usage["kfuncs"].as_array().unwrap().iter().map(|k| k["programs"].as_u64().unwrap()).sum() };

    let usage = json_of(&["--json", "usage", "show"], None);
    for k in usage["kfuncs"].as_array().unwrap() {
        let name = k["kfunc"].as_str().unwrap();
        assert_eq!(k["programs"], skf_selftests::sysfs::counter(name, "programs"), "{name}");
    }
    assert!(programs(&usage) > 0, "loading the example counted no kfunc use: {usage:#}");

    let (code, metrics, stderr) = skf(&["usage", "show", "--openmetrics"], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(metrics.lines().last(), Some("# EOF"), "{metrics}");
    let promised = LevelAbi::of_manifest(&manifest(), TestEnv::get().api);
    for k in usage["kfuncs"].as_array().unwrap() {
        let p = &promised.kfuncs[k["kfunc"].as_str().unwrap()];
        let level = |l: Option<u32>| l.map_or(String::new(), |l| l.to_string());
        let sample = format!(
            r#"skf_kfunc_programs_total{{kfunc="{}",class="{}",since="{}",deprecated_in="{}",removed_in="{}"}} {}"#,
            p.name,
            p.class.name(),
            p.since,
            level(p.deprecated),
            level(p.removed),
            k["programs"]
        );
        assert!(metrics.lines().any(|l| l == sample), "{sample} not in:\n{metrics}");
    }

    let (code, _, stderr) = skf(&["usage", "reset"], Some(NOBODY));
    assert_eq!((code, stderr.contains("needs root")), (3, true), "{stderr}");
    assert_eq!(programs(&json_of(&["--json", "usage", "reset"], None)), 0);
}
