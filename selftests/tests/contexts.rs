// SPDX-License-Identifier: GPL-2.0

//! Every kfunc in every context it is offered to (bpf/contexts.bpf.c, its
//! calls generated from the manifest), on the strangest objects each hands
//! over: while a workload runs (processes and threads created, exiting and
//! freed, a timer sampling every CPU, files opened, null_blk I/O, loopback
//! TCP), every (context, kfunc) pair must run, and a kfunc whose doc names
//! errnos must return no other. A splat or lockdep report
//! anywhere fails the VM run (run-vm.sh).
//!
//! Not reachable on the test machines, said here by name: NMI (TCG guests
//! have no PMU, so perf_event runs from the hrtimer interrupt instead) and
//! LSM programs (the test kernels are built without CONFIG_BPF_LSM).

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::ProgramInput;
use nix::errno::Errno;
use skf::manifest::Kfunc;
use skf_selftests::skel::contexts::{types::bss, ContextsSkelBuilder};
use skf_selftests::{manifest, workload, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// The contexts of contexts.bpf.c's `enum context`, in its order: (name,
/// the object the kfuncs get, the program type).
const CONTEXTS: &[(&str, &str, &str)] = &[
    ("tp_btf/sched_switch prev", "task_struct", "tracing"),
    ("tp_btf/sched_switch next", "task_struct", "tracing"),
    ("tp_btf/sched_process_exit", "task_struct", "tracing"),
    ("tp_btf/sched_process_free", "task_struct", "tracing"),
    ("tp_btf/task_newtask", "task_struct", "tracing"),
    ("perf_event (timer interrupt), current", "task_struct", "tracing"),
    ("kprobe/vfs_open, current", "task_struct", "kprobe"),
    ("syscall, bpf_task_from_pid", "task_struct", "syscall"),
    ("tp_btf/block_rq_issue", "request", "tracing"),
    ("tp_btf/block_rq_complete", "request", "tracing"),
    ("tp_btf/inet_sock_set_state", "sock", "tracing"),
];

/// How long the workload may take to reach every context (an RCU grace
/// period frees tasks; TCG guests are slow).
const REACH_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether context `c` may call `k` at `api`: the kfunc is alive, offered to
/// the context's program type, and takes the context's object.
fn reaches(c: usize, k: &Kfunc, api: u32) -> bool {
    let (_, object, prog_type) = CONTEXTS[c];
    k.alive_at(api)
        && k.prog_types.iter().any(|t| t == prog_type)
        && k.proto().params.first().is_some_and(|p| p.ty == skf::proto::CType::StructPtr(object.into()))
}

/// The errnos `k`'s doc names ("-ESRCH", "-EINVAL", ...).
fn documented_errnos(k: &Kfunc) -> Vec<Errno> {
    k.doc
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter_map(|word| word.strip_prefix("-E"))
        .filter_map(|name| (1..134).map(Errno::from_raw).find(|e| format!("{e:?}") == format!("E{name}")))
        .collect()
}

/// The errnos whose bits are set (bit e: -e returned; 127: larger).
fn errnos_of(bits: [u64; 2]) -> Vec<i32> {
    (1..128).filter(|&e| bits[e as usize >> 6] & (1 << (e & 63)) != 0).collect()
}

/// Processes and threads made, exiting and reaped; files opened.
fn churn_tasks() {
    for _ in 0..4 {
        let status = std::process::Command::new("/bin/true").status().expect("run /bin/true");
        assert!(status.success());
        std::thread::spawn(|| std::fs::read("/proc/self/stat").expect("read /proc/self/stat")).join().unwrap();
    }
}

/// A cpu-clock sampling event on each online CPU, 1000 samples a second:
/// its program runs from the timer interrupt on whatever it interrupts.
fn sampling_events() -> Vec<OwnedFd> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (0..cpus)
        .map(|cpu| {
            let mut attr = libbpf_rs::libbpf_sys::perf_event_attr {
                type_: libbpf_rs::libbpf_sys::PERF_TYPE_SOFTWARE,
                size: std::mem::size_of::<libbpf_rs::libbpf_sys::perf_event_attr>() as u32,
                config: libbpf_rs::libbpf_sys::PERF_COUNT_SW_CPU_CLOCK as u64,
                ..Default::default()
            };
            attr.__bindgen_anon_1.sample_freq = 1000;
            attr.set_freq(1);
            // SAFETY: perf_event_open(2) with a valid attr; the fd is ours.
            let fd = unsafe { nix::libc::syscall(nix::libc::SYS_perf_event_open, &attr, -1, cpu as i32, -1, 0) };
            assert!(fd >= 0, "perf_event_open(cpu-clock, cpu {cpu}): {}", std::io::Error::last_os_error());
            // SAFETY: a new fd that we own.
            unsafe { OwnedFd::from_raw_fd(fd as i32) }
        })
        .collect()
}

