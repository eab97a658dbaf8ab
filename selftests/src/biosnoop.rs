// SPDX-License-Identifier: GPL-2.0

//! Running bpf/biosnoop.bpf.c, the block latency tracer: shared by its
//! selftest and the loader `make demo` runs (selftests/examples/biosnoop.rs).

use crate::ring::poll_events;
use crate::skel::biosnoop::BiosnoopSkelBuilder;
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use std::mem::MaybeUninit;
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

/// The C `struct event` of biosnoop.bpf.c.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub latency_ns: u64,
    pub sector: u64,
    /// As stat(2)'s st_rdev encodes it.
    pub dev: u32,
    pub bytes: u32,
    /// SKF_BLK_OP_*.
    pub op: u32,
    /// In the tracer's pid namespace; 0 where the issuer is not visible there.
    pub pid: i32,
    /// In the issuer's own pid namespace.
    pub ns_pid: i32,
    pub pidns_inum: u32,
    pub comm: [u8; 16],
}

impl Event {
    pub fn comm(&self) -> &[u8] {
        &self.comm[..self.comm.iter().position(|&c| c == 0).unwrap_or(self.comm.len())]
    }
}

/// The pid namespace of this process, by inode number.
pub fn own_pidns_inum() -> u32 {
    std::fs::metadata("/proc/self/ns/pid").expect("stat /proc/self/ns/pid").ino() as u32
}

/// Loads and attaches the tracer for requests to `only_dev` (st_rdev
/// encoding; 0: every device), calls `attached`, then hands each completed
/// request to `on_event` until it returns false or `timeout` has passed.
pub fn trace(only_dev: u32, attached: impl FnOnce(), timeout: Duration, on_event: impl FnMut(&Event) -> bool) -> libbpf_rs::Result<()> {
    let mut obj = MaybeUninit::uninit();
    let mut open = BiosnoopSkelBuilder::default().open(&mut obj)?;
    let bss = open.maps.bss_data.as_deref_mut().expect("biosnoop has a .bss");
    bss.tracer_pidns_inum = own_pidns_inum();
    bss.only_dev = only_dev;
    let mut skel = open.load()?;
    skel.attach()?;

    poll_events(&skel.maps.events, attached, timeout, on_event)
}
