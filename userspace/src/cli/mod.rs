//! The command line: one module per object, each with its verbs.

mod abi;
mod docs;
mod gen;
mod kfunc;
mod openmetrics;
mod output;
mod policy;
mod prog;
mod usage;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
pub use output::{usage_error_text, Output};
use skf::manifest::Manifest;

pub const EXIT_FINDING: u8 = 1;
pub const EXIT_INCOMPATIBLE: u8 = 2;
pub const EXIT_ERROR: u8 = 3;

/// The manifest this skf was built with: every kfunc ever released.
const MANIFEST: &str = include_str!("../../../module/kfuncs.toml");

#[derive(Parser)]
#[command(
    name = "skf",
    version,
    arg_required_else_help = false,
    about = "Discover, check and guard the stable_kfuncs BPF ABI",
    after_help = "Exit codes: 0 fine; 1 a finding you asked about (--strict, --check) or compatible differences; \
                  2 incompatible (prog check: or skf cannot tell that it loads); 3 could not run (bad input, module not loaded, not root, usage error).\n\
                  With -j or -p, errors are JSON too: {\"error\": \"...\"} on stdout, same exit code."
)]
pub struct Cli {
    /// Print one JSON document (compact) instead of text; shapes are documented in README.md
    #[arg(short, long, global = true)]
    json: bool,
    /// Print one JSON document, indented (implies --json)
    #[arg(short, long, global = true)]
    pretty: bool,
    #[command(subcommand)]
    object: Object,
}

#[derive(Subcommand)]
enum Object {
    /// Kfuncs the running kernel offers
    #[command(arg_required_else_help = false)]
    Kfunc {
        #[command(subcommand)]
        verb: kfunc::Verb,
    },
    /// BPF objects: which kfuncs they import, rated against an API level
    #[command(arg_required_else_help = false)]
    Prog {
        #[command(subcommand)]
        verb: prog::Verb,
    },
    /// Module builds against the manifest and the released API levels
    #[command(arg_required_else_help = false)]
    Abi {
        #[command(subcommand)]
        verb: abi::Verb,
    },
    /// What the module does when a program uses a deprecated kfunc
    #[command(arg_required_else_help = false)]
    Policy {
        #[command(subcommand)]
        verb: policy::Verb,
    },
    /// How many programs use each kfunc, and how often they call it
    #[command(arg_required_else_help = false)]
    Usage {
        #[command(subcommand)]
        verb: usage::Verb,
    },
    /// Regenerate the module glue, BPF header and README table from module/kfuncs.toml
    Gen(gen::Args),
    /// Write skf's man pages and shell completions (for `make install`)
    #[command(hide = true)]
    Docs(docs::Args),
}

impl Cli {
    pub fn output(&self) -> Output {
        Output::new(self.json, self.pretty)
    }

    pub fn run(self) -> Result<u8> {
        let out = self.output();
        match self.object {
            Object::Kfunc { verb } => kfunc::run(verb, out),
            Object::Prog { verb } => prog::run(verb, out),
            Object::Abi { verb } => abi::run(verb, out),
            Object::Policy { verb } => policy::run(verb, out),
            Object::Usage { verb } => usage::run(verb, out),
            Object::Gen(args) => args.run(out),
            Object::Docs(args) => args.run(out),
        }
    }
}

fn builtin_manifest() -> Result<Manifest> {
    Manifest::parse(MANIFEST).context("skf's built-in manifest")
}

/// Fails unless root: for commands that write the module's sysfs.
fn require_root(what: &str) -> Result<()> {
    if !nix::unistd::geteuid().is_root() {
        anyhow::bail!("{what} needs root (it writes {}): run it with sudo", skf::sysfs::SYSFS_DIR);
    }
    Ok(())
}

/// "3", or "-" for no level.
fn level_text(level: Option<u32>) -> String {
    level.map_or("-".into(), |l| l.to_string())
}
