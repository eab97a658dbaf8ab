// SPDX-License-Identifier: GPL-2.0

//! `skf kfunc list|show`: what the running kernel offers, from the module's
//! BTF decl tags (what the verifier sees) and its sysfs (registration, usage).

use super::{builtin_manifest, level_text, Exit, Output};
use crate::abi::{Class, KfuncAbi};
use crate::manifest::split_version;
use crate::module_btf::read_running;
use crate::sysfs::{readable_kfunc_counter, sysfs_value};
use anyhow::{bail, Result};
use clap::Subcommand;
use serde::Serialize;
use std::collections::BTreeSet;
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

/// One kfunc as `kfunc list` and `kfunc show` report it. Lifecycle levels
/// are spelled as the module's sysfs files and the OpenMetrics labels are.
#[derive(Serialize)]
struct Entry {
    name: String,
    /// The N of a `_vN` suffix; 1 for a name without one.
    version: u32,
    proto: String,
    class: Class,
    since: u32,
    deprecated_in: Option<u32>,
    removed_in: Option<u32>,
    replacement: Option<String>,
    prog_types: BTreeSet<String>,
    flags: BTreeSet<String>,
    /// Programs loaded since the module (or its counters) started that use
    /// it; null for a user other than root, who may not read the counters.
    programs: Option<u64>,
    /// Calls counted; null while /sys/kernel/stable_kfuncs/call_counting is
    /// 0 (as `usage show` has it), and for a user other than root.
    calls: Option<u64>,
    doc: String,
}

impl Entry {
    fn new(abi: KfuncAbi, programs: Option<u64>, calls: Option<u64>, doc: String) -> Entry {
        Entry {
            version: split_version(&abi.name).map_or(1, |(_, v)| v),
            name: abi.name,
            proto: abi.proto,
            class: abi.class,
            since: abi.since,
            deprecated_in: abi.deprecated,
            removed_in: abi.removed,
            replacement: abi.replacement,
            prog_types: abi.prog_types,
            flags: abi.flags,
            programs,
            calls,
            doc,
        }
    }
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
    let call_counting = sysfs_value("call_counting")? == "1";
    let kfuncs = running
        .kfuncs
        .into_values()
        .map(|abi| {
            let programs = readable_kfunc_counter(&abi.name, "programs")?;
            let calls = if call_counting { readable_kfunc_counter(&abi.name, "calls")? } else { None };
            let doc = sysfs_value(&format!("kfuncs/{}/doc", abi.name))?;
            Ok(Entry::new(abi, programs, calls, doc))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { api_level: running.api_level, policy: sysfs_value("policy")?, call_counting, kfuncs })
}

const ROOT_ONLY: &str = "(usage counters are readable by root only: run with sudo to see them)";

/// A counter, or "root" where this user may not read it.
fn counter_text(count: Option<u64>) -> String {
    count.map_or("root".into(), |c| c.to_string())
}

fn join(set: &BTreeSet<String>, sep: &str) -> String {
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
                e.class.name(),
                e.since,
                level_text(e.deprecated_in),
                level_text(e.removed_in),
                e.replacement.as_deref().unwrap_or("-"),
                join(&e.prog_types, ","),
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
        writeln!(f, "{}", e.proto)?;
        writeln!(f, "  {}", e.doc)?;
        writeln!(f, "  version      {}", e.version)?;
        writeln!(f, "  class        {}", e.class.name())?;
        writeln!(f, "  since        API {}", e.since)?;
        writeln!(f, "  deprecated   {}", level_text(e.deprecated_in))?;
        writeln!(f, "  removed      {}", level_text(e.removed_in))?;
        writeln!(f, "  replacement  {}", e.replacement.as_deref().unwrap_or("-"))?;
        writeln!(f, "  prog types   {}", join(&e.prog_types, " "))?;
        writeln!(f, "  flags        {}", join(&e.flags, " | "))?;
        writeln!(f, "  programs     {}", counter_text(e.programs))?;
        let calls = if self.call_counting { counter_text(e.calls) } else { "not counted (call_counting is 0)".into() };
        writeln!(f, "  calls        {calls}")?;
        if e.programs.is_none() {
            writeln!(f, "{ROOT_ONLY}")?;
        }
        Ok(())
    }
}

pub fn run(verb: Verb, out: Output) -> Result<Exit> {
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
    Ok(Exit::Fine)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::LevelAbi;
    use crate::cli::contract::{assert_documented, sysfs_kfunc_files};

    /// A listing of two kfuncs of the newest level, counters readable and counting on.
    fn sample_listing() -> Listing {
        let manifest = builtin_manifest().unwrap();
        let level = LevelAbi::of_manifest(&manifest, manifest.api_level);
        let kfuncs = level.kfuncs.into_values().take(2).map(|abi| Entry::new(abi, Some(3), Some(7), "a doc".into())).collect();
        Listing { api_level: manifest.api_level, policy: "warn".into(), call_counting: true, kfuncs }
    }

    #[test]
    fn kfunc_list_and_show_print_the_documented_fields_once_each() {
        let listing = sample_listing();
        assert_documented("skf kfunc list", &listing);
        assert_documented("skf kfunc show", &Shown { entry: &listing.kfuncs[0], call_counting: true });
    }

    #[test]
    fn kfunc_fields_are_spelled_as_the_module_sysfs_spells_them() {
        let files = sysfs_kfunc_files();
        assert!(files.contains("deprecated_in"), "module/sysfs.c has no deprecated_in file: {files:?}");
        let entry = serde_json::to_value(&sample_listing().kfuncs[0]).unwrap();
        // The name is the sysfs directory's, the version the name's suffix.
        let not_in_sysfs: Vec<&String> =
            entry.as_object().unwrap().keys().filter(|k| !files.contains(*k) && !["name", "version"].contains(&k.as_str())).collect();
        assert!(not_in_sysfs.is_empty(), "kfunc fields {not_in_sysfs:?} are not sysfs files of module/sysfs.c: {files:?}");
    }
}
