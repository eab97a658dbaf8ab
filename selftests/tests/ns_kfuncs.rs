// SPDX-License-Identifier: GPL-2.0

//! The ns family against /proc: a child in new pid, mount and network
//! namespaces, seen from its own pid namespace and from ours (NSpid,
//! NStgid), and its namespaces' inode numbers (/proc/PID/ns/*).

use nix::sched::CloneFlags;
use skf_selftests::contained::Contained;
use skf_selftests::task_probe::{alive, ns_inum, probe, status_field};
use skf_selftests::{LoadedModule, TestEnv};

/// NSpid/NStgid of /proc/PID/status: the ids from our namespace down to the task's own.
fn ns_ids(pid: &str, field: &str) -> Vec<i32> {
    status_field(pid, field).split_whitespace().map(|n| n.parse().unwrap()).collect()
}

#[test]
fn a_contained_child_is_seen_from_its_namespaces_and_ours() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let flags = CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWNET;
    // SAFETY: the child only pauses.
    let child = unsafe { Contained::spawn(flags, Contained::pause_forever) };
    let pid = child.0.to_string();
    let ours = ns_inum("self", "pid");
    let out = probe(child.0.as_raw() as u32, ours);

    let nspid = ns_ids(&pid, "NSpid");
    let nstgid = ns_ids(&pid, "NStgid");
    assert_eq!(nspid, [child.0.as_raw(), 1], "the child is init of its new pid namespace");
    if alive(&out, env.api, "skf_task_pid_in_ns") {
        assert_eq!(out.pid_loader, nspid[0], "pid in our namespace");
        assert_eq!(out.pid_own, *nspid.last().unwrap(), "pid in its own namespace");
        assert_eq!(out.pid_nowhere, 0, "no pid namespace has inode 1");
    }
    if alive(&out, env.api, "skf_task_tgid_in_ns") {
        assert_eq!(out.tgid_loader, nstgid[0], "tgid in our namespace");
        assert_eq!(out.tgid_own, *nstgid.last().unwrap(), "tgid in its own namespace");
    }
    if alive(&out, env.api, "skf_task_ns_inum") {
        for (kind, value) in [("pid", out.ns_pid), ("mnt", out.ns_mnt), ("net", out.ns_net)] {
            let inum = ns_inum(&pid, kind);
            assert_ne!(inum, ns_inum("self", kind), "the child has a {kind} namespace of its own");
            assert_eq!(value, i64::from(inum), "skf_task_ns_inum({kind}) vs /proc/{pid}/ns/{kind}");
        }
        assert_eq!(out.ns_bad_kind, -i64::from(nix::libc::EINVAL), "an unknown namespace kind");
    }
}

#[test]
fn our_own_process_is_seen_in_the_initial_namespaces() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let me = std::process::id();
    let out = probe(me, ns_inum("self", "pid"));
    if alive(&out, env.api, "skf_task_pid_in_ns") {
        assert_eq!((out.pid_own, out.pid_loader), (me as i32, me as i32), "one pid namespace: the same pid twice");
    }
    if alive(&out, env.api, "skf_task_ns_inum") {
        for (kind, value) in [("pid", out.ns_pid), ("mnt", out.ns_mnt), ("net", out.ns_net)] {
            assert_eq!(value, i64::from(ns_inum("self", kind)), "skf_task_ns_inum({kind}) of ourselves");
        }
    }
}
