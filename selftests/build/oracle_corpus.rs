// SPDX-License-Identifier: GPL-2.0

//! The oracle's corpus (selftests/tests/oracle.rs), generated from the
//! manifest: every kfunc ever released, called from every program type
//! section a tool would use, in four shapes (unguarded, guarded by
//! bpf_ksym_exists() of itself, guarded by another kfunc's, guarded and then
//! called again unguarded). One object per section kind, one program per
//! (kfunc, shape), so the test opens each object once and loads its
//! programs one at a time.
//!
//! A kfunc's first argument is made the way a tool would make it where the
//! section can: the current task, a task looked up by pid in a syscall
//! program, a tp_btf tracepoint's own argument. Where the module does not
//! offer the kfunc to the section's program type (by the manifest and the
//! kernel's kfunc hooks, restated here rather than taken from skf, which is
//! what the corpus tests) the argument is a null pointer: the verifier
//! refuses the call before it looks at the arguments. Where the kfunc is
//! offered but the section has no trusted object to hand it, the program
//! would be refused for its argument rather than for the kfunc: it is left
//! out, and the test lists it.

use skf::manifest::{Kfunc, Manifest};
use skf::proto::CType;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A section kind: one object of the corpus.
struct Kind {
    /// The object's name, and how the test names the kind.
    name: &'static str,
    /// The SEC() of its programs that take a task.
    section: &'static str,
    /// The manifest `prog_types` entry whose kfuncs the kernel hands this
    /// program type (btf.c bpf_prog_type_to_kfunc_hook, module/register.c);
    /// None: the module offers it none (raw_tp is refused by its filter).
    offered: Option<&'static str>,
    /// How its programs get a task: None where they have no task to hand.
    task: Option<&'static str>,
}

const CURRENT_TASK: &str = "struct task_struct *obj = bpf_get_current_task_btf();";
const TASK_BY_PID: &str = "struct task_struct *obj = bpf_task_from_pid(1);\n\n\tif (!obj)\n\t\treturn 0;";

const KINDS: &[Kind] = &[
    Kind { name: "tp_btf", section: "tp_btf/sched_switch", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "fentry", section: "fentry/vfs_read", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "fexit", section: "fexit/vfs_read", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "lsm", section: "lsm/file_open", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "raw_tp", section: "raw_tp/sched_switch", offered: None, task: Some(CURRENT_TASK) },
    Kind { name: "tracepoint", section: "tracepoint/sched/sched_switch", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "kprobe", section: "kprobe/vfs_read", offered: Some("kprobe"), task: Some(CURRENT_TASK) },
    Kind { name: "perf_event", section: "perf_event", offered: Some("tracing"), task: Some(CURRENT_TASK) },
    Kind { name: "syscall", section: "syscall", offered: Some("syscall"), task: Some(TASK_BY_PID) },
    Kind { name: "xdp", section: "xdp", offered: None, task: None },
    Kind { name: "tc", section: "tc", offered: None, task: None },
    Kind { name: "cgroup_skb", section: "cgroup_skb/ingress", offered: None, task: None },
    Kind { name: "socket", section: "socket", offered: None, task: None },
];

/// The tp_btf tracepoints that hand over a trusted object other than a task: (struct, SEC()).
const TRACEPOINT_OBJECTS: &[(&str, &str)] = &[("request", "tp_btf/block_rq_issue"), ("sock", "tp_btf/inet_sock_set_state")];

/// The guard shapes, by the prefix of their programs' names.
const SHAPES: &[&str] = &["unguarded", "guarded", "guarded_by_other", "called_after_guard"];

/// How a program of one kind gets a kfunc's first argument.
enum Source {
    /// A declaration of `obj`, then, if it holds a reference, its release.
    Local { section: &'static str, decl: String, release: Option<&'static str> },
    /// `obj` is the tracepoint's argument (BPF_PROG).
    TracepointArgument { section: &'static str, object: String },
}

fn source(kind: &Kind, k: &Kfunc) -> Result<Source, String> {
    let object = match k.proto().params.first().map(|p| &p.ty) {
        Some(CType::StructPtr(name)) => name.clone(),
        _ => return Err(format!("takes no object first ({})", k.proto_text)),
    };
    let offered = kind.offered.is_some_and(|t| k.prog_types.iter().any(|p| p == t));
    let null = || Source::Local { section: kind.section, decl: format!("struct {object} *obj = 0;"), release: None };
    if object == "task_struct" {
        return Ok(match kind.task {
            Some(decl) => {
                let release = (decl == TASK_BY_PID).then_some("bpf_task_release(obj);");
                Source::Local { section: kind.section, decl: decl.to_string(), release }
            }
            None if !offered => null(),
            None => return Err(format!("{} programs have no task to hand it", kind.name)),
        });
    }
    match TRACEPOINT_OBJECTS.iter().find(|(name, _)| *name == object) {
        Some((_, section)) if kind.name == "tp_btf" => Ok(Source::TracepointArgument { section, object }),
        _ if !offered => Ok(null()),
        _ => Err(format!(
            "{} programs have no trusted struct {object} * (only tp_btf's tracepoint arguments are), so the verifier would refuse the argument, not the kfunc",
            kind.name
        )),
    }
}

/// The kfunc a `guarded_by_other` program tests: one whose presence differs
/// from `k`'s at some level, so that the test guards nothing there.
fn other_of<'m>(m: &'m Manifest, k: &Kfunc) -> &'m Kfunc {
    let always = |o: &Kfunc| m.levels().all(|level| o.alive_at(level));
    let other = if always(k) { m.kfuncs.iter().find(|o| o.since == m.api_level) } else { m.kfuncs.iter().find(|o| always(o)) };
    other.unwrap_or_else(|| panic!("the manifest has no kfunc to guard {} with in the oracle's corpus", k.name))
}

