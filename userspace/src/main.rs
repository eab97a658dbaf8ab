// SPDX-License-Identifier: GPL-2.0

//! skf: discover, check and guard the stable_kfuncs BPF ABI.
//!
//! `skf [-j|-p] OBJECT VERB`, as bpftool. Exit codes, the same for every
//! command, are `cli::Exit`'s.

use clap::error::ErrorKind;
use clap::Parser;
use nix::sys::signal::{signal, SigHandler, Signal};
use skf::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reader that goes away (`skf ... | head`) ends skf as it ends grep and
    // cat, by SIGPIPE; Rust ignores the signal, and print! would then panic.
    // SAFETY: SIG_DFL installs no handler, and skf handles no signal itself.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == ErrorKind::DisplayVersion => {
            // --version: text, or with -j/-p a JSON document.
            let out = cli::Output::from_raw_args(std::env::args_os());
            return exit_of(out.print(&cli::Version::of_skf()).map(|()| cli::Exit::Fine), out);
        }
        Err(e) if !e.use_stderr() => {
            // --help: text, always; a failed write is an error.
            return exit_of(
                e.print().map(|()| cli::Exit::Fine).map_err(|err| anyhow::anyhow!("cannot write to standard output: {err}")),
                cli::Output::Text,
            );
        }
        Err(e) => {
            // Parsing failed, so the output flags come from a raw scan of the arguments.
            let out = cli::Output::from_raw_args(std::env::args_os());
            out.error(&cli::usage_error_text(&e, out));
            return cli::Exit::Error.into();
        }
    };
    let out = cli.output();
    exit_of(cli.run(), out)
}

/// The exit code of a command's result; an error is printed first, in `out`'s format.
fn exit_of(result: anyhow::Result<cli::Exit>, out: cli::Output) -> ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(err) => {
            out.error(&format!("{err:#}"));
            cli::Exit::Error.into()
        }
    }
}
