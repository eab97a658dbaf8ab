// SPDX-License-Identifier: GPL-2.0

//! The host half: turns run.json into instructions per call, adds path
//! lengths from disassembly, prints the tables and writes MACHINE.json.
//! Every kfunc the manifest has at the measured level gets a row; anything
//! that should be there and is not is listed and fails the report, as does
//! (in a full run) a figure whose undisturbed loop time was not seen twice.

use crate::path;
use crate::run::{fastest_seen_twice, EMPTY_LOOP, VERIFY_PROGRAMS};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/bench_kfuncs.rs"));
}

pub struct Inputs {
    /// What `bench run` wrote (run.json, jit/).
    pub run_dir: PathBuf,
    /// The newest-level module build that was timed.
    pub ko: PathBuf,
    /// None for a distribution's image, which ships without one: the
    /// baselines' kernel functions are then not disassembled.
    pub vmlinux: Option<PathBuf>,
    pub arch: String,
    /// One line naming the host and how the guest ran.
    pub machine: String,
    /// The commit measured (`-dirty` with uncommitted changes), and the day.
    pub commit: String,
    pub date: String,
}

/// What each kfunc is compared with (bench.bpf.c programs, on the kfunc's
/// own event for one timed on an event): the plain load of the same field
/// through the pointer the program holds, the BPF_CORE_READ() probe-read
/// chain of it, the closest helper, an upstream kfunc of similar shape.
struct Counterparts {
    field: Option<String>,
    probe_read: Option<String>,
    helper: Option<&'static str>,
    upstream: Option<&'static str>,
}

impl Counterparts {
    /// A task getter: `field_FIELD` and `probe_read_FIELD` read what it returns.
    fn task(field: &str, helper: Option<&'static str>, upstream: &'static str) -> Counterparts {
        Counterparts {
            field: Some(format!("field_{field}")),
            probe_read: Some(format!("probe_read_{field}")),
            helper,
            upstream: Some(upstream),
        }
    }

    /// A kfunc on an event's object: `PREFIX_field_NAME` and
    /// `PREFIX_probe_read_NAME`, NAME the kfunc's without `skf_`. No helper
    /// reads a request or a socket's fields, and no upstream kfunc takes them.
    fn event(prefix: &str, kfunc: &str) -> Counterparts {
        let name = kfunc.trim_start_matches("skf_");
        Counterparts {
            field: Some(format!("{prefix}_field_{name}")),
            probe_read: Some(format!("{prefix}_probe_read_{name}")),
            helper: None,
            upstream: None,
        }
    }
}

fn counterparts(kfunc: &str) -> Counterparts {
    const TASK_FROM_PID: &str = "upstream_task_from_pid";
    const CGROUP_ANCESTOR: &str = "upstream_cgroup_ancestor";
    match kfunc {
        "skf_task_comm_v1" | "skf_task_comm_v2" => Counterparts::task("comm", Some("helper_get_current_comm"), TASK_FROM_PID),
        "skf_task_start_time_ns" => Counterparts::task("start_time", None, TASK_FROM_PID),
        "skf_task_cpu" => Counterparts::task("cpu", Some("helper_get_smp_processor_id"), TASK_FROM_PID),
        "skf_task_cpu_time_ns" => Counterparts::task("sum_exec_runtime", None, TASK_FROM_PID),
        "skf_task_cgroup_id" => Counterparts::task("cgroup_id", Some("helper_get_current_cgroup_id"), CGROUP_ANCESTOR),
        // No field load: the verifier refuses loads from cgroup.ancestors[], a flexible array of pointers.
        "skf_task_cgroup_ancestor_id" => Counterparts {
            field: None,
            ..Counterparts::task("cgroup_ancestor_id", Some("helper_get_current_ancestor_cgroup_id"), CGROUP_ANCESTOR)
        },
        "skf_task_rss_bytes" | "skf_task_rss_kind_bytes" => Counterparts::task("rss", None, TASK_FROM_PID),
        "skf_task_state" => Counterparts::task("state", None, TASK_FROM_PID),
        "skf_task_nice" => Counterparts::task("static_prio", None, TASK_FROM_PID),
        "skf_task_prio" => Counterparts::task("prio", None, TASK_FROM_PID),
        "skf_task_nvcsw" => Counterparts::task("nvcsw", None, TASK_FROM_PID),
        "skf_task_nivcsw" => Counterparts::task("nivcsw", None, TASK_FROM_PID),
        "skf_task_pid_in_ns" => Counterparts::task("pid_nr", Some("helper_get_ns_current_pid_tgid"), TASK_FROM_PID),
        "skf_task_tgid_in_ns" => Counterparts::task("tgid_nr", Some("helper_get_ns_current_pid_tgid"), TASK_FROM_PID),
        "skf_task_ns_inum" => Counterparts::task("pid_ns_inum", None, TASK_FROM_PID),
        "skf_rq_dev" | "skf_rq_sector" | "skf_rq_bytes" | "skf_rq_op" => Counterparts::event("blk", kfunc),
        "skf_sk_tuple" | "skf_sk_netns_cookie" | "skf_tcp_srtt_us" => Counterparts::event("tcp", kfunc),
        // A kfunc added later: no counterpart yet.
        _ => Counterparts { field: None, probe_read: None, helper: None, upstream: Some(TASK_FROM_PID) },
    }
}

