// SPDX-License-Identifier: GPL-2.0

//! The task_probe program (selftests/bpf/task_probe.bpf.c): what the API 4
//! sched, ns and mm kfuncs say about any task, looked up by its pid.

use crate::manifest;
use crate::skel::task_probe::{types::bss, TaskProbeSkelBuilder};
use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::ProgramInput;
use std::mem::MaybeUninit;
use std::os::unix::fs::MetadataExt;

/// The kfuncs the probe tests with bpf_ksym_exists(), by bit of `bss.have`
/// (build.rs's TASK_PROBED, which also numbers the program's bits).
pub const PROBED: &[&str] = include!(concat!(env!("OUT_DIR"), "/task_probed.rs"));

/// Runs the probe once on `pid` (in the initial pid namespace), seen from
/// the pid namespace with inode `loader_pidns_inum`.
pub fn probe(pid: u32, loader_pidns_inum: u32) -> bss {
    let mut obj = MaybeUninit::uninit();
    let mut open = TaskProbeSkelBuilder::default().open(&mut obj).unwrap();
    let bss = open.maps.bss_data.as_deref_mut().unwrap();
    bss.target_pid = pid as i32;
    bss.loader_pidns_inum = loader_pidns_inum;
    let skel = open.load().expect("task_probe loads at every API level");
    skel.progs.task_probe.test_run(ProgramInput::default()).unwrap();
    let out = *skel.maps.bss_data.as_deref().unwrap();
    assert_eq!(out.found, 1, "bpf_task_from_pid({pid}) found no task");
    out
}

/// Asserts the probe saw exactly the kfuncs the manifest has alive at `api`,
/// and says whether `name` is one of them.
pub fn alive(out: &bss, api: u32, name: &str) -> bool {
    let m = manifest();
    for (bit, kfunc) in PROBED.iter().enumerate() {
        let expected = m.kfunc(kfunc).unwrap_or_else(|| panic!("{kfunc} is not in the manifest")).alive_at(api);
        assert_eq!(out.have >> bit & 1 == 1, expected, "bpf_ksym_exists({kfunc}) at API {api}");
    }
    m.kfunc(name).unwrap_or_else(|| panic!("{name} is not in the manifest")).alive_at(api)
}

/// Inode number of /proc/PID/ns/KIND (`self` for PID works too).
pub fn ns_inum(pid: &str, kind: &str) -> u32 {
    let path = format!("/proc/{pid}/ns/{kind}");
    std::fs::metadata(&path).unwrap_or_else(|e| panic!("stat {path}: {e}")).ino() as u32
}

/// Field `name` of /proc/PID/status, e.g. ("123", "NSpid") -> "123\t1".
pub fn status_field(pid: &str, name: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .unwrap_or_else(|| panic!("/proc/{pid}/status has no {name}: {text}"))
        .trim()
        .to_string()
}

/// A size field of /proc/PID/status ("RssAnon:   1234 kB") in bytes.
pub fn status_bytes(pid: &str, name: &str) -> i64 {
    let field = status_field(pid, name);
    let kib = field.strip_suffix(" kB").unwrap_or_else(|| panic!("{name} is '{field}', not in kB"));
    kib.trim().parse::<i64>().unwrap() * 1024
}
