//! `skf prog check`: rates each kfunc a BPF object imports against an API level.

use crate::bpf_object::KfuncImport;
use crate::manifest::{Manifest, Stability};
use crate::require_api;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Offered, and stable.
    Ok,
    /// Offered, but deprecated: move to the replacement.
    Deprecated,
    /// Not offered, but weak and tested with bpf_ksym_exists(): the
    /// program takes its fallback.
    MissingWeak,
    /// Not offered and not weak: the program will not load.
    Missing,
    /// Not a stable_kfuncs kfunc (an upstream kfunc, say): not rated.
    Foreign,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    pub symbol: String,
    pub kfunc: String,
    pub weak: bool,
    pub tested: bool,
    pub rating: Rating,
    /// What to do, for anything but `ok`.
    pub advice: Option<String>,
}

/// What the object's ratings add up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Loads, and uses nothing deprecated.
    Compatible,
    /// Loads, but uses deprecated kfuncs.
    Deprecated,
    /// Will not load.
    Incompatible,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Verdict::Compatible => "compatible",
            Verdict::Deprecated => "deprecated",
            Verdict::Incompatible => "incompatible",
        })
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Rating::Ok => "ok",
            Rating::Deprecated => "deprecated",
            Rating::MissingWeak => "missing_weak",
            Rating::Missing => "missing",
            Rating::Foreign => "foreign",
        })
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub api_level: u32,
    pub kfuncs: Vec<Finding>,
    pub verdict: Verdict,
}

pub fn check(imports: &[KfuncImport], m: &Manifest, level: u32) -> Report {
    let kfuncs: Vec<Finding> = imports.iter().filter_map(|i| rate(i, m, level)).collect();
    let verdict = if kfuncs.iter().any(|f| f.rating == Rating::Missing) {
        Verdict::Incompatible
    } else if kfuncs.iter().any(|f| f.rating == Rating::Deprecated) {
        Verdict::Deprecated
    } else {
        Verdict::Compatible
    };
    Report { api_level: level, kfuncs, verdict }
}

/// None for an SKF_REQUIRE_API marker that does not fire at `level`.
fn rate(i: &KfuncImport, m: &Manifest, level: u32) -> Option<Finding> {
    let finding = |rating, advice: Option<String>| Finding {
        symbol: i.symbol.clone(),
        kfunc: i.kfunc.clone(),
        weak: i.weak,
        tested: i.tested,
        rating,
        advice,
    };
    if let Some((needed, found)) = require_api::parse(&i.kfunc) {
        return (found == level)
            .then(|| finding(Rating::Missing, Some(format!("SKF_REQUIRE_API({needed}): the object refuses to load below API {needed}"))));
    }
    Some(rate_kfunc(i, m, level, finding))
}

fn rate_kfunc(i: &KfuncImport, m: &Manifest, level: u32, finding: impl Fn(Rating, Option<String>) -> Finding) -> Finding {
    let Some(k) = m.kfunc(&i.kfunc) else {
        return if i.kfunc.starts_with("skf_") {
            finding(Rating::Missing, Some(format!("unknown kfunc {}: stable_kfuncs never released it (typo?)", i.kfunc)))
        } else {
            finding(Rating::Foreign, None)
        };
    };
    if !k.alive_at(level) {
        let why = match k.removed {
            Some(r) if r <= level => {
                format!("removed in API {r}{}", k.replacement.as_ref().map_or(String::new(), |rep| format!("; use {rep}")))
            }
            _ => format!("added in API {}, after {level}", k.since),
        };
        return match (i.weak, i.tested) {
            (true, true) => finding(Rating::MissingWeak, Some(format!("{why}; the program's bpf_ksym_exists() fallback runs"))),
            (true, false) => finding(
                Rating::Missing,
                Some(format!("{why}; it is __weak but never tested with bpf_ksym_exists(), so the call fails verification")),
            ),
            (false, _) => finding(Rating::Missing, Some(why)),
        };
    }
    match k.stability_at(level) {
        Stability::Stable => finding(Rating::Ok, None),
        Stability::Deprecated => finding(
            Rating::Deprecated,
            Some(format!(
                "deprecated in API {}{}; use {}",
                k.deprecated.unwrap_or(level),
                k.removed.map_or(String::new(), |r| format!(", removed in API {r}")),
                k.replacement.as_deref().unwrap_or("?")
            )),
        ),
    }
}
