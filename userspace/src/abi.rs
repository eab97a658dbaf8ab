// SPDX-License-Identifier: GPL-2.0

//! The ABI one stable_kfuncs build offers at its API level, and how two of
//! them differ. The same shape comes from the manifest, a built .ko, the
//! running module and the committed records of released levels, so every
//! comparison is one `diff`.

use crate::manifest::{Manifest, Stability};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Verifier flags whose removal only relaxes what a program must do.
const RELAXABLE_FLAGS: &[&str] = &["KF_TRUSTED_ARGS", "KF_RCU", "KF_SLEEPABLE", "KF_DESTRUCTIVE", "KF_RET_NULL"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Stable,
    Deprecated,
}

impl Class {
    /// As JSON and the records spell it.
    pub fn name(self) -> &'static str {
        match self {
            Class::Stable => "stable",
            Class::Deprecated => "deprecated",
        }
    }
}

impl From<Stability> for Class {
    fn from(s: Stability) -> Class {
        match s {
            Stability::Stable => Class::Stable,
            Stability::Deprecated => Class::Deprecated,
        }
    }
}

/// One kfunc as a build at some API level offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KfuncAbi {
    pub name: String,
    pub proto: String,
    pub class: Class,
    pub since: u32,
    pub deprecated: Option<u32>,
    pub removed: Option<u32>,
    pub replacement: Option<String>,
    pub prog_types: BTreeSet<String>,
    pub flags: BTreeSet<String>,
}

/// Every kfunc a build at `api_level` offers, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelAbi {
    pub api_level: u32,
    pub kfuncs: BTreeMap<String, KfuncAbi>,
}

/// One difference between two builds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// None for a change to the level as a whole (its api_level, the manifest's rules).
    pub kfunc: Option<String>,
    pub change: String,
    /// Whether every program that loaded on the old build still loads.
    pub compatible: bool,
}

impl LevelAbi {
    /// What the manifest promises a build at `level` offers.
    pub fn of_manifest(m: &Manifest, level: u32) -> LevelAbi {
        let kfuncs = m
            .kfuncs
            .iter()
            .filter(|k| k.alive_at(level))
            .map(|k| {
                let class = Class::from(k.stability_at(level));
                // A build tags deprecation details only once it deprecates.
                let deprecated_here = class == Class::Deprecated;
                let abi = KfuncAbi {
                    name: k.name.clone(),
                    proto: k.proto().to_string(),
                    class,
                    since: k.since,
                    deprecated: k.deprecated.filter(|_| deprecated_here),
                    removed: k.removed.filter(|_| deprecated_here),
                    replacement: k.replacement.clone().filter(|_| deprecated_here),
                    prog_types: k.prog_types.iter().cloned().collect(),
                    flags: k.flags.iter().cloned().collect(),
                };
                (k.name.clone(), abi)
            })
            .collect();
        LevelAbi { api_level: level, kfuncs }
    }

    /// How `new` differs from `self`. Between builds of one level every
    /// difference breaks the level's promise; across levels, additions,
    /// new deprecations and removals after deprecation are the rules working.
    pub fn diff(&self, new: &LevelAbi) -> Vec<Change> {
        let same_level = self.api_level == new.api_level;
        let mut changes = Vec::new();
        let mut change =
            |kfunc: &str, compatible: bool, text: String| changes.push(Change { kfunc: Some(kfunc.to_string()), change: text, compatible });
        for (name, old) in &self.kfuncs {
            let Some(now) = new.kfuncs.get(name) else {
                let scheduled = old.removed.is_some_and(|r| r <= new.api_level);
                let text = if scheduled {
                    format!("removed in API {}, as its deprecation announced", new.api_level)
                } else {
                    format!("removed without deprecation (API {} offers it, API {} does not)", self.api_level, new.api_level)
                };
                change(name, scheduled && !same_level, text);
                continue;
            };
            if old.proto != now.proto {
                change(name, false, format!("prototype changed from `{}` to `{}`", old.proto, now.proto));
            }
            if old.class != now.class {
                let text = format!("class changed from {} to {}", old.class.name(), now.class.name());
                change(name, !same_level && now.class == Class::Deprecated, text);
            }
            let lifecycle = |k: &KfuncAbi| (k.since, k.deprecated, k.removed, k.replacement.clone());
            if old.class == now.class && lifecycle(old) != lifecycle(now) {
                change(name, false, format!("lifecycle changed from {} to {}", lifecycle_text(old), lifecycle_text(now)));
            }
            for p in old.prog_types.difference(&now.prog_types) {
                change(name, false, format!("no longer registered for {p} programs"));
            }
            for p in now.prog_types.difference(&old.prog_types) {
                change(name, !same_level, format!("now registered for {p} programs"));
            }
            for f in now.flags.difference(&old.flags) {
                change(name, false, format!("verifier flag {f} added"));
            }
            for f in old.flags.difference(&now.flags) {
                change(name, !same_level && RELAXABLE_FLAGS.contains(&f.as_str()), format!("verifier flag {f} dropped"));
            }
        }
        for name in new.kfuncs.keys().filter(|n| !self.kfuncs.contains_key(*n)) {
            change(name, !same_level, format!("added (API {} has it, API {} does not)", new.api_level, self.api_level));
        }
        changes
    }
}

