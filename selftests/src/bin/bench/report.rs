//! The host half: turns run.json into per-call costs and ratios, adds path
//! lengths from disassembly, prints the tables and writes ARCH.json. Every
//! kfunc the manifest has at the measured level gets a row; anything that
//! should be there and is not is listed and fails the report.

use crate::path;
use crate::run::{EMPTY_LOOP, VERIFY_PROGRAMS};
use crate::stats::Spread;
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
    pub vmlinux: PathBuf,
    pub arch: String,
    /// One line naming the host and how the guest ran.
    pub machine: String,
}

/// What each kfunc is compared with: the closest helper, the CO-RE read of
/// the same field, an upstream kfunc of similar shape (bench.bpf.c
/// programs, on the kfunc's own event for one timed on an event).
struct Counterparts {
    helper: &'static str,
    core: Option<&'static str>,
    upstream: Option<&'static str>,
}

fn counterparts(kfunc: &str) -> Counterparts {
    let (helper, core, upstream) = match kfunc {
        "skf_task_comm_v1" | "skf_task_comm_v2" => ("helper_get_current_comm", Some("core_comm"), "upstream_task_from_pid"),
        "skf_task_start_time_ns" => ("helper_get_current_pid_tgid", Some("core_start_time"), "upstream_task_from_pid"),
        "skf_task_cpu" => ("helper_get_smp_processor_id", Some("core_cpu"), "upstream_task_from_pid"),
        "skf_task_cpu_time_ns" => ("helper_get_current_pid_tgid", Some("core_sum_exec_runtime"), "upstream_task_from_pid"),
        "skf_task_cgroup_id" => ("helper_get_current_cgroup_id", Some("core_cgroup_id"), "upstream_cgroup_ancestor"),
        "skf_task_cgroup_ancestor_id" => ("helper_get_current_cgroup_id", Some("core_cgroup_ancestor_id"), "upstream_cgroup_ancestor"),
        "skf_task_rss_bytes" | "skf_task_rss_kind_bytes" => ("helper_get_current_pid_tgid", Some("core_rss"), "upstream_task_from_pid"),
        "skf_task_state" => ("helper_get_current_pid_tgid", Some("core_state"), "upstream_task_from_pid"),
        "skf_task_nice" => ("helper_get_current_pid_tgid", Some("core_static_prio"), "upstream_task_from_pid"),
        "skf_task_prio" => ("helper_get_current_pid_tgid", Some("core_prio"), "upstream_task_from_pid"),
        "skf_task_nvcsw" => ("helper_get_current_pid_tgid", Some("core_nvcsw"), "upstream_task_from_pid"),
        "skf_task_nivcsw" => ("helper_get_current_pid_tgid", Some("core_nivcsw"), "upstream_task_from_pid"),
        "skf_task_pid_in_ns" => ("helper_get_current_pid_tgid", Some("core_pid_nr"), "upstream_task_from_pid"),
        "skf_task_tgid_in_ns" => ("helper_get_current_pid_tgid", Some("core_tgid_nr"), "upstream_task_from_pid"),
        "skf_task_ns_inum" => ("helper_get_current_pid_tgid", Some("core_pid_ns_inum"), "upstream_task_from_pid"),
        // On a block_rq_issue event: no helper reads a request, and no upstream kfunc takes one.
        "skf_rq_dev" => return event_counterparts("blk_helper_get_current_pid_tgid", "blk_core_rq_dev"),
        "skf_rq_sector" => return event_counterparts("blk_helper_get_current_pid_tgid", "blk_core_rq_sector"),
        "skf_rq_bytes" => return event_counterparts("blk_helper_get_current_pid_tgid", "blk_core_rq_bytes"),
        "skf_rq_op" => return event_counterparts("blk_helper_get_current_pid_tgid", "blk_core_rq_op"),
        // On a tcp_rcv_space_adjust event.
        "skf_sk_tuple" => return event_counterparts("tcp_helper_skc_to_tcp_sock", "tcp_core_sk_tuple"),
        "skf_sk_netns_cookie" => return event_counterparts("tcp_helper_skc_to_tcp_sock", "tcp_core_sk_netns_cookie"),
        "skf_tcp_srtt_us" => return event_counterparts("tcp_helper_skc_to_tcp_sock", "tcp_core_tcp_srtt_us"),
        // A kfunc added later: the cheapest helper, and no CO-RE counterpart yet.
        _ => ("helper_get_current_pid_tgid", None, "upstream_task_from_pid"),
    };
    Counterparts { helper, core, upstream: Some(upstream) }
}

fn event_counterparts(helper: &'static str, core: &'static str) -> Counterparts {
    Counterparts { helper, core: Some(core), upstream: None }
}

