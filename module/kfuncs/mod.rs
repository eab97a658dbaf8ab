// SPDX-License-Identifier: GPL-2.0

//! The Rust bodies of the kfuncs, one family per file. Each entry point is
//! an `unsafe extern "C" fn` with its kfunc's C prototype (checked at compile
//! time in generated/kfunc_table.rs), tail-called by the kfunc's C symbol:
//! it turns its pointers into views (view.rs) once, under the verifier's
//! guarantees, and the rest is safe code over those views.
//!
//! They may run in any context a BPF program does, NMI included: they never
//! sleep, take no lock that a traced function could hold (guards.rs), and
//! accept any pointer the verifier lets through under their flags
//! (KF_TRUSTED_ARGS).

pub(crate) mod block;
pub(crate) mod cgroup;
mod guards;
pub(crate) mod mm;
pub(crate) mod net;
pub(crate) mod ns;
pub(crate) mod sched;
pub(crate) mod task;
mod view;

pub(crate) use block::*;
pub(crate) use cgroup::*;
pub(crate) use mm::*;
pub(crate) use net::*;
pub(crate) use ns::*;
pub(crate) use sched::*;
pub(crate) use task::*;
pub(crate) use view::{OutBuf, Task};
