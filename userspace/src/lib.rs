// SPDX-License-Identifier: GPL-2.0

//! Userspace tooling for stable_kfuncs: the manifest that declares every
//! kfunc, the generator that derives the module's glue from it, the checks
//! `skf` runs on BPF objects and module builds, and skf's command line (here,
//! not in the binary, so that `cargo xtask docs` renders its man pages).

pub mod abi;
pub mod bounded_read;
pub mod bpf_insn;
pub mod bpf_object;
pub mod btf;
pub mod cfg;
pub mod cli;
pub mod gen;
pub mod guard;
pub mod kfunc_hook;
pub mod manifest;
pub mod module_btf;
pub mod offered;
pub mod prog_check;
pub mod proto;
pub mod records;
pub mod require_api;
pub mod sec_def;
pub mod sysfs;
