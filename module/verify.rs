// SPDX-License-Identifier: GPL-2.0

//! Verification time: the kfunc set filter counts each program load that
//! uses a kfunc, refuses syscall programs of loaders that may not read other
//! tasks, and for deprecated kfuncs applies the policy: a dmesg line under
//! `warn`, a refusal under `deny`. Loads it refuses are not counted.
//!
//! A CAP_BPF user can load in a loop: the lines are limited per (loader
//! uid, kfunc, reason), see `report_limit`.

use crate::current_process::CurrentProcess;
use crate::dedup::{RecentSightings, Sighting, Verdict};
use crate::policy::Policy;
use crate::printable::printable;
use crate::registry::{self, KfuncInfo, Stability};
use crate::report_limit::{Reason, RecentReports};
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
    sightings: RecentSightings,
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
        let state = FilterState { sightings: RecentSightings::new()?, reports: RecentReports::new()? };
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
    prog: usize,
    aux: usize,
    load_time: u64,
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
        ProgLoad { prog: prog as usize, aux: aux as usize, load_time, name: name.map(|c| c as u8) }
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

/// " (and 3 more such loads since the last line)", or nothing.
struct Unreported(u64);

impl core::fmt::Display for Unreported {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            0 => Ok(()),
            n => write!(f, " (and {n} more such loads since the last line)"),
        }
    }
}

printable!(Deprecation<'_>, Unreported);

/// The filter's answer for a load's use of `kfunc`, and why to log it, if at all.
fn decide(kfunc: &KfuncInfo, loader_may_read_any_task: bool) -> (Verdict, Option<Reason>) {
    if !loader_may_read_any_task {
        return (Verdict::Refuse, Some(Reason::SyscallNeedsPerfmon));
    }
    if kfunc.stability() == Stability::Stable {
        return (Verdict::Allow, None);
    }
    match Policy::get() {
        Policy::Allow => (Verdict::Allow, None),
        Policy::Warn => (Verdict::Allow, Some(Reason::DeprecatedWarn)),
        Policy::Deny => (Verdict::Refuse, Some(Reason::DeprecatedDeny)),
    }
}

/// Logs `reason` for `load`'s use of `kfunc`, by `loader`.
fn report(reason: Reason, kfunc: &KfuncInfo, load: &ProgLoad, loader: &CurrentProcess, unreported: Unreported) {
    match reason {
        Reason::SyscallNeedsPerfmon => pr_err!(
            "refusing syscall prog '{}' loaded by {}: it calls {}, and reading tasks from a syscall program needs CAP_PERFMON or CAP_SYS_ADMIN (with CAP_BPF alone it would reach any task, past pid namespaces){}\n",
            load.name(),
            loader,
            kfunc.name(),
            unreported
        ),
        Reason::DeprecatedWarn => pr_warn!(
            "prog '{}' loaded by {} calls deprecated kfunc {} ({}){}\n",
            load.name(),
            loader,
            kfunc.name(),
            Deprecation(kfunc),
            unreported
        ),
        Reason::DeprecatedDeny => pr_err!(
            "policy deny: refusing prog '{}' loaded by {}: it calls deprecated kfunc {} ({}){}\n",
            load.name(),
            loader,
            kfunc.name(),
            Deprecation(kfunc),
            unreported
        ),
    }
}

/// The first sighting of `load`'s call to `kfunc`: decide, count an allowed
/// load, and log why unless this loader was told within the interval.
fn judge(idx: u32, kfunc: &KfuncInfo, load: &ProgLoad, loader_may_read_any_task: bool) -> Verdict {
    let (verdict, reason) = decide(kfunc, loader_may_read_any_task);
    if verdict == Verdict::Allow {
        usage::count_program(idx as usize);
    }
    if let Some(reason) = reason {
        let loader = CurrentProcess::get();
        // SAFETY: a plain C call, safe in any context.
        let now = unsafe { bindings::ktime_get_mono_fast_ns() };
        if let Some(Some(unreported)) = with_state(|s| s.reports.admit(loader.uid, idx, reason, now)) {
            report(reason, kfunc, load, &loader, Unreported(unreported));
        }
    }
    verdict
}

/// register.c calls this for each of our kfuncs a program references,
/// several times per call site; the verdict is the first sighting's.
///
/// # Safety
/// `prog` is the program the verifier is checking.
#[no_mangle]
unsafe extern "C" fn skf_rs_verify_filter(prog: *const bindings::bpf_prog, idx: u32, loader_may_read_any_task: bool) -> c_int {
    // SAFETY: as the caller guarantees.
    let load = unsafe { ProgLoad::read(prog) };
    let Some(kfunc) = registry::get(idx) else {
        return 0;
    };
    let sighting = Sighting { prog: load.prog, aux: load.aux, load_time: load.load_time, kfunc: idx };
    let verdict = match with_state(|s| s.sightings.verdict(sighting)) {
        Some(Some(verdict)) => verdict,
        _ => {
            let verdict = judge(idx, kfunc, &load, loader_may_read_any_task);
            with_state(|s| s.sightings.remember(sighting, verdict));
            verdict
        }
    };
    match verdict {
        Verdict::Allow => 0,
        Verdict::Refuse => EACCES.to_errno(),
    }
}
