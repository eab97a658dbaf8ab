// SPDX-License-Identifier: GPL-2.0

//! The admin policy for deprecated kfuncs: allow, warn (default) or deny.

use core::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Load silently.
    Allow = 0,
    /// Load, with one dmesg line per program load naming its deprecated kfuncs.
    Warn = 1,
    /// Refuse at verification, saying what to use instead.
    Deny = 2,
}

static POLICY: AtomicU8 = AtomicU8::new(Policy::Warn as u8);

impl Policy {
    pub(crate) fn get() -> Policy {
        match POLICY.load(Ordering::Relaxed) {
            0 => Policy::Allow,
            2 => Policy::Deny,
            _ => Policy::Warn,
        }
    }

    pub(crate) fn set(self) {
        POLICY.store(self as u8, Ordering::Relaxed);
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Policy::Allow => "allow",
            Policy::Warn => "warn",
            Policy::Deny => "deny",
        }
    }

    /// Parses what was written to the sysfs file, trailing newline allowed.
    pub(crate) fn parse(text: &[u8]) -> Option<Policy> {
        [Policy::Allow, Policy::Warn, Policy::Deny].into_iter().find(|p| text.trim_ascii() == p.name().as_bytes())
    }
}
