//! Userspace tooling for stable_kfuncs: the manifest that declares every
//! kfunc, the generator that derives the module's glue from it, and the
//! checks `skf` runs on BPF objects.

pub mod bpf_object;
pub mod btf;
pub mod gen;
pub mod manifest;
pub mod prog_check;
pub mod proto;
