// SPDX-License-Identifier: GPL-2.0

//! `skf docs --out DIR` (hidden): man pages and shell completions generated
//! from the clap definition, so they cannot drift from it.

use super::{Cli, Exit, Output};
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Where to write man/ (skf.1, skf-OBJECT.1, ...) and completions/ (bash, zsh, fish)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Serialize)]
struct Written {
    written: Vec<PathBuf>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.written.iter().try_for_each(|p| writeln!(f, "wrote {}", p.display()))
    }
}

impl Args {
    pub fn run(self, out: Output) -> Result<Exit> {
        let man = self.out.join("man");
        let completions = self.out.join("completions");
        for dir in [&man, &completions] {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut cmd = public_command();
        cmd.build();
        let mut written = Vec::new();
        write_man_pages(&cmd, &man, &mut written)?;
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let path = clap_complete::generate_to(shell, &mut cmd, "skf", &completions)
                .with_context(|| format!("cannot write {shell} completions to {}", completions.display()))?;
            written.push(path);
        }
        out.print(&Written { written })?;
        Ok(Exit::Fine)
    }
}

/// skf as users see it: without hidden subcommands (this one), which
/// clap_complete would otherwise offer.
fn public_command() -> clap::Command {
    let full = Cli::command();
    let visible = full.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect::<Vec<_>>();
    let mut public = clap::Command::new("skf")
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(visible)
        .subcommand_required(true);
    if let Some(about) = full.get_about() {
        public = public.about(about.clone());
    }
    if let Some(after_help) = full.get_after_help() {
        public = public.after_help(after_help.clone());
    }
    public
}

/// docs/skf-json.md, the JSON documents' contract: skf.1's JSON OUTPUT section.
const JSON_CONTRACT: &str = include_str!("../../../docs/skf-json.md");

/// `text` as a roff section shown verbatim (no filling, no macros).
fn verbatim_section(title: &str, text: &str) -> String {
    let lines: String = text
        .lines()
        .map(|line| {
            let line = line.replace('\\', r"\e");
            // A leading . or ' would make the line a request.
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}\n")
            } else {
                line + "\n"
            }
        })
        .collect();
    format!(".SH \"{title}\"\n.nf\n{lines}.fi\n")
}

/// skf.1 (with the JSON contract), and skf-OBJECT.1, skf-OBJECT-VERB.1 for
/// each visible subcommand (not clap's `help` pseudo-commands); `cmd` is
/// built, so subcommands' display names are skf-OBJECT[-VERB].
fn write_man_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    let path = dir.join(format!("{}.1", cmd.get_display_name().unwrap_or(cmd.get_name())));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    if cmd.get_display_name().is_none() {
        page.extend(verbatim_section("JSON OUTPUT", JSON_CONTRACT).into_bytes());
    }
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        write_man_pages(sub, dir, written)?;
    }
    Ok(())
}
