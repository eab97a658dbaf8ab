// SPDX-License-Identifier: GPL-2.0

use std::path::PathBuf;

/// What the VM runner tells a test about the cell it runs in.
pub struct TestEnv {
    /// stable_kfuncs.ko built for this cell's architecture and API level.
    pub module_path: PathBuf,
    /// The same build with the layout guard's fault injection (C offsets skewed).
    pub skewed_module_path: PathBuf,
    /// The newest level built as out-of-tree modules are by default: with a
    /// distilled base (.BTF.base) where the kernel's tools make one.
    pub distilled_module_path: PathBuf,
    /// The API level the module was built at.
    pub api: u32,
    /// The `skf` command built for this architecture.
    pub skf_path: PathBuf,
    /// `make soak`'s duration (SKF_SOAK_SECONDS); None in `make check`,
    /// which runs the soak tests' short form.
    pub soak_seconds: Option<u64>,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: selftests run as root inside a test VM; run them with `make check`"))
}

fn file(name: &str) -> PathBuf {
    let path = PathBuf::from(var(name));
    assert!(path.is_file(), "{name}={} is not a file: build the module first (make check does)", path.display());
    path
}

impl TestEnv {
    /// Reads the cell description; panics with instructions outside a test VM.
    pub fn get() -> TestEnv {
        let api = var("SKF_API");
        TestEnv {
            module_path: file("SKF_MODULE"),
            skewed_module_path: file("SKF_MODULE_SKEWED"),
            distilled_module_path: file("SKF_MODULE_DISTILLED"),
            api: api.parse().unwrap_or_else(|_| panic!("SKF_API={api} is not a number")),
            skf_path: file("SKF_BIN"),
            soak_seconds: std::env::var("SKF_SOAK_SECONDS")
                .ok()
                .map(|s| s.parse().unwrap_or_else(|_| panic!("SKF_SOAK_SECONDS={s} is not a number of seconds"))),
        }
    }
}
