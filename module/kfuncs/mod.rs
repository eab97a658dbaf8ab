// SPDX-License-Identifier: GPL-2.0

//! The Rust bodies of the kfuncs, one family per file. Each is `extern "C"`
//! with its kfunc's C prototype (checked at compile time in
//! generated/kfunc_table.rs) and is tail-called by the kfunc's C symbol.
//!
//! They may run in any context a BPF program does, NMI included: they never
//! sleep, take no lock that a traced function could hold, and accept any
//! pointer the verifier lets through under their flags (KF_TRUSTED_ARGS).

pub(crate) mod cgroup;
pub(crate) mod mm;
pub(crate) mod task;

pub(crate) use cgroup::*;
pub(crate) use mm::*;
pub(crate) use task::*;
