// SPDX-License-Identifier: GPL-2.0

//! `skf policy get|set`: the module's answer to deprecated kfunc use.

use super::{require_root, Exit, Output};
use crate::sysfs::{sysfs_value, write_sysfs_value};
use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use std::fmt;

#[derive(Subcommand)]
pub enum Verb {
    /// Print the policy
    Get,
    /// Set the policy (root)
    Set {
        #[arg(value_enum)]
        policy: Policy,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Policy {
    /// Load programs that use deprecated kfuncs, silently
    Allow,
    /// Load them and log one warning per program naming the kfunc and its replacement
    Warn,
    /// Refuse to load them
    Deny,
}

/// The policy in force, as the module's sysfs spells it.
#[derive(Serialize)]
struct Report {
    policy: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "{}", self.policy)
    }
}

pub fn run(verb: Verb, out: Output) -> Result<Exit> {
    if let Verb::Set { policy } = verb {
        require_root("skf policy set")?;
        let name = policy.to_possible_value().expect("no variant is skipped").get_name().to_string();
        write_sysfs_value("policy", &name)?;
    }
    out.print(&Report { policy: sysfs_value("policy")? })?;
    Ok(Exit::Fine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::contract::assert_documented;

    #[test]
    fn policy_get_and_set_print_the_documented_fields() {
        let report = Report { policy: "warn".into() };
        assert_documented("skf policy get", &report);
        assert_documented("skf policy set", &report);
    }
}
