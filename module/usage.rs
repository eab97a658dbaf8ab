// SPDX-License-Identifier: GPL-2.0

//! Per kfunc, how many program loads call it: what a maintainer needs to
//! know before deprecating anything. (Call counts are per-CPU, in calls.c.)
//!
//! Exactly: the loads (BPF_PROG_LOAD) whose instructions call the kfunc and
//! that this module does not refuse, counted once per load at the filter's
//! first sighting of it. A load the module refuses counts for none of its
//! kfuncs: a syscall program whose loader lacks CAP_PERFMON and
//! CAP_SYS_ADMIN, or, under `deny`, a program that calls a deprecated kfunc
//! anywhere, even on a path the verifier then prunes (so such a load
//! counts for none though it loads). A load the verifier rejects later for
//! another reason counts.

use crate::kfunc_table::KFUNCS;
use core::sync::atomic::{AtomicU64, Ordering};

static PROGRAMS: [AtomicU64; KFUNCS.len()] = [const { AtomicU64::new(0) }; KFUNCS.len()];

pub(crate) fn count_program(idx: usize) {
    PROGRAMS[idx].fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn programs(idx: usize) -> u64 {
    PROGRAMS[idx].load(Ordering::Relaxed)
}

/// Exact under racing loads and resets: a store and a `fetch_add` to one
/// atomic take turns in its modification order, so each count falls before
/// the reset (cleared) or after it (kept), never lost inside it.
#[no_mangle]
pub(crate) extern "C" fn skf_rs_reset_program_counts() {
    for counter in &PROGRAMS {
        counter.store(0, Ordering::Relaxed);
    }
}
