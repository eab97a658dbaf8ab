// SPDX-License-Identifier: GPL-2.0

//! The verifier calls the kfunc filter several times per call site (seen:
//! four for one call). This remembers the last few (program load, kfunc)
//! pairs so each is warned about and counted once, in bounded memory.

/// One program load: its `bpf_prog_aux` (stable while the verifier
/// reallocates `bpf_prog`) and load time (so a reused aux is a new load).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sighting {
    pub(crate) aux: usize,
    pub(crate) load_time: u64,
    pub(crate) kfunc: u32,
}

/// Enough for this many concurrent verifications of deprecated-kfunc users.
const SLOTS: usize = 64;

pub(crate) struct RecentSightings {
    slots: [Option<Sighting>; SLOTS],
    next: usize,
}

impl RecentSightings {
    pub(crate) const fn new() -> Self {
        RecentSightings { slots: [None; SLOTS], next: 0 }
    }

    /// True the first time `s` is seen; remembered, evicting the oldest.
    pub(crate) fn first_sighting(&mut self, s: Sighting) -> bool {
        if self.slots.contains(&Some(s)) {
            return false;
        }
        self.slots[self.next] = Some(s);
        self.next = (self.next + 1) % SLOTS;
        true
    }
}
