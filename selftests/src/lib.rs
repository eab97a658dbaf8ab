//! Shared fixtures for the in-VM selftests.
//!
//! The VM runner (vm-test/check.sh) passes what it built through the
//! environment; a test run anywhere else fails with a message saying how to
//! run it, never silently passes.

mod env;
mod module;

pub use env::TestEnv;
pub use module::LoadedModule;
