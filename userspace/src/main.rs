//! skf: discover, check and guard the stable_kfuncs BPF ABI.
//!
//! Exit codes, the same for every command:
//!   0  fine
//!   1  a finding that only matters when asked (--strict, --check)
//!   2  incompatible: the object or tree would break
//!   3  the check could not run (bad input, missing module, usage error)

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use skf::manifest::Manifest;
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_FINDING: u8 = 1;
const EXIT_INCOMPATIBLE: u8 = 2;
const EXIT_ERROR: u8 = 3;

/// The manifest this skf was built with: every kfunc ever released.
const MANIFEST: &str = include_str!("../../module/kfuncs.toml");
const SYSFS_API_LEVEL: &str = "/sys/kernel/stable_kfuncs/api_level";

#[derive(Parser)]
#[command(name = "skf", version, about = "Discover, check and guard the stable_kfuncs BPF ABI")]
struct Cli {
    /// Print JSON instead of text
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    object: Object,
}

#[derive(Subcommand)]
enum Object {
    /// BPF objects: what they import, rated against an API level
    Prog {
        #[command(subcommand)]
        verb: ProgVerb,
    },
    /// Regenerate the module glue, BPF header and README table from module/kfuncs.toml
    Gen {
        /// Write nothing; exit 1 and list the generated files that are stale
        #[arg(long)]
        check: bool,
        /// The repository root
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

#[derive(Subcommand)]
enum ProgVerb {
    /// List every kfunc OBJ imports (weak and flavored ones too) and rate it:
    /// ok, deprecated, missing but weak, or missing
    Check {
        /// A BPF object built by clang -target bpf -g
        object: PathBuf,
        /// Rate against this API level instead of the loaded module (no root, no module needed)
        #[arg(long, value_name = "N")]
        api: Option<u32>,
        /// Exit 1 if the object uses deprecated kfuncs
        #[arg(long)]
        strict: bool,
    },
}

fn running_api_level() -> Result<u32> {
    let text = std::fs::read_to_string(SYSFS_API_LEVEL).with_context(|| {
        format!("stable_kfuncs is not loaded ({SYSFS_API_LEVEL} is missing): load it with `insmod stable_kfuncs.ko`, or check offline with --api N")
    })?;
    text.trim().parse().with_context(|| format!("{SYSFS_API_LEVEL} holds '{}', not a level", text.trim()))
}

fn prog_check(json: bool, object: PathBuf, api: Option<u32>, strict: bool) -> Result<u8> {
    let manifest = Manifest::parse(MANIFEST).context("skf's built-in manifest")?;
    let level = match api {
        Some(n) if (1..=manifest.api_level).contains(&n) => n,
        Some(n) => anyhow::bail!("API level {n} does not exist: stable_kfuncs has levels 1 to {}", manifest.api_level),
        None => running_api_level()?,
    };
    let imports = skf::bpf_object::kfunc_imports(&object)?;
    let report = skf::prog_check::check(&imports, &manifest, level);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}: {} at API {}", object.display(), report.verdict, level);
        for f in &report.kfuncs {
            let rating = serde_json::to_value(f.rating)?.as_str().unwrap_or("?").to_string();
            let weak = if f.weak { " (weak)" } else { "" };
            let advice = f.advice.as_deref().map_or(String::new(), |a| format!(": {a}"));
            println!("  {:<14} {}{weak}{advice}", rating, f.symbol);
        }
    }
    Ok(match report.verdict {
        "incompatible" => EXIT_INCOMPATIBLE,
        "deprecated" if strict => EXIT_FINDING,
        _ => 0,
    })
}

fn gen(check: bool, repo: PathBuf) -> Result<u8> {
    if check {
        let stale = skf::gen::stale(&repo)?;
        for path in &stale {
            eprintln!("stale: {} (run `cargo run -p skf -- gen` and commit the result)", path.display());
        }
        return Ok(if stale.is_empty() { 0 } else { EXIT_FINDING });
    }
    for path in skf::gen::write(&repo)? {
        println!("wrote {}", path.display());
    }
    Ok(0)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let result = match cli.object {
        Object::Prog { verb: ProgVerb::Check { object, api, strict } } => prog_check(cli.json, object, api, strict),
        Object::Gen { check, repo } => gen(check, repo),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("skf: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
