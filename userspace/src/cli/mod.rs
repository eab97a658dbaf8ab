// SPDX-License-Identifier: GPL-2.0

//! The command line: one module per object, each with its verbs.

mod abi;
mod kfunc;
mod openmetrics;
mod output;
mod policy;
mod prog;
mod usage;

use crate::manifest::Manifest;
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
pub use output::{usage_error_text, write_stdout, Output};
use serde::Serialize;

/// skf's exit codes: one meaning each, the same for every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Fine,
    Finding,
    Incompatible,
    Error,
}

impl Exit {
    pub const ALL: [Exit; 4] = [Exit::Fine, Exit::Finding, Exit::Incompatible, Exit::Error];

    pub fn code(self) -> u8 {
        match self {
            Exit::Fine => 0,
            Exit::Finding => 1,
            Exit::Incompatible => 2,
            Exit::Error => 3,
        }
    }

    /// What the code means, as `skf --help`, skf(1) and docs/skf.md's
    /// exit code table say it (docs/skf.md with `code` quotes).
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Fine => "fine: done, or checked and found compatible",
            Exit::Finding => {
                "a finding you asked about (`prog check --strict`: deprecated kfuncs), or only compatible differences (`abi diff`)"
            }
            Exit::Incompatible => {
                "incompatible: the object, build or manifest would break programs (`prog check`, `abi check`, `abi diff`); \
                 for `prog check` also unknown: skf cannot tell whether it loads"
            }
            Exit::Error => {
                "could not run: bad input (a file missing, unreadable or malformed, a manifest that is not TOML included), \
                 module not loaded, not root, usage error"
            }
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        exit.code().into()
    }
}

/// `skf --help`'s closing text: the exit codes, and errors as JSON.
fn after_help() -> String {
    let codes: Vec<String> = Exit::ALL.iter().map(|e| format!("{} {}", e.code(), e.meaning().replace('`', ""))).collect();
    format!(
        "Exit codes, the same for every command:\n  {}\nWith -j or -p, errors are JSON too: {{\"schema\": {}, \"error\": \"...\"}} on stdout, same exit code.",
        codes.join("\n  "),
        output::SCHEMA
    )
}

/// The manifest this skf was built with: every kfunc ever released.
const MANIFEST: &str = include_str!("../../../module/kfuncs.toml");

#[derive(Parser)]
#[command(
    name = "skf",
    version,
    arg_required_else_help = false,
    about = "Discover, check and guard the stable_kfuncs BPF ABI",
    after_help = after_help()
)]
pub struct Cli {
    /// Print one JSON document (compact) instead of text; its fields: man skf (JSON OUTPUT), docs/skf-json.md
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
}

impl Cli {
    pub fn output(&self) -> Output {
        Output::new(self.json, self.pretty)
    }

    pub fn run(self) -> Result<Exit> {
        let out = self.output();
        match self.object {
            Object::Kfunc { verb } => kfunc::run(verb, out),
            Object::Prog { verb } => prog::run(verb, out),
            Object::Abi { verb } => abi::run(verb, out),
            Object::Policy { verb } => policy::run(verb, out),
            Object::Usage { verb } => usage::run(verb, out),
        }
    }
}

/// `skf --version`: its name and version.
#[derive(Serialize)]
pub struct Version {
    name: &'static str,
    version: &'static str,
}

impl Version {
    pub fn of_skf() -> Version {
        Version { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        writeln!(f, "{} {}", self.name, self.version)
    }
}

fn builtin_manifest() -> Result<Manifest> {
    Manifest::parse(MANIFEST).context("skf's built-in manifest")
}

/// Fails unless root: for commands that write the module's sysfs.
fn require_root(what: &str) -> Result<()> {
    if !nix::unistd::geteuid().is_root() {
        anyhow::bail!("{what} needs root (it writes {}): run it with sudo", crate::sysfs::SYSFS_DIR);
    }
    Ok(())
}

/// "3", or "-" for no level.
fn level_text(level: Option<u32>) -> String {
    level.map_or("-".into(), |l| l.to_string())
}

/// The JSON contract (docs/skf-json.md), for the unit tests of documents
/// that need a loaded module to print.
#[cfg(test)]
#[path = "../../tests/common/json_doc.rs"]
mod json_doc;

#[cfg(test)]
mod contract {
    use super::json_doc;
    use std::collections::BTreeSet;

    /// The per-kfunc files of the module's sysfs, kernel ABI: module/sysfs.c's
    /// SKF_KFUNC_ATTR and SKF_KFUNC_COUNTER (the macros' parameter `name` aside).
    pub fn sysfs_kfunc_files() -> BTreeSet<String> {
        include_str!("../../../module/sysfs.c")
            .split("SKF_KFUNC_ATTR(")
            .flat_map(|part| part.split("SKF_KFUNC_COUNTER("))
            .skip(1)
            .filter_map(|rest| rest.split_once(')').map(|(name, _)| name.to_string()))
            .filter(|name| name != "name")
            .collect()
    }

    /// Asserts `value`, printed as `-j` and as `-p` print it, has exactly
    /// the fields docs/skf-json.md lists for `document`, each once.
    pub fn assert_documented<T: serde::Serialize>(document: &str, value: &T) {
        for out in [super::Output::Json, super::Output::PrettyJson] {
            let text = out.json(value).unwrap();
            assert_eq!(json_doc::field_paths(&text), json_doc::documented_fields(document), "{out:?} {document}: {text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn docs_skf_md_documents_each_exit_code_as_skf_help_does() {
        let doc = include_str!("../../../docs/skf.md");
        let documented: Vec<(String, String)> = doc
            .lines()
            .skip_while(|l| *l != "| code | meaning |")
            .skip(2)
            .take_while(|l| l.starts_with("| "))
            .filter_map(|row| row.trim_start_matches("| ").trim_end_matches(" |").split_once(" | "))
            .map(|(code, meaning)| (code.to_string(), meaning.to_string()))
            .collect();
        let defined: Vec<(String, String)> = Exit::ALL.iter().map(|e| (e.code().to_string(), e.meaning().to_string())).collect();
        assert_eq!(documented, defined, "docs/skf.md's exit code table and cli::Exit disagree");
    }
}
