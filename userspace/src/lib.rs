//! Userspace tooling for stable_kfuncs: the manifest that declares every
//! kfunc, the generator that derives the module's glue from it, and the
//! checks `skf` runs on BPF objects and module builds.

pub mod abi;
pub mod bpf_object;
pub mod btf;
pub mod gen;
pub mod manifest;
pub mod module_btf;
pub mod prog_check;
pub mod proto;
pub mod records;
pub mod require_api;
pub mod sysfs;