/// The kernel functions behind each baseline program, for path lengths.
const BASELINE_FUNCTIONS: &[(&str, &[&str])] = &[
    ("helper_get_current_pid_tgid", &["bpf_get_current_pid_tgid"]),
    ("helper_get_current_comm", &["bpf_get_current_comm"]),
    ("helper_get_current_cgroup_id", &["bpf_get_current_cgroup_id"]),
    ("helper_get_smp_processor_id", &["bpf_get_smp_processor_id"]),
    ("blk_helper_get_current_pid_tgid", &["bpf_get_current_pid_tgid"]),
    ("tcp_helper_skc_to_tcp_sock", &["bpf_skc_to_tcp_sock"]),
    ("upstream_task_from_pid", &["bpf_task_from_pid", "bpf_task_release"]),
    ("upstream_cgroup_ancestor", &["bpf_cgroup_ancestor", "bpf_cgroup_release"]),
];

/// run.json, and what it lacks.
struct Run {
    json: Value,
    missing: Vec<String>,
}

impl Run {
    /// ns per loop iteration, per repetition; None (and noted missing) if absent or not offered.
    fn per_iteration(&mut self, variant: &str, program: &str) -> Option<Vec<f64>> {
        let reps = self.json["variants"][variant][program]
            .as_array()
            .and_then(|reps| reps.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>().filter(|v| !v.is_empty()));
        if reps.is_none() {
            self.missing.push(format!("{program} in variant {variant}"));
        }
        reps
    }

    /// The empty loop `program`'s timing is taken over (its event's, for an event program).
    fn empty_loop(&self, program: &str) -> Option<&str> {
        self.json["empty_loops"][program].as_str()
    }

    /// As empty_loop, noted missing if run.json names none.
    fn empty_loop_of(&mut self, program: &str) -> Option<String> {
        let empty = self.empty_loop(program).map(str::to_string);
        if empty.is_none() {
            self.missing.push(format!("the empty loop of {program}"));
        }
        empty
    }

    /// ns per call over the empty loop, per repetition.
    fn per_call(&mut self, variant: &str, program: &str) -> Option<Vec<f64>> {
        let empty = self.empty_loop_of(program)?;
        let empty = self.per_iteration(variant, &empty)?;
        let loop_ = self.per_iteration(variant, program)?;
        Some(loop_.iter().zip(&empty).map(|(l, e)| l - e).collect())
    }

    /// a / b per repetition, each as ns per call over its variant's empty loop.
    fn ratio(&mut self, a: (&str, &str), b: (&str, &str)) -> Option<Spread> {
        let a = self.per_call(a.0, a.1)?;
        let b = self.per_call(b.0, b.1)?;
        Spread::of(&a.iter().zip(&b).map(|(x, y)| x / y).collect::<Vec<_>>())
    }

    fn spread(&mut self, variant: &str, program: &str) -> Option<Spread> {
        Spread::of(&self.per_call(variant, program)?)
    }
}

fn cell(s: Option<Spread>, precision: usize) -> String {
    s.map_or("missing".to_string(), |s| format!("{s:.precision$}"))
}

