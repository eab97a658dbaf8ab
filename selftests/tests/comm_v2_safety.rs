// SPDX-License-Identifier: GPL-2.0

//! skf_task_comm_v2 where it used to be unsafe: the group leader of a
//! thread whose process has exited, or of a running thread past its exit
//! (use-after-frees), and the BPF buffer on error (left as it was, where
//! upstream helpers zero it).

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use libbpf_rs::ProgramInput;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, gettid, pipe, ForkResult, Pid};
use skf_selftests::skel::comm_v2::CommV2SkelBuilder;
use skf_selftests::skel::leader_last_switch::LeaderLastSwitchSkelBuilder;
use skf_selftests::skel::task_kptr::TaskKptrSkelBuilder;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::fs::File;
use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::time::Duration;

fn v2_alive(api: u32) -> bool {
    manifest().kfunc("skf_task_comm_v2").expect("manifest declares skf_task_comm_v2").alive_at(api)
}

fn text(comm: &[i8]) -> String {
    let bytes: Vec<u8> = comm.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A child process with a second thread: (its pid, the thread's tid, the
/// write end of a pipe whose closing makes the whole process exit).
fn child_with_a_thread() -> (Pid, i32, File) {
    let (tid_read, tid_write) = pipe().unwrap();
    let (exit_read, exit_write) = pipe().unwrap();
    // SAFETY: the child only spawns a thread and uses pipes before _exit; the
    // harness's other thread waits on a channel, holding no lock we need.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            drop((tid_read, exit_write));
            let (mut tid_write, mut exit_read) = (File::from(tid_write), File::from(exit_read));
            std::thread::scope(|s| {
                // Named, so its comm tells it apart from the leader's.
                let _ = std::thread::Builder::new().name("skf-thread".into()).spawn_scoped(s, move || {
                    let _ = tid_write.write_all(&gettid().as_raw().to_ne_bytes());
                    let _ = exit_read.read(&mut [0u8]);
                    // SAFETY: exit_group(2): the whole process goes, this thread included.
                    unsafe { nix::libc::_exit(0) }
                });
            });
            // SAFETY: only reached if the thread could not run.
            unsafe { nix::libc::_exit(1) }
        }
        ForkResult::Parent { child } => {
            drop((tid_write, exit_read));
            let mut tid = [0u8; 4];
            File::from(tid_read).read_exact(&mut tid).expect("the child did not report its thread");
            (child, i32::from_ne_bytes(tid), File::from(exit_write))
        }
    }
}

#[test]
fn process_name_of_a_thread_whose_process_was_reaped_is_esrch() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    // clang 14 (Debian bookworm's) emits no BTF type tags, so its __kptr
    // field is a plain pointer and the verifier refuses bpf_kptr_xchg.
    let skel = TaskKptrSkelBuilder::default()
        .open(&mut obj)
        .unwrap()
        .load()
        .expect("task_kptr must load at every level; 'R1 has no valid kptr' means the selftests were built with clang < 15, which drops btf_type_tag: build them with clang >= 15");

    let (child, tid, exit_pipe) = child_with_a_thread();
    let mut args = tid.to_ne_bytes();
    let stashed = skel.progs.stash_task.test_run(ProgramInput { context_in: Some(&mut args), ..Default::default() }).unwrap();
    assert_eq!(stashed.return_value, 0, "stash_task could not take a reference on thread {tid}");

    let leader_comm = || {
        let out = skel.progs.stashed_leader_comm.test_run(ProgramInput::default()).unwrap();
        assert_eq!(out.return_value, 0, "stashed_leader_comm found no stashed task");
        let bss = skel.maps.bss_data.as_deref().unwrap();
        (bss.have_comm_v2 != 0, bss.ret, text(&bss.comm))
    };
    let (have_v2, ret, comm) = leader_comm();
    assert_eq!(have_v2, v2_alive(env.api), "bpf_ksym_exists(skf_task_comm_v2) disagrees with the manifest at API {}", env.api);
    if !have_v2 {
        drop(exit_pipe);
        waitpid(child, None).unwrap();
        return;
    }
    // The child's leader took its name from the thread that forked it (the
    // harness names test threads), so ask the kernel, not /proc/self.
    let process_comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap().trim_end().to_string();
    let thread_comm = std::fs::read_to_string(format!("/proc/{child}/task/{tid}/comm")).unwrap().trim_end().to_string();
    assert_ne!(process_comm, thread_comm, "the test needs a thread named apart from its leader");
    assert_eq!((ret, comm.as_str()), (process_comm.len() as i32, process_comm.as_str()), "live thread: its process name");

    drop(exit_pipe);
    assert_eq!(waitpid(child, None).unwrap(), WaitStatus::Exited(child, 0), "the child must exit through its thread");
    // Reaped: its leader is released and freed after an RCU grace period.
    std::thread::sleep(Duration::from_millis(200));
    let (_, ret, comm) = leader_comm();
    assert_eq!(ret, -nix::libc::ESRCH, "the leader of an exited thread must not be read (got '{comm}')");
    assert_eq!(comm, "", "the buffer must be zeroed on error");
}

