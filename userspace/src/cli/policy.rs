//! `skf policy get|set`: the module's answer to deprecated kfunc use.

use super::{print_json, require_root};
use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use skf::sysfs::{sysfs_value, write_sysfs_value};

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

pub fn run(verb: Verb, json: bool) -> Result<u8> {
    if let Verb::Set { policy } = verb {
        require_root("skf policy set")?;
        let name = policy.to_possible_value().expect("no variant is skipped").get_name().to_string();
        write_sysfs_value("policy", &name)?;
    }
    let policy = sysfs_value("policy")?;
    if json {
        print_json(&serde_json::json!({ "policy": policy }))?;
    } else {
        println!("{policy}");
    }
    Ok(0)
}
