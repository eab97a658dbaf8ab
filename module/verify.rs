// SPDX-License-Identifier: GPL-2.0

//! Verification time: the kfunc set filter refuses syscall programs of
//! loaders that may not read other tasks, and for deprecated kfuncs applies
//! the policy: a dmesg line under `warn`, a refusal under `deny`. It judges
//! a load as a whole at its first sighting of any of our kfuncs, from the
//! program's instructions: one line per load, naming every kfunc concerned,
//! and a load it refuses is counted for none of its kfuncs.
//!
//! A CAP_BPF user can load in a loop: the lines are limited, see `report_limit`.

use crate::current_process::CurrentProcess;
use crate::dedup::{LoadKey, LoadRecord, RecentLoads};
use crate::ffi;
use crate::policy::Policy;
use crate::printable::printable;
use crate::registry::{self, KfuncInfo, KfuncSet, Stability};
use crate::report_limit::{Reason, RecentReports, Untold};
use crate::usage;
use core::ffi::c_int;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::str::BStr;
use kernel::sync::SpinLock;

/// What the filter remembers between calls.
struct FilterState {
    loads: RecentLoads,
    reports: RecentReports,
}

/// The filter is a C callback with no context argument, so it finds its
/// state here; set while `Registration` lives, i.e. while the module does.
static STATE: AtomicPtr<SpinLock<FilterState>> = AtomicPtr::new(null_mut());

/// Owns the filter's state for the module's lifetime.
pub(crate) struct Registration {
    state: Pin<KBox<SpinLock<FilterState>>>,
}

impl Registration {
    pub(crate) fn new() -> Result<Self> {
        let state = FilterState { loads: RecentLoads::new()?, reports: RecentReports::new()? };
        let state = KBox::pin_init(kernel::new_spinlock!(state, "stable_kfuncs_filter"), GFP_KERNEL)?;
        let ptr: *const SpinLock<FilterState> = &*state;
        STATE.store(ptr.cast_mut(), Ordering::Release);
        Ok(Registration { state })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let ptr: *const SpinLock<FilterState> = &*self.state;
        let _ = STATE.compare_exchange(ptr.cast_mut(), null_mut(), Ordering::AcqRel, Ordering::Relaxed);
    }
}

/// Runs `f` on the filter's state; None before `Registration` exists.
fn with_state<R>(f: impl FnOnce(&mut FilterState) -> R) -> Option<R> {
    let ptr = STATE.load(Ordering::Acquire);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null only while `Registration` owns the pinned lock, and the
    // verifier holds a module reference while it calls the filter.
    let state = unsafe { &*ptr };
    Some(f(&mut state.lock()))
}

/// The verifier's view of the program being loaded.
struct ProgLoad {
    key: LoadKey,
    name: [u8; bindings::BPF_OBJ_NAME_LEN as usize],
}

impl ProgLoad {
    /// # Safety
    /// `prog` is the program the verifier is checking.
    unsafe fn read(prog: *const bindings::bpf_prog) -> ProgLoad {
        // SAFETY: the caller passes a live program; `aux` is set at allocation
        // and survives bpf_prog_realloc(), unlike `prog` itself.
        let aux = unsafe { (*prog).aux };
        // SAFETY: `aux` is live; bpf_prog_load() sets the name and load_time
        // before it calls bpf_check().
        let (load_time, name) = unsafe { ((*aux).load_time, (*aux).name) };
        ProgLoad { key: LoadKey { prog: prog as usize, aux: aux as usize, load_time }, name: name.map(|c| c as u8) }
    }

    fn name(&self) -> &BStr {
        let len = self.name.iter().position(|&b| b == 0).unwrap_or(self.name.len());
        BStr::from_bytes(&self.name[..len])
    }
}

/// "deprecated in API 2, removed in API 3; use skf_x_v2 instead"
pub(crate) struct Deprecation<'a>(pub(crate) &'a KfuncInfo);

impl core::fmt::Display for Deprecation<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let k = self.0;
        write!(f, "deprecated in API {}, ", k.deprecated.unwrap_or(0))?;
        match k.removed {
            Some(r) => write!(f, "removed in API {r}")?,
            None => f.write_str("no removal scheduled")?,
        }
        write!(f, "; use {} instead", k.replacement.unwrap_or("?"))
    }
}

/// "skf_a, skf_b", or with `deprecations`: "deprecated kfunc skf_a
/// (deprecated in API 2, ...), deprecated kfunc skf_b (...)"
struct KfuncList {
    kfuncs: KfuncSet,
    deprecations: bool,
}

impl core::fmt::Display for KfuncList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (n, (_, k)) in self.kfuncs.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            if self.deprecations {
                write!(f, "deprecated kfunc {} ({})", k.name(), Deprecation(k))?;
            } else {
                f.write_str(k.name())?;
            }
        }
        Ok(())
    }
}

