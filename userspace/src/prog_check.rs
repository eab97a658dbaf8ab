// SPDX-License-Identifier: GPL-2.0

//! `skf prog check`: rates each kfunc a BPF object imports against an API
//! level, and each call its programs make as the verifier would see it:
//! whether the program's type may call the kfunc (sec_def.rs,
//! kfunc_hook.rs), and whether a call to a kfunc the level lacks is reached
//! (guard.rs).

use crate::bpf_object::{BpfObject, KfuncImport, Program};
use crate::guard::{self, CallSite, Presence, Reach, Target};
use crate::kfunc_hook::{self, Hook};
use crate::manifest::{Kfunc, Manifest, Stability};
use crate::require_api;
use crate::sec_def;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Offered, and stable.
    Ok,
    /// Offered, but deprecated: move to the replacement.
    Deprecated,
    /// Not offered, but weak, and no call of it is reached: the program
    /// takes its fallback.
    MissingWeak,
    /// Not offered, and weak: skf cannot tell whether a call is reached.
    Unknown,
    /// Not offered, and not weak or a call is reached: the program will not load.
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

/// What the ratings add up to, for an object or a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Loads, and uses nothing deprecated.
    Compatible,
    /// Loads, but uses deprecated kfuncs.
    Deprecated,
    /// skf cannot tell whether it loads.
    Unknown,
    /// Will not load.
    Incompatible,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Verdict::Compatible => "compatible",
            Verdict::Deprecated => "deprecated",
            Verdict::Unknown => "unknown",
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
            Rating::Unknown => "unknown",
            Rating::Missing => "missing",
            Rating::Foreign => "foreign",
        })
    }
}

/// Why a program would not load, or may not.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The kfunc called, as the object names it; None for the program as a whole.
    pub kfunc: Option<String>,
    /// The function the call is in: the program, or a subprogram.
    pub function: Option<String>,
    /// The call's instruction, counted from the start of its ELF section
    /// (as llvm-objdump -d numbers it).
    pub insn: Option<usize>,
    /// incompatible or unknown.
    pub verdict: Verdict,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ProgramReport {
    pub name: String,
    /// The ELF section, as SEC() named it.
    pub section: String,
    /// BPF_PROG_TYPE_*, as libbpf derives it from the section; None where it does not.
    pub prog_type: Option<&'static str>,
    /// False for SEC("?..."): libbpf loads it only when asked, and its
    /// problems do not count towards the object's verdict.
    pub autoload: bool,
    pub verdict: Verdict,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub api_level: u32,
    pub kfuncs: Vec<Finding>,
    pub programs: Vec<ProgramReport>,
    pub verdict: Verdict,
}

/// `symbol` without any libbpf `___flavor` suffix.
fn kfunc_name(symbol: &str) -> &str {
    symbol.split_once("___").map_or(symbol, |(base, _)| base)
}

pub fn check(object: &BpfObject, m: &Manifest, level: u32) -> Report {
    let programs: Vec<ProgramReport> = object.programs.iter().map(|p| check_program(object, p, m, level)).collect();
    let kfuncs: Vec<Finding> = object.imports.iter().filter_map(|i| rate(i, m, level, &programs)).collect();
    let from_kfuncs = kfuncs.iter().map(|f| match f.rating {
        Rating::Missing => Verdict::Incompatible,
        Rating::Unknown => Verdict::Unknown,
        Rating::Deprecated => Verdict::Deprecated,
        _ => Verdict::Compatible,
    });
    let from_programs = programs.iter().filter(|p| p.autoload).map(|p| p.verdict);
    let verdict = from_kfuncs.chain(from_programs).max().unwrap_or(Verdict::Compatible);
    Report { api_level: level, kfuncs, programs, verdict }
}

/// Why the level lacks `k`: "removed in API 3; use x" or "added in API 4, after 3".
fn missing_why(k: &Kfunc, level: u32) -> String {
    match k.removed {
        Some(r) if r <= level => {
            format!("removed in API {r}{}", k.replacement.as_ref().map_or(String::new(), |rep| format!("; use {rep}")))
        }
        _ => format!("added in API {}, after {level}", k.since),
    }
}