#[test]
fn buffer_is_zeroed_on_error() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let leader = manifest().flags.iter().find(|f| f.name == "SKF_COMM_GROUP_LEADER").unwrap().value;
    let mut obj = MaybeUninit::uninit();
    let mut open = CommV2SkelBuilder::default().open(&mut obj).unwrap();
    let bss = open.maps.bss_data.as_deref_mut().unwrap();
    bss.flags = leader << 1;
    bss.comm = [-1; 16];
    let Ok(skel) = open.load() else {
        assert!(!v2_alive(env.api), "skf_task_comm_v2 is offered at API {}, yet comm_v2 did not load", env.api);
        return;
    };
    assert!(v2_alive(env.api), "skf_task_comm_v2 is not offered at API {}, yet comm_v2 loaded", env.api);
    skel.progs.call_comm_v2.test_run(ProgramInput::default()).unwrap();
    let out = skel.maps.bss_data.as_deref().unwrap();
    assert_eq!(out.ret, -nix::libc::EINVAL, "an unknown flag is refused");
    assert_eq!(out.comm, [0; 16], "the whole buffer must be zeroed on error, as bpf_get_current_comm() does");
}

/// A child whose leader exits first (a zombie, kept for its thread group),
/// then its thread, released in exit_notify() with the leader along with it,
/// runs to its last context switch. Returns (its pid, the write end of the
/// pipe whose closing makes the thread exit).
fn child_outliving_its_leader() -> (Pid, File) {
    let (exit_read, exit_write) = pipe().unwrap();
    // SAFETY: as in child_with_a_thread: the child spawns a thread, reads a
    // pipe and makes raw exit syscalls.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            drop(exit_write);
            let mut exit_read = File::from(exit_read);
            let spawned = std::thread::Builder::new().name("skf-survivor".into()).spawn(move || {
                let _ = exit_read.read(&mut [0u8]);
                // SAFETY: exit(2), the thread only: the last one ends the process.
                unsafe { nix::libc::syscall(nix::libc::SYS_exit, 0) };
            });
            // SAFETY: exit(2) of the leader alone; with no thread, _exit(1).
            unsafe {
                if spawned.is_ok() {
                    nix::libc::syscall(nix::libc::SYS_exit, 0);
                }
                nix::libc::_exit(1)
            }
        }
        ForkResult::Parent { child } => {
            drop(exit_read);
            (child, File::from(exit_write))
        }
    }
}

/// The state letter of /proc/PID/stat (the leader's, for a process).
fn proc_state(pid: Pid) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat.rsplit(')').next().and_then(|rest| rest.trim_start().chars().next()).unwrap()
}

/// Found by review: the running task's group leader was read without RCU or
/// pid_alive(), but a thread past exit_notify() still runs, and its leader
/// may be released and freed by then (a use-after-free from
/// tp_btf/sched_switch on prev, fentry on late exit paths, or IRQ and NMI
/// programs interrupting the dying thread).
#[test]
fn process_name_in_a_threads_last_switch_after_its_leader_exited_is_esrch() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let mut skel = LeaderLastSwitchSkelBuilder::default().open(&mut obj).unwrap().load().expect("leader_last_switch loads at every level");
    skel.attach().expect("attach tp_btf/sched_switch");

    let (child, exit_pipe) = child_outliving_its_leader();
    skel.maps.bss_data.as_deref_mut().unwrap().target_tgid = child.as_raw();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while proc_state(child) != 'Z' {
        assert!(std::time::Instant::now() < deadline, "the child's leader did not exit ahead of its thread");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(exit_pipe);
    assert_eq!(waitpid(child, None).unwrap(), WaitStatus::Exited(child, 0), "the child must end with its thread's exit(0)");

    let out = skel.maps.bss_data.as_deref().unwrap();
    assert_eq!(
        out.have_comm_v2 != 0,
        v2_alive(env.api),
        "bpf_ksym_exists(skf_task_comm_v2) disagrees with the manifest at API {}",
        env.api
    );
    if !v2_alive(env.api) {
        return;
    }
    assert_eq!(out.seen, 1, "the thread's last switch (prev_state TASK_DEAD) was not seen exactly once");
    assert_eq!(out.ret, -nix::libc::ESRCH, "a released thread's leader must not be read (got '{}')", text(&out.comm));
    assert_eq!(out.comm, [0; 16], "the buffer must be zeroed on error");
}
