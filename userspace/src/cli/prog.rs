// SPDX-License-Identifier: GPL-2.0

//! `skf prog check`: rate a BPF object's kfunc imports.

use super::{builtin_manifest, Exit, Output};
use crate::module_btf::read_running;
use crate::offered::{running_as_manifest, OfferedBy};
use crate::prog_check::{Report, Verdict};
use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Verb {
    /// Rate the kfuncs a BPF object imports, and its programs' calls, against an API level
    ///
    /// Lists every kfunc OBJ imports (weak and flavored ones too) and rates
    /// it: ok, deprecated, missing_weak (absent, weak, and no call of it is
    /// reached: each is behind a bpf_ksym_exists() test of that kfunc the
    /// verifier prunes), missing (absent, and a call is reached or it is not
    /// weak), unknown (absent, and skf cannot tell whether a call is
    /// reached), or foreign (not a stable_kfuncs kfunc).
    ///
    /// Each program's type comes from its SEC() name, as libbpf maps it; a
    /// call the verifier reaches from a type the kfunc is not offered to
    /// (raw_tp, xdp, tc, a tracing-only kfunc from a kprobe, ...) makes the
    /// program incompatible. Where the answer depends on what skf cannot see
    /// (an unknown SEC() name, an freplace target, a branch on a load-time
    /// constant), the verdict is unknown, never compatible.
    ///
    /// JSON adds "programs": [{"name", "section", "prog_type" (BPF_PROG_TYPE_*
    /// or null), "autoload", "verdict", "problems": [{"kfunc", "function",
    /// "insn", "verdict": "incompatible"|"unknown", "reason"}]}]; "verdict"
    /// may be "unknown", and a kfunc's "rating" too. A program's "verdict"
    /// is "deprecated" where it calls a deprecated kfunc: the module warns
    /// about (or, under policy deny, refuses) each such load.
    ///
    /// Exit 0 compatible, 1 deprecated kfuncs with --strict, 2 incompatible
    /// or unknown (skf cannot tell that it loads).
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

/// The report, with the object it is about for the text form and where
/// the kfuncs it was rated against came from.
#[derive(Serialize)]
struct Checked<'a> {
    #[serde(skip)]
    object: &'a std::path::Path,
    offered_by: OfferedBy,
    #[serde(flatten)]
    report: &'a Report,
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let report = self.report;
        writeln!(f, "{}: {} at API {}, {}", self.object.display(), report.verdict, report.api_level, self.offered_by)?;
        for k in &self.report.kfuncs {
            let weak = if k.weak { " (weak)" } else { "" };
            let advice = k.advice.as_deref().map_or(String::new(), |a| format!(": {a}"));
            writeln!(f, "  {:<14} {}{weak}{advice}", k.rating.to_string(), k.symbol)?;
        }
        for p in self.report.programs.iter().filter(|p| !p.problems.is_empty()) {
            let autoload = if p.autoload { "" } else { ", not autoloaded: not counted" };
            let prog_type = p.prog_type.unwrap_or("no program type");
            writeln!(f, "  program {} (SEC(\"{}\"), {prog_type}): {}{autoload}", p.name, p.section, p.verdict)?;
            for problem in &p.problems {
                writeln!(f, "    {:<12} {}", problem.verdict.to_string(), problem.reason)?;
            }
        }
        Ok(())
    }
}

pub fn run(verb: Verb, out: Output) -> Result<Exit> {
    let Verb::Check { object, api, strict } = verb;
    let manifest = builtin_manifest()?;
    // What the user gave is checked before what the system has.
    let parsed = crate::bpf_object::read(&object)?;
    let (offered, level, offered_by) = match api {
        Some(n) => (manifest, n, OfferedBy::Manifest),
        None => {
            let running = read_running().context("checking against the running module (or pass --api N to check offline)")?;
            let level = running.api_level;
            (running_as_manifest(manifest, &running), level, OfferedBy::Module)
        }
    };
    let report = crate::prog_check::check(&parsed, &offered, level);
    out.print(&Checked { object: &object, offered_by, report: &report })?;
    Ok(match report.verdict {
        Verdict::Incompatible | Verdict::Unknown => Exit::Incompatible,
        Verdict::Deprecated if strict => Exit::Finding,
        _ => Exit::Fine,
    })
}
