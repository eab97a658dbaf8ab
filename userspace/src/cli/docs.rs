//! `skf docs --out DIR` (hidden): man pages and shell completions generated
//! from the clap definition, so they cannot drift from it.

use super::{Cli, Output};
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
    pub fn run(self, out: Output) -> Result<u8> {
        let man = self.out.join("man");
        let completions = self.out.join("completions");
        for dir in [&man, &completions] {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut cmd = Cli::command();
        cmd.build();
        clap_mangen::generate_to(cmd.clone(), &man).with_context(|| format!("cannot write man pages to {}", man.display()))?;
        let mut written = list(&man)?;
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let path = clap_complete::generate_to(shell, &mut cmd, "skf", &completions)
                .with_context(|| format!("cannot write {shell} completions to {}", completions.display()))?;
            written.push(path);
        }
        out.print(&Written { written })?;
        Ok(0)
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = std::fs::read_dir(dir)?.map(|e| Ok(e?.path())).collect::<Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}
