// SPDX-License-Identifier: GPL-2.0

//! `cargo xtask docs --out DIR`: skf's man pages and shell completions,
//! generated from its clap definition so they cannot drift from it.

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use skf::cli::Cli;
use std::path::{Path, PathBuf};

/// Writes DIR/man/*.1 and DIR/completions/ (bash, zsh, fish); returns the paths written.
pub fn write(out: &Path) -> Result<Vec<PathBuf>> {
    let man = out.join("man");
    let completions = out.join("completions");
    for dir in [&man, &completions] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = Vec::new();
    write_man_pages(&cmd, &man, &mut written)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut cmd, "skf", &completions)
            .with_context(|| format!("cannot write {shell} completions to {}", completions.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// docs/skf-json.md, the JSON documents' contract: skf.1's JSON OUTPUT section.
const JSON_CONTRACT: &str = include_str!("../../docs/skf-json.md");

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
/// each subcommand (not clap's `help` pseudo-commands); `cmd` is built, so
/// subcommands' display names are skf-OBJECT[-VERB].
fn write_man_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    let path = dir.join(format!("{}.1", cmd.get_display_name().unwrap_or(cmd.get_name())));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    if cmd.get_display_name().is_none() {
        page.extend(verbatim_section("JSON OUTPUT", JSON_CONTRACT).into_bytes());
    }
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_man_pages(sub, dir, written)?;
    }
    Ok(())
}