#[test]
fn every_kfunc_in_every_context_returns_a_documented_value_or_errno() {
    let env = TestEnv::get();
    let m = manifest();
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let mut skel = ContextsSkelBuilder::default().open(&mut obj).unwrap().load().expect("contexts.bpf.c loads at every level");
    skel.attach().expect("attach the tp_btf and kprobe programs");
    // The link owns the event: libbpf closes it when the link goes.
    let samples: Vec<_> = sampling_events()
        .into_iter()
        .map(|fd| skel.progs.on_sample.attach_perf_event(fd.into_raw_fd()).expect("attach perf_event"))
        .collect();

    // The syscall program on init, kthreadd (a kernel thread) and us.
    for pid in [1, 2, std::process::id() as i32] {
        let mut args = pid.to_ne_bytes();
        let out = skel.progs.on_syscall.test_run(ProgramInput { context_in: Some(&mut args), ..Default::default() }).unwrap();
        assert_eq!(out.return_value, 0, "bpf_task_from_pid({pid}) found no task");
    }
    let all_reached = |bss: &bss| {
        (0..CONTEXTS.len())
            .all(|c| m.kfuncs.iter().enumerate().all(|(k, kfunc)| !reaches(c, kfunc, env.api) || bss.outcomes[c][k].calls > 0))
    };
    let start = Instant::now();
    while start.elapsed() < REACH_TIMEOUT && !all_reached(skel.maps.bss_data.as_deref().unwrap()) {
        churn_tasks();
        workload::null_blk_writes(1).expect("null_blk I/O");
        workload::tcp_reads(1).expect("loopback TCP");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(samples);
    let outcomes = skel.maps.bss_data.as_deref().unwrap().outcomes;

    let mut wrong = Vec::new();
    for (c, (context, _, _)) in CONTEXTS.iter().enumerate() {
        for (k, kfunc) in m.kfuncs.iter().enumerate() {
            let o = outcomes[c][k];
            if !reaches(c, kfunc, env.api) {
                if o.calls != 0 {
                    wrong.push(format!("{context}: {} ran, though API {} does not offer it there", kfunc.name, env.api));
                }
                continue;
            }
            if o.calls == 0 {
                wrong.push(format!("{context}: {} never ran in {REACH_TIMEOUT:?} of workload", kfunc.name));
            }
            // A kfunc whose doc names no errno returns values only, some negative (nice, prio).
            let documented = documented_errnos(kfunc);
            for e in errnos_of(o.errnos).into_iter().filter(|_| !documented.is_empty()) {
                if !documented.contains(&Errno::from_raw(e)) {
                    wrong.push(format!(
                        "{context}: {} returned -{:?} ({e}), which its doc does not name: {}",
                        kfunc.name,
                        Errno::from_raw(e),
                        kfunc.doc
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} findings:\n{}", wrong.len(), wrong.join("\n"));
}