fn lifecycle_text(k: &KfuncAbi) -> String {
    let level = |l: Option<u32>| l.map_or("-".to_string(), |l| l.to_string());
    format!(
        "since={} deprecated={} removed={} replacement={}",
        k.since,
        level(k.deprecated),
        level(k.removed),
        k.replacement.as_deref().unwrap_or("-")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kfunc(name: &str, proto: &str) -> KfuncAbi {
        KfuncAbi {
            name: name.into(),
            proto: proto.into(),
            class: Class::Stable,
            since: 1,
            deprecated: None,
            removed: None,
            replacement: None,
            prog_types: ["tracing".to_string()].into(),
            flags: ["KF_TRUSTED_ARGS".to_string()].into(),
        }
    }

    fn level(api_level: u32, kfuncs: Vec<KfuncAbi>) -> LevelAbi {
        LevelAbi { api_level, kfuncs: kfuncs.into_iter().map(|k| (k.name.clone(), k)).collect() }
    }

    fn only_change(old: &LevelAbi, new: &LevelAbi) -> Change {
        let changes = old.diff(new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        changes.into_iter().next().unwrap()
    }

    #[test]
    fn identical_builds_do_not_differ() {
        let a = level(1, vec![kfunc("skf_a", "int skf_a(void)")]);
        assert!(a.diff(&a.clone()).is_empty());
    }

    #[test]
    fn a_changed_prototype_is_incompatible() {
        let old = level(1, vec![kfunc("skf_a", "int skf_a(void)")]);
        let new = level(2, vec![kfunc("skf_a", "u64 skf_a(void)")]);
        let c = only_change(&old, &new);
        assert!(!c.compatible && c.change.contains("`u64 skf_a(void)`"), "{c:?}");
    }

    #[test]
    fn removal_is_compatible_only_after_deprecation_and_across_levels() {
        let mut deprecated = kfunc("skf_a", "int skf_a(void)");
        (deprecated.class, deprecated.deprecated, deprecated.removed) = (Class::Deprecated, Some(2), Some(3));
        let gone = level(3, vec![]);
        assert!(only_change(&level(2, vec![deprecated.clone()]), &gone).compatible);
        assert!(!only_change(&level(2, vec![kfunc("skf_a", "int skf_a(void)")]), &gone).compatible);
        assert!(!only_change(&level(3, vec![deprecated]), &gone).compatible, "same level: frozen");
    }

    #[test]
    fn flags_may_only_relax_and_only_in_a_new_level() {
        let old = level(1, vec![kfunc("skf_a", "int skf_a(void)")]);
        let mut sleepable = kfunc("skf_a", "int skf_a(void)");
        sleepable.flags.insert("KF_SLEEPABLE".into());
        assert!(!only_change(&old, &level(2, vec![sleepable])).compatible);
        let mut relaxed = kfunc("skf_a", "int skf_a(void)");
        relaxed.flags.clear();
        assert!(only_change(&old, &level(2, vec![relaxed.clone()])).compatible);
        assert!(!only_change(&old, &level(1, vec![relaxed])).compatible);
    }

    #[test]
    fn the_manifest_view_tags_deprecation_only_once_deprecated() {
        let m = Manifest::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../module/kfuncs.toml")).unwrap();
        let deprecated = m.kfuncs.iter().find(|k| k.deprecated.is_some()).expect("the manifest deprecates a kfunc");
        let d = deprecated.deprecated.unwrap();
        let before = &LevelAbi::of_manifest(&m, d - 1).kfuncs[&deprecated.name];
        let at = &LevelAbi::of_manifest(&m, d).kfuncs[&deprecated.name];
        assert_eq!((before.class, before.replacement.as_ref()), (Class::Stable, None));
        assert_eq!((at.class, at.replacement.as_ref()), (Class::Deprecated, deprecated.replacement.as_ref()));
    }
}
