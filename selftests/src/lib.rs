//! Shared fixtures for the in-VM selftests.
//!
//! The VM runner (vm-test/check.sh) passes what it built through the
//! environment; a test run anywhere else fails with a message saying how to
//! run it, never silently passes.

pub mod caps;
mod clock;
mod env;
pub mod exec_exit;
mod kmsg;
mod module;
pub mod sysfs;
pub mod task_info;

pub use clock::clock_ns;
pub use env::TestEnv;
pub use kmsg::Kmsg;
pub use module::LoadedModule;

use skf::manifest::Manifest;

/// The manifest the module under test was built from: the specification
/// the tests hold the module to.
pub fn manifest() -> Manifest {
    Manifest::parse(include_str!("../../module/kfuncs.toml")).expect("module/kfuncs.toml is valid")
}

/// (name, compiled object) of each BPF program the skeletons embed.
pub const BPF_OBJECTS: &[(&str, &[u8])] = &[
    ("comm_v1", include_bytes!(concat!(env!("OUT_DIR"), "/comm_v1.bpf.o"))),
    ("comm_v2", include_bytes!(concat!(env!("OUT_DIR"), "/comm_v2.bpf.o"))),
    ("task_info", include_bytes!(concat!(env!("OUT_DIR"), "/task_info.bpf.o"))),
    ("rss_sched_switch", include_bytes!(concat!(env!("OUT_DIR"), "/rss_sched_switch.bpf.o"))),
    ("exec_exit", include_bytes!(concat!(env!("OUT_DIR"), "/exec_exit.bpf.o"))),
];

pub mod skel {
    //! Skeletons of the BPF programs in selftests/bpf/.
    #![allow(clippy::all, missing_docs)]

    pub mod comm_v1 {
        include!(concat!(env!("OUT_DIR"), "/comm_v1.skel.rs"));
    }
    pub mod comm_v2 {
        include!(concat!(env!("OUT_DIR"), "/comm_v2.skel.rs"));
    }
    pub mod exec_exit {
        include!(concat!(env!("OUT_DIR"), "/exec_exit.skel.rs"));
    }
    pub mod task_info {
        include!(concat!(env!("OUT_DIR"), "/task_info.skel.rs"));
    }
    pub mod task_kptr {
        include!(concat!(env!("OUT_DIR"), "/task_kptr.skel.rs"));
    }
    pub mod rss_sched_switch {
        include!(concat!(env!("OUT_DIR"), "/rss_sched_switch.skel.rs"));
    }
}
