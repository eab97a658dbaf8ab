//! `skf usage show|reset`: the module's per-kfunc counters.

use super::{print_json, require_root};
use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;
use skf::sysfs::{kfunc_counter, kfunc_names, sysfs_value, write_sysfs_value, SYSFS_DIR};

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

pub fn run(verb: Verb, json: bool) -> Result<u8> {
    if let Verb::Reset = verb {
        require_root("skf usage reset")?;
        write_sysfs_value("reset_usage", "1")?;
    }
    let counting = sysfs_value("call_counting")? == "1";
    let usage = kfunc_names()?
        .iter()
        .map(|name| {
            let calls = if counting { Some(kfunc_counter(name, "calls")?) } else { None };
            Ok(Usage { kfunc: name.clone(), programs: kfunc_counter(name, "programs")?, calls })
        })
        .collect::<Result<Vec<_>>>()?;
    if json {
        print_json(&serde_json::json!({ "call_counting": counting, "kfuncs": usage }))?;
    } else {
        println!("{:<28} {:>8} {:>10}", "KFUNC", "PROGRAMS", "CALLS");
        for u in &usage {
            println!("{:<28} {:>8} {:>10}", u.kfunc, u.programs, u.calls.map_or("off".into(), |c| c.to_string()));
        }
        if !counting {
            println!("(calls are counted only while {SYSFS_DIR}/call_counting is 1)");
        }
    }
    Ok(0)
}
