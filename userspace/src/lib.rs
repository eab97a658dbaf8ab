//! Userspace tooling for stable_kfuncs: the manifest that declares every
//! kfunc, and the generator that derives the module's glue from it.

pub mod gen;
pub mod manifest;
pub mod proto;
