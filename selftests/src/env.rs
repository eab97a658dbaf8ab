use std::path::PathBuf;

/// What the VM runner tells a test about the cell it runs in.
pub struct TestEnv {
    /// The stable_kfuncs.ko built for this cell's architecture and API level.
    pub module_path: PathBuf,
}

impl TestEnv {
    /// Reads the cell description; panics with instructions outside a test VM.
    pub fn get() -> TestEnv {
        let module_path = std::env::var_os("SKF_MODULE").map(PathBuf::from).unwrap_or_else(|| {
            panic!("SKF_MODULE is not set: selftests run as root inside a test VM; run them with `make check`")
        });
        assert!(
            module_path.is_file(),
            "SKF_MODULE={} is not a file: build the module first (make check does)",
            module_path.display()
        );
        TestEnv { module_path }
    }
}
