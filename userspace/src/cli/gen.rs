//! `skf gen`: derive the generated files from module/kfuncs.toml.

use super::EXIT_FINDING;
use anyhow::Result;
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

impl Args {
    pub fn run(self) -> Result<u8> {
        if self.check {
            let stale = skf::gen::stale(&self.repo)?;
            for path in &stale {
                eprintln!("stale: {} (run `cargo run -p skf -- gen` and commit the result)", path.display());
            }
            return Ok(if stale.is_empty() { 0 } else { EXIT_FINDING });
        }
        for path in skf::gen::write(&self.repo)? {
            println!("wrote {}", path.display());
        }
        Ok(0)
    }
}
