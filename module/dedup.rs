// SPDX-License-Identifier: GPL-2.0

//! The verifier calls the kfunc filter several times per call site (seen:
//! four for one call). This remembers recent program loads and what the
//! first sighting of each decided, so every load is reported and counted
//! once, in bounded memory. Only that is remembered: the capability check
//! is cheap and taken on every call, so a remembered load whose key a later
//! load reuses can cost that load its line and its count, never let it pass
//! a check.

use crate::registry::KfuncSet;
use kernel::prelude::*;

/// One program load: its `bpf_prog_aux`, its `bpf_prog` and its load time.
/// Under a jiffies clocksource the load time has 4 ms steps, and the slab
/// hands a freed aux to the next load at once, so aux and load time alone
/// made back-to-back loads one (a refusal without its line, seen in
/// concurrent_loads). The prog is vmalloc'd, whose addresses are reused
/// only after a lazy purge, and the verifier reallocates it only after its
/// last filter call (in do_check; the fixups come later).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct LoadKey {
    pub(crate) prog: usize,
    pub(crate) aux: usize,
    pub(crate) load_time: u64,
}

/// What a load's first sighting decided.
#[derive(Clone, Copy)]
pub(crate) struct LoadRecord {
    /// Our kfuncs the program calls.
    pub(crate) called: KfuncSet,
    /// The deprecated kfuncs the policy refuses this load (under `deny`),
    /// fixed at the first sighting: later visits repeat it, so a policy
    /// switch mid-verification cannot refuse a load without the line that
    /// explains the refusal.
    pub(crate) refused_by_policy: KfuncSet,
    /// Whether the load's capability refusal was logged (or rate-limited).
    capability_refusal_told: bool,
}

impl LoadRecord {
    pub(crate) fn new(called: KfuncSet, refused_by_policy: KfuncSet) -> Self {
        LoadRecord { called, refused_by_policy, capability_refusal_told: false }
    }
}

/// Loads remembered: one per program being verified at once. A load
/// evicted mid-verification is reported and counted again, so this is sized
/// well above what a busy machine verifies concurrently (hundreds of loads
/// at boot).
const SLOTS: usize = 512;

#[derive(Clone, Copy)]
struct Slot {
    key: LoadKey,
    record: LoadRecord,
    last_used: u64,
}

/// Least recently used eviction: a load still being verified keeps being
/// visited, so it stays, however many loads start meanwhile.
pub(crate) struct RecentLoads {
    /// Allocated once, at most `SLOTS` long; on the heap, as it is too big
    /// for the stack it would be built on.
    slots: KVec<Slot>,
    clock: u64,
}

impl RecentLoads {
    pub(crate) fn new() -> Result<Self> {
        Ok(RecentLoads { slots: KVec::with_capacity(SLOTS, GFP_KERNEL)?, clock: 0 })
    }

    fn slot(&mut self, key: LoadKey) -> Option<&mut Slot> {
        self.clock += 1;
        let clock = self.clock;
        let slot = self.slots.iter_mut().find(|slot| slot.key == key)?;
        slot.last_used = clock;
        Some(slot)
    }

    /// What `key`'s first sighting decided, if it is remembered.
    pub(crate) fn record(&mut self, key: LoadKey) -> Option<LoadRecord> {
        self.slot(key).map(|slot| slot.record)
    }

    /// Remembers `key`'s record in a free slot, or the least recently used one.
    pub(crate) fn remember(&mut self, key: LoadKey, record: LoadRecord) {
        self.clock += 1;
        let new = Slot { key, record, last_used: self.clock };
        if self.slots.len() < SLOTS {
            // Within the capacity allocated in `new`, so this cannot fail.
            let _ = self.slots.push(new, GFP_ATOMIC);
        } else if let Some(lru) = self.slots.iter_mut().min_by_key(|slot| slot.last_used) {
            *lru = new;
        }
    }

    /// Whether `key`'s capability refusal is still to be told; from now
    /// on it is not. A forgotten load's is: a refusal is never left unsaid.
    pub(crate) fn take_capability_refusal(&mut self, key: LoadKey) -> bool {
        match self.slot(key) {
            Some(slot) => !core::mem::replace(&mut slot.record.capability_refusal_told, true),
            None => true,
        }
    }
}