/// "tracing (SEC tp_btf/, ...) and kprobe (SEC kprobe/, ...) programs".
fn offered_to(k: &Kfunc) -> String {
    // By name: the module's sysfs and the manifest list them in different orders.
    let mut names: Vec<&str> = k.prog_types.iter().map(String::as_str).collect();
    names.sort_unstable();
    let types: Vec<String> = names.iter().map(|t| format!("{t} (SEC {})", kfunc_hook::sections_of(t))).collect();
    match types.split_last() {
        Some((last, [])) => format!("{last} programs"),
        Some((last, rest)) => format!("{} and {last} programs", rest.join(", ")),
        None => "no programs".into(),
    }
}

/// Whether the level has the kfunc an extern names: decided for ours, not for others.
fn presence(m: &Manifest, level: u32, symbol: &str) -> Presence {
    let name = kfunc_name(symbol);
    match m.kfunc(name) {
        Some(k) if k.alive_at(level) => Presence::Present,
        Some(_) => Presence::Missing,
        // SKF_REQUIRE_API markers and misspelt kfuncs: no module offers them.
        None if name.starts_with("skf_") => Presence::Missing,
        None => Presence::Unknown,
    }
}

fn check_program(object: &BpfObject, p: &Program, m: &Manifest, level: u32) -> ProgramReport {
    let section = sec_def::find(&p.section);
    let prog_type = section.def.map(|d| d.prog_type);
    let desc =
        format!("program '{}' (SEC(\"{}\"), {})", p.name, p.section, prog_type.map_or("no program type libbpf knows", |t| t.uapi_name()));
    let mut problems = Vec::new();
    if section.def.is_none() {
        problems.push(Problem {
            kfunc: None,
            function: None,
            insn: None,
            verdict: Verdict::Unknown,
            reason: format!(
                "libbpf knows no program type for section '{}' of program '{}', so it fails the load unless the loader sets a type: skf cannot rate the program; use a SEC() name libbpf knows (tp_btf/, fentry/, kprobe/, syscall, ...)",
                section.name, p.name
            ),
        });
    }
    let code = &object.code;
    let calls = match guard::reached_calls(code, p.function, &|s| presence(m, level, s)) {
        Ok(calls) => {
            for call in &calls {
                problems.extend(call_problem(call, p.function, code, &desc, section.def, m, level));
            }
            calls
        }
        Err(e) => {
            // Every call it may make, each as one skf cannot tell is reached.
            let calls = possible_calls(object, p);
            for call in &calls {
                if let Some(mut problem) = call_problem(call, p.function, code, &desc, section.def, m, level) {
                    problem.verdict = Verdict::Unknown;
                    problem.reason = format!(
                        "skf cannot follow the code of {desc} ({e}), so it cannot tell whether the verifier reaches its call of {} at insn {}, which would fail: {}",
                        call.symbol, call.slot, problem.reason
                    );
                    problems.push(problem);
                }
            }
            calls
        }
    };
    // The module warns about (or, by policy, refuses) each load whose
    // program calls a deprecated kfunc: the program is deprecated, not only the object.
    let deprecated = calls
        .iter()
        .any(|c| m.kfunc(kfunc_name(&c.symbol)).is_some_and(|k| k.alive_at(level) && k.stability_at(level) == Stability::Deprecated));
    let floor = if deprecated { Verdict::Deprecated } else { Verdict::Compatible };
    let verdict = problems.iter().map(|p| p.verdict).fold(floor, Verdict::max);
    ProgramReport {
        name: p.name.clone(),
        section: p.section.clone(),
        prog_type: prog_type.map(|t| t.uapi_name()),
        autoload: section.autoload,
        verdict,
        problems,
    }
}

/// The kfunc calls program `p` may make where skf cannot follow its code:
/// those in its own function, and in any subprogram (.text), as maybe reached.
fn possible_calls(object: &BpfObject, p: &Program) -> Vec<CallSite> {
    let code = &object.code;
    let is_program = |f: usize| object.programs.iter().any(|q| q.function == f);
    let mut calls: Vec<CallSite> = code
        .relocs
        .iter()
        .filter_map(|(&(section, slot), target)| {
            let Target::Extern(symbol) = target else { return None };
            let insn = code.sections.get(section)?.get(slot)?;
            let function = code.functions.iter().position(|f| f.section == section && (f.start..f.end).contains(&slot))?;
            let in_reach = function == p.function || !is_program(function);
            (insn.is_call() && in_reach).then(|| CallSite { function, slot, symbol: symbol.clone(), reach: Reach::Maybe })
        })
        .collect();
    calls.sort_by_key(|c| (c.function, c.slot));
    calls
}