printable!(Deprecation<'_>, KfuncList);

/// Logs `reason` for `load`, by `loader`, about `kfuncs`: those it calls
/// (capability refusal) or the deprecated ones among them.
fn report(reason: Reason, kfuncs: KfuncSet, load: &ProgLoad, loader: &CurrentProcess, untold: Untold) {
    match reason {
        Reason::SyscallNeedsPerfmon => pr_err!(
            "refusing syscall prog '{}' loaded by {}: it calls {}, and reading tasks from a syscall program needs CAP_PERFMON or CAP_SYS_ADMIN (with CAP_BPF alone it would reach any task, past pid namespaces){}\n",
            load.name(),
            loader,
            KfuncList { kfuncs, deprecations: false },
            untold
        ),
        Reason::DeprecatedWarn => {
            pr_warn!("prog '{}' loaded by {} calls {}{}\n", load.name(), loader, KfuncList { kfuncs, deprecations: true }, untold)
        }
        Reason::DeprecatedDeny => pr_err!(
            "policy deny: refusing prog '{}' loaded by {}: it calls {}{}\n",
            load.name(),
            loader,
            KfuncList { kfuncs, deprecations: true },
            untold
        ),
    }
}

/// Logs `reason` for `load`, about `kfuncs`, unless `report_limit` says to stay quiet.
fn tell(reason: Reason, kfuncs: KfuncSet, load: &ProgLoad) {
    let loader = CurrentProcess::get();
    // SAFETY: a plain C call, safe in any context.
    let now = unsafe { bindings::ktime_get_mono_fast_ns() };
    if let Some(Some(untold)) = with_state(|s| s.reports.admit(loader.uid, reason, kfuncs, now)) {
        report(reason, kfuncs, load, &loader, untold);
    }
}

/// The first sighting of `load`, the verifier asking about kfunc `idx`:
/// the policy's decision over every kfunc the program calls, its line, and
/// the load's count unless it is refused (by policy, or for capability).
///
/// # Safety
/// `prog` is the program the verifier is checking, `load` read from it.
unsafe fn first_sighting(prog: *const bindings::bpf_prog, idx: u32, load: &ProgLoad, loader_may_read_any_task: bool) -> LoadRecord {
    // SAFETY: as the caller guarantees; the verifier calls the filter from
    // its own thread, so the instructions do not change under the scan.
    let called = KfuncSet::from_mask(unsafe { ffi::skf_kfuncs_called(prog, idx) });
    let deprecated = called.filter(|k| k.stability() == Stability::Deprecated);
    let policy = if deprecated.is_empty() { Policy::Allow } else { Policy::get() };
    let (refused_by_policy, reason) = match policy {
        Policy::Allow => (KfuncSet::EMPTY, None),
        Policy::Warn => (KfuncSet::EMPTY, Some(Reason::DeprecatedWarn)),
        Policy::Deny => (deprecated, Some(Reason::DeprecatedDeny)),
    };
    // A capability refusal is the load's one line, said by the filter.
    if loader_may_read_any_task {
        if refused_by_policy.is_empty() {
            called.iter().for_each(|(idx, _)| usage::count_program(idx as usize));
        }
        if let Some(reason) = reason {
            tell(reason, deprecated, load);
        }
    }
    LoadRecord::new(called, refused_by_policy)
}

/// register.c calls this for each of our kfuncs a program references,
/// several times per call site. The capability check is taken on every
/// call; the policy's verdict and the counting are the first sighting's.
///
/// # Safety
/// `prog` is the program the verifier is checking.
#[no_mangle]
pub(crate) unsafe extern "C" fn skf_rs_verify_filter(prog: *const bindings::bpf_prog, idx: u32, loader_may_read_any_task: bool) -> c_int {
    // SAFETY: as the caller guarantees.
    let load = unsafe { ProgLoad::read(prog) };
    if registry::get(idx).is_none() {
        return 0;
    }
    let record = match with_state(|s| s.loads.record(load.key)) {
        Some(Some(record)) => record,
        _ => {
            // SAFETY: as the caller guarantees; `load` was read from `prog`.
            let record = unsafe { first_sighting(prog, idx, &load, loader_may_read_any_task) };
            with_state(|s| s.loads.remember(load.key, record));
            record
        }
    };
    if !loader_may_read_any_task {
        if with_state(|s| s.loads.take_capability_refusal(load.key)) != Some(false) {
            tell(Reason::SyscallNeedsPerfmon, record.called, &load);
        }
        return EACCES.to_errno();
    }
    if record.refused_by_policy.contains(idx) {
        return EACCES.to_errno();
    }
    0
}
