// SPDX-License-Identifier: GPL-2.0

//! Running bpf/exec_exit.bpf.c, the example tracer: shared by its selftest
//! and the loader `make demo` runs (selftests/examples/exec_exit.rs).

use crate::ring::poll_events;
use crate::skel::exec_exit::ExecExitSkelBuilder;
use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use std::mem::MaybeUninit;
use std::time::Duration;

/// The C `struct event` of exec_exit.bpf.c.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub kind: u32,
    pub pid: u32,
    pub cgroup_id: u64,
    pub start_time_ns: u64,
    /// -errno where the kernel could not say.
    pub rss_bytes: i64,
    /// Length of comm, or -errno.
    pub comm_ret: i32,
    pub comm: [u8; 16],
}

pub const EXEC: u32 = 1;
pub const EXIT: u32 = 2;

impl Event {
    pub fn comm(&self) -> &[u8] {
        &self.comm[..usize::try_from(self.comm_ret).unwrap_or(0).min(self.comm.len())]
    }
}

/// Loads and attaches the tracer (ignoring this process), calls `attached`,
/// then hands each event to `on_event` until it returns false or `timeout`
/// has passed.
pub fn trace(attached: impl FnOnce(), timeout: Duration, on_event: impl FnMut(&Event) -> bool) -> libbpf_rs::Result<()> {
    let mut obj = MaybeUninit::uninit();
    let mut open = ExecExitSkelBuilder::default().open(&mut obj)?;
    open.maps.bss_data.as_deref_mut().expect("exec_exit has a .bss").skip_tgid = std::process::id();
    let mut skel = open.load()?;
    skel.attach()?;

    poll_events(&skel.maps.events, attached, timeout, on_event)
}
