// SPDX-License-Identifier: GPL-2.0

//! Reading an example tracer's ring buffer of fixed-size C event records.

use libbpf_rs::{MapCore, RingBufferBuilder};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// Calls `attached`, then hands each record of `events` (a C struct `E`) to
/// `on_event` until it returns false or `timeout` has passed.
///
/// `E` must be a `#[repr(C)]` plain-data mirror of the program's record.
pub fn poll_events<E: Copy>(
    events: &impl MapCore,
    attached: impl FnOnce(),
    timeout: Duration,
    mut on_event: impl FnMut(&E) -> bool,
) -> libbpf_rs::Result<()> {
    let done = Cell::new(false);
    let mut builder = RingBufferBuilder::new();
    builder.add(events, |data: &[u8]| {
        assert_eq!(data.len(), std::mem::size_of::<E>(), "record is not the program's struct event");
        // SAFETY: the record is the program's struct event, checked by size;
        // `E` mirrors it and is plain data.
        let event = unsafe { std::ptr::read_unaligned(data.as_ptr().cast::<E>()) };
        if !on_event(&event) {
            done.set(true);
        }
        0
    })?;
    let ring = builder.build()?;
    attached();
    let deadline = Instant::now() + timeout;
    while !done.get() && Instant::now() < deadline {
        ring.poll(Duration::from_millis(100))?;
    }
    Ok(())
}
