// SPDX-License-Identifier: GPL-2.0

use nix::errno::Errno;
use nix::kmod::{delete_module, finit_module, init_module, DeleteModuleFlags, ModuleInitFlags};
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const MODULE_NAME: &str = "stable_kfuncs";

/// stable_kfuncs.ko while inserted; removed on drop so a failing test does
/// not leave it behind for the next one.
pub struct LoadedModule {
    inserted: bool,
}

impl LoadedModule {
    pub fn insert(path: &Path) -> io::Result<LoadedModule> {
        let file = File::open(path)?;
        finit_module(&file, &CString::default(), ModuleInitFlags::empty())?;
        Ok(LoadedModule { inserted: true })
    }

    /// init_module(2) of an image in memory: no file system read in what it costs.
    pub fn insert_image(image: &[u8]) -> io::Result<LoadedModule> {
        init_module(image, &CString::default())?;
        Ok(LoadedModule { inserted: true })
    }

    /// Removes the module, returning the errno of delete_module(2) if any.
    pub fn remove(mut self) -> io::Result<()> {
        self.inserted = false;
        remove_module()
    }

    /// One delete_module(2), without waiting: for checking that removal is refused.
    pub fn try_remove() -> io::Result<()> {
        let name = CString::new(MODULE_NAME).expect("module name has no NUL");
        Ok(delete_module(&name, DeleteModuleFlags::O_NONBLOCK)?)
    }

    pub fn is_listed() -> bool {
        std::fs::read_to_string("/proc/modules")
            .expect("/proc/modules must be readable")
            .lines()
            .any(|line| line.split_whitespace().next() == Some(MODULE_NAME))
    }

    /// Inserts the module the cell built, panicking with the errno if it fails.
    pub fn insert_cell_module() -> LoadedModule {
        let env = crate::TestEnv::get();
        LoadedModule::insert(&env.module_path).expect("finit_module(stable_kfuncs.ko)")
    }

    pub fn btf_path() -> PathBuf {
        Path::new("/sys/kernel/btf").join(MODULE_NAME)
    }
}

/// The kernel frees a closed BPF program, and drops its module reference,
/// after an RCU grace period: give that a bounded time to happen.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(10);

fn remove_module() -> io::Result<()> {
    let deadline = Instant::now() + RELEASE_TIMEOUT;
    loop {
        match LoadedModule::try_remove() {
            Err(e) if e.raw_os_error() == Some(Errno::EWOULDBLOCK as i32) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            result => return result,
        }
    }
}

impl Drop for LoadedModule {
    fn drop(&mut self) {
        if self.inserted {
            let _ = remove_module();
        }
    }
}
