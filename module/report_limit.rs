// SPDX-License-Identifier: GPL-2.0

//! Verification-time lines (one per program load at most, see `verify`),
//! limited twice. Per key (loader uid, reason, and for the deprecation
//! reasons the deprecated kfuncs called): one line per interval, the next
//! one counting the loads that went unreported. Per reason, whatever the
//! key: at most `BURST` lines per interval, the next line counting those
//! dropped, so a loader cycling through uids (a BPF token in a user
//! namespace, or CAP_SETUID) cannot flood the log either. Reasons are
//! limited apart: no flood of warnings or of capability refusals hides why
//! someone's load was refused by policy.

use crate::registry::KfuncSet;
use kernel::prelude::*;

/// The interval, as printk_ratelimit's (DEFAULT_RATELIMIT_INTERVAL).
pub(crate) const INTERVAL_NS: u64 = 5_000_000_000;

/// Lines per reason per interval, as printk_ratelimit's (DEFAULT_RATELIMIT_BURST).
pub(crate) const BURST: u32 = 10;

/// Why a line is logged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    DeprecatedWarn = 0,
    DeprecatedDeny = 1,
    SyscallNeedsPerfmon = 2,
}

const REASONS: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    uid: u32,
    reason: Reason,
    /// Empty for the capability refusal, which does not depend on them.
    kfuncs: KfuncSet,
}

#[derive(Clone, Copy)]
struct Entry {
    key: Key,
    reported_at: u64,
    unreported: u64,
}

/// One reason's lines in its current interval.
#[derive(Clone, Copy)]
struct Budget {
    interval_start: u64,
    lines: u32,
    /// Loads left untold by their own key's count: over the burst, or
    /// counted by a key that was forgotten.
    dropped: u64,
}

/// Keys remembered. Beyond this, the least recently reported key is
/// forgotten (its count of unreported loads goes to its reason's `dropped`)
/// and may report early, within its reason's burst.
const KEYS: usize = 256;

/// What a line says about the loads logged without a line before it.
#[derive(Clone, Copy)]
pub(crate) struct Untold {
    /// Of the line's own key, within its interval.
    pub(crate) same_key: u64,
    /// Of any key of the line's reason, over the burst.
    pub(crate) dropped: u64,
}

/// " (and 3 more such loads since the last line) (12 lines of this kind
/// dropped over the limit of 10 per 5 s)", or any part, or nothing.
impl core::fmt::Display for Untold {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.same_key > 0 {
            write!(f, " (and {} more such loads since the last line)", self.same_key)?;
        }
        if self.dropped > 0 {
            write!(f, " ({} lines of this kind dropped over the limit of {BURST} per {} s)", self.dropped, INTERVAL_NS / 1_000_000_000)?;
        }
        Ok(())
    }
}

crate::printable::printable!(Untold);

pub(crate) struct RecentReports {
    /// Allocated once, at most `KEYS` long.
    entries: KVec<Entry>,
    budgets: [Budget; REASONS],
}

impl RecentReports {
    pub(crate) fn new() -> Result<Self> {
        Ok(RecentReports {
            entries: KVec::with_capacity(KEYS, GFP_KERNEL)?,
            budgets: [Budget { interval_start: 0, lines: 0, dropped: 0 }; REASONS],
        })
    }

    /// Whether to log a load's line about `kfuncs` at `now_ns`: Some(what
    /// to say of the loads not logged before it), or None to stay quiet.
    pub(crate) fn admit(&mut self, uid: u32, reason: Reason, kfuncs: KfuncSet, now_ns: u64) -> Option<Untold> {
        let kfuncs = match reason {
            Reason::SyscallNeedsPerfmon => KfuncSet::EMPTY,
            Reason::DeprecatedWarn | Reason::DeprecatedDeny => kfuncs,
        };
        let key = Key { uid, reason, kfuncs };
        let known = self.entries.iter().position(|e| e.key == key);
        if let Some(entry) = known.and_then(|i| self.entries.get_mut(i)) {
            if now_ns.saturating_sub(entry.reported_at) < INTERVAL_NS {
                entry.unreported = entry.unreported.saturating_add(1);
                return None;
            }
        }
        let budget = &mut self.budgets[reason as usize];
        if now_ns.saturating_sub(budget.interval_start) >= INTERVAL_NS {
            *budget = Budget { interval_start: now_ns, lines: 0, dropped: budget.dropped };
        }
        if budget.lines >= BURST {
            budget.dropped = budget.dropped.saturating_add(1);
            return None;
        }
        budget.lines += 1;
        let dropped = core::mem::take(&mut budget.dropped);
        let fresh = Entry { key, reported_at: now_ns, unreported: 0 };
        let same_key = match known.and_then(|i| self.entries.get_mut(i)) {
            Some(entry) => core::mem::replace(entry, fresh).unreported,
            None => {
                self.insert(fresh);
                0
            }
        };
        Some(Untold { same_key, dropped })
    }

    fn insert(&mut self, new: Entry) {
        if self.entries.len() < KEYS {
            // Within the capacity allocated in `new`, so this cannot fail.
            let _ = self.entries.push(new, GFP_ATOMIC);
        } else if let Some(oldest) = self.entries.iter_mut().min_by_key(|e| e.reported_at) {
            let forgotten = core::mem::replace(oldest, new);
            let budget = &mut self.budgets[forgotten.key.reason as usize];
            budget.dropped = budget.dropped.saturating_add(forgotten.unreported);
        }
    }
}