/// The helper every task getter is held to (issue 26's target: within 1.2x of its count).
const REFERENCE_HELPER: &str = "helper_get_current_pid_tgid";

/// The kernel functions behind each baseline program, for path lengths.
const BASELINE_FUNCTIONS: &[(&str, &[&str])] = &[
    ("helper_get_current_pid_tgid", &["bpf_get_current_pid_tgid"]),
    ("helper_get_current_comm", &["bpf_get_current_comm"]),
    ("helper_get_current_cgroup_id", &["bpf_get_current_cgroup_id"]),
    ("helper_get_current_ancestor_cgroup_id", &["bpf_get_current_ancestor_cgroup_id"]),
    ("helper_get_smp_processor_id", &["bpf_get_smp_processor_id"]),
    ("helper_get_ns_current_pid_tgid", &["bpf_get_ns_current_pid_tgid"]),
    ("blk_helper_get_current_pid_tgid", &["bpf_get_current_pid_tgid"]),
    ("tcp_helper_skc_to_tcp_sock", &["bpf_skc_to_tcp_sock"]),
    ("upstream_task_from_pid", &["bpf_task_from_pid", "bpf_task_release"]),
    ("upstream_cgroup_ancestor", &["bpf_cgroup_ancestor", "bpf_cgroup_release"]),
];

/// One program's instructions per loop iteration, or per call (over its
/// empty loop), and whether every loop time it comes from was seen twice.
#[derive(Clone, Copy)]
struct Figure {
    insns: f64,
    stable: bool,
}

