// SPDX-License-Identifier: GPL-2.0

//! Verification time: the kfunc set filter counts each program load that
//! uses a kfunc, and for deprecated kfuncs applies the policy: one dmesg
//! line per (program load, kfunc) under `warn`, a refusal under `deny`.

use crate::dedup::{RecentSightings, Sighting};
use crate::kfuncs::task::{comm_of, CommBuf};
use crate::policy::Policy;
use crate::registry::{self, KfuncInfo, Stability};
use crate::usage;
use core::ffi::c_int;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::str::BStr;
use kernel::sync::SpinLock;
use kernel::task::Task;

/// The filter is a C callback with no context argument, so it finds the
/// state here; set while `Registration` lives, i.e. while the module does.
static SIGHTINGS: AtomicPtr<SpinLock<RecentSightings>> = AtomicPtr::new(null_mut());

/// Owns the filter's state for the module's lifetime.
pub(crate) struct Registration {
    sightings: Pin<KBox<SpinLock<RecentSightings>>>,
}

impl Registration {
    pub(crate) fn new() -> Result<Self> {
        let sightings = KBox::pin_init(
            kernel::new_spinlock!(RecentSightings::new(), "stable_kfuncs_sightings"),
            GFP_KERNEL,
        )?;
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

fn first_sighting(s: Sighting) -> bool {
    let ptr = SIGHTINGS.load(Ordering::Acquire);
    if ptr.is_null() {
        return false;
    }
    // SAFETY: non-null only while `Registration` owns the pinned lock, and the
    // verifier holds a module reference while it calls the filter.
    let sightings = unsafe { &*ptr };
    sightings.lock().first_sighting(s)
}

/// The verifier's view of the program being loaded.
struct ProgLoad {
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
        ProgLoad { aux: aux as usize, load_time, name: name.map(|c| c as u8) }
    }

    fn name(&self) -> &BStr {
        let len = self.name.iter().position(|&b| b == 0).unwrap_or(self.name.len());
        BStr::from_bytes(&self.name[..len])
    }
}

/// "deprecated in API 2, removed in API 3; use skf_x_v2 instead"
struct Verdict<'a>(&'a KfuncInfo);

impl core::fmt::Display for Verdict<'_> {
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
        let current = current!();
        let leader = current.group_leader();
        let mut comm = CommBuf::default();
        // SAFETY: the group leader of the running task is live.
        let comm_len = unsafe { comm_of((leader as *const Task).cast(), &mut comm) };
        CurrentProcess { pid: leader.pid(), comm, comm_len }
    }
}

impl core::fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "pid {} ({})", self.pid, BStr::from_bytes(&self.comm[..self.comm_len]))
    }
}

fn report(policy: Policy, kfunc: &KfuncInfo, prog: &ProgLoad) {
    let loader = CurrentProcess::get();
    match policy {
        Policy::Deny => pr_err!(
            "policy deny: refusing prog '{}' loaded by {}: it calls deprecated kfunc {} ({})\n",
            prog.name(),
            loader,
            kfunc.name(),
            Verdict(kfunc)
        ),
        _ => pr_warn!(
            "prog '{}' loaded by {} calls deprecated kfunc {} ({})\n",
            prog.name(),
            loader,
            kfunc.name(),
            Verdict(kfunc)
        ),
    }
}

#[no_mangle]
extern "C" fn skf_rs_verify_filter(prog: *const bindings::bpf_prog, idx: u32) -> c_int {
    let Some(kfunc) = registry::get(idx) else {
        return 0;
    };
    // SAFETY: register.c passes the verifier's program straight through.
    let load = unsafe { ProgLoad::read(prog) };
    let first = first_sighting(Sighting { aux: load.aux, load_time: load.load_time, kfunc: idx });
    if first {
        usage::count_program(idx as usize);
    }
    if kfunc.stability() == Stability::Stable {
        return 0;
    }
    let policy = Policy::get();
    if first && policy != Policy::Allow {
        report(policy, kfunc, &load);
    }
    if policy == Policy::Deny {
        EACCES.to_errno()
    } else {
        0
    }
}

/// Call time (rate-limited by calls.c): the program is unknown here, the
/// calling task is not.
#[no_mangle]
extern "C" fn skf_rs_report_deprecated_call(idx: u32) {
    let Some(kfunc) = registry::get(idx) else {
        return;
    };
    pr_warn!(
        "deprecated kfunc {} called in {} ({}) [rate-limited]\n",
        kfunc.name(),
        CurrentProcess::get(),
        Verdict(kfunc)
    );
}
