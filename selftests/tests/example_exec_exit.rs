// SPDX-License-Identifier: GPL-2.0

//! bpf/exec_exit.bpf.c, the example tracing program: the same object runs
//! at every API level, in tp_btf and kprobe programs, and what it reports
//! for a child process matches what the parent knows about it.

use nix::time::ClockId;
use skf_selftests::exec_exit::{trace, EXEC, EXIT};
use skf_selftests::task_info::run_once;
use skf_selftests::{clock_ns, LoadedModule};
use std::cell::Cell;
use std::time::Duration;

#[test]
fn reports_a_child_exec_and_exit_with_true_values() {
    let _module = LoadedModule::insert_cell_module();
    let (before, after, pid) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let mut events = Vec::new();
    let spawn_true = || {
        before.set(clock_ns(ClockId::CLOCK_MONOTONIC));
        let child = std::process::Command::new("true").spawn().expect("spawn true");
        pid.set(child.id());
        assert!({ child }.wait().unwrap().success());
        after.set(clock_ns(ClockId::CLOCK_MONOTONIC));
    };
    trace(spawn_true, Duration::from_secs(5), |e| {
        events.push(*e);
        !(e.pid == pid.get() && e.kind == EXIT)
    })
    .expect("the one exec_exit object loads and attaches at every API level");
    let (before, after, pid) = (before.get(), after.get(), pid.get());

    let cgroup = run_once(0).helper_cgroup_id;
    for kind in [EXEC, EXIT] {
        let e =
            events.iter().find(|e| e.pid == pid && e.kind == kind).unwrap_or_else(|| panic!("no event {kind} for pid {pid}: {events:?}"));
        assert!(e.comm_ret > 0 && e.comm() == b"true", "comm of {e:?}");
        assert_eq!(e.cgroup_id, cgroup, "a child starts in its parent's cgroup");
        assert!((before..=after).contains(&e.start_time_ns), "start time {} not in [{before}, {after}]", e.start_time_ns);
        // Since 6.2 the RSS counters are per-CPU and read approximately, so a
        // process as small as true(1) may read 0; an error may not.
        assert!(e.rss_bytes >= 0, "rss of {e:?}");
    }
}
