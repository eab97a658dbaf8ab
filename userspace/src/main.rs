//! skf: discover, check and guard the stable_kfuncs BPF ABI.
//!
//! `skf [--json] OBJECT VERB`, as bpftool. Exit codes, the same for every command:
//!   0  fine
//!   1  a finding that only matters when asked (--strict, --check) or compatible differences
//!   2  incompatible: the object, build or tree would break programs
//!   3  the command could not run (bad input, module not loaded, not root, usage error)

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { cli::EXIT_ERROR } else { 0 });
        }
    };
    match cli.run() {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("skf: error: {err:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
