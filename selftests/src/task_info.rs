// SPDX-License-Identifier: GPL-2.0

//! The task_info probe (bpf/task_info.bpf.c): what every non-comm kfunc,
//! and upstream's cgroup helper, say about the calling thread.

use crate::skel::task_info::{types::bss, TaskInfoSkel, TaskInfoSkelBuilder};
use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use std::mem::MaybeUninit;

/// Runs a loaded probe on the current thread, `level` as the ancestor level.
pub fn run(skel: &mut TaskInfoSkel<'_>, level: i32) -> bss {
    skel.maps.bss_data.as_deref_mut().unwrap().ancestor_level = level;
    skel.progs.task_info.test_run(ProgramInput::default()).unwrap();
    *skel.maps.bss_data.as_deref().unwrap()
}

/// Loads the probe, runs it once and unloads it.
pub fn run_once(level: i32) -> bss {
    let mut obj = MaybeUninit::uninit();
    let mut skel = TaskInfoSkelBuilder::default().open(&mut obj).unwrap().load().expect("task_info loads at every API level");
    run(&mut skel, level)
}
