//! `skf usage show|reset`: the module's per-kfunc counters.

use super::{require_root, Output};
use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;
use skf::sysfs::{kfunc_counter, kfunc_names, sysfs_value, write_sysfs_value, SYSFS_DIR};
use std::fmt;

#[derive(Subcommand)]
pub enum Verb {
    /// Programs loaded per kfunc, and calls while call counting is on
    Show,
    /// Zero every counter (root)
    Reset,
}

#[derive(Serialize)]
struct Usage {
    kfunc: String,
    programs: u64,
    /// Absent while call counting is off.
    calls: Option<u64>,
}

#[derive(Serialize)]
struct Report {
    call_counting: bool,
    kfuncs: Vec<Usage>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "{:<28} {:>8} {:>10}", "KFUNC", "PROGRAMS", "CALLS")?;
        for u in &self.kfuncs {
            writeln!(f, "{:<28} {:>8} {:>10}", u.kfunc, u.programs, u.calls.map_or("off".into(), |c| c.to_string()))?;
        }
        if !self.call_counting {
            writeln!(f, "(calls are counted only while {SYSFS_DIR}/call_counting is 1)")?;
        }
        Ok(())
    }
}

pub fn run(verb: Verb, out: Output) -> Result<u8> {
    if let Verb::Reset = verb {
        require_root("skf usage reset")?;
        write_sysfs_value("reset_usage", "1")?;
    }
    let call_counting = sysfs_value("call_counting")? == "1";
    let kfuncs = kfunc_names()?
        .iter()
        .map(|name| {
            let calls = if call_counting { Some(kfunc_counter(name, "calls")?) } else { None };
            Ok(Usage { kfunc: name.clone(), programs: kfunc_counter(name, "programs")?, calls })
        })
        .collect::<Result<Vec<_>>>()?;
    out.print(&Report { call_counting, kfuncs })?;
    Ok(0)
}
