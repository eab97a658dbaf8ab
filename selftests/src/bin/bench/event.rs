// SPDX-License-Identifier: GPL-2.0

//! The loops timed on real events (bench.bpf.c's second half): one program
//! attached at a time while the guest makes its event happen, each event
//! writing its loop's time to the event_timing map.

use anyhow::{bail, ensure, Context, Result};
use libbpf_rs::{MapCore, MapFlags, Object, ProgramMut};
use skf_selftests::workload;

/// Events per timed run: each runs the whole loop. bench.bpf.c keeps this
/// many loop times (EVENT_SAMPLES).
const EVENTS_PER_RUN: usize = 16;

/// What makes an event program run.
pub enum Event {
    /// tp_btf/block_rq_issue: a null_blk write.
    BlockIo,
    /// tp_btf/tcp_rcv_space_adjust: a TCP read over loopback.
    TcpRead,
}

impl Event {
    /// The event behind a program of section `section`; None for a syscall program.
    pub fn of(section: &str) -> Result<Option<Event>> {
        match section {
            "syscall" => Ok(None),
            "tp_btf/block_rq_issue" => Ok(Some(Event::BlockIo)),
            "tp_btf/tcp_rcv_space_adjust" => Ok(Some(Event::TcpRead)),
            other => bail!("bench.bpf.c has a program in section {other}, which the benchmark cannot trigger (bench/event.rs)"),
        }
    }

    fn happen(&self, times: usize) -> std::io::Result<()> {
        match self {
            Event::BlockIo => workload::null_blk_writes(times),
            Event::TcpRead => workload::tcp_reads(times),
        }
    }
}

/// struct event_timing of bench.bpf.c: what one timed run measured.
pub struct EventTiming {
    /// 0, or the code a syscall program would return (NOT_OFFERED, CALL_FAILED).
    pub outcome: u32,
    /// Each event's loop time.
    pub elapsed_ns: Vec<u64>,
}

const EVENT_TIMING_SIZE: usize = 16 + 8 * EVENTS_PER_RUN;

/// Attaches `program`, makes its event happen EVENTS_PER_RUN times with
/// loops of `iterations`, and returns what the events measured.
pub fn time(obj: &Object, program: &ProgramMut, event: &Event, iterations: u32) -> Result<EventTiming> {
    let map = obj.maps().find(|m| m.name() == "event_timing").context("bench.bpf.o has no event_timing map")?;
    let key = 0u32.to_ne_bytes();
    let mut start = [0u8; EVENT_TIMING_SIZE];
    start[0..4].copy_from_slice(&iterations.to_ne_bytes());
    map.update(&key, &start, MapFlags::ANY).context("resetting event_timing")?;
    let name = program.name().to_string_lossy();
    let link = program.attach().with_context(|| format!("attaching {name}"))?;
    event.happen(EVENTS_PER_RUN).with_context(|| format!("making {name}'s event happen"))?;
    drop(link);
    let value = map.lookup(&key, MapFlags::ANY).context("reading event_timing")?.context("event_timing has no entry 0")?;
    ensure!(value.len() == EVENT_TIMING_SIZE, "event_timing's value is {} bytes, struct event_timing {EVENT_TIMING_SIZE}", value.len());
    let u64_at = |at: usize| u64::from_ne_bytes(value[at..at + 8].try_into().expect("8 bytes"));
    let outcome = u32::from_ne_bytes(value[4..8].try_into().expect("4 bytes"));
    let events = (u64_at(8) as usize).min(EVENTS_PER_RUN);
    ensure!(events > 0, "{name} ran on none of {EVENTS_PER_RUN} events its workload made");
    Ok(EventTiming { outcome, elapsed_ns: (0..events).map(|i| u64_at(16 + 8 * i)).collect() })
}
