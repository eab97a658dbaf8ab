// SPDX-License-Identifier: GPL-2.0

//! module/abi/api-N.toml: what each released API level offers, written by
//! `cargo xtask abi-release N` when the level ships and never edited after.
//! The manifest must keep describing every released level exactly so.

use crate::abi::{Change, KfuncAbi, LevelAbi};
use crate::bounded_read::read_bounded;
use crate::gen::MANIFEST_PATH;
use crate::manifest::{Flag, Manifest, MAX_TOML_BYTES};
use anyhow::{bail, ensure, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DIR: &str = "module/abi";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagAbi {
    pub name: String,
    pub value: u64,
    pub kfunc: String,
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub api_level: u32,
    #[serde(rename = "kfunc")]
    pub kfuncs: Vec<KfuncAbi>,
    #[serde(rename = "flag", default)]
    pub flags: Vec<FlagAbi>,
    /// Enum values kfuncs take or return; levels before 4 had none.
    #[serde(rename = "constant", default, skip_serializing_if = "Vec::is_empty")]
    pub constants: Vec<FlagAbi>,
    /// Layouts of the structs kfuncs fill; levels before 4 had none.
    #[serde(rename = "struct", default, skip_serializing_if = "Vec::is_empty")]
    pub structs: Vec<StructAbi>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructAbi {
    pub name: String,
    pub kfunc: String,
    pub fields: Vec<String>,
}

impl Record {
    /// Level `level` as the manifest describes it.
    pub fn of_manifest(m: &Manifest, level: u32) -> Record {
        let abi = LevelAbi::of_manifest(m, level);
        let offered = |values: &[Flag]| -> Vec<FlagAbi> {
            values
                .iter()
                .filter(|f| abi.kfuncs.contains_key(&f.kfunc))
                .map(|f| FlagAbi { name: f.name.clone(), value: f.value, kfunc: f.kfunc.clone() })
                .collect()
        };
        let (flags, constants) = (offered(&m.flags), offered(&m.constants));
        let structs = m
            .structs
            .iter()
            .filter(|st| abi.kfuncs.contains_key(&st.kfunc))
            .map(|st| StructAbi { name: st.name.clone(), kfunc: st.kfunc.clone(), fields: st.fields.clone() })
            .collect();
        Record { api_level: level, kfuncs: abi.kfuncs.into_values().collect(), flags, constants, structs }
    }

    pub fn level_abi(&self) -> LevelAbi {
        LevelAbi { api_level: self.api_level, kfuncs: self.kfuncs.iter().map(|k| (k.name.clone(), k.clone())).collect() }
    }

    pub fn path(dir: &Path, level: u32) -> PathBuf {
        dir.join(format!("api-{level}.toml"))
    }

    /// Every record in `dir`, in level order; they must run 1, 2, ... with no gap.
    pub fn load_all(dir: &Path) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for level in 1.. {
            let path = Record::path(dir, level);
            if !path.exists() {
                break;
            }
            let bytes =
                read_bounded(&path, "an ABI record", MAX_TOML_BYTES, &[]).with_context(|| format!("cannot read {}", path.display()))?;
            let text = String::from_utf8(bytes).with_context(|| {
                format!("{} is not UTF-8 text: restore it from git (a released record is never edited)", path.display())
            })?;
            let record: Record = toml::from_str(&text).with_context(|| format!("malformed ABI record {}", path.display()))?;
            ensure!(record.api_level == level, "{} records api_level = {}, not {level}", path.display(), record.api_level);
            records.push(record);
        }
        let stray = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {} (run from the repository root, or pass --repo)", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .find(|name| name.starts_with("api-") && !(1..=records.len()).any(|l| *name == format!("api-{l}.toml")));
        if let Some(name) = stray {
            bail!("{}/{name} does not follow api-1.toml .. api-{}.toml without a gap", dir.display(), records.len());
        }
        Ok(records)
    }

    /// Writes the record of `level` from the manifest; a released level is
    /// never rewritten, and none is released from a manifest that already
    /// breaks one (the new record would freeze the break).
    pub fn release(m: &Manifest, dir: &Path, level: u32) -> Result<PathBuf> {
        let records = Record::load_all(dir)?;
        if let Some(refusal) = release_refusal(dir, level, records.len() as u32, m.api_level) {
            bail!(refusal);
        }
        let broken: Vec<String> = check(m, &records)
            .into_iter()
            .filter(|c| !c.compatible)
            .map(|c| match c.kfunc {
                Some(kfunc) => format!("{kfunc}: {}", c.change),
                None => c.change,
            })
            .collect();
        ensure!(
            broken.is_empty(),
            "API {level} is not released: {MANIFEST_PATH} breaks released levels ({}); fix that first (`skf abi check` lists it)",
            broken.join("; ")
        );
        let path = Record::path(dir, level);
        let header = format!("# API level {level} as released. Written by `cargo xtask abi-release {level}`; never edit it.\n\n");
        std::fs::write(&path, header + &toml::to_string(&Record::of_manifest(m, level))?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}

/// Why API `level` cannot be released, with levels 1..=`released` recorded
/// in `dir` and the manifest at `api_level`; None where it can.
fn release_refusal(dir: &Path, level: u32, released: u32, api_level: u32) -> Option<String> {
    let next = released + 1;
    let raise = |level: u32| format!("raise api_level in {MANIFEST_PATH} to {level} first (with what the level adds), then release it");
    let what_next = if next <= api_level {
        format!("the next level to release is {next}")
    } else {
        format!("the next level to release is {next}, which {MANIFEST_PATH} does not have yet: {}", raise(next))
    };
    Some(if level == 0 {
        format!("API levels start at 1; {what_next}")
    } else if level <= released {
        format!(
            "API {level} is already released ({}) and released levels are never rewritten; {what_next}",
            Record::path(dir, level).display()
        )
    } else if level > next {
        format!("API {level} cannot be released before API {next}: levels are released in order; {what_next}")
    } else if level > api_level {
        format!("API {level} is not in the manifest ({MANIFEST_PATH} has api_level = {api_level}): {}", raise(level))
    } else {
        return None;
    })
}

/// Where the manifest no longer describes a released level as it shipped.
pub fn check(m: &Manifest, records: &[Record]) -> Vec<Change> {
    let mut problems = Vec::new();
    for record in records {
        let level = record.api_level;
        if level > m.api_level {
            problems.push(Change {
                kfunc: None,
                change: format!("API {level} is released but the manifest's api_level is {}", m.api_level),
                compatible: false,
            });
            continue;
        }
        let now = Record::of_manifest(m, level);
        for mut c in record.level_abi().diff(&now.level_abi()) {
            if c.kfunc.as_deref().is_some_and(|name| m.kfunc(name).is_none()) {
                c.change = format!(
                    "released in API {level} and deleted from the manifest: never delete a kfunc; deprecate it and remove it a level later"
                );
            } else {
                c.change = format!("API {level}: {}; released levels are frozen, add a new version or level instead", c.change);
            }
            problems.push(c);
        }
        problems.extend(value_problems(level, "flag", &record.flags, &now.flags));
        problems.extend(value_problems(level, "constant", &record.constants, &now.constants));
        for old in &record.structs {
            if now.structs.iter().find(|st| st.name == old.name) != Some(old) {
                let change =
                    format!("API {level}: struct {}'s layout changed or it is gone; add a new struct and kfunc version instead", old.name);
                problems.push(Change { kfunc: Some(old.kfunc.clone()), change, compatible: false });
            }
        }
        for new in now.structs.iter().filter(|st| !record.structs.iter().any(|o| o.name == st.name)) {
            let change = format!("API {level}: struct {} is new in a released level", new.name);
            problems.push(Change { kfunc: Some(new.kfunc.clone()), change, compatible: false });
        }
    }
    problems
}

/// Where the named values (flags or constants) of released `level` differ from `now`'s.
fn value_problems(level: u32, what: &str, released: &[FlagAbi], now: &[FlagAbi]) -> Vec<Change> {
    let mut problems = Vec::new();
    for old in released {
        match now.iter().find(|f| f.name == old.name) {
            None => problems.push(flag_problem(old, format!("API {level}: {what} {} is gone", old.name))),
            Some(f) if f != old => problems.push(flag_problem(
                old,
                format!("API {level}: {what} {} changed from {} on {} to {} on {}", old.name, old.value, old.kfunc, f.value, f.kfunc),
            )),
            Some(_) => {}
        }
    }
    for new in now.iter().filter(|f| !released.iter().any(|o| o.name == f.name)) {
        problems.push(flag_problem(new, format!("API {level}: {what} {} is new in a released level", new.name)));
    }
    problems
}

fn flag_problem(f: &FlagAbi, change: String) -> Change {
    Change { kfunc: Some(f.kfunc.clone()), change, compatible: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusal of `level`, with levels 1..=`released` recorded and the manifest at `api_level`.
    fn refusal(level: u32, released: u32, api_level: u32) -> String {
        release_refusal(Path::new(DIR), level, released, api_level).unwrap_or_else(|| panic!("API {level} should be refused"))
    }

    #[test]
    fn only_the_next_level_in_the_manifest_is_released() {
        assert_eq!(release_refusal(Path::new(DIR), 5, 4, 5), None);
        assert_eq!(release_refusal(Path::new(DIR), 1, 0, 1), None);
    }

    #[test]
    fn a_released_level_is_never_rewritten() {
        let e = refusal(4, 4, 5);
        assert!(e.contains("API 4 is already released (module/abi/api-4.toml)"), "{e}");
        assert!(e.ends_with("the next level to release is 5"), "{e}");
    }

    #[test]
    fn a_level_beyond_the_manifest_says_to_raise_api_level() {
        let e = refusal(5, 4, 4);
        assert!(e.starts_with("API 5 is not in the manifest (module/kfuncs.toml has api_level = 4): raise api_level"), "{e}");
        assert!(e.contains("to 5 first"), "{e}");
        let e = refusal(4, 4, 4);
        assert!(e.contains("already released") && e.contains("the next level to release is 5, which module/kfuncs.toml does not have yet: raise api_level in module/kfuncs.toml to 5 first"), "{e}");
    }

    #[test]
    fn levels_are_released_in_order_from_1() {
        let e = refusal(7, 4, 7);
        assert!(e.starts_with("API 7 cannot be released before API 5") && e.ends_with("the next level to release is 5"), "{e}");
        let e = refusal(0, 0, 1);
        assert!(e.starts_with("API levels start at 1") && e.ends_with("the next level to release is 1"), "{e}");
    }
}
