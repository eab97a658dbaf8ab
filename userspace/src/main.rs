//! skf: discover, check and guard the stable_kfuncs BPF ABI.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "skf", version, about = "Discover, check and guard the stable_kfuncs BPF ABI")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the module glue and README table from module/kfuncs.toml
    Gen {
        /// Write nothing; exit 1 and list the generated files that are stale
        #[arg(long)]
        check: bool,
        /// The repository root
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Gen { check: true, repo } => {
            let stale = skf::gen::stale(&repo)?;
            for path in &stale {
                eprintln!("stale: {} (run `cargo run -p skf -- gen` and commit the result)", path.display());
            }
            Ok(if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Gen { check: false, repo } => {
            for path in skf::gen::write(&repo)? {
                println!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("skf: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