/// What is wrong with a reached call, if anything.
fn call_problem(
    call: &CallSite,
    program_function: usize,
    code: &guard::Code,
    desc: &str,
    def: Option<&'static sec_def::SecDef>,
    m: &Manifest,
    level: u32,
) -> Option<Problem> {
    let k = m.kfunc(kfunc_name(&call.symbol))?;
    let sym = &call.symbol;
    let function = code.functions[call.function].name.clone();
    let at = if call.function == program_function {
        format!("at insn {}", call.slot)
    } else {
        format!("at insn {} of its subprogram {function}", call.slot)
    };
    let maybe = call.reach == Reach::Maybe;
    let (verdict, reason) = if !k.alive_at(level) {
        let why = missing_why(k, level);
        if maybe {
            (
                Verdict::Unknown,
                format!(
                    "{desc} calls {sym} {at}, which API {level} lacks ({why}); whether the verifier reaches the call depends on a value skf does not follow to a bpf_ksym_exists({sym}) test (a constant, a .rodata or CO-RE value, a test kept in memory), so skf cannot tell whether the load fails"
                ),
            )
        } else {
            (
                Verdict::Incompatible,
                format!(
                    "{desc} calls {sym} {at}, which API {level} lacks ({why}), on a path that passes no bpf_ksym_exists({sym}) test (a test of another kfunc does not guard it): the verifier reaches the call and the load fails; call it only where if (bpf_ksym_exists({sym})) holds"
                ),
            )
        }
    } else {
        let Some(def) = def else {
            return None; // the section's own problem says it
        };
        let t = def.prog_type.uapi_name();
        let refused = match kfunc_hook::hook_of(def.prog_type) {
            Hook::Offered(name) if k.prog_types.iter().any(|p| p == name) => return None,
            Hook::Offered(_) => format!("stable_kfuncs offers {sym} only to {}, not to {t}", offered_to(k)),
            Hook::None => format!("stable_kfuncs registers no kfuncs for {t} programs; {sym} is offered to {}", offered_to(k)),
            Hook::RefusedRawTp => format!(
                "stable_kfuncs refuses its kfuncs to raw_tp programs on every kernel; use SEC(\"tp_btf/...\") for the same tracepoint ({sym} is offered to {})",
                offered_to(k)
            ),
            Hook::AsReplacedProgram => {
                return Some(Problem {
                    kfunc: Some(sym.clone()),
                    function: Some(function),
                    insn: Some(call.slot),
                    verdict: Verdict::Unknown,
                    reason: format!(
                        "{desc} calls {sym} {at}; an freplace program is judged as the program it replaces, which the object does not name, so skf cannot tell whether that type is one {sym} is offered to ({})",
                        offered_to(k)
                    ),
                })
            }
        };
        if maybe {
            (Verdict::Unknown, format!("{desc} calls {sym} {at}: {refused}; skf cannot tell whether the verifier reaches the call"))
        } else {
            (Verdict::Incompatible, format!("{desc} calls {sym} {at}: {refused}, so the verifier refuses the call and the load fails"))
        }
    };
    Some(Problem { kfunc: Some(sym.clone()), function: Some(function), insn: Some(call.slot), verdict, reason })
}

/// None for an SKF_REQUIRE_API marker that does not fire at `level`.
fn rate(i: &KfuncImport, m: &Manifest, level: u32, programs: &[ProgramReport]) -> Option<Finding> {
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
    Some(rate_kfunc(i, m, level, programs, finding))
}

