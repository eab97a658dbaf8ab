// SPDX-License-Identifier: GPL-2.0

//! Each kfunc's value against an independent source of truth: procfs, the
//! clock, the scheduler's affinity, and upstream's own BPF helpers.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use nix::sched::{sched_setaffinity, CpuSet};
use nix::time::ClockId;
use nix::unistd::Pid;
use skf_selftests::skel::comm_v2::CommV2SkelBuilder;
use skf_selftests::skel::task_info::TaskInfoSkelBuilder;
use skf_selftests::task_info::{run, run_once};
use skf_selftests::{clock_ns, manifest, LoadedModule, TestEnv};
use std::mem::MaybeUninit;

/// Field `n` (1-based, as in proc(5)) of /proc/thread-self/stat.
fn stat_field(n: usize) -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the parenthesised comm, which may contain spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    rest.split_whitespace().nth(n - 3).unwrap().parse().unwrap()
}

/// The depth of this process's cgroup v2 path in /proc/self/cgroup ("0::/a/b" is 2).
fn own_cgroup_level() -> i32 {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let path = text.lines().find_map(|l| l.strip_prefix("0::"));
    // The kernel hides the v2 line until cgroup2 is first mounted; until then
    // every task is in the root.
    path.map_or(0, |p| p.split('/').filter(|c| !c.is_empty()).count() as i32)
}

#[test]
fn task_kfuncs_agree_with_procfs_clocks_and_helpers() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let cpu_before = clock_ns(ClockId::CLOCK_THREAD_CPUTIME_ID);
    let info = run_once(0);
    let cpu_after = clock_ns(ClockId::CLOCK_THREAD_CPUTIME_ID);

    assert_eq!(info.api_level, env.api, "skf_api_level() read through CO-RE");
    assert!(
        (cpu_before..=cpu_after).contains(&info.cpu_time_ns),
        "cpu time {} outside the thread's CPU clock [{cpu_before}, {cpu_after}]",
        info.cpu_time_ns
    );
    // proc(5) starttime: clock ticks since boot, USER_HZ = 100.
    let start_ticks = stat_field(22);
    let kfunc_ticks = info.start_time_ns / 10_000_000;
    assert!(kfunc_ticks.abs_diff(start_ticks) <= 1, "start time {kfunc_ticks} ticks, procfs says {start_ticks}");

    let page = 4096; // both test kernels use 4 KiB pages
    let statm_rss = std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<i64>().unwrap() * page;
    assert!(info.rss_bytes > 0, "rss {}", info.rss_bytes);
    assert!((info.rss_bytes - statm_rss).abs() <= statm_rss / 10 + 1024 * 1024, "rss {} vs statm {statm_rss}", info.rss_bytes);

    assert_eq!(info.cgroup_id, info.helper_cgroup_id, "skf_task_cgroup_id vs bpf_get_current_cgroup_id()");
    let ancestor_alive = manifest().kfunc("skf_task_cgroup_ancestor_id").unwrap().alive_at(env.api);
    assert_eq!(info.have_ancestor_kfunc != 0, ancestor_alive, "bpf_ksym_exists(skf_task_cgroup_ancestor_id)");
}

#[test]
fn cgroup_ancestor_ids_walk_up_to_the_root() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    if !manifest().kfunc("skf_task_cgroup_ancestor_id").unwrap().alive_at(env.api) {
        let info = run_once(0);
        assert_eq!(info.have_ancestor_kfunc, 0, "absent at API {}, yet bpf_ksym_exists() saw it", env.api);
        return;
    }
    let mut obj = MaybeUninit::uninit();
    let mut skel = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load().unwrap();
    // The root of cgroup v2 has id 1 (its kernfs root inode).
    assert_eq!(run(&mut skel, 0).ancestor_id, 1);
    let level = own_cgroup_level();
    let own = run(&mut skel, level);
    assert_eq!(own.ancestor_id, own.cgroup_id, "the ancestor at the task's own level is its cgroup");
    assert_eq!(run(&mut skel, level + 1).ancestor_id, 0, "beyond the task's level");
    assert_eq!(run(&mut skel, -1).ancestor_id, 0, "negative level");
}

#[test]
fn task_cpu_follows_affinity() {
    let _module = LoadedModule::insert_cell_module();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    for cpu in 0..cpus.min(2) {
        let mut set = CpuSet::new();
        set.set(cpu).unwrap();
        sched_setaffinity(Pid::from_raw(0), &set).unwrap();
        assert_eq!(run_once(0).cpu as usize, cpu, "pinned to CPU {cpu}");
    }
}

#[test]
fn comm_v2_copies_thread_or_process_name_and_truncates() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let v2_alive = manifest().kfunc("skf_task_comm_v2").unwrap().alive_at(env.api);
    let leader = manifest().flags.iter().find(|f| f.name == "SKF_COMM_GROUP_LEADER").unwrap().value;
    let process_comm = std::fs::read_to_string("/proc/self/comm").unwrap().trim_end().to_string();

    std::thread::Builder::new()
        .name("skf-worker".into())
        .spawn(move || {
            let run = |flags: u64, size: u32| {
                let mut obj = MaybeUninit::uninit();
                let mut open = CommV2SkelBuilder::default().open(&mut obj).unwrap();
                let bss = open.maps.bss_data.as_deref_mut().unwrap();
                bss.flags = flags;
                bss.buf_size = size;
                let skel = open.load().ok()?;
                skel.progs.call_comm_v2.test_run(ProgramInput::default()).unwrap();
                let out = skel.maps.bss_data.as_deref().unwrap();
                let len = out.comm.iter().position(|&c| c == 0).unwrap();
                let text: Vec<u8> = out.comm[..len].iter().map(|&c| c as u8).collect();
                Some((out.ret, String::from_utf8(text).unwrap()))
            };
            if !v2_alive {
                assert!(run(0, 16).is_none(), "skf_task_comm_v2 is not offered at this level, yet loaded");
                return;
            }
            assert_eq!(run(0, 16), Some((10, "skf-worker".to_string())), "thread name");
            assert_eq!(run(leader, 16), Some((process_comm.len() as i32, process_comm.clone())), "process name");
            assert_eq!(run(0, 4), Some((3, "skf".to_string())), "truncated to the buffer, NUL-terminated");
            let (ret, _) = run(leader << 1, 16).unwrap();
            assert_eq!(ret, -nix::libc::EINVAL, "unknown flag");
        })
        .unwrap()
        .join()
        .expect("the worker thread's checks failed");
}
