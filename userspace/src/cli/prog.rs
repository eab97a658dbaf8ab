//! `skf prog check`: rate a BPF object's kfunc imports.

use super::{builtin_manifest, print_json, EXIT_FINDING, EXIT_INCOMPATIBLE};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Verb {
    /// Rate every kfunc a BPF object imports against an API level
    ///
    /// Lists every kfunc OBJ imports (weak and flavored ones too) and rates
    /// it: ok, deprecated, missing but weak, or missing.
    /// Exit 0 compatible, 1 deprecated kfuncs with --strict, 2 incompatible.
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
    let text = skf::sysfs::sysfs_value("api_level")?;
    text.parse().with_context(|| format!("{}/api_level holds '{text}', not a level", skf::sysfs::SYSFS_DIR))
}

pub fn run(verb: Verb, json: bool) -> Result<u8> {
    let Verb::Check { object, api, strict } = verb;
    let manifest = builtin_manifest()?;
    let level = match api {
        Some(n) if (1..=manifest.api_level).contains(&n) => n,
        Some(n) => bail!("API level {n} does not exist: stable_kfuncs has levels 1 to {}", manifest.api_level),
        None => running_api_level().context("checking against the running kernel (or pass --api N to check offline)")?,
    };
    let imports = skf::bpf_object::kfunc_imports(&object)?;
    let report = skf::prog_check::check(&imports, &manifest, level);
    if json {
        print_json(&report)?;
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
