use nix::kmod::{delete_module, finit_module, DeleteModuleFlags, ModuleInitFlags};
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

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

    /// Removes the module, returning the errno of delete_module(2) if any.
    pub fn remove(mut self) -> io::Result<()> {
        self.inserted = false;
        remove_module()
    }

    pub fn is_listed() -> bool {
        std::fs::read_to_string("/proc/modules")
            .expect("/proc/modules must be readable")
            .lines()
            .any(|line| line.split_whitespace().next() == Some(MODULE_NAME))
    }

    pub fn btf_path() -> PathBuf {
        Path::new("/sys/kernel/btf").join(MODULE_NAME)
    }
}

fn remove_module() -> io::Result<()> {
    let name = CString::new(MODULE_NAME).expect("module name has no NUL");
    Ok(delete_module(&name, DeleteModuleFlags::O_NONBLOCK)?)
}

impl Drop for LoadedModule {
    fn drop(&mut self) {
        if self.inserted {
            let _ = remove_module();
        }
    }
}
