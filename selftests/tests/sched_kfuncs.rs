// SPDX-License-Identifier: GPL-2.0

//! The sched family against /proc: a child's state letter as it sleeps,
//! stops and dies, its nice value and priority, and its context switches.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use skf_selftests::task_probe::{alive, probe, status_field};
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Fields of /proc/PID/stat after the parenthesised comm, from field 3 (state) on.
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat[stat.rfind(')').unwrap() + 2..].split_whitespace().map(String::from).collect()
}

fn state_letter(pid: u32) -> char {
    stat_fields(pid)[0].chars().next().unwrap()
}

/// Waits (bounded) until /proc shows `pid` in state `letter`.
fn wait_for_state(pid: u32, letter: char) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while state_letter(pid) != letter {
        assert!(Instant::now() < deadline, "pid {pid} never reached state {letter}, is {}", state_letter(pid));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The SKF_TASK_* constant the manifest gives a /proc state letter.
fn constant_for(letter: char) -> u64 {
    let name = match letter {
        'R' => "SKF_TASK_RUNNING",
        'S' => "SKF_TASK_SLEEPING",
        'T' => "SKF_TASK_STOPPED",
        'Z' => "SKF_TASK_ZOMBIE",
        other => panic!("no test for state {other}"),
    };
    manifest().constants.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} is not in the manifest")).value
}

/// A sleeping child with nice 7, killed on drop.
struct Sleeper(Child);

impl Sleeper {
    fn spawn() -> Sleeper {
        let child = Command::new("sleep").arg("1000").spawn().expect("spawn sleep (coreutils or busybox)");
        // SAFETY: setpriority(2) on a pid we own; no memory is passed.
        let rc = unsafe { nix::libc::setpriority(nix::libc::PRIO_PROCESS, child.id(), 7) };
        assert_eq!(rc, 0, "setpriority: {}", std::io::Error::last_os_error());
        Sleeper(child)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The probe's state for `pid`, checked against /proc before and after.
fn assert_state(pid: u32, api: u32, letter: char) {
    wait_for_state(pid, letter);
    let out = probe(pid, 0);
    assert_eq!(state_letter(pid), letter, "state changed while probing");
    if alive(&out, api, "skf_task_state") {
        assert_eq!(u64::from(out.state), constant_for(letter), "skf_task_state of pid {pid} in state {letter}");
    }
}

#[test]
fn state_follows_a_child_through_sleep_stop_and_death() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let mut sleeper = Sleeper::spawn();
    let pid = sleeper.pid();
    assert_state(pid, env.api, 'S');
    kill(Pid::from_raw(pid as i32), Signal::SIGSTOP).unwrap();
    assert_state(pid, env.api, 'T');
    kill(Pid::from_raw(pid as i32), Signal::SIGCONT).unwrap();
    assert_state(pid, env.api, 'S');
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).unwrap();
    // Not reaped yet: a zombie until Sleeper's drop waits for it.
    assert_state(pid, env.api, 'Z');
    let _ = sleeper.0.wait();
}

#[test]
fn nice_prio_and_context_switches_match_proc() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let sleeper = Sleeper::spawn();
    let pid = sleeper.pid();
    // Stopped, its counters stay still while both sides read them.
    kill(Pid::from_raw(pid as i32), Signal::SIGSTOP).unwrap();
    wait_for_state(pid, 'T');
    let out = probe(pid, 0);
    let stat = stat_fields(pid);
    // proc(5): field 18 priority, field 19 nice.
    let (prio, nice): (i32, i32) = (stat[15].parse().unwrap(), stat[16].parse().unwrap());
    assert_eq!(nice, 7, "setpriority took effect");
    if alive(&out, env.api, "skf_task_nice") {
        assert_eq!(out.nice, nice, "skf_task_nice");
    }
    if alive(&out, env.api, "skf_task_prio") {
        assert_eq!(out.prio, prio, "skf_task_prio");
    }
    let voluntary: u64 = status_field(&pid.to_string(), "voluntary_ctxt_switches").parse().unwrap();
    let involuntary: u64 = status_field(&pid.to_string(), "nonvoluntary_ctxt_switches").parse().unwrap();
    assert!(voluntary > 0, "a child that slept and stopped has switched voluntarily");
    if alive(&out, env.api, "skf_task_nvcsw") {
        assert_eq!(out.nvcsw, voluntary, "skf_task_nvcsw");
    }
    if alive(&out, env.api, "skf_task_nivcsw") {
        assert_eq!(out.nivcsw, involuntary, "skf_task_nivcsw");
    }
}
