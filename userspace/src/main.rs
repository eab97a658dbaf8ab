//! skf: discover, check and guard the stable_kfuncs BPF ABI.
//!
//! `skf [-j|-p] OBJECT VERB`, as bpftool. Exit codes, the same for every command:
//!   0  fine
//!   1  a finding that only matters when asked (--strict, --check) or compatible differences
//!   2  incompatible: the object, build or tree would break programs (prog check: or may, and skf cannot tell)
//!   3  the command could not run (bad input, module not loaded, not root, usage error)

mod cli;

use clap::Parser;
use nix::sys::signal::{signal, SigHandler, Signal};
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reader that goes away (`skf ... | head`) ends skf as it ends grep and
    // cat, by SIGPIPE; Rust ignores the signal, and print! would then panic.
    // SAFETY: SIG_DFL installs no handler, and skf handles no signal itself.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: text, always; a failed write is an error.
            return match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    cli::Output::Text.error(&format!("cannot write to standard output: {err}"));
                    ExitCode::from(cli::EXIT_ERROR)
                }
            };
        }
        Err(e) => {
            // Parsing failed, so the output flags come from a raw scan of the arguments.
            let out = cli::Output::from_raw_args(std::env::args_os());
            out.error(&cli::usage_error_text(&e, out));
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    let out = cli.output();
    match cli.run() {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            out.error(&format!("{err:#}"));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
