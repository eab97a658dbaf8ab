//! The running module's /sys/kernel/stable_kfuncs.

use anyhow::{bail, Context, Result};
use std::path::Path;

pub const SYSFS_DIR: &str = "/sys/kernel/stable_kfuncs";
pub const NOT_LOADED: &str = "stable_kfuncs is not loaded: load it with `insmod stable_kfuncs.ko` (`make` builds it)";

/// One of the module's sysfs values (`rel` under SYSFS_DIR), trimmed.
pub fn sysfs_value(rel: &str) -> Result<String> {
    let path = Path::new(SYSFS_DIR).join(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.trim().to_string()),
        Err(_) if !Path::new(SYSFS_DIR).exists() => bail!(NOT_LOADED),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Writes one of the module's sysfs values (`rel` under SYSFS_DIR).
pub fn write_sysfs_value(rel: &str, value: &str) -> Result<()> {
    if !Path::new(SYSFS_DIR).exists() {
        bail!(NOT_LOADED);
    }
    std::fs::write(Path::new(SYSFS_DIR).join(rel), value).with_context(|| format!("cannot write '{value}' to {SYSFS_DIR}/{rel}"))
}

/// The kfuncs the module offers: one sysfs directory each.
pub fn kfunc_names() -> Result<Vec<String>> {
    let dir = Path::new(SYSFS_DIR).join("kfuncs");
    if !Path::new(SYSFS_DIR).exists() {
        bail!(NOT_LOADED);
    }
    let mut names = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    names.sort();
    Ok(names)
}

/// A per-kfunc counter: `programs` or `calls`.
pub fn kfunc_counter(kfunc: &str, counter: &str) -> Result<u64> {
    let rel = format!("kfuncs/{kfunc}/{counter}");
    let text = sysfs_value(&rel)?;
    text.parse().with_context(|| format!("{SYSFS_DIR}/{rel} holds '{text}', not a count"))
}
