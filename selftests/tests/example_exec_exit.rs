//! bpf/exec_exit.bpf.c, the example tracing program: the same object runs
//! at every API level, in tp_btf and kprobe programs, and what it reports
//! for a child process matches what the parent knows about it.

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::RingBufferBuilder;
use nix::time::ClockId;
use skf_selftests::skel::exec_exit::ExecExitSkelBuilder;
use skf_selftests::task_info::run_once;
use skf_selftests::{clock_ns, LoadedModule};
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::time::Duration;

/// The C `struct event` of exec_exit.bpf.c.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct Event {
    kind: u32,
    pid: u32,
    cgroup_id: u64,
    start_time_ns: u64,
    rss_bytes: i64,
    comm_ret: i32,
    comm: [u8; 16],
}

const EXEC: u32 = 1;
const EXIT: u32 = 2;

#[test]
fn reports_a_child_exec_and_exit_with_true_values() {
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let mut open = ExecExitSkelBuilder::default().open(&mut obj).unwrap();
    open.maps.bss_data.as_deref_mut().unwrap().skip_tgid = std::process::id();
    let mut skel = open.load().expect("the one exec_exit object loads at every API level");
    skel.attach().expect("attach tp_btf/sched_process_exec and kprobe/do_exit");

    let events = RefCell::new(Vec::new());
    let mut builder = RingBufferBuilder::new();
    builder
        .add(&skel.maps.events, |data: &[u8]| {
            assert_eq!(data.len(), std::mem::size_of::<Event>());
            // SAFETY: the ring buffer record is a `struct event`, checked by size.
            events.borrow_mut().push(unsafe { std::ptr::read_unaligned(data.as_ptr().cast::<Event>()) });
            0
        })
        .unwrap();
    let ring = builder.build().unwrap();

    let before = clock_ns(ClockId::CLOCK_MONOTONIC);
    let child = std::process::Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    let status = { child }.wait().unwrap();
    let after = clock_ns(ClockId::CLOCK_MONOTONIC);
    assert!(status.success());
    for _ in 0..50 {
        ring.poll(Duration::from_millis(100)).unwrap();
        if events.borrow().iter().any(|e| e.pid == pid && e.kind == EXIT) {
            break;
        }
    }

    drop(ring);
    let events = events.into_inner();
    let cgroup = run_once(0).helper_cgroup_id;
    for kind in [EXEC, EXIT] {
        let e = events.iter().find(|e| e.pid == pid && e.kind == kind).unwrap_or_else(|| panic!("no event {kind} for pid {pid}: {events:?}"));
        let len = e.comm_ret as usize;
        assert!(e.comm_ret > 0 && &e.comm[..len] == b"true", "comm of {e:?}");
        assert_eq!(e.cgroup_id, cgroup, "a child starts in its parent's cgroup");
        assert!((before..=after).contains(&e.start_time_ns), "start time {} not in [{before}, {after}]", e.start_time_ns);
        // Since 6.2 the RSS counters are per-CPU and read approximately, so a
        // process as small as true(1) may read 0; an error may not.
        assert!(e.rss_bytes >= 0, "rss of {e:?}");
    }
}