fn rate_kfunc(
    i: &KfuncImport,
    m: &Manifest,
    level: u32,
    programs: &[ProgramReport],
    finding: impl Fn(Rating, Option<String>) -> Finding,
) -> Finding {
    let Some(k) = m.kfunc(&i.kfunc) else {
        return if i.kfunc.starts_with("skf_") {
            finding(Rating::Missing, Some(format!("unknown kfunc {}: stable_kfuncs never released it (typo?)", i.kfunc)))
        } else {
            finding(Rating::Foreign, None)
        };
    };
    if !k.alive_at(level) {
        let why = missing_why(k, level);
        if !i.weak {
            return finding(Rating::Missing, Some(format!("{why}; it is not __weak, so libbpf cannot load the object without it")));
        }
        // The autoloaded programs' reached calls of it, worst first.
        let mut calls: Vec<(&ProgramReport, &Problem)> = programs
            .iter()
            .filter(|p| p.autoload)
            .flat_map(|p| p.problems.iter().map(move |q| (p, q)))
            .filter(|(_, q)| q.kfunc.as_deref() == Some(&i.symbol))
            .collect();
        calls.sort_by_key(|(_, q)| std::cmp::Reverse(q.verdict));
        let untested = if i.tested { "" } else { "it is __weak but never tested with bpf_ksym_exists(), and " };
        return match calls.first() {
            Some((p, q)) if q.verdict == Verdict::Incompatible => finding(
                Rating::Missing,
                Some(format!(
                    "{why}; {untested}program '{}' reaches a call of it without a bpf_ksym_exists() test of it, so the load fails",
                    p.name
                )),
            ),
            Some((p, _)) => finding(
                Rating::Unknown,
                Some(format!("{why}; skf cannot tell whether program '{}' reaches its call (see the program's problems)", p.name)),
            ),
            None if i.tested => finding(Rating::MissingWeak, Some(format!("{why}; the program's bpf_ksym_exists() fallback runs"))),
            None => finding(Rating::MissingWeak, Some(format!("{why}; no call of it is reached at API {level}, so the load succeeds"))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf_insn::asm::*;
    use crate::bpf_insn::JMP_JEQ;
    use crate::guard::{Code, Function};
    use std::collections::HashMap;

    fn manifest() -> Manifest {
        Manifest::parse(include_str!("../../module/kfuncs.toml")).unwrap()
    }

    /// One program in `section` whose code is `insns` (a call of skf_task_state at slot `call`).
    fn object(section: &str, insns: Vec<crate::bpf_insn::Insn>, call: usize) -> BpfObject {
        object_calling("skf_task_state", section, insns, call)
    }

    /// One program in `section` whose code is `insns` (a call of `kfunc` at slot `call`).
    fn object_calling(kfunc: &str, section: &str, insns: Vec<crate::bpf_insn::Insn>, call: usize) -> BpfObject {
        let end = insns.len();
        let relocs = HashMap::from([((0, call), Target::Extern(kfunc.into()))]);
        let code =
            Code { sections: vec![insns], relocs, functions: vec![Function { name: "p".into(), section: 0, start: 0, end, global: true }] };
        let imports = vec![KfuncImport { symbol: kfunc.into(), kfunc: kfunc.into(), weak: true, tested: false }];
        BpfObject { imports, programs: vec![Program { name: "p".into(), section: section.into(), function: 0 }], code }
    }

    /// The module warns about each load whose program calls a deprecated
    /// kfunc (module/verify.rs): the program's verdict says so, not only the object's.
    #[test]
    fn a_program_calling_a_deprecated_kfunc_is_deprecated() {
        let o = object_calling("skf_task_comm_v1", "tp_btf/x", vec![call_reloc(), exit()], 0);
        let deprecated = check(&o, &manifest(), 2);
        assert_eq!((deprecated.verdict, deprecated.programs[0].verdict), (Verdict::Deprecated, Verdict::Deprecated));
        assert_eq!(check(&o, &manifest(), 1).programs[0].verdict, Verdict::Compatible);
        // Removed at 3: missing, not deprecated.
        assert_eq!(check(&o, &manifest(), 3).programs[0].verdict, Verdict::Incompatible);
    }

    #[test]
    fn code_skf_cannot_follow_makes_its_failing_calls_unknown() {
        // if r1 == 0 goto <outside>; call skf_task_state; exit
        let o = object("tp_btf/x", vec![jmp_imm(JMP_JEQ, 1, 0, 7), call_reloc(), exit()], 1);
        let report = check(&o, &manifest(), 3);
        assert_eq!(report.verdict, Verdict::Unknown, "{report:#?}");
        assert_eq!(report.kfuncs[0].rating, Rating::Unknown);
        let problem = &report.programs[0].problems[0];
        assert!(problem.reason.contains("skf cannot follow the code") && problem.insn == Some(1), "{problem:?}");
        // Where the call would not fail, there is nothing to be unsure of.
        assert_eq!(check(&o, &manifest(), 4).verdict, Verdict::Compatible);
    }

    #[test]
    fn programs_that_do_not_autoload_do_not_count() {
        let insns = vec![call_reloc(), exit()];
        let on = check(&object("xdp", insns.clone(), 0), &manifest(), 4);
        assert_eq!(on.verdict, Verdict::Incompatible);
        let off = check(&object("?xdp", insns, 0), &manifest(), 4);
        assert_eq!((off.verdict, off.programs[0].autoload, off.programs[0].verdict), (Verdict::Compatible, false, Verdict::Incompatible));
        assert_eq!(off.programs[0].prog_type, Some("BPF_PROG_TYPE_XDP"));
    }
}
