// SPDX-License-Identifier: GPL-2.0

//! What `prog check` rates against: the kfuncs the running module offers
//! (its BTF and sysfs), or those skf's built-in manifest records for `--api N`.

use crate::abi::LevelAbi;
use crate::manifest::{Kfunc, Manifest};
use serde::Serialize;
use std::fmt;

/// Where the kfuncs a check rated against came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferedBy {
    /// The loaded module: what a load on this machine meets.
    Module,
    /// skf's built-in manifest, at the level `--api` named.
    Manifest,
}

impl fmt::Display for OfferedBy {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            OfferedBy::Module => "as the loaded module offers it",
            OfferedBy::Manifest => "as skf's manifest records it",
        })
    }
}

/// The running module's kfuncs as a manifest to rate against, each with the
/// lifecycle and program types the module declares (a module newer than
/// skf offers kfuncs skf has never heard of). The built-in manifest adds
/// only what the module cannot tell: why a kfunc it lacks is absent (removed
/// at its level, or added after it). A kfunc the built-in manifest has at
/// that level but the module lacks is left out: to the check it is unknown.
pub fn running_as_manifest(builtin: Manifest, running: &LevelAbi) -> Manifest {
    let level = running.api_level;
    let doc = |name: &str| builtin.kfunc(name).map(|k| (k.family.clone(), k.doc.clone()));
    let mut kfuncs: Vec<Kfunc> = running
        .kfuncs
        .values()
        .map(|k| {
            let (family, doc) = doc(&k.name).unwrap_or_default();
            Kfunc {
                name: k.name.clone(),
                family,
                proto_text: k.proto.clone(),
                flags: k.flags.iter().cloned().collect(),
                prog_types: k.prog_types.iter().cloned().collect(),
                since: k.since,
                deprecated: k.deprecated,
                removed: k.removed,
                replacement: k.replacement.clone(),
                doc,
                churn: None,
                proto: None,
            }
        })
        .collect();
    kfuncs.extend(builtin.kfuncs.into_iter().filter(|k| !k.alive_at(level) && !running.kfuncs.contains_key(&k.name)));
    Manifest { api_level: level, layout_guard: Vec::new(), kfuncs, flags: Vec::new(), constants: Vec::new(), structs: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{Class, KfuncAbi};
    use std::collections::BTreeMap;

    fn builtin() -> Manifest {
        Manifest::parse(include_str!("../../module/kfuncs.toml")).unwrap()
    }

    fn running(level: u32, kfuncs: Vec<KfuncAbi>) -> LevelAbi {
        LevelAbi { api_level: level, kfuncs: kfuncs.into_iter().map(|k| (k.name.clone(), k)).collect::<BTreeMap<_, _>>() }
    }

    fn kfunc_abi(name: &str, since: u32, prog_types: &[&str]) -> KfuncAbi {
        KfuncAbi {
            name: name.to_string(),
            proto: "u32 (struct task_struct *)".to_string(),
            class: Class::Stable,
            since,
            deprecated: None,
            removed: None,
            replacement: None,
            prog_types: prog_types.iter().map(|p| p.to_string()).collect(),
            flags: Default::default(),
        }
    }

    #[test]
    fn a_kfunc_only_the_running_module_knows_is_offered_as_it_declares() {
        let m = running_as_manifest(builtin(), &running(9, vec![kfunc_abi("skf_from_the_future", 9, &["syscall"])]));
        let k = m.kfunc("skf_from_the_future").expect("the module's kfunc is offered");
        assert!(k.alive_at(9));
        assert_eq!(k.prog_types, ["syscall"]);
        assert_eq!(m.api_level, 9);
    }

    #[test]
    fn the_module_s_program_types_win_over_the_manifest_s() {
        let m = running_as_manifest(builtin(), &running(4, vec![kfunc_abi("skf_task_cpu", 1, &["kprobe"])]));
        assert_eq!(m.kfunc("skf_task_cpu").unwrap().prog_types, ["kprobe"]);
    }

    #[test]
    fn a_kfunc_the_level_lacks_keeps_the_manifest_s_lifecycle_and_one_the_module_lacks_is_unknown() {
        let b = builtin();
        let removed = b.kfuncs.iter().find(|k| k.removed.is_some()).expect("the manifest removes a kfunc").name.clone();
        let level = b.kfunc(&removed).unwrap().removed.unwrap();
        let alive = b.kfuncs.iter().find(|k| k.alive_at(level)).unwrap().name.clone();
        let m = running_as_manifest(builtin(), &running(level, vec![]));
        assert!(m.kfunc(&removed).is_some_and(|k| !k.alive_at(level)), "{removed}: its removal explains its absence");
        assert!(m.kfunc(&alive).is_none(), "{alive}: the module does not offer it, so it is not offered");
    }
}
