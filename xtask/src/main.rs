// SPDX-License-Identifier: GPL-2.0

//! `cargo xtask VERB`: the developer verbs, which rewrite this repository's
//! own files, kept out of the skf that users install. Exit codes are skf's:
//! 0 done, 1 `gen --check` found stale files, 3 could not run.

mod docs;

use anyhow::Result;
use clap::{Parser, Subcommand};
use skf::cli::{write_stdout, Exit};
use skf::manifest::Manifest;
use skf::records::{self, Record};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Developer verbs: regenerate the generated files, release an API level, render skf's man pages",
    after_help = "Exit codes: 0 done; 1 gen --check found stale files; 3 could not run (usage errors included)."
)]
struct Xtask {
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Subcommand)]
enum Verb {
    /// Regenerate the module glue, BPF header and docs/kfuncs.md's kfunc table from module/kfuncs.toml, and the module's C<->Rust declarations from module/ffi.toml
    Gen {
        /// Write nothing; exit 1 and list the generated files that are stale
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        repo: RepoArg,
    },
    /// Record API level N as released (module/abi/api-N.toml), freezing it
    ///
    /// Levels are released in order, each once, and only where the manifest
    /// has them: raise api_level in module/kfuncs.toml first.
    AbiRelease {
        level: u32,
        #[command(flatten)]
        repo: RepoArg,
    },
    /// Write skf's man pages and shell completions (for `make install` and debian/rules)
    Docs {
        /// Where to write man/ (skf.1, skf-OBJECT.1, ...) and completions/ (bash, zsh, fish)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(clap::Args)]
struct RepoArg {
    /// The repository root [default: the one this xtask was built from]
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
}

impl RepoArg {
    /// The given root, else this workspace's: `cargo xtask` runs from any
    /// directory of the checkout.
    fn root(self) -> PathBuf {
        self.repo.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
    }
}

fn main() -> ExitCode {
    let xtask = match Xtask::try_parse() {
        Ok(xtask) => xtask,
        Err(e) => {
            // --help, or a usage error: exit 3, as skf's usage errors do.
            let _ = e.print();
            let exit = if e.use_stderr() { Exit::Error } else { Exit::Fine };
            return exit.into();
        }
    };
    let result = match xtask.verb {
        Verb::Gen { check, repo } => gen(&repo.root(), check),
        Verb::AbiRelease { level, repo } => abi_release(&repo.root(), level),
        Verb::Docs { out } => docs::write(&out).and_then(|written| write_stdout(&wrote(&written))).map(|()| Exit::Fine),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            Exit::Error.into()
        }
    }
}

/// One `wrote PATH` line per file written.
fn wrote(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("wrote {}\n", p.display())).collect()
}

fn gen(repo: &Path, check: bool) -> Result<Exit> {
    if !check {
        write_stdout(&wrote(&skf::gen::write(repo)?))?;
        return Ok(Exit::Fine);
    }
    let stale = skf::gen::stale(repo)?;
    let lines: String = stale.iter().map(|p| format!("stale: {} (run `cargo xtask gen` and commit the result)\n", p.display())).collect();
    write_stdout(&lines)?;
    Ok(if stale.is_empty() { Exit::Fine } else { Exit::Finding })
}

fn abi_release(repo: &Path, level: u32) -> Result<Exit> {
    let manifest = Manifest::load(&repo.join(skf::gen::MANIFEST_PATH))?;
    let path = Record::release(&manifest, &repo.join(records::DIR), level)?;
    write_stdout(&format!("wrote {}: API {level} is frozen\n", path.display()))?;
    Ok(Exit::Fine)
}
