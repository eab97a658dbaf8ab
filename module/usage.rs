// SPDX-License-Identifier: GPL-2.0

//! Per kfunc, how many program loads referenced it: what a maintainer needs
//! to know before deprecating anything. (Call counts are per-CPU, in calls.c.)

use crate::kfunc_table::KFUNCS;
use core::sync::atomic::{AtomicU64, Ordering};

static PROGRAMS: [AtomicU64; KFUNCS.len()] = [const { AtomicU64::new(0) }; KFUNCS.len()];

pub(crate) fn count_program(idx: usize) {
    PROGRAMS[idx].fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn programs(idx: usize) -> u64 {
    PROGRAMS[idx].load(Ordering::Relaxed)
}

#[no_mangle]
extern "C" fn skf_rs_reset_program_counts() {
    for counter in &PROGRAMS {
        counter.store(0, Ordering::Relaxed);
    }
}
