// SPDX-License-Identifier: GPL-2.0

//! `skf gen`: derive the generated files from module/kfuncs.toml.

use super::{Exit, Output};
use anyhow::Result;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Write nothing; exit 1 and list the generated files that are stale
    #[arg(long)]
    check: bool,
    /// The repository root
    #[arg(long, default_value = ".")]
    repo: PathBuf,
}

/// What `gen` wrote, or with --check what it would write.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Report {
    Written(Vec<PathBuf>),
    Stale(Vec<PathBuf>),
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Report::Written(paths) => paths.iter().try_for_each(|p| writeln!(f, "wrote {}", p.display())),
            Report::Stale(paths) => {
                paths.iter().try_for_each(|p| writeln!(f, "stale: {} (run `cargo run -p skf -- gen` and commit the result)", p.display()))
            }
        }
    }
}

impl Args {
    pub fn run(self, out: Output) -> Result<Exit> {
        let report = if self.check { Report::Stale(skf::gen::stale(&self.repo)?) } else { Report::Written(skf::gen::write(&self.repo)?) };
        out.print(&report)?;
        Ok(match report {
            Report::Stale(paths) if !paths.is_empty() => Exit::Finding,
            _ => Exit::Fine,
        })
    }
}
