// SPDX-License-Identifier: GPL-2.0

//! Verification time: the kfunc set filter counts each program load that
//! uses a kfunc, refuses syscall programs of loaders that may not read other
//! tasks, and for deprecated kfuncs applies the policy: one dmesg line per
//! (program load, kfunc) under `warn`, a refusal under `deny`.
//!
//! Those lines are rate-limited (a CAP_BPF user could flood the log): a
//! burst of `dedup::SLOTS` per 5 s, as many loads as the filter can tell
//! apart at once; beyond that, the kernel logs how many were suppressed.

use crate::dedup::{self, RecentSightings, Sighting, Verdict};
use crate::ffi;
use crate::kfuncs::{CommBuf, OutBuf, Task};
use crate::policy::Policy;
use crate::printable::{printable, write_bstr};
use crate::registry::{self, KfuncInfo, Stability};
use crate::usage;
use core::ffi::c_int;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::str::BStr;
use kernel::sync::SpinLock;

/// The filter is a C callback with no context argument, so it finds the
/// state here; set while `Registration` lives, i.e. while the module does.
static SIGHTINGS: AtomicPtr<SpinLock<RecentSightings>> = AtomicPtr::new(null_mut());

/// Owns the filter's state for the module's lifetime.
pub(crate) struct Registration {
    sightings: Pin<KBox<SpinLock<RecentSightings>>>,
}

impl Registration {
    pub(crate) fn new() -> Result<Self> {
        let sightings = KBox::pin_init(kernel::new_spinlock!(RecentSightings::new()?, "stable_kfuncs_sightings"), GFP_KERNEL)?;
        // SAFETY: called before the filter is registered, so nothing reports yet.
        unsafe { ffi::skf_verify_report_ratelimit_init(dedup::SLOTS as u32) };
        let ptr: *const SpinLock<RecentSightings> = &*sightings;
        SIGHTINGS.store(ptr.cast_mut(), Ordering::Release);
        Ok(Registration { sightings })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let ptr: *const SpinLock<RecentSightings> = &*self.sightings;
        let _ = SIGHTINGS.compare_exchange(ptr.cast_mut(), null_mut(), Ordering::AcqRel, Ordering::Relaxed);
    }
}

/// Runs `f` on the remembered sightings; None before `Registration` exists.
fn with_sightings<R>(f: impl FnOnce(&mut RecentSightings) -> R) -> Option<R> {
    let ptr = SIGHTINGS.load(Ordering::Acquire);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null only while `Registration` owns the pinned lock, and the
    // verifier holds a module reference while it calls the filter.
    let sightings = unsafe { &*ptr };
    Some(f(&mut sightings.lock()))
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
struct Deprecation<'a>(&'a KfuncInfo);

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

/// The process of the running task, as an admin would look it up: its
/// thread group leader's pid (the tgid) and name.
struct CurrentProcess {
    pid: i32,
    comm: CommBuf,
    comm_len: usize,
}

impl CurrentProcess {
    fn get() -> CurrentProcess {
        let mut comm = CommBuf::default();
        let (pid, comm_len) =
            Task::with_current_group_leader(|leader| (leader.pid(), leader.comm(&OutBuf::of(&mut comm)))).unwrap_or((0, 0));
        CurrentProcess { pid, comm, comm_len }
    }
}

impl core::fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "pid {} (", self.pid)?;
        write_bstr(f, &self.comm[..self.comm_len])?;
        f.write_str(")")
    }
}

printable!(Deprecation<'_>, CurrentProcess);

/// Whether a verification-time line may be logged now (see the top of this file).
fn may_report() -> bool {
    // SAFETY: a plain C call; the ratelimit state was set up in `Registration::new`.
    unsafe { ffi::skf_verify_report_ratelimit() }
}

/// The first sighting of `load`'s call to `kfunc`: count it, decide, and
/// log why (rate-limited) for anything but a silent allow.
fn judge(idx: u32, kfunc: &KfuncInfo, load: &ProgLoad, loader_may_read_any_task: bool) -> Verdict {
    usage::count_program(idx as usize);
    if !loader_may_read_any_task {
        if may_report() {
            pr_err!(
                "refusing syscall prog '{}' loaded by {}: it calls {}, and reading tasks from a syscall program needs CAP_PERFMON or CAP_SYS_ADMIN (with CAP_BPF alone it would reach any task, past pid namespaces)\n",
                load.name(),
                CurrentProcess::get(),
                kfunc.name()
            );
        }
        return Verdict::Refuse;
    }
    if kfunc.stability() == Stability::Stable {
        return Verdict::Allow;
    }
    match Policy::get() {
        Policy::Allow => Verdict::Allow,
        Policy::Warn => {
            if may_report() {
                pr_warn!(
                    "prog '{}' loaded by {} calls deprecated kfunc {} ({})\n",
                    load.name(),
                    CurrentProcess::get(),
                    kfunc.name(),
                    Deprecation(kfunc)
                );
            }
            Verdict::Allow
        }
        Policy::Deny => {
            if may_report() {
                pr_err!(
                    "policy deny: refusing prog '{}' loaded by {}: it calls deprecated kfunc {} ({})\n",
                    load.name(),
                    CurrentProcess::get(),
                    kfunc.name(),
                    Deprecation(kfunc)
                );
            }
            Verdict::Refuse
        }
    }
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
    let verdict = match with_sightings(|s| s.verdict(sighting)) {
        Some(Some(verdict)) => verdict,
        _ => {
            let verdict = judge(idx, kfunc, &load, loader_may_read_any_task);
            with_sightings(|s| s.remember(sighting, verdict));
            verdict
        }
    };
    match verdict {
        Verdict::Allow => 0,
        Verdict::Refuse => EACCES.to_errno(),
    }
}

/// Call time (rate-limited by calls.c): the program is unknown here, the
/// calling task is not.
#[no_mangle]
extern "C" fn skf_rs_report_deprecated_call(idx: u32) {
    let Some(kfunc) = registry::get(idx) else {
        return;
    };
    pr_warn!("deprecated kfunc {} called in {} ({}) [rate-limited]\n", kfunc.name(), CurrentProcess::get(), Deprecation(kfunc));
}
