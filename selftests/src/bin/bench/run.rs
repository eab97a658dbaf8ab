// SPDX-License-Identifier: GPL-2.0

//! The guest half: loads each module build in turn, runs the timed loops of
//! bpf/bench.bpf.c (by BPF_PROG_TEST_RUN, or on their events) and the
//! verification pair of bpf/bench_verify.bpf.c, and writes the raw numbers
//! (run.json) and the JIT images (jit/NAME.bin).
//!
//! The guest runs under QEMU's instruction counting (vm-test/bench.sh), so
//! a loop's bpf_ktime_get_ns() time is the instructions the guest executed
//! meanwhile: the loop's own, plus any interrupt's (a timer tick costs
//! thousands). Each loop runs at N and at 2N iterations, repeatedly: the
//! smallest time at each length is the loop undisturbed, and seen twice it
//! is shown to be (report.rs checks); their difference over N is one
//! iteration, the fixed cost around the loop (clock reads, setup) gone.

use crate::event::{self, Event};
use anyhow::{bail, ensure, Context, Result};
use libbpf_rs::{Object, ObjectBuilder, PrintLevel, ProgramInput, ProgramMut};
use serde_json::{json, Map, Value};
use skf_selftests::{sysfs, LoadedModule};
use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

const BENCH_OBJ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bench.bpf.o"));
const VERIFY_OBJ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bench_verify.bpf.o"));

/// What bench.bpf.c programs return when the module lacks their kfunc.
const NOT_OFFERED: u32 = 1;
/// ... and when their kfunc fails on the benchmark's arguments.
const CALL_FAILED: u32 = 2;

/// The baseline every syscall program's timing is taken over; an event's
/// is the program on that event whose name ends with this.
pub const EMPTY_LOOP: &str = "empty_loop";
/// Programs that make one call to see that it succeeds; never timed.
const CHECK_PREFIX: &str = "check_";
/// The verification-time pair.
pub const VERIFY_PROGRAMS: [&str; 2] = ["calls_stable", "calls_upstream"];

pub struct Modules {
    /// Built at the manifest's newest level.
    pub newest: PathBuf,
    /// The same, built without call-counting code (SKF_NO_CALL_COUNTING).
    pub no_counting: PathBuf,
    /// Built at API 2, where skf_task_comm_v1 is deprecated and still offered.
    pub api2: PathBuf,
}

/// How often each loop runs, and each program's loop length.
struct Size {
    short: bool,
    /// Sized once per program, on first use; reused by every module build.
    iterations: BTreeMap<String, u32>,
}

/// A short run's loop length (N): enough to run every call, too brief to
/// be sure of an undisturbed run.
const SHORT_ITERATIONS: u32 = 32;
/// A short run's loop times at each length (an event program's first run
/// has 16).
const SHORT_SAMPLES: usize = 2;
/// A full run's: at least MIN_SAMPLES, then until the smallest at both
/// lengths has been seen twice, in at most MAX_RUNS runs.
const MIN_SAMPLES: usize = 3;
pub const MAX_RUNS: usize = 15;
/// Full runs size N so that the loop at 2N runs about this many
/// instructions: short beside a timer tick's period (1-4 million
/// instructions, HZ 1000-250, at one instruction per ns), so that most
/// runs see no tick.
const LOOP_TARGET_INSNS: u64 = 100_000;
const MIN_ITERATIONS: u32 = 8;
const MAX_ITERATIONS: u32 = 4096;

impl Size {
    /// `program`'s loop length N; None if the module lacks its kfunc. Calls
    /// cost from nothing to hundreds of times the empty loop.
    fn iterations(&mut self, obj: &Object, program: &ProgramMut) -> Result<Option<u32>> {
        let name = program.name().to_string_lossy().into_owned();
        if let Some(&n) = self.iterations.get(&name) {
            return Ok(Some(n));
        }
        let n = if self.short { time_once(obj, program, SHORT_ITERATIONS)?.map(|_| SHORT_ITERATIONS) } else { calibrate(obj, program)? };
        if let Some(n) = n {
            self.iterations.insert(name, n);
        }
        Ok(n)
    }

