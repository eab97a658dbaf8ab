// SPDX-License-Identifier: GPL-2.0

//! Verification-time lines, at most one per (loader uid, kfunc, reason) per
//! interval. A CAP_BPF user loading in a loop gets one line per kfunc and
//! reason each interval, however many loads; the next line says how many
//! went unreported. Reasons are keyed apart, so no flood of warnings or of
//! capability refusals hides why someone's load was refused by policy.

use kernel::prelude::*;

/// The interval, as printk_ratelimit's (DEFAULT_RATELIMIT_INTERVAL).
pub(crate) const INTERVAL_NS: u64 = 5_000_000_000;

/// Why a line is logged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    DeprecatedWarn,
    DeprecatedDeny,
    SyscallNeedsPerfmon,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    uid: u32,
    kfunc: u32,
    reason: Reason,
}

#[derive(Clone, Copy)]
struct Entry {
    key: Key,
    reported_at: u64,
    unreported: u64,
}

/// Keys remembered: one user has at most 3 per kfunc. Beyond this, the
/// least recently reported key is forgotten, and may report early: only a
/// loader switching between many uids (CAP_SETUID) gets there.
const KEYS: usize = 256;

pub(crate) struct RecentReports {
    /// Allocated once, at most `KEYS` long.
    entries: KVec<Entry>,
}

impl RecentReports {
    pub(crate) fn new() -> Result<Self> {
        Ok(RecentReports { entries: KVec::with_capacity(KEYS, GFP_KERNEL)? })
    }

    /// Whether to log (uid, kfunc, reason) at `now_ns`: Some(loads that went
    /// unreported since its last line), or None to stay quiet.
    pub(crate) fn admit(&mut self, uid: u32, kfunc: u32, reason: Reason, now_ns: u64) -> Option<u64> {
        let key = Key { uid, kfunc, reason };
        if let Some(entry) = self.entries.iter_mut().find(|e| e.key == key) {
            if now_ns.saturating_sub(entry.reported_at) < INTERVAL_NS {
                entry.unreported = entry.unreported.saturating_add(1);
                return None;
            }
            let unreported = entry.unreported;
            *entry = Entry { key, reported_at: now_ns, unreported: 0 };
            return Some(unreported);
        }
        let new = Entry { key, reported_at: now_ns, unreported: 0 };
        if self.entries.len() < KEYS {
            // Within the capacity allocated in `new`, so this cannot fail.
            let _ = self.entries.push(new, GFP_ATOMIC);
        } else if let Some(oldest) = self.entries.iter_mut().min_by_key(|e| e.reported_at) {
            *oldest = new;
        }
        Some(0)
    }
}
