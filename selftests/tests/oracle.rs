// SPDX-License-Identifier: GPL-2.0

//! The oracle: for every program of the generated corpus
//! (selftests/build/oracle_corpus.rs: each kfunc ever released, from each
//! program type section a tool would use, in four guard shapes), skf's
//! verdict (the library `skf prog check` runs, against the kfuncs the
//! running module offers, as it does without --api) must be what libbpf and the verifier do with it: a compatible or
//! deprecated program loads, an incompatible one is refused, and a program
//! is deprecated exactly where the module counts its load for a kfunc it
//! classes deprecated (module/verify.rs: under the default `warn` policy
//! those are the loads it warns about; its warnings are rate-limited, its
//! counters are not). Unknown verdicts are counted and listed, not compared.
//!
//! Each object is opened and prepared once (libbpf resolves its externs and
//! relocates every program); each program is then loaded alone, by libbpf,
//! in a forked child, whose refusal or success ends with it.
//!
//! Budget: make check's warm run must stay near 40 minutes on 2 cores
//! under TCG. The newest level's cell loads the whole corpus. The older
//! levels' cells, where only which kfuncs exist and which are deprecated
//! differ (the program types' kfunc hooks do not), load one section kind per
//! hook: SAMPLED_KINDS.

use libbpf_rs::{libbpf_sys, AsRawLibbpf, ObjectBuilder, OpenObject};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};
use skf::module_btf::read_running;
use skf::offered::running_as_manifest;
use skf::prog_check::{ProgramReport, Verdict};
use skf_selftests::{manifest, sysfs, LoadedModule};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Instant;

include!(concat!(env!("OUT_DIR"), "/oracle_corpus.rs"));

/// The section kinds an older level's cell loads, one per kfunc hook:
/// tracing, kprobe, syscall, raw_tp (which the module refuses) and none.
const SAMPLED_KINDS: &[&str] = &["tp_btf", "kprobe", "syscall", "raw_tp", "xdp"];

/// Room for the verifier's log of a refused corpus program, with margin.
const LOG_SIZE: usize = 1 << 20;

/// What loading one program alone did.
struct Load {
    loaded: bool,
    /// The deprecated kfuncs the module counted the load for.
    counted_deprecated: Vec<String>,
    /// The verifier's last line before its statistics, where it refused.
    last_log_line: String,
}

/// The kfuncs the running module classes deprecated, from its sysfs.
fn deprecated_kfuncs() -> Vec<String> {
    let dir = sysfs::path("kfuncs");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    let mut names: Vec<String> = entries.map(|e| e.expect("a kfuncs/ entry").file_name().to_string_lossy().into_owned()).collect();
    names.retain(|name| sysfs::read(&format!("kfuncs/{name}/class")) == "KF_DEPRECATED");
    names
}

/// The last line of a verifier log that is not its statistics.
fn last_log_line(log: &str) -> String {
    let statistics = |l: &str| l.starts_with("processed ") || l.starts_with("verification time") || l.starts_with("stack depth");
    log.lines().rev().find(|l| !l.trim().is_empty() && !statistics(l)).unwrap_or("(no verifier log)").to_string()
}

