// SPDX-License-Identifier: GPL-2.0

//! `skf usage show|reset`: the module's per-kfunc counters.

use super::openmetrics::{self, Sample};
use super::{require_root, Exit, Output};
use crate::module_btf::read_running;
use crate::sysfs::{kfunc_counter, kfunc_names, sysfs_value, write_sysfs_value, SYSFS_DIR};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde::Serialize;
use std::fmt;

#[derive(Subcommand)]
pub enum Verb {
    /// Programs loaded per kfunc, and calls while call counting is on
    Show {
        /// Print OpenMetrics text instead, each kfunc labelled with its
        /// class and lifecycle (for node_exporter's textfile collector)
        #[arg(long)]
        openmetrics: bool,
    },
    /// Zero every counter (root), then print them as `usage show` does
    Reset,
}

#[derive(Serialize)]
struct Usage {
    kfunc: String,
    programs: u64,
    /// Null while call counting is off.
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

pub fn run(verb: Verb, out: Output) -> Result<Exit> {
    if let Verb::Reset = verb {
        require_root("skf usage reset")?;
        write_sysfs_value("reset_usage", "1")?;
    }
    let openmetrics = matches!(verb, Verb::Show { openmetrics: true });
    if openmetrics && out != Output::Text {
        bail!("--openmetrics is a text format of its own: drop --json/--pretty");
    }
    let call_counting = sysfs_value("call_counting")? == "1";
    let kfuncs = kfunc_names()?
        .iter()
        .map(|name| {
            let calls = if call_counting { Some(kfunc_counter(name, "calls")?) } else { None };
            Ok(Usage { kfunc: name.clone(), programs: kfunc_counter(name, "programs")?, calls })
        })
        .collect::<Result<Vec<_>>>()?;
    if openmetrics {
        let running = read_running()?;
        let samples = kfuncs
            .iter()
            .map(|u| {
                let abi =
                    running.kfuncs.get(&u.kfunc).with_context(|| format!("{} has counters but no BTF record in the module", u.kfunc))?;
                Ok(Sample { abi, programs: u.programs, calls: u.calls })
            })
            .collect::<Result<Vec<_>>>()?;
        super::output::write_stdout(&openmetrics::render(running.api_level, &samples))?;
    } else {
        out.print(&Report { call_counting, kfuncs })?;
    }
    Ok(Exit::Fine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::contract::assert_documented;

    #[test]
    fn usage_show_and_reset_print_the_documented_fields() {
        let report = Report { call_counting: true, kfuncs: vec![Usage { kfunc: "skf_task_cpu".into(), programs: 1, calls: Some(2) }] };
        assert_documented("skf usage show", &report);
        assert_documented("skf usage reset", &report);
    }
}
