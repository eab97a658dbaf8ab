// SPDX-License-Identifier: GPL-2.0

//! What the manifest says about each kfunc, as built at this API level.

use crate::ffi;
pub(crate) use crate::kfunc_table::{API_LEVEL, KFUNCS};
use kernel::prelude::*;

/// The module's own stability classes, reported as KF_STABLE/KF_DEPRECATED.
/// Not BTF_ID_FLAGS bits: upstream owns those.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stability {
    Stable,
    Deprecated,
}

/// One manifest entry (module/kfuncs.toml).
pub(crate) struct KfuncInfo {
    pub(crate) name: &'static CStr,
    pub(crate) family: &'static str,
    pub(crate) proto: &'static str,
    pub(crate) flags: &'static str,
    pub(crate) prog_types: &'static str,
    pub(crate) since: u32,
    pub(crate) deprecated: Option<u32>,
    pub(crate) removed: Option<u32>,
    pub(crate) replacement: Option<&'static str>,
    pub(crate) doc: &'static str,
}

impl KfuncInfo {
    pub(crate) fn alive(&self) -> bool {
        self.since <= API_LEVEL && self.removed.map_or(true, |r| API_LEVEL < r)
    }

    pub(crate) fn stability(&self) -> Stability {
        match self.deprecated {
            Some(d) if d <= API_LEVEL => Stability::Deprecated,
            _ => Stability::Stable,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name.to_str().unwrap_or("?")
    }
}

impl Stability {
    pub(crate) fn class(self) -> &'static str {
        match self {
            Stability::Stable => "KF_STABLE",
            Stability::Deprecated => "KF_DEPRECATED",
        }
    }
}

/// Some of the kfuncs, by index: those a program load calls, say.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct KfuncSet(u64);

const _: () = assert!(KFUNCS.len() <= u64::BITS as usize, "KfuncSet is one u64 (and so is register.c's mask): widen both");

/// The bits of `KfuncSet` that stand for a kfunc.
const ALL_KFUNCS: u64 = if KFUNCS.len() == u64::BITS as usize { u64::MAX } else { (1 << KFUNCS.len()) - 1 };

impl KfuncSet {
    pub(crate) const EMPTY: KfuncSet = KfuncSet(0);

    /// The set of the indexes whose bits are set in `mask`; bits past the
    /// table are ignored.
    pub(crate) fn from_mask(mask: u64) -> KfuncSet {
        KfuncSet(mask & ALL_KFUNCS)
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn contains(self, idx: u32) -> bool {
        idx < u64::BITS && self.0 & (1 << idx) != 0
    }

    /// The members, with their indexes, in index order.
    pub(crate) fn iter(self) -> impl Iterator<Item = (u32, &'static KfuncInfo)> {
        KFUNCS.iter().zip(0u32..).filter(move |&(_, idx)| self.contains(idx)).map(|(k, idx)| (idx, k))
    }

    /// The members `keep` holds for.
    pub(crate) fn filter(self, keep: impl Fn(&KfuncInfo) -> bool) -> KfuncSet {
        KfuncSet(self.iter().filter(|(_, k)| keep(k)).fold(0, |mask, (idx, _)| mask | 1 << idx))
    }
}

/// The kfuncs this build offers.
pub(crate) fn alive() -> impl Iterator<Item = &'static KfuncInfo> {
    KFUNCS.iter().filter(|k| k.alive())
}

pub(crate) fn get(idx: u32) -> Option<&'static KfuncInfo> {
    KFUNCS.get(usize::try_from(idx).ok()?)
}

/// Every kfunc built must have a BTF id (resolve_btfids fills them in at
/// build time), and none that is not built may have one.
pub(crate) fn check_btf_ids() -> Result {
    for (k, idx) in KFUNCS.iter().zip(0usize..) {
        // SAFETY: the C array is immutable after resolve_btfids patched it at build time.
        let id = unsafe { ffi::skf_kfunc_btf_ids[idx] };
        if k.alive() != (id != 0) {
            pr_err!(
                "kfunc {} has BTF id {} but is {}built at API {}; was resolve_btfids run? refusing to load\n",
                k.name(),
                id,
                if k.alive() { "" } else { "not " },
                API_LEVEL
            );
            return Err(EINVAL);
        }
    }
    Ok(())
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_kfunc_alive(idx: u32) -> bool {
    get(idx).is_some_and(KfuncInfo::alive)
}

#[no_mangle]
pub(crate) extern "C" fn skf_rs_kfunc_name(idx: u32) -> *const kernel::ffi::c_char {
    get(idx).map_or(core::ptr::null(), |k| k.name.as_char_ptr())
}
