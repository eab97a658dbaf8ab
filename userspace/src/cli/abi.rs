// SPDX-License-Identifier: GPL-2.0

//! `skf abi check|diff`: hold module builds and the manifest to the released
//! API levels. (Releasing a level is `cargo xtask abi-release`'s.)

use super::{Exit, Output};
use crate::abi::{Change, LevelAbi};
use crate::manifest::Manifest;
use crate::module_btf::{read_ko, SYSFS_BTF_VMLINUX};
use crate::records::{self, Record};
use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum Verb {
    /// Check the manifest against the released levels, and module builds against the manifest
    ///
    /// Checks module/kfuncs.toml against module/abi/api-N.toml, and each
    /// MODULE.ko's BTF and kfunc sets against the manifest.
    /// Exit 0 consistent; 2 an ABI promise is broken: a released level
    /// changed, a build differs from the manifest, or the manifest breaks its
    /// rules (removal without deprecation, say); 3 a manifest, record or
    /// build that cannot be read or parsed (a TOML syntax error, say).
    Check {
        /// Built stable_kfuncs.ko files to check
        modules: Vec<PathBuf>,
        #[command(flatten)]
        base: BaseArg,
        /// The repository root
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Show how NEW.ko's kfuncs differ from OLD.ko's
    ///
    /// The two builds may be for different kernels (6.12 and 7.2, say): give
    /// NEW's vmlinux with --new-base-btf.
    /// Exit 0 identical, 1 only compatible changes, 2 incompatible ones.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[command(flatten)]
        base: BaseArg,
        /// The vmlinux NEW.ko was built against, where it is not OLD.ko's (default: the --base-btf)
        #[arg(long, value_name = "VMLINUX")]
        new_base_btf: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct BaseArg {
    /// The vmlinux (ELF or raw BTF) the modules were built against: their BTF extends its BTF.
    /// Not needed for a build that carries its own distilled base (.BTF.base, pahole >= 1.26)
    #[arg(short = 'B', long = "base-btf", visible_alias = "btf-base", value_name = "VMLINUX", default_value = SYSFS_BTF_VMLINUX)]
    base_btf: PathBuf,
}

#[derive(Serialize)]
struct Problem {
    /// The manifest, or the module build, that breaks a promise.
    source: String,
    #[serde(flatten)]
    change: Change,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Ok,
    Incompatible,
}

#[derive(Serialize)]
struct CheckReport {
    released: Vec<u32>,
    problems: Vec<Problem>,
    verdict: Verdict,
    #[serde(skip)]
    module_builds: usize,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for p in &self.problems {
            match &p.change.kfunc {
                Some(kfunc) => writeln!(f, "{}: {kfunc}: {}", p.source, p.change.change)?,
                None => writeln!(f, "{}: {}", p.source, p.change.change)?,
            }
        }
        let verdict = if self.verdict == Verdict::Ok { "ok" } else { "incompatible" };
        writeln!(f, "abi check: {verdict} (released API levels {:?}, {} module build(s))", self.released, self.module_builds)
    }
}

#[derive(Serialize)]
struct DiffReport {
    old_api_level: u32,
    new_api_level: u32,
    changes: Vec<Change>,
    #[serde(skip)]
    paths: (PathBuf, PathBuf),
}

impl fmt::Display for DiffReport {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (old, new) = &self.paths;
        writeln!(f, "{} (API {}) -> {} (API {})", old.display(), self.old_api_level, new.display(), self.new_api_level)?;
        for c in &self.changes {
            writeln!(
                f,
                "  {} {}: {}",
                if c.compatible { "compatible  " } else { "INCOMPATIBLE" },
                c.kfunc.as_deref().unwrap_or("the level"),
                c.change
            )?;
        }
        if self.changes.is_empty() {
            writeln!(f, "  no differences")?;
        }
        Ok(())
    }
}

pub fn run(verb: Verb, out: Output) -> Result<Exit> {
    match verb {
        Verb::Check { modules, base, repo } => check(out, &repo, &modules, &base.base_btf),
        Verb::Diff { old, new, base, new_base_btf } => {
            diff(out, &old, &new, &base.base_btf, new_base_btf.as_deref().unwrap_or(&base.base_btf))
        }
    }
}

fn check(out: Output, repo: &Path, modules: &[PathBuf], base: &Path) -> Result<Exit> {
    let manifest_path = repo.join("module/kfuncs.toml");
    let source = manifest_path.display().to_string();
    let mut problems = Vec::new();
    let mut released = Vec::new();
    // A manifest skf cannot read or parse is an error; one that breaks its
    // own rules (say, removal without deprecation) breaks the ABI.
    let manifest = Manifest::load_unvalidated(&manifest_path)?;
    match manifest.validate() {
        Err(e) => {
            problems.push(Problem { source: source.clone(), change: Change { kfunc: None, change: format!("{e:#}"), compatible: false } })
        }
        Ok(()) => {
            let recorded = Record::load_all(&repo.join(records::DIR))?;
            released = recorded.iter().map(|r| r.api_level).collect();
            problems.extend(records::check(&manifest, &recorded).into_iter().map(|change| Problem { source: source.clone(), change }));
            for ko in modules {
                let built = read_ko(ko, base)?;
                let promised = if (1..=manifest.api_level).contains(&built.api_level) {
                    LevelAbi::of_manifest(&manifest, built.api_level)
                } else {
                    LevelAbi { api_level: built.api_level, kfuncs: Default::default() }
                };
                for mut change in promised.diff(&built) {
                    change.change = format!("API {} build differs from what the manifest promises: {}", built.api_level, change.change);
                    problems.push(Problem { source: ko.display().to_string(), change });
                }
            }
        }
    }
    let verdict = if problems.is_empty() { Verdict::Ok } else { Verdict::Incompatible };
    out.print(&CheckReport { released, problems, verdict, module_builds: modules.len() })?;
    Ok(if verdict == Verdict::Ok { Exit::Fine } else { Exit::Incompatible })
}

fn diff(out: Output, old: &Path, new: &Path, old_base: &Path, new_base: &Path) -> Result<Exit> {
    let a = read_ko(old, old_base)?;
    let b = read_ko(new, new_base).context("the new build")?;
    let changes = a.diff(&b);
    let code = if changes.iter().any(|c| !c.compatible) {
        Exit::Incompatible
    } else if changes.is_empty() {
        Exit::Fine
    } else {
        Exit::Finding
    };
    out.print(&DiffReport { old_api_level: a.api_level, new_api_level: b.api_level, changes, paths: (old.into(), new.into()) })?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::contract::assert_documented;

    /// `abi diff` needs two module builds; its report is checked here.
    #[test]
    fn abi_diff_prints_the_documented_fields() {
        let change = Change { kfunc: Some("skf_task_cpu".into()), change: "verifier flag KF_RCU dropped".into(), compatible: true };
        let report = DiffReport { old_api_level: 3, new_api_level: 4, changes: vec![change], paths: ("old.ko".into(), "new.ko".into()) };
        assert_documented("skf abi diff", &report);
    }
}
