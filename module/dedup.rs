// SPDX-License-Identifier: GPL-2.0

//! The verifier calls the kfunc filter several times per call site (seen:
//! four for one call). This remembers recent (program load, kfunc) pairs
//! and the verdict given at each one's first sighting, so every load is
//! reported, counted and judged once, in bounded memory.

use kernel::prelude::*;

/// One program load: its `bpf_prog_aux` (stable while the verifier
/// reallocates `bpf_prog`) and load time (so a reused aux is a new load).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sighting {
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
/// (hundreds of loads at boot); it also bounds the report burst (verify.rs).
pub(crate) const SLOTS: usize = 512;

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
