//! `skf prog check`: rate a BPF object's kfunc imports.

use super::{builtin_manifest, Output, EXIT_FINDING, EXIT_INCOMPATIBLE};
use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Serialize;
use skf::prog_check::{Report, Verdict};
use std::fmt;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Verb {
    /// Rate every kfunc a BPF object imports against an API level
    ///
    /// Lists every kfunc OBJ imports (weak and flavored ones too) and rates
    /// it: ok, deprecated, missing_weak (absent, but tested with
    /// bpf_ksym_exists() and weak), missing, or foreign (not a stable_kfuncs kfunc).
    /// Exit 0 compatible, 1 deprecated kfuncs with --strict, 2 incompatible.
    Check {
        /// A BPF object built by clang -target bpf -g
        object: PathBuf,
        /// Rate against this API level instead of the loaded module (no root, no module needed)
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_api_level)]
        api: Option<u32>,
        /// Exit 1 if the object uses deprecated kfuncs
        #[arg(long)]
        strict: bool,
    },
}

/// `--api N`: one message for anything that is not a released level.
fn parse_api_level(text: &str) -> Result<u32, String> {
    let newest = builtin_manifest().map_err(|e| format!("{e:#}"))?.api_level;
    text.parse()
        .ok()
        .filter(|n| (1..=newest).contains(n))
        .ok_or_else(|| format!("API level '{text}' does not exist: stable_kfuncs has levels 1 to {newest}"))
}

/// The report, with the object it is about for the text form.
#[derive(Serialize)]
struct Checked<'a> {
    #[serde(skip)]
    object: &'a std::path::Path,
    #[serde(flatten)]
    report: &'a Report,
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "{}: {} at API {}", self.object.display(), self.report.verdict, self.report.api_level)?;
        for k in &self.report.kfuncs {
            let weak = if k.weak { " (weak)" } else { "" };
            let advice = k.advice.as_deref().map_or(String::new(), |a| format!(": {a}"));
            writeln!(f, "  {:<14} {}{weak}{advice}", k.rating.to_string(), k.symbol)?;
        }
        Ok(())
    }
}

fn running_api_level() -> Result<u32> {
    let text = skf::sysfs::sysfs_value("api_level")?;
    text.parse().with_context(|| format!("{}/api_level holds '{text}', not a level", skf::sysfs::SYSFS_DIR))
}

pub fn run(verb: Verb, out: Output) -> Result<u8> {
    let Verb::Check { object, api, strict } = verb;
    let manifest = builtin_manifest()?;
    // What the user gave is checked before what the system has.
    let imports = skf::bpf_object::kfunc_imports(&object)?;
    let level = match api {
        Some(n) => n,
        None => running_api_level().context("checking against the running kernel (or pass --api N to check offline)")?,
    };
    let report = skf::prog_check::check(&imports, &manifest, level);
    out.print(&Checked { object: &object, report: &report })?;
    Ok(match report.verdict {
        Verdict::Incompatible => EXIT_INCOMPATIBLE,
        Verdict::Deprecated if strict => EXIT_FINDING,
        _ => 0,
    })
}