fn program(k: &Kfunc, other: &Kfunc, shape: &str, source: &Source) -> String {
    let call = super::call_expr(k.proto(), |_| Some("obj"), "0").unwrap_or_else(|p| panic!("{}: the oracle cannot make `{p}`", k.name));
    let name = format!("{shape}_{}", k.name);
    let body = match shape {
        "unguarded" => format!("result = {call};"),
        "guarded" => format!("if (bpf_ksym_exists({k})) result = {call};", k = k.name),
        "guarded_by_other" => format!("if (bpf_ksym_exists({o})) result = {call};", o = other.name),
        "called_after_guard" => format!("if (bpf_ksym_exists({k})) result = {call};\n\tresult_unguarded = {call};", k = k.name),
        _ => unreachable!("SHAPES has no {shape}"),
    };
    let buf = if k.proto().params.iter().any(|p| p.ty == CType::CharPtr) { "\tchar buf[64] = {};\n" } else { "" };
    match source {
        Source::Local { section, decl, release } => format!(
            "SEC(\"{section}\")\nint {name}(void *ctx)\n{{\n\t{decl}\n{buf}\n\t{body}\n{}\treturn 0;\n}}\n\n",
            release.map_or(String::new(), |r| format!("\t{r}\n"))
        ),
        Source::TracepointArgument { section, object } => {
            format!("SEC(\"{section}\")\nint BPF_PROG({name}, struct {object} *obj)\n{{\n{buf}\t{body}\n\treturn 0;\n}}\n\n")
        }
    }
}

const PRELUDE: &str = "/* Generated by selftests/build/oracle_corpus.rs from module/kfuncs.toml. */
/* It calls every version ever released, deprecated ones too: no warnings. */
#define SKF_TARGET_API 1
#include <linux/types.h>
#include <linux/bpf.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* Where the calls' results go, so that no call is optimised away. */
__u64 result, result_unguarded;

char LICENSE[] SEC(\"license\") = \"GPL\";

";

/// Writes oracle_KIND.bpf.c for each kind, and oracle_corpus.rs: the
/// objects for the test to embed and the (kfunc, kind) pairs left out, with
/// why. Returns the sources, each with the object to build: (source, object).
pub fn generate(out: &Path, m: &Manifest) -> Vec<(PathBuf, PathBuf)> {
    let mut rs = String::from("/// Each section kind's object: (kind, its BPF object).\npub const OBJECTS: &[(&str, &[u8])] = &[\n");
    let mut kept_out =
        String::from("/// (kfunc, section kind, why it has no programs there).\npub const KEPT_OUT: &[(&str, &str, &str)] = &[\n");
    let mut built = Vec::new();
    for kind in KINDS {
        let mut c = String::from(PRELUDE);
        for k in &m.kfuncs {
            match source(kind, k) {
                Ok(source) => {
                    let other = other_of(m, k);
                    for shape in SHAPES {
                        c.push_str(&program(k, other, shape, &source));
                    }
                }
                Err(why) => writeln!(kept_out, "    ({:?}, {:?}, {why:?}),", k.name, kind.name).unwrap(),
            }
        }
        let src = out.join(format!("oracle_{}.bpf.c", kind.name));
        let obj = out.join(format!("oracle_{}.bpf.o", kind.name));
        std::fs::write(&src, c).unwrap_or_else(|e| panic!("writing {}: {e}", src.display()));
        writeln!(rs, "    ({:?}, include_bytes!({:?})),", kind.name, obj.display().to_string()).unwrap();
        built.push((src, obj));
    }
    rs.push_str("];\n\n");
    rs.push_str(&kept_out);
    rs.push_str("];\n");
    std::fs::write(out.join("oracle_corpus.rs"), rs).expect("writing oracle_corpus.rs");
    built
}
