// SPDX-License-Identifier: GPL-2.0

//! The verifier calls the kfunc filter several times per call site (seen:
//! four for one call). This remembers recent (program load, kfunc) pairs
//! and the verdict given at each one's first sighting, so every load is
//! reported, counted and judged once, in bounded memory.

use kernel::prelude::*;

/// One program load: its `bpf_prog_aux`, its `bpf_prog` and its load time.
/// Under a jiffies clocksource the load time has 4 ms steps, and the slab
/// hands a freed aux to the next load at once, so aux and load time alone
/// made back-to-back loads one (a refusal without its line, seen in
/// concurrent_loads). The prog is vmalloc'd, whose addresses are reused
/// only after a lazy purge, and the verifier reallocates it only after its
/// last filter call (in do_check; the fixups come later).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sighting {
    pub(crate) prog: usize,
    pub(crate) aux: usize,
    pub(crate) load_time: u64,
    pub(crate) kfunc: u32,
}

/// The filter's answer for a pair, fixed at its first sighting: later visits
/// repeat it, so a policy switch mid-verification cannot refuse a load
/// without the line that explains the refusal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allow,
    Refuse,
}

/// Pairs remembered: one per kfunc call of each program being verified at
/// once. A pair evicted mid-verification is reported and counted again, so
/// this is sized well above what a busy machine verifies concurrently
/// (hundreds of loads at boot).
const SLOTS: usize = 512;

#[derive(Clone, Copy)]
struct Slot {
    sighting: Sighting,
    verdict: Verdict,
    last_used: u64,
}

/// Least recently used eviction: a pair still being verified keeps being
/// visited, so it stays, however many loads start meanwhile.
pub(crate) struct RecentSightings {
    /// Allocated once, at most `SLOTS` long; on the heap, as it is too big
    /// for the stack it would be built on.
    slots: KVec<Slot>,
    clock: u64,
}

impl RecentSightings {
    pub(crate) fn new() -> Result<Self> {
        Ok(RecentSightings { slots: KVec::with_capacity(SLOTS, GFP_KERNEL)?, clock: 0 })
    }

    /// The verdict given at `s`'s first sighting, if it is remembered.
    pub(crate) fn verdict(&mut self, s: Sighting) -> Option<Verdict> {
        self.clock += 1;
        let slot = self.slots.iter_mut().find(|slot| slot.sighting == s)?;
        slot.last_used = self.clock;
        Some(slot.verdict)
    }

    /// Remembers `s`'s verdict in a free slot, or the least recently used one.
    pub(crate) fn remember(&mut self, s: Sighting, verdict: Verdict) {
        self.clock += 1;
        let new = Slot { sighting: s, verdict, last_used: self.clock };
        if self.slots.len() < SLOTS {
            // Within the capacity allocated in `new`, so this cannot fail.
            let _ = self.slots.push(new, GFP_ATOMIC);
        } else if let Some(lru) = self.slots.iter_mut().min_by_key(|slot| slot.last_used) {
            *lru = new;
        }
    }
}