    /// Whether the loop times at N and 2N taken so far, in `runs` runs, are enough.
    fn enough(&self, at_n: &[u64], at_2n: &[u64], runs: usize) -> bool {
        let min_samples = if self.short { SHORT_SAMPLES } else { MIN_SAMPLES };
        let taken = at_n.len() >= min_samples && at_2n.len() >= min_samples;
        runs >= MAX_RUNS || (taken && (self.short || (fastest_seen_twice(at_n) && fastest_seen_twice(at_2n))))
    }
}

/// One module load: the programs it times, under each call_counting setting
/// (variant name, on?).
struct Config<'a> {
    module: &'a Path,
    all_programs: bool,
    variants: &'a [(&'a str, bool)],
}

pub fn run(out: &Path, modules: &Modules, short: bool) -> Result<()> {
    let jit_dir = out.join("jit");
    std::fs::create_dir_all(&jit_dir).with_context(|| format!("creating {}", jit_dir.display()))?;
    let configs = [
        Config { module: &modules.newest, all_programs: true, variants: &[("main", false)] },
        Config { module: &modules.newest, all_programs: false, variants: &[("off", false), ("on", true), ("off_again", false)] },
        Config { module: &modules.no_counting, all_programs: false, variants: &[("no_code", false)] },
        Config { module: &modules.api2, all_programs: false, variants: &[("api2", false)] },
    ];
    let mut variants = Map::new();
    let mut api_levels = Map::new();
    let mut verification = Value::Null;
    let mut empty_loops = Map::new();
    let mut size = Size { short, iterations: BTreeMap::new() };
    let insmod = insmod_samples(&modules.newest, if short { SHORT_SAMPLES } else { MIN_SAMPLES })?;
    for (i, config) in configs.iter().enumerate() {
        let module = LoadedModule::insert(config.module).with_context(|| format!("insmod {}", config.module.display()))?;
        sysfs::write("policy", "warn").context("setting policy warn")?;
        let api_level = sysfs::read("api_level");
        let obj = ObjectBuilder::default().open_memory(BENCH_OBJ)?.load().context("loading bench.bpf.o")?;
        check_calls(&obj)?;
        if i == 0 {
            dump_jit(&obj, &jit_dir)?;
            empty_loops = empty_loops_of(&obj)?;
        }
        for (name, timings) in time_config(&obj, config, &mut size)? {
            api_levels.insert(name.clone(), json!(api_level));
            variants.insert(name, Value::Object(timings));
        }
        if i == 0 {
            verification = verify(if short { SHORT_SAMPLES } else { MIN_SAMPLES })?;
        }
        drop(obj);
        module.remove().with_context(|| format!("rmmod after {}", config.module.display()))?;
    }
    let run = json!({
        "arch": std::env::consts::ARCH,
        "kernel": nix::sys::utsname::uname()?.release().to_string_lossy(),
        "iterations": size.iterations,
        "short": short,
        "clocksource": std::fs::read_to_string(CLOCKSOURCE).map(|s| s.trim().to_string()).unwrap_or_else(|e| format!("unknown ({e})")),
        "possible_cpus": cpu_count(POSSIBLE_CPUS)?,
        "online_cpus": cpu_count(ONLINE_CPUS)?,
        "api_levels": api_levels,
        "empty_loops": empty_loops,
        "variants": variants,
        "verify": verification,
        "insmod": insmod,
    });
    let path = out.join("run.json");
    std::fs::write(&path, serde_json::to_string_pretty(&run)?).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// Guest instructions of each of `samples` init_module(2) calls of the
/// module at `path`, from memory (reading the file is not the module's
/// cost); it is removed after each.
fn insmod_samples(path: &Path, samples: usize) -> Result<Vec<u64>> {
    let image = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    (0..samples)
        .map(|_| {
            let start = Instant::now();
            let module = LoadedModule::insert_image(&image).with_context(|| format!("init_module {}", path.display()))?;
            let insns = u64::try_from(start.elapsed().as_nanos()).context("an init_module beyond u64 instructions")?;
            module.remove().with_context(|| format!("rmmod after timing the load of {}", path.display()))?;
            Ok(insns)
        })
        .collect()
}

const CLOCKSOURCE: &str = "/sys/devices/system/clocksource/clocksource0/current_clocksource";

/// The CPUs the guest kernel may ever bring up: what per-CPU walks cost.
const POSSIBLE_CPUS: &str = "/sys/devices/system/cpu/possible";
/// The CPUs up now.
const ONLINE_CPUS: &str = "/sys/devices/system/cpu/online";

/// How many CPUs a sysfs CPU list ("0-63", "0,2-3") names.
fn cpu_count(list_path: &str) -> Result<u32> {
    let list = std::fs::read_to_string(list_path).with_context(|| list_path.to_string())?;
    let mut count = 0;
    for range in list.trim().split(',') {
        let (first, last) = range.split_once('-').unwrap_or((range, range));
        let (first, last): (u32, u32) =
            (first.parse().with_context(|| format!("{list_path}: {list}"))?, last.parse().with_context(|| format!("{list_path}: {list}"))?);
        count += last + 1 - first;
    }
    Ok(count)
}

/// Per program: the empty loop its timing is taken over, the one in the same section.
fn empty_loops_of(obj: &Object) -> Result<Map<String, Value>> {
    let empty: BTreeMap<String, String> = obj
        .progs()
        .filter(|p| p.name().to_string_lossy().ends_with(EMPTY_LOOP))
        .map(|p| (p.section().to_string_lossy().into_owned(), p.name().to_string_lossy().into_owned()))
        .collect();
    obj.progs()
        .filter(|p| !p.name().to_string_lossy().starts_with(CHECK_PREFIX))
        .map(|p| {
            let (name, section) = (p.name().to_string_lossy(), p.section().to_string_lossy());
            let baseline = empty.get(section.as_ref()).with_context(|| format!("{name}: bench.bpf.c has no *{EMPTY_LOOP} in {section}"))?;
            Ok((name.into_owned(), json!(baseline)))
        })
        .collect()
}

/// The loop length N at which `program`'s loop of 2N runs about
/// LOOP_TARGET_INSNS; None if not offered. From the smallest of a few
/// runs, so that a tick in one does not shorten N.
fn calibrate(obj: &Object, program: &ProgramMut) -> Result<Option<u32>> {
    const PROBE: u32 = 64;
    let mut fastest = u64::MAX;
    for _ in 0..3 {
        let Some(timing) = time_once(obj, program, PROBE)? else { return Ok(None) };
        fastest = fastest.min(timing.fastest());
    }
    let per_iteration = (fastest / u64::from(PROBE)).max(1);
    Ok(Some((LOOP_TARGET_INSNS / 2 / per_iteration).clamp(MIN_ITERATIONS.into(), MAX_ITERATIONS.into()) as u32))
}

/// Runs every check_ program once: a kfunc that fails on the benchmark's
/// arguments is an error (time_once says which), not a fast row.
fn check_calls(obj: &Object) -> Result<()> {
    for check in obj.progs_mut().filter(|p| p.name().to_string_lossy().starts_with(CHECK_PREFIX)) {
        time_once(obj, &check, 1)?;
    }
    Ok(())
}

/// Per variant: program name -> {iterations: N, at_n: [loop times], at_2n:
/// [loop times]} (null where the module lacks the kfunc).
fn time_config(obj: &Object, config: &Config, size: &mut Size) -> Result<Vec<(String, Map<String, Value>)>> {
    let programs: Vec<ProgramMut> = obj
        .progs_mut()
        .filter(|p| {
            let name = p.name().to_string_lossy();
            if name.starts_with(CHECK_PREFIX) {
                return false;
            }
            config.all_programs || name.ends_with(EMPTY_LOOP) || name.starts_with("kfunc_")
        })
        .collect();
    let mut results: Vec<(String, Map<String, Value>)> = config.variants.iter().map(|(name, _)| (name.to_string(), Map::new())).collect();
    for program in &programs {
        let name = program.name().to_string_lossy().into_owned();
        for ((_, counting), (_, timings)) in config.variants.iter().zip(results.iter_mut()) {
            sysfs::write("call_counting", if *counting { "1" } else { "0" }).context("writing call_counting")?;
            let Some(n) = size.iterations(obj, program)? else {
                timings.insert(name.clone(), Value::Null);
                continue;
            };
            // One untimed call first: a deprecated kfunc's call-time
            // warning (a printk, then its static branch patched out, once
            // per 10 s) lands there, and the loop times the quiet path
            // that every other call of those 10 s takes. The iterations
            // were sized under the newest build: an older one (api2) may
            // not offer the kfunc.
            if time_once(obj, program, 1)?.is_none() {
                timings.insert(name.clone(), Value::Null);
                continue;
            }
            let (mut at_n, mut at_2n) = (Vec::new(), Vec::new());
            let mut runs = 0;
            while !size.enough(&at_n, &at_2n, runs) {
                for (iterations, samples) in [(n, &mut at_n), (2 * n, &mut at_2n)] {
                    let timing = time_once(obj, program, iterations)?.with_context(|| format!("{name} was offered, then not"))?;
                    samples.extend(timing.elapsed_ns);
                }
                runs += 1;
            }
            timings.insert(name.clone(), json!({"iterations": n, "at_n": at_n, "at_2n": at_2n}));
        }
    }
    sysfs::write("call_counting", "0").context("writing call_counting")?;
    Ok(results)
}

/// Whether the smallest of `samples` occurs at least twice: a loop no
/// interrupt disturbed, as two disturbed runs do not cost the same.
pub fn fastest_seen_twice(samples: &[u64]) -> bool {
    samples.iter().min().is_some_and(|fastest| samples.iter().filter(|s| *s == fastest).count() >= 2)
}

/// What one timed run measured: each loop's time (one for a syscall
/// program, one per event for an event program).
struct Timing {
    elapsed_ns: Vec<u64>,
}

impl Timing {
    fn fastest(&self) -> u64 {
        self.elapsed_ns.iter().copied().min().unwrap_or(u64::MAX)
    }
}

/// The dev and inode of this process's pid namespace, as
/// bpf_get_ns_current_pid_tgid() takes them.
fn pid_namespace() -> Result<(u64, u64)> {
    let ns = std::fs::metadata("/proc/self/ns/pid").context("stat /proc/self/ns/pid")?;
    Ok((ns.dev(), ns.ino()))
}

/// One run of `program` with loops of `iterations`: a BPF_PROG_TEST_RUN,
/// or its event made to happen. None if the kfunc is not offered.
fn time_once(obj: &Object, program: &ProgramMut, iterations: u32) -> Result<Option<Timing>> {
    let name = program.name().to_string_lossy();
    let (outcome, timing) = match Event::of(&program.section().to_string_lossy())? {
        None => {
            // struct bench_ctx: iterations, pid, elapsed_ns (written back by
            // the kernel), pidns_dev, pidns_ino.
            let (pidns_dev, pidns_ino) = pid_namespace()?;
            let mut ctx = [0u8; 32];
            ctx[0..4].copy_from_slice(&iterations.to_ne_bytes());
            ctx[4..8].copy_from_slice(&std::process::id().to_ne_bytes());
            ctx[16..24].copy_from_slice(&pidns_dev.to_ne_bytes());
            ctx[24..32].copy_from_slice(&pidns_ino.to_ne_bytes());
            let input = ProgramInput { context_in: Some(&mut ctx), ..Default::default() };
            let ret = program.test_run(input).with_context(|| format!("test run of {name}"))?.return_value;
            let elapsed_ns = u64::from_ne_bytes(ctx[8..16].try_into().expect("8 bytes"));
            (ret, Timing { elapsed_ns: vec![elapsed_ns] })
        }
        Some(event) => {
            let timing = event::time(obj, program, &event, iterations)?;
            (timing.outcome, Timing { elapsed_ns: timing.elapsed_ns })
        }
    };
    match outcome {
        0 => Ok(Some(timing)),
        NOT_OFFERED => Ok(None),
        CALL_FAILED => bail!(
            "{name}: the kfunc fails on the benchmark's arguments, so its loop would time an error path; give it arguments in BENCH_ARGS (selftests/build.rs)"
        ),
        other => bail!("{name} returned {other}"),
    }
}

/// Writes each program's JIT image to DIR/NAME.bin for the host to disassemble.
fn dump_jit(obj: &Object, dir: &Path) -> Result<()> {
    for program in obj.progs() {
        let fd = program.as_fd().as_raw_fd();
        let mut info = libbpf_sys::bpf_prog_info::default();
        let mut len = std::mem::size_of_val(&info) as u32;
        // SAFETY: info is a bpf_prog_info of len bytes with no buffers requested.
        let rc = unsafe { libbpf_sys::bpf_prog_get_info_by_fd(fd, &mut info, &mut len) };
        ensure!(rc == 0, "BPF_OBJ_GET_INFO_BY_FD: {}", std::io::Error::last_os_error());
        let mut image = vec![0u8; info.jited_prog_len as usize];
        let mut want = libbpf_sys::bpf_prog_info { jited_prog_len: info.jited_prog_len, ..Default::default() };
        want.jited_prog_insns = image.as_mut_ptr() as u64;
        len = std::mem::size_of_val(&want) as u32;
        // SAFETY: jited_prog_insns points at jited_prog_len writable bytes that outlive the call.
        let rc = unsafe { libbpf_sys::bpf_prog_get_info_by_fd(fd, &mut want, &mut len) };
        ensure!(rc == 0, "BPF_OBJ_GET_INFO_BY_FD (JIT image): {}", std::io::Error::last_os_error());
        ensure!(!image.is_empty(), "{:?} has no JIT image: is the BPF JIT on?", program.name());
        let path = dir.join(format!("{}.bin", program.name().to_string_lossy()));
        std::fs::write(&path, &image).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// libbpf's debug output, which holds the verifier log of a load with log_level set.
static LIBBPF_LOG: Mutex<String> = Mutex::new(String::new());

fn capture(level: PrintLevel, msg: String) {
    if level == PrintLevel::Warn {
        eprint!("{msg}");
    }
    LIBBPF_LOG.lock().expect("log lock").push_str(&msg);
}

/// Per program of the pair, per repetition: libbpf's whole load() and the
/// verifier's own time (log_level BPF_LOG_STATS's line), both in the
/// guest's clock (under instruction counting, instructions), and the
/// instructions the verifier processed.
fn verify(reps: usize) -> Result<Value> {
    let previous = libbpf_rs::get_print();
    libbpf_rs::set_print(Some((PrintLevel::Debug, capture)));
    let result = verify_reps(reps);
    libbpf_rs::set_print(previous);
    result
}

fn verify_reps(reps: usize) -> Result<Value> {
    let mut out = Map::new();
    for _ in 0..reps {
        for name in VERIFY_PROGRAMS {
            let mut open = ObjectBuilder::default().open_memory(VERIFY_OBJ)?;
            for mut program in open.progs_mut() {
                let chosen = program.name() == name;
                program.set_autoload(chosen);
                if chosen {
                    program.set_log_level(4); // BPF_LOG_STATS
                }
            }
            LIBBPF_LOG.lock().expect("log lock").clear();
            let start = Instant::now();
            let obj = open.load().with_context(|| format!("loading {name}"))?;
            let wall_ns = start.elapsed().as_nanos() as u64;
            drop(obj);
            let log = LIBBPF_LOG.lock().expect("log lock").clone();
            let stat = |prefix: &str| -> Result<u64> {
                log.split(prefix)
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
                    .with_context(|| format!("no '{prefix}N' in the verifier log of {name}:\n{log}"))
            };
            let entry = out.entry(name).or_insert_with(|| json!({"wall_ns": [], "verification_usec": [], "processed_insns": []}));
            for (key, value) in
                [("wall_ns", wall_ns), ("verification_usec", stat("verification time ")?), ("processed_insns", stat("processed ")?)]
            {
                entry[key].as_array_mut().expect("built as an array").push(json!(value));
            }
        }
    }
    Ok(Value::Object(out))
}