impl Figure {
    fn json(&self) -> Value {
        json!({"insns": round2(self.insns), "stable": self.stable})
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `23`, or `23.5` where the figure is not a whole number of instructions;
/// `*` marks one whose undisturbed loop time was not seen twice.
fn cell(f: Option<Figure>) -> String {
    match f {
        None => "missing".to_string(),
        Some(f) => {
            let n = if (f.insns - f.insns.round()).abs() < 0.005 { format!("{:.0}", f.insns) } else { format!("{:.2}", f.insns) };
            if f.stable {
                n
            } else {
                format!("{n}*")
            }
        }
    }
}

fn js(f: Option<Figure>) -> Value {
    f.map_or(Value::Null, |f| f.json())
}

/// run.json, and what it lacks.
struct Run {
    json: Value,
    missing: Vec<String>,
    unstable: Vec<String>,
}

impl Run {
    /// Instructions per loop iteration: (fastest at 2N - fastest at N) / N.
    /// None (and noted missing) if absent or not offered.
    fn per_iteration(&mut self, variant: &str, program: &str) -> Option<Figure> {
        let entry = &self.json["variants"][variant][program];
        let samples = |key: &str| -> Option<Vec<u64>> {
            entry[key].as_array()?.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>().filter(|v| !v.is_empty())
        };
        let figure = match (entry["iterations"].as_u64().filter(|n| *n > 0), samples("at_n"), samples("at_2n")) {
            (Some(n), Some(at_n), Some(at_2n)) => {
                let fastest = |v: &[u64]| v.iter().copied().min().unwrap_or(0) as f64;
                let stable = fastest_seen_twice(&at_n) && fastest_seen_twice(&at_2n);
                if !stable {
                    self.unstable.push(format!("{program} in variant {variant}"));
                }
                Some(Figure { insns: (fastest(&at_2n) - fastest(&at_n)) / n as f64, stable })
            }
            _ => None,
        };
        if figure.is_none() {
            self.missing.push(format!("{program} in variant {variant}"));
        }
        figure
    }

    /// The empty loop `program`'s timing is taken over (its event's, for an event program).
    fn empty_loop(&self, program: &str) -> Option<&str> {
        self.json["empty_loops"][program].as_str()
    }

    /// Instructions per call: per iteration over its empty loop's.
    fn per_call(&mut self, variant: &str, program: &str) -> Option<Figure> {
        let Some(empty) = self.empty_loop(program).map(str::to_string) else {
            self.missing.push(format!("the empty loop of {program}"));
            return None;
        };
        let empty = self.per_iteration(variant, &empty)?;
        let loop_ = self.per_iteration(variant, program)?;
        Some(Figure { insns: loop_.insns - empty.insns, stable: loop_.stable && empty.stable })
    }

    /// a - b, each per call.
    fn difference(&mut self, a: (&str, &str), b: (&str, &str)) -> Option<Figure> {
        let (a, b) = (self.per_call(a.0, a.1)?, self.per_call(b.0, b.1)?);
        Some(Figure { insns: a.insns - b.insns, stable: a.stable && b.stable })
    }
}

/// A demangled Rust name without its generic arguments and trait
/// qualifications, for the table ("<T as Iterator>::fold::<...>" is "fold");
/// the JSON keeps the whole name.
fn without_generics(name: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let short = out.trim_matches(':');
    if short.is_empty() {
        name.to_string()
    } else {
        short.to_string()
    }
}

fn program_of(kfunc: &str) -> String {
    format!("kfunc_{kfunc}")
}

pub fn report(inputs: &Inputs, json_out: &Path) -> Result<(), String> {
    let run_json = inputs.run_dir.join("run.json");
    let text = std::fs::read_to_string(&run_json).map_err(|e| format!("reading {}: {e} (run `bench run` first)", run_json.display()))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", run_json.display()))?;
    let lengths: Vec<u64> = json["iterations"]
        .as_object()
        .and_then(|m| m.values().map(Value::as_u64).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .ok_or_else(|| format!("{}: no loop length per program (written by an older `bench run`? run it again)", run_json.display()))?;
    let (shortest, longest) = (lengths.iter().min().copied().unwrap_or(0), lengths.iter().max().copied().unwrap_or(0));
    let mut run = Run { json, missing: Vec::new(), unstable: Vec::new() };
    let manifest = skf_selftests::manifest();
    let level = run.json["api_levels"]["main"].as_str().and_then(|l| l.parse::<u32>().ok()).unwrap_or(0);
    if level != manifest.api_level {
        run.missing.push(format!("a run at the manifest's newest level {} (the main run was at {level})", manifest.api_level));
    }
    let short = run.json["short"].as_bool().unwrap_or(false);
    let mut out = String::new();
    let mut push = |line: String| {
        out.push_str(&line);
        out.push('\n');
    };
    push(format!(
        "stable_kfuncs benchmark, {}, commit {}: {} (guest kernel {}, {} possible CPUs, {} online, clocksource {}), API {level}{}",
        inputs.date,
        inputs.commit,
        inputs.machine,
        run.json["kernel"].as_str().unwrap_or("?"),
        run.json["possible_cpus"],
        run.json["online_cpus"],
        run.json["clocksource"].as_str().unwrap_or("?"),
        if short { ", short run (figures not checked for interrupts)" } else { "" }
    ));
    push(format!(
        "Instructions the guest executed per call, over the empty loop: each loop ran at N and 2N iterations (N {shortest}-{longest}),"
    ));
    push("the fewest instructions at each length is the loop undisturbed, their difference over N one iteration. * = that fewest".into());
    push("was not seen twice (an interrupt may be in it).".into());

    // 1. Per call, beside what a program would use instead.
    let empty_iteration = run.per_iteration("main", EMPTY_LOOP);
    let reference = run.per_call("main", REFERENCE_HELPER);
    push(String::new());
    push(format!(
        "1. Instructions per call (empty loop: {} per iteration; bpf_get_current_pid_tgid: {} per call)",
        cell(empty_iteration),
        cell(reference)
    ));
    push(format!(
        "{:<30} {:>6} {:>8} {:>6} {:>8} {:>7}  {:<40} {:<30}",
        "kfunc", "insns", "/pid_tgid", "field", "-field", "probe", "closest helper", "upstream kfunc"
    ));
    let mut kfunc_rows = Vec::new();
    let alive: Vec<_> = manifest.kfuncs.iter().filter(|k| k.alive_at(level)).collect();
    let timed: Vec<_> = alive.iter().filter(|k| !generated::UNTIMED.iter().any(|(n, _)| *n == k.name)).collect();
    for kfunc in &alive {
        if let Some((_, why)) = generated::UNTIMED.iter().find(|(name, _)| *name == kfunc.name) {
            push(format!("{:<30} not timed: {why}", kfunc.name));
            kfunc_rows.push(json!({"kfunc": kfunc.name, "timed": false, "why": why}));
            continue;
        }
        let program = program_of(&kfunc.name);
        let c = counterparts(&kfunc.name);
        let insns = run.per_call("main", &program);
        let event = run.empty_loop(&program).is_some_and(|e| e != EMPTY_LOOP);
        let vs_reference = if event { None } else { insns.zip(reference).map(|(k, r)| k.insns / r.insns) };
        let mut figure = |p: Option<&str>| p.map(|p| (p.to_string(), run.per_call("main", p)));
        let (field, probe_read) = (figure(c.field.as_deref()), figure(c.probe_read.as_deref()));
        let (helper, upstream) = (figure(c.helper), figure(c.upstream));
        let over_field =
            field.as_ref().and_then(|(_, f)| *f).zip(insns).map(|(f, k)| Figure { insns: k.insns - f.insns, stable: k.stable && f.stable });
        let named = |f: &Option<(String, Option<Figure>)>, prefix: &str| {
            f.as_ref().map_or("-".to_string(), |(p, f)| format!("{} {}", p.trim_start_matches(prefix), cell(*f)))
        };
        push(format!(
            "{:<30} {:>6} {:>8} {:>6} {:>8} {:>7}  {:<40} {:<30}",
            kfunc.name,
            cell(insns),
            vs_reference.map_or("-".to_string(), |r| format!("{r:.2}x")),
            field.as_ref().map_or("-".to_string(), |(_, f)| cell(*f)),
            if field.is_some() { cell(over_field) } else { "-".to_string() },
            probe_read.as_ref().map_or("-".to_string(), |(_, f)| cell(*f)),
            named(&helper, "helper_"),
            named(&upstream, "upstream_"),
        ));
        let counterpart = |f: Option<(String, Option<Figure>)>| f.map(|(p, f)| json!({"program": p, "insns_per_call": js(f)}));
        kfunc_rows.push(json!({
            "kfunc": kfunc.name, "timed": true, "insns_per_call": js(insns),
            "over_pid_tgid": vs_reference.map(round2), "over_field_load": js(over_field),
            "field_load": counterpart(field), "probe_read_chain": counterpart(probe_read),
            "helper": counterpart(helper), "upstream": counterpart(upstream),
        }));
    }
    push("field = the plain load of the same field through the pointer the program holds (the CO-RE read); -field = the kfunc".into());
    push("over it; probe = the same read as a BPF_CORE_READ() probe-read chain (one bpf_probe_read_kernel() per pointer hop).".into());

    // 2. Every other program.
    let baselines: Vec<String> = run.json["variants"]["main"]
        .as_object()
        .map(|m| m.keys().filter(|p| !p.starts_with("kfunc_") && !p.ends_with(EMPTY_LOOP)).cloned().collect())
        .unwrap_or_default();
    push(String::new());
    push("2. Baselines: instructions per call".into());
    let mut baseline_rows = Vec::new();
    for program in &baselines {
        let insns = run.per_call("main", program);
        push(format!("{program:<40} {:>8}", cell(insns)));
        baseline_rows.push(json!({"program": program, "insns_per_call": js(insns)}));
    }

    // 3. Path length.
    push(String::new());
    push("3. Static path length in instructions: JIT = added at the call site over its empty loop; C wrapper = entry to its tail".into());
    push("   jump, counting off; Rust body and the module's C shims it calls = whole functions (cold paths included)".into());
    push(format!("{:<30} {:>4} {:>9} {:>9}  {}", "callee", "JIT", "C wrapper", "Rust body", "shims / kernel functions (insns)"));
    let jit_dir = inputs.run_dir.join("jit");
    let jit = |program: &str| path::jit_insns(&jit_dir.join(format!("{program}.bin")), &inputs.arch);
    // Instructions `program` adds over its empty loop.
    let jit_added = |run: &Run, program: &str| -> anyhow::Result<i64> {
        let empty = run.empty_loop(program).ok_or_else(|| anyhow::anyhow!("run.json names no empty loop for {program}"))?;
        Ok(jit(program)? as i64 - jit(empty)? as i64)
    };
    let mut path_rows = Vec::new();
    let errors = |e: Vec<Option<anyhow::Error>>| e.into_iter().flatten().map(|e| format!("{e:#}")).collect::<Vec<_>>().join("; ");
    for kfunc in timed.iter() {
        let added = jit_added(&run, &program_of(&kfunc.name));
        let wrapper = path::function(&inputs.ko, &kfunc.name);
        let body = path::function(&inputs.ko, &kfunc.rust_impl_name());
        match (added, wrapper, body) {
            (Ok(added), Ok(wrapper), Ok(body)) => {
                // The module's own C shims (skf_c_*) are part of the path; kernel functions are named.
                let shims: Vec<(String, usize)> = body
                    .callees()
                    .into_iter()
                    .map(|c| {
                        let size = c.starts_with("skf_c_").then(|| path::function(&inputs.ko, &c).ok()).flatten().map_or(0, |f| f.size());
                        (c, size)
                    })
                    .collect();
                let described: Vec<String> =
                    shims.iter().map(|(c, n)| if *n > 0 { format!("{c} {n}") } else { without_generics(c) }).collect();
                push(format!("{:<30} {added:>4} {:>9} {:>9}  {}", kfunc.name, wrapper.straight_path(), body.size(), described.join(", ")));
                path_rows.push(json!({
                    "kfunc": kfunc.name, "jit_added": added, "c_wrapper_path": wrapper.straight_path(),
                    "c_wrapper_size": wrapper.size(), "rust_body_size": body.size(),
                    "rust_body_calls": shims.iter().map(|(c, n)| json!({"name": c, "insns": (*n > 0).then_some(*n)})).collect::<Vec<_>>(),
                }));
            }
            (a, w, b) => run.missing.push(format!("path length of {}: {}", kfunc.name, errors(vec![a.err(), w.err(), b.err()]))),
        }
    }
    if let Some(vmlinux) = &inputs.vmlinux {
        for (program, functions) in BASELINE_FUNCTIONS {
            let added = jit_added(&run, program);
            let counted: Result<Vec<(String, path::Function)>, _> =
                functions.iter().map(|f| path::function(vmlinux, f).map(|func| (f.to_string(), func))).collect();
            match (added, counted) {
                (Ok(added), Ok(counted)) => {
                    let described: Vec<String> = counted.iter().map(|(name, f)| format!("{name} {}", f.size())).collect();
                    push(format!("{program:<30} {added:>4} {:>9} {:>9}  {}", "-", "-", described.join(", ")));
                    path_rows.push(json!({
                        "program": program, "jit_added": added,
                        "kernel_functions": counted.iter().map(|(name, f)| json!({"name": name, "insns": f.size(), "calls": f.callees()})).collect::<Vec<_>>(),
                    }));
                }
                (a, c) => run.missing.push(format!("path length of {program}: {}", errors(vec![a.err(), c.err()]))),
            }
        }
    } else {
        push("(the baselines' kernel functions are not disassembled: the kernel's image ships without its vmlinux)".into());
    }

    // 4. Deprecated adapters: every kfunc deprecated at a timed module's
    // level, against its replacement in the same module (policy warn).
    push(String::new());
    push("4. Deprecated adapters vs their replacements (same module, policy warn), instructions per call".into());
    push(format!("{:<30} {:>8} {:<30} {:>8} {:>12}", "deprecated", "insns", "replacement", "insns", "difference"));
    let mut adapter_rows = Vec::new();
    for variant in ["main", "api2"] {
        let Some(variant_level) = run.json["api_levels"][variant].as_str().and_then(|l| l.parse::<u32>().ok()) else {
            run.missing.push(format!("the API level of variant {variant}"));
            continue;
        };
        for kfunc in manifest.kfuncs.iter().filter(|k| k.alive_at(variant_level) && k.deprecated.is_some_and(|d| d <= variant_level)) {
            let Some(replacement) = &kfunc.replacement else { continue };
            let (old, new) = (program_of(&kfunc.name), program_of(replacement));
            let (old_insns, new_insns) = (run.per_call(variant, &old), run.per_call(variant, &new));
            let difference = run.difference((variant, &old), (variant, &new));
            push(format!(
                "{:<30} {:>8} {:<30} {:>8} {:>12}   API {variant_level}",
                kfunc.name,
                cell(old_insns),
                replacement,
                cell(new_insns),
                cell(difference)
            ));
            adapter_rows.push(json!({
                "api_level": variant_level, "deprecated": kfunc.name, "replacement": replacement,
                "deprecated_insns_per_call": js(old_insns), "replacement_insns_per_call": js(new_insns), "difference": js(difference),
            }));
        }
    }

    // 5. Call counting.
    push(String::new());
    push("5. Call counting, instructions per call added (off_again - off: two identical runs, 0 if the instrument is exact)".into());
    push(format!("{:<30} {:>10} {:>14} {:>12}", "kfunc", "on - off", "off_again - off", "no code - off"));
    let mut counting_rows = Vec::new();
    for kfunc in timed.iter() {
        let p = program_of(&kfunc.name);
        let on = run.difference(("on", &p), ("off", &p));
        let again = run.difference(("off_again", &p), ("off", &p));
        let no_code = run.difference(("no_code", &p), ("off", &p));
        push(format!("{:<30} {:>10} {:>14} {:>12}", kfunc.name, cell(on), cell(again), cell(no_code)));
        counting_rows
            .push(json!({"kfunc": kfunc.name, "on_minus_off": js(on), "off_again_minus_off": js(again), "no_code_minus_off": js(no_code)}));
    }

    // 6. Verification.
    push(String::new());
    push(
        "6. Verification: 64 call sites of skf_task_cpu vs of bpf_task_under_cgroup, thousands of guest instructions (fewest of the loads)"
            .into(),
    );
    push(format!("{:<16} {:>22} {:>22} {:>10}", "program", "libbpf load()", "verifier (its log)", "insns"));
    let mut verify_rows = serde_json::Map::new();
    let mut verify_figures = Vec::new();
    for program in VERIFY_PROGRAMS {
        let fewest = |key: &str| -> Option<f64> {
            run.json["verify"][program][key]
                .as_array()?
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<f64>>>()?
                .into_iter()
                .reduce(f64::min)
        };
        match (fewest("wall_ns"), fewest("verification_usec"), fewest("processed_insns")) {
            (Some(load_ns), Some(verifier_usec), Some(insns)) => {
                // One ns of guest clock is one instruction; the verifier logs whole usec.
                let (load_k, verifier_k) = (load_ns / 1e3, verifier_usec);
                push(format!("{program:<16} {load_k:>22.0} {verifier_k:>22.0} {insns:>10}"));
                verify_rows.insert(
                    program.into(),
                    json!({"load_kinsns": load_k.round(), "verifier_kinsns": verifier_k, "processed_insns": insns}),
                );
                verify_figures.push((load_k, verifier_k));
            }
            _ => run.missing.push(format!("verification figures of {program}")),
        }
    }
    if let [(stable_load, stable_verifier), (upstream_load, upstream_verifier)] = verify_figures.as_slice() {
        let (load, verifier) = (stable_load / upstream_load, stable_verifier / upstream_verifier);
        push(format!("stable/upstream: load {load:.3}, verifier {verifier:.3}"));
        verify_rows.insert("stable_over_upstream".into(), json!({"load": round2(load), "verifier": round2(verifier)}));
    }

    // 7. Loading the module.
    push(String::new());
    push(
        "7. Loading the module: init_module(2) of the timed build from memory, thousands of guest instructions (fewest of the loads)"
            .into(),
    );
    let ko_bytes = std::fs::metadata(&inputs.ko).map_err(|e| format!("{}: {e}", inputs.ko.display()))?.len();
    let insmod = run.json["insmod"].as_array().and_then(|a| a.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
    let insmod_row = match insmod.as_ref().and_then(|samples| samples.iter().min()) {
        Some(&fewest) => {
            push(format!("{:<16} {:>12} bytes {:>12.0}", "stable_kfuncs.ko", ko_bytes, fewest as f64 / 1e3));
            json!({"module_bytes": ko_bytes, "kinsns": (fewest as f64 / 1e3).round(), "samples": insmod})
        }
        None => {
            run.missing.push("the module load's instruction count".into());
            Value::Null
        }
    };

    print!("{out}");
    for list in [&mut run.missing, &mut run.unstable] {
        list.sort();
        list.dedup();
    }
    let report = json!({
        "machine": inputs.machine,
        "commit": inputs.commit,
        "date": inputs.date,
        "arch": inputs.arch,
        "kernel": run.json["kernel"],
        "possible_cpus": run.json["possible_cpus"],
        "online_cpus": run.json["online_cpus"],
        "api_level": level,
        "short": short,
        "iterations": run.json["iterations"],
        "clocksource": run.json["clocksource"],
        "empty_loop_insns_per_iteration": js(empty_iteration),
        "kfuncs": kfunc_rows,
        "baselines": baseline_rows,
        "path": path_rows,
        "deprecated_adapters": adapter_rows,
        "call_counting": counting_rows,
        "verification": verify_rows,
        "insmod": insmod_row,
        "table": out,
        "missing": run.missing,
        "unstable": run.unstable,
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(json_out, text).map_err(|e| format!("writing {}: {e}", json_out.display()))?;
    eprintln!("bench: wrote {}", json_out.display());
    if !run.missing.is_empty() {
        return Err(format!("rows missing from the benchmark:\n  {}", run.missing.join("\n  ")));
    }
    if !short && !run.unstable.is_empty() {
        return Err(format!(
            "figures whose undisturbed loop time was not seen twice in {} runs (an interrupt in every run, or a path that varies):\n  {}",
            crate::run::MAX_RUNS,
            run.unstable.join("\n  ")
        ));
    }
    Ok(())
}
