// SPDX-License-Identifier: GPL-2.0

//! The running module's /sys/kernel/stable_kfuncs.

use anyhow::{bail, Context, Result};
use std::path::Path;

pub const SYSFS_DIR: &str = "/sys/kernel/stable_kfuncs";

/// Says how to load the module, both for an installed one and for a build in a checkout.
pub const NOT_LOADED: &str =
    "stable_kfuncs is not loaded: load it with `modprobe stable_kfuncs` where it is installed (a package, dkms or \
     `make modules_install`), or in a source checkout after `make` with `insmod module/stable_kfuncs.ko`; either as root";

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

/// A per-kfunc counter: `programs` or `calls`. Root's only (mode 0400): they
/// tell which programs run on the machine.
pub fn kfunc_counter(kfunc: &str, counter: &str) -> Result<u64> {
    match readable_kfunc_counter(kfunc, counter)? {
        Some(count) => Ok(count),
        None => bail!("reading {SYSFS_DIR}/kfuncs/{kfunc}/{counter} needs root (usage counters are root's only): run it with sudo"),
    }
}

/// A per-kfunc counter, or None where this user may not read it.
pub fn readable_kfunc_counter(kfunc: &str, counter: &str) -> Result<Option<u64>> {
    let rel = format!("kfuncs/{kfunc}/{counter}");
    let text = match sysfs_value(&rel) {
        Ok(text) => text,
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied) => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    text.parse().map(Some).with_context(|| format!("{SYSFS_DIR}/{rel} holds '{text}', not a count"))
}