/// Loads program `name` of the prepared `open` alone, in a child process,
/// so that `open` stays prepared for the next one; `log` is the buffer
/// share_log_buffer gave its programs, which only the children write to,
/// each in its own copy, so the parent's stays zeroed.
fn load_alone(open: &mut OpenObject, name: &str, deprecated: &[String], log: &mut [u8]) -> Load {
    for mut prog in open.progs_mut() {
        prog.set_autoload(prog.name() == name);
    }
    let counters = || deprecated.iter().map(|k| sysfs::counter(k, "programs")).collect::<Vec<u64>>();
    let before = counters();
    let (mut from_child, to_parent) = UnixStream::pair().expect("a socket pair to the loading child");
    // SAFETY: the child only calls libbpf on its copy of the object, writes
    // to its socket and _exits, taking no lock another thread may hold.
    match unsafe { fork() }.expect("fork a child to load one program") {
        ForkResult::Child => {
            // SAFETY: the object is prepared; libbpf loads its autoload program.
            let rc = unsafe { libbpf_sys::bpf_object__load(open.as_libbpf_object().as_ptr()) };
            let text = String::from_utf8_lossy(&log[..log.iter().position(|&b| b == 0).unwrap_or(log.len())]);
            let _ = (&to_parent).write_all(format!("{rc}\n{}", last_log_line(&text)).as_bytes());
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { nix::libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop(to_parent);
            let mut answer = String::new();
            from_child.read_to_string(&mut answer).expect("the loading child's answer");
            waitpid(child, None).expect("reap the loading child");
            let (rc, last_log_line) = answer.split_once('\n').unwrap_or_else(|| panic!("the child loading {name} died before answering"));
            let after = counters();
            let counted_deprecated =
                deprecated.iter().zip(before.iter().zip(&after)).filter(|(_, (b, a))| a > b).map(|(k, _)| k.clone()).collect();
            Load { loaded: rc == "0", counted_deprecated, last_log_line: last_log_line.to_string() }
        }
    }
}

/// Gives every program of `open` the log buffer `log`: libbpf fills it on a
/// refusal (it retries a refused load with a log).
fn share_log_buffer(open: &mut OpenObject, log: &mut [u8]) {
    for prog in open.progs_mut() {
        // SAFETY: `log` outlives the object's loads, which write at most its length.
        let rc = unsafe {
            libbpf_sys::bpf_program__set_log_buf(prog.as_libbpf_object().as_ptr(), log.as_mut_ptr().cast(), log.len() as libbpf_sys::size_t)
        };
        assert_eq!(rc, 0, "bpf_program__set_log_buf");
    }
}

/// Whether skf's `verdict` is what `load` shows; None where skf does not say (unknown).
fn agrees(verdict: Verdict, load: &Load) -> Option<bool> {
    match verdict {
        Verdict::Compatible => Some(load.loaded && load.counted_deprecated.is_empty()),
        Verdict::Deprecated => Some(load.loaded && !load.counted_deprecated.is_empty()),
        Verdict::Incompatible => Some(!load.loaded),
        Verdict::Unknown => None,
    }
}

fn what_happened(load: &Load) -> String {
    match (load.loaded, load.counted_deprecated.is_empty()) {
        (false, _) => format!("libbpf's load was refused: {}", load.last_log_line),
        (true, true) => "it loaded, and the module counted it for no deprecated kfunc".to_string(),
        (true, false) => format!("it loaded, and the module counted it for deprecated {}", load.counted_deprecated.join(", ")),
    }
}

fn why(report: &ProgramReport) -> String {
    report.problems.first().map_or(String::new(), |p| format!(" ({})", p.reason))
}

#[test]
fn skf_verdicts_are_what_the_verifier_does() {
    let start = Instant::now();
    let _module = LoadedModule::insert_cell_module();
    // What `skf prog check` rates against without --api: the running module's kfuncs.
    let running = read_running().expect("the running module's BTF and sysfs");
    let level = running.api_level;
    let newest = manifest().api_level;
    let m = running_as_manifest(manifest(), &running);
    let deprecated = deprecated_kfuncs();
    // Hundreds of refused loads' libbpf warnings would bury the log; load_alone keeps each one's last line.
    libbpf_rs::set_print(None);
    let mut log = vec![0u8; LOG_SIZE];
    let (mut compared, mut agreeing) = (0, 0);
    let (mut unknown, mut disagreements, mut not_run) = (Vec::new(), Vec::new(), Vec::new());
    for (kind, bytes) in OBJECTS.iter().filter(|(kind, _)| level == newest || SAMPLED_KINDS.contains(kind)) {
        let object = skf::bpf_object::parse(bytes).unwrap_or_else(|e| panic!("skf cannot read the corpus object {kind}: {e:#}"));
        let report = skf::prog_check::check(&object, &m, level);
        let mut open =
            ObjectBuilder::default().open_memory(bytes).unwrap_or_else(|e| panic!("libbpf cannot open the corpus object {kind}: {e}"));
        let prog_type = open.progs().next().unwrap_or_else(|| panic!("the corpus object {kind} has no programs")).prog_type();
        if !prog_type.is_supported().unwrap_or(false) {
            not_run.push(format!("{kind} (the kernel has no {prog_type:?} programs)"));
            continue;
        }
        share_log_buffer(&mut open, &mut log);
        // SAFETY: a freshly opened object.
        let rc = unsafe { libbpf_sys::bpf_object__prepare(open.as_libbpf_object().as_ptr()) };
        assert_eq!(rc, 0, "libbpf cannot prepare the corpus object {kind} (resolve its externs, relocate its programs): {rc}");
        let names: Vec<String> = open.progs().map(|p| p.name().to_string_lossy().into_owned()).collect();
        for name in names {
            let verdict = report.programs.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("skf did not rate {kind}/{name}"));
            if verdict.verdict == Verdict::Unknown {
                unknown.push(format!("{kind}/{name}{}", why(verdict)));
                continue;
            }
            let load = load_alone(&mut open, &name, &deprecated, &mut log);
            compared += 1;
            if agrees(verdict.verdict, &load) == Some(true) {
                agreeing += 1;
            } else {
                disagreements.push(format!(
                    "object {kind}, program {name}: skf says {}{}, but {}",
                    verdict.verdict,
                    why(verdict),
                    what_happened(&load)
                ));
            }
        }
    }
    let not_run = if not_run.is_empty() { String::new() } else { format!("; not run: {}", not_run.join(", ")) };
    // Written past libtest's capture, on a line of its own (libtest has
    // written "test NAME ... " before it): check.sh copies it into make check's summary.
    let line = format!(
        "\noracle: {agreeing} of {compared} agree ({} unknown, {} kfunc and section pairs left out of the corpus{not_run}) in {} s\n",
        unknown.len(),
        KEPT_OUT.len(),
        start.elapsed().as_secs()
    );
    let mut stdout = std::io::stdout();
    stdout.write_all(line.as_bytes()).expect("writing the oracle's line");
    for u in &unknown {
        stdout.write_all(format!("oracle unknown: {u}\n").as_bytes()).expect("writing the oracle's unknowns");
    }
    assert!(disagreements.is_empty(), "skf and the verifier disagree on {} programs:\n{}", disagreements.len(), disagreements.join("\n"));
}
