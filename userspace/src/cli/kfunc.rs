//! `skf kfunc list|show`: what the running kernel offers, from the module's
//! BTF decl tags (what the verifier sees) and its sysfs (registration, usage).

use super::{builtin_manifest, level_text, Output};
use anyhow::{bail, Result};
use clap::Subcommand;
use serde::Serialize;
use skf::abi::KfuncAbi;
use skf::manifest::split_version;
use skf::module_btf::read_running;
use skf::sysfs::{readable_kfunc_counter, sysfs_value};
use std::fmt;

#[derive(Subcommand)]
pub enum Verb {
    /// Every kfunc the loaded module offers
    ///
    /// Version, stability, lifecycle, program types and usage of each.
    /// Needs no root where /sys/kernel/btf is readable.
    List,
    /// The full record of one kfunc, with its prototype and doc
    Show {
        /// The kfunc's name, e.g. skf_task_comm_v2
        name: String,
    },
}

#[derive(Serialize)]
struct Entry {
    name: String,
    /// The N of a `_vN` suffix; 1 for a name without one.
    version: u32,
    #[serde(flatten)]
    abi: KfuncAbi,
    /// Programs loaded since the module (or its counters) started that use
    /// it; null for a user other than root, who may not read the counters.
    programs: Option<u64>,
    /// Calls counted while /sys/kernel/stable_kfuncs/call_counting is 1;
    /// null for a user other than root.
    calls: Option<u64>,
    doc: String,
}

#[derive(Serialize)]
struct Listing {
    api_level: u32,
    policy: String,
    call_counting: bool,
    kfuncs: Vec<Entry>,
}

fn listing() -> Result<Listing> {
    let running = read_running()?;
    let kfuncs = running
        .kfuncs
        .into_values()
        .map(|abi| {
            Ok(Entry {
                version: split_version(&abi.name).map_or(1, |(_, v)| v),
                programs: readable_kfunc_counter(&abi.name, "programs")?,
                calls: readable_kfunc_counter(&abi.name, "calls")?,
                doc: sysfs_value(&format!("kfuncs/{}/doc", abi.name))?,
                name: abi.name.clone(),
                abi,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing {
        api_level: running.api_level,
        policy: sysfs_value("policy")?,
        call_counting: sysfs_value("call_counting")? == "1",
        kfuncs,
    })
}

const ROOT_ONLY: &str = "(usage counters are readable by root only: run with sudo to see them)";

/// A counter, or "root" where this user may not read it.
fn counter_text(count: Option<u64>) -> String {
    count.map_or("root".into(), |c| c.to_string())
}

fn join(set: &std::collections::BTreeSet<String>, sep: &str) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(sep)
}

impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "stable_kfuncs API {}, policy {}", self.api_level, self.policy)?;
        writeln!(
            f,
            "{:<28} {:>3} {:<10} {:>5} {:>5} {:>7}  {:<18} {:<21} {:>8} {:>8}",
            "KFUNC", "VER", "CLASS", "SINCE", "DEPR", "REMOVED", "REPLACEMENT", "PROG TYPES", "PROGRAMS", "CALLS"
        )?;
        for e in &self.kfuncs {
            let calls = if self.call_counting { counter_text(e.calls) } else { "off".into() };
            writeln!(
                f,
                "{:<28} {:>3} {:<10} {:>5} {:>5} {:>7}  {:<18} {:<21} {:>8} {:>8}",
                e.name,
                e.version,
                e.abi.class.name(),
                e.abi.since,
                level_text(e.abi.deprecated),
                level_text(e.abi.removed),
                e.abi.replacement.as_deref().unwrap_or("-"),
                join(&e.abi.prog_types, ","),
                counter_text(e.programs),
                calls
            )?;
        }
        if self.kfuncs.iter().any(|e| e.programs.is_none()) {
            writeln!(f, "{ROOT_ONLY}")?;
        }
        Ok(())
    }
}

/// One entry, with whether its call counter means anything, for the text form.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    #[serde(skip)]
    call_counting: bool,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let e = self.entry;
        writeln!(f, "{}", e.abi.proto)?;
        writeln!(f, "  {}", e.doc)?;
        writeln!(f, "  version      {}", e.version)?;
        writeln!(f, "  class        {}", e.abi.class.name())?;
        writeln!(f, "  since        API {}", e.abi.since)?;
        writeln!(f, "  deprecated   {}", level_text(e.abi.deprecated))?;
        writeln!(f, "  removed      {}", level_text(e.abi.removed))?;
        writeln!(f, "  replacement  {}", e.abi.replacement.as_deref().unwrap_or("-"))?;
        writeln!(f, "  prog types   {}", join(&e.abi.prog_types, " "))?;
        writeln!(f, "  flags        {}", join(&e.abi.flags, " | "))?;
        writeln!(f, "  programs     {}", counter_text(e.programs))?;
        let calls = if self.call_counting { counter_text(e.calls) } else { "not counted (call_counting is 0)".into() };
        writeln!(f, "  calls        {calls}")?;
        if e.programs.is_none() {
            writeln!(f, "{ROOT_ONLY}")?;
        }
        Ok(())
    }
}

pub fn run(verb: Verb, out: Output) -> Result<u8> {
    let listing = listing()?;
    match verb {
        Verb::List => out.print(&listing)?,
        Verb::Show { name } => {
            let Some(entry) = listing.kfuncs.iter().find(|e| e.name == name) else {
                bail!("{}", not_offered(&name, listing.api_level)?);
            };
            out.print(&Shown { entry, call_counting: listing.call_counting })?;
        }
    }
    Ok(0)
}

/// Why the running module does not offer `name`, and what to use instead.
fn not_offered(name: &str, level: u32) -> Result<String> {
    let manifest = builtin_manifest()?;
    Ok(match manifest.kfunc(name) {
        None => format!("unknown kfunc {name}: stable_kfuncs never released it (`skf kfunc list` shows what it offers)"),
        Some(k) if k.removed.is_some_and(|r| r <= level) => format!(
            "{name} was removed in API {}; use {}",
            k.removed.unwrap_or(level),
            k.replacement.as_deref().unwrap_or("its replacement")
        ),
        Some(k) => format!("{name} arrives in API {}, and the loaded module is API {level}", k.since),
    })
}
