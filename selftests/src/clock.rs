// SPDX-License-Identifier: GPL-2.0

use nix::time::{clock_gettime, ClockId};

/// `clock` now, in nanoseconds.
pub fn clock_ns(clock: ClockId) -> u64 {
    let t = clock_gettime(clock).expect("clock_gettime");
    t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64
}