fn js(s: Option<Spread>) -> Value {
    s.map_or(Value::Null, |s| s.json())
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
    let mut run = Run { json, missing: Vec::new() };
    let manifest = skf_selftests::manifest();
    let level = run.json["api_levels"]["main"].as_str().and_then(|l| l.parse::<u32>().ok()).unwrap_or(0);
    if level != manifest.api_level {
        run.missing.push(format!("a run at the manifest's newest level {} (the main run was at {level})", manifest.api_level));
    }
    let mut out = String::new();
    let mut push = |line: String| {
        out.push_str(&line);
        out.push('\n');
    };
    push(format!(
        "stable_kfuncs benchmark, {} (guest kernel {}), API {level}; loops of {shortest}-{longest} iterations, median (min-max) of {} repetitions",
        inputs.machine,
        run.json["kernel"].as_str().unwrap_or("?"),
        run.json["reps"]
    ));
    push(format!(
        "Timings are ns per call over the empty loop in this VM run (guest clocksource {}); compare them only as ratios.",
        run.json["clocksource"].as_str().unwrap_or("?")
    ));

    // 1. Cost per call, beside what a program would use instead.
    let empty_iteration = run.per_iteration("main", EMPTY_LOOP).and_then(|e| Spread::of(&e));
    let mut event_empty_loops: Vec<String> = run.json["empty_loops"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_str).filter(|e| *e != EMPTY_LOOP).map(str::to_string).collect())
        .unwrap_or_default();
    event_empty_loops.sort();
    event_empty_loops.dedup();
    let event_empty: Vec<(String, Option<Spread>)> =
        event_empty_loops.into_iter().map(|e| (e.clone(), run.per_iteration("main", &e).and_then(|v| Spread::of(&v)))).collect();
    push(String::new());
    push(format!(
        "1. ns per call (empty loop: {} ns per iteration{})",
        cell(empty_iteration, 1),
        event_empty.iter().map(|(e, s)| format!("; {e}: {}", cell(*s, 1))).collect::<String>()
    ));
    push(format!(
        "{:<30} {:>22} {:<30} {:>20} {:<24} {:>20} {:<26} {:>20}",
        "kfunc", "ns/call", "closest helper", "kfunc/helper", "CO-RE read", "kfunc/CO-RE", "upstream kfunc", "kfunc/upstream"
    ));
    // A short run's loop is too brief for the clock; a full one that reads
    // no time for the loop, or less for a call than for nothing, measured
    // nothing (a loop that did not run, or a clock that did not advance).
    let short = run.json["short"].as_bool().unwrap_or(false);
    if !short && empty_iteration.is_none_or(|e| e.median <= 0.0) {
        run.missing.push(format!("usable timings: the empty loop read no time (guest clocksource {}); run again", run.json["clocksource"]));
    }
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
        let ns = run.spread("main", &program);
        if !short && ns.is_some_and(|ns| ns.median <= 0.0) {
            run.missing
                .push(format!("a positive time per call of {} (guest clocksource {}); run again", kfunc.name, run.json["clocksource"]));
        }
        // A helper the verifier inlines (bpf_get_smp_processor_id) costs
        // about nothing over the loop: where some repetition reads it at or
        // below zero, no ratio to it means anything.
        let helper_free = run.spread("main", c.helper).is_some_and(|h| h.min <= 0.0);
        let vs_helper = if helper_free { None } else { run.ratio(("main", &program), ("main", c.helper)) };
        let vs_core = c.core.and_then(|core| run.ratio(("main", &program), ("main", core)));
        let vs_upstream = c.upstream.and_then(|upstream| run.ratio(("main", &program), ("main", upstream)));
        push(format!(
            "{:<30} {:>22} {:<30} {:>20} {:<24} {:>20} {:<26} {:>20}",
            kfunc.name,
            cell(ns, 1),
            c.helper.trim_start_matches("helper_"),
            if helper_free { "helper ~0 ns".to_string() } else { cell(vs_helper, 2) },
            c.core.unwrap_or("-"),
            c.core.map_or("-".to_string(), |_| cell(vs_core, 2)),
            c.upstream.map_or("-", |u| u.trim_start_matches("upstream_")),
            c.upstream.map_or("-".to_string(), |_| cell(vs_upstream, 2))
        ));
        kfunc_rows.push(json!({
            "kfunc": kfunc.name, "timed": true, "ns_per_call": js(ns),
            "helper": {"program": c.helper, "ratio": js(vs_helper), "costs_nothing": helper_free},
            "core": c.core.map(|core| json!({"program": core, "ratio": js(vs_core)})),
            "upstream": c.upstream.map(|upstream| json!({"program": upstream, "ratio": js(vs_upstream)})),
        }));
    }
    let baselines: Vec<String> = run.json["variants"]["main"]
        .as_object()
        .map(|m| m.keys().filter(|p| !p.starts_with("kfunc_") && !p.ends_with(EMPTY_LOOP)).cloned().collect())
        .unwrap_or_default();
    push(String::new());
    push(format!("{:<30} {:>22}", "compared with", "ns/call"));
    let mut baseline_rows = Vec::new();
    for program in &baselines {
        let ns = run.spread("main", program);
        push(format!("{program:<30} {:>22}", cell(ns, 1)));
        baseline_rows.push(json!({"program": program, "ns_per_call": js(ns)}));
    }

    // 2. Path length.
    push(String::new());
    push("2. Path length in instructions: JIT = added at the call site over its empty loop; C wrapper = entry to its tail".into());
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
    for (program, functions) in BASELINE_FUNCTIONS {
        let added = jit_added(&run, program);
        let counted: Result<Vec<(String, path::Function)>, _> =
            functions.iter().map(|f| path::function(&inputs.vmlinux, f).map(|func| (f.to_string(), func))).collect();
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

    // 3. Deprecated adapters: every kfunc deprecated at a timed module's
    // level, against its replacement in the same module (policy warn).
    push(String::new());
    push("3. Deprecated adapters vs their replacements (same module, policy warn)".into());
    push(format!("{:<30} {:>28} {:<30} {:>22} {:>20}", "deprecated", "ns/call", "replacement", "ns/call", "deprecated/replacement"));
    let mut adapter_rows = Vec::new();
    for variant in ["main", "api2"] {
        let Some(variant_level) = run.json["api_levels"][variant].as_str().and_then(|l| l.parse::<u32>().ok()) else {
            run.missing.push(format!("the API level of variant {variant}"));
            continue;
        };
        for kfunc in manifest.kfuncs.iter().filter(|k| k.alive_at(variant_level) && k.deprecated.is_some_and(|d| d <= variant_level)) {
            let Some(replacement) = &kfunc.replacement else { continue };
            let (old, new) = (program_of(&kfunc.name), program_of(replacement));
            let (old_ns, new_ns) = (run.spread(variant, &old), run.spread(variant, &new));
            let ratio = run.ratio((variant, &old), (variant, &new));
            push(format!(
                "{:<30} {:>28} {:<30} {:>22} {:>20}   API {variant_level}",
                kfunc.name,
                cell(old_ns, 1),
                replacement,
                cell(new_ns, 1),
                cell(ratio, 3)
            ));
            adapter_rows.push(json!({
                "api_level": variant_level, "deprecated": kfunc.name, "replacement": replacement,
                "deprecated_ns_per_call": js(old_ns), "replacement_ns_per_call": js(new_ns), "ratio": js(ratio),
            }));
        }
    }

    // 4. Call counting.
    push(String::new());
    push("4. Call counting (ratios of ns/call; off_again/off is the noise of two identical runs)".into());
    push(format!("{:<30} {:>20} {:>20} {:>20}", "kfunc", "on/off", "off_again/off", "no code/off"));
    let mut counting_rows = Vec::new();
    for kfunc in timed.iter() {
        let p = program_of(&kfunc.name);
        let on = run.ratio(("on", &p), ("off", &p));
        let again = run.ratio(("off_again", &p), ("off", &p));
        let no_code = run.ratio(("no_code", &p), ("off", &p));
        push(format!("{:<30} {:>20} {:>20} {:>20}", kfunc.name, cell(on, 3), cell(again, 3), cell(no_code, 3)));
        counting_rows
            .push(json!({"kfunc": kfunc.name, "on_over_off": js(on), "off_again_over_off": js(again), "no_code_over_off": js(no_code)}));
    }

    // 5. Verification time.
    push(String::new());
    push("5. Verification: 64 call sites of skf_task_cpu vs of bpf_task_under_cgroup".into());
    push(format!("{:<16} {:>28} {:>28} {:>10}", "program", "BPF_PROG_LOAD ms", "verifier usec", "insns"));
    let mut verify_rows = serde_json::Map::new();
    let mut verify_figures = Vec::new();
    for program in VERIFY_PROGRAMS {
        let series = |key: &str| -> Option<Vec<f64>> {
            run.json["verify"][program][key].as_array()?.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>().filter(|v| !v.is_empty())
        };
        let (wall, usec, insns) = (series("wall_ns"), series("verification_usec"), series("processed_insns"));
        match (wall, usec, insns) {
            (Some(wall), Some(usec), Some(insns)) => {
                let wall_ms: Vec<f64> = wall.iter().map(|n| n / 1e6).collect();
                push(format!("{program:<16} {:>28} {:>28} {:>10}", cell(Spread::of(&wall_ms), 2), cell(Spread::of(&usec), 0), insns[0]));
                verify_rows.insert(
                    program.into(),
                    json!({"load_ms": js(Spread::of(&wall_ms)), "verifier_usec": js(Spread::of(&usec)), "processed_insns": insns[0]}),
                );
                verify_figures.push((wall, usec));
            }
            _ => run.missing.push(format!("verification figures of {program}")),
        }
    }
    if let [(stable_wall, stable_usec), (upstream_wall, upstream_usec)] = verify_figures.as_slice() {
        let ratio = |a: &[f64], b: &[f64]| Spread::of(&a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>());
        let (wall, usec) = (ratio(stable_wall, upstream_wall), ratio(stable_usec, upstream_usec));
        push(format!("stable/upstream: load {}, verifier {}", cell(wall, 3), cell(usec, 3)));
        verify_rows.insert("stable_over_upstream".into(), json!({"load": js(wall), "verifier": js(usec)}));
    }

    print!("{out}");
    run.missing.sort();
    run.missing.dedup();
    let report = json!({
        "machine": inputs.machine,
        "arch": inputs.arch,
        "kernel": run.json["kernel"],
        "api_level": level,
        "iterations": run.json["iterations"],
        "clocksource": run.json["clocksource"],
        "reps": run.json["reps"],
        "empty_loop_ns_per_iteration": js(empty_iteration),
        "kfuncs": kfunc_rows,
        "baselines": baseline_rows,
        "path": path_rows,
        "deprecated_adapters": adapter_rows,
        "call_counting": counting_rows,
        "verification": verify_rows,
        "table": out,
        "missing": run.missing,
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(json_out, text).map_err(|e| format!("writing {}: {e}", json_out.display()))?;
    eprintln!("bench: wrote {}", json_out.display());
    if !run.missing.is_empty() {
        return Err(format!("rows missing from the benchmark:\n  {}", run.missing.join("\n  ")));
    }
    Ok(())
}
