// SPDX-License-Identifier: GPL-2.0

//! /sys/kernel/stable_kfuncs.

use std::path::{Path, PathBuf};

pub const ROOT: &str = "/sys/kernel/stable_kfuncs";

pub fn path(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

pub fn read(rel: &str) -> String {
    let p = path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())).trim_end().to_string()
}

pub fn write(rel: &str, value: &str) -> std::io::Result<()> {
    std::fs::write(path(rel), value)
}

/// A kfunc's counter, e.g. `counter("skf_task_cpu", "calls")`.
pub fn counter(kfunc: &str, name: &str) -> u64 {
    let text = read(&format!("kfuncs/{kfunc}/{name}"));
    text.parse().unwrap_or_else(|_| panic!("kfuncs/{kfunc}/{name} = '{text}' is not a number"))
}
