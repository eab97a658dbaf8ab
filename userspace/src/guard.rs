// SPDX-License-Identifier: GPL-2.0

//! Which kfunc calls of a program the verifier reaches at one API level.
//!
//! `bpf_ksym_exists(k)` compiles to loading k's address (an ld_imm64 with a
//! relocation against the extern) and a conditional jump on it. libbpf loads
//! 0 for a weak kfunc the kernel lacks and poisons its calls; the verifier
//! follows only the null edge of such a test, never visits what only the
//! other edge leads to, and fails the load only on a poisoned call it visits.
//! So a call to a missing kfunc is guarded exactly when every path from the
//! program's entry to it passes the non-null edge of a test of that same
//! kfunc: when the call is dominated by that edge. A test of another kfunc
//! does not guard it, nor does a test whose outcome the call does not depend on.
//!
//! This module decides that by abstract interpretation over each function's
//! CFG (cfg.rs), for one API level: each ksym test of a kfunc the level has
//! or lacks keeps only the edge the verifier takes; the call is then
//! reachable or not. Values are followed through register moves and stack
//! spills (8-byte, frame-pointer relative), into and out of static
//! subprograms. A branch is:
//!
//! - *decided*, on a ksym test of a kfunc the level has or lacks;
//! - *open*, on values the verifier does not know at load time (context,
//!   helper and kfunc results, writable maps): it explores both edges;
//! - *uncertain*, on anything the verifier may know at load time and skf
//!   does not follow: constants and values merged from several paths
//!   (`int has = bpf_ksym_exists(a) || ...;`), .rodata, CO-RE and .kconfig
//!   values, ksym addresses after arithmetic, a guard reloaded from stack
//!   memory skf lost track of (a call or a store through a pointer may have
//!   written it).
//!
//! skf runs two passes. The *may* pass follows every edge but the decided
//! ones' other edge: a call it does not reach is pruned by the verifier. The
//! *definite* pass follows decided and open edges only, its values joined
//! over those paths alone: a call it reaches is visited by the verifier, and
//! the load fails if the call cannot be made. A call only the may pass
//! reaches may or may not be visited: skf cannot tell, and says so rather
//! than guess. Value ranges are not tracked (a branch on a masked
//! unknown value counts as open). Callbacks (a function whose address is
//! taken, for bpf_loop() and the like) may be reached wherever their
//! address is taken. Global functions are verified on their own, as the
//! verifier does, with nothing known of their arguments.

use crate::bpf_insn::*;
use crate::cfg::{self, Cfg, Exit};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Where a relocation points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An undefined symbol: a kfunc, or a ksym or .kconfig variable.
    Extern(String),
    /// A symbol in a code section, `offset` bytes in (a function or the section).
    Code { section: usize, offset: u64 },
    /// Frozen data (.rodata): the verifier knows what it loads from there.
    Rodata,
    /// Any other data: maps, .data, .bss.
    Data,
}

/// One function of the object: a program or a subprogram.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub section: usize,
    /// Its slots [start, end) in its section.
    pub start: usize,
    pub end: usize,
    /// A global (non-static) subprogram, which the verifier checks on its own.
    pub global: bool,
}

/// The code of an object: its code sections' slots, their relocations, its functions.
#[derive(Clone, Debug, Default)]
pub struct Code {
    pub sections: Vec<Vec<Insn>>,
    /// (section, slot) -> target.
    pub relocs: HashMap<(usize, usize), Target>,
    pub functions: Vec<Function>,
}

/// Whether the kernel offers a kfunc at the level rated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Present,
    Missing,
    /// Not decided by the level (a foreign kfunc, a variable): tests of it are uncertain.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// skf cannot tell whether the verifier visits it.
    Maybe,
    /// The verifier visits it.
    Definite,
}

/// A kfunc call the verifier may visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// Index into Code::functions.
    pub function: usize,
    /// Its slot in its section.
    pub slot: usize,
    /// The extern it calls, as the object names it.
    pub symbol: String,
    pub reach: Reach,
}

/// What a register or stack slot may hold, over the paths joined into a
/// state, as far as skf follows it. Nothing set: uninitialized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Val {
    /// A value the verifier does not know at load time (context, helper and
    /// kfunc results, writable maps).
    runtime: bool,
    /// A value the verifier may know at load time that skf does not follow.
    fixed: bool,
    /// A pointer into .rodata.
    rodata: bool,
    /// The address of extern number N (a ksym test's operand).
    ksym: Option<usize>,
}

const UNSET: Val = Val { runtime: false, fixed: false, rodata: false, ksym: None };
const RUNTIME: Val = Val { runtime: true, ..UNSET };
const FIXED: Val = Val { fixed: true, ..UNSET };
const RODATA: Val = Val { rodata: true, ..UNSET };

fn ksym(id: usize) -> Val {
    Val { ksym: Some(id), ..UNSET }
}

fn join_val(a: Val, b: Val) -> Val {
    let (ksym, clash) = match (a.ksym, b.ksym) {
        (Some(x), Some(y)) if x != y => (None, true),
        (x, y) => (x.or(y), false),
    };
    Val { runtime: a.runtime || b.runtime, fixed: a.fixed || b.fixed || clash, rodata: a.rodata || b.rodata, ksym }
}

impl Val {
    /// The extern whose address this is on every path, if it is.
    fn exact_ksym(self) -> Option<usize> {
        self.ksym.filter(|_| !self.runtime && !self.fixed && !self.rodata)
    }

    /// Cut to 32 bits or less, or computed with: an address no longer.
    fn opaque(self) -> Val {
        match self.ksym {
            Some(_) => FIXED,
            None => self,
        }
    }
}

/// Stack contents: (offset from the frame pointer, size) -> value.
type Stack = BTreeMap<(i16, u8), Val>;

#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    regs: [Val; 11],
    stack: Stack,
}

impl State {
    fn entry(args: Val) -> State {
        let mut regs = [UNSET; 11];
        regs[1..=5].fill(args);
        State { regs, stack: Stack::new() }
    }

    fn join(&self, other: &State) -> State {
        let mut regs = self.regs;
        for (r, o) in regs.iter_mut().zip(other.regs) {
            *r = join_val(*r, o);
        }
        // A slot one path lacks holds what skf does not follow.
        let stack = self.stack.iter().filter_map(|(k, &v)| other.stack.get(k).map(|&o| (*k, join_val(v, o)))).collect();
        State { regs, stack }
    }

    fn reg(&self, r: u8) -> Val {
        match r {
            FP => FIXED,
            r if (r as usize) < self.regs.len() => self.regs[r as usize],
            _ => FIXED,
        }
    }

    fn set(&mut self, r: u8, v: Val) {
        if let Some(slot) = self.regs.get_mut(r as usize).filter(|_| r != FP) {
            *slot = v;
        }
    }

    /// A call clobbers r1-r5 and leaves its result in r0.
    fn after_call(&mut self, r0: Val) {
        self.regs[0] = r0;
        self.regs[1..=5].fill(UNSET);
    }

    /// Memory the function's stack pointer escaped to may have been written:
    /// each slot may hold what it held or anything else.
    fn forget_stack(&mut self) {
        self.stack.values_mut().for_each(|v| *v = FIXED);
    }

    fn store_stack(&mut self, off: i16, size: u8, v: Val) {
        let (lo, hi) = (off as i32, off as i32 + size as i32);
        self.stack.retain(|&(o, s), _| o as i32 + s as i32 <= lo || o as i32 >= hi);
        self.stack.insert((off, size), v);
    }

    fn load_stack(&self, off: i16, size: u8) -> Val {
        match self.stack.get(&(off, size)) {
            Some(&v) if size == 8 => v,
            Some(&v) => v.opaque(),
            None => FIXED,
        }
    }
}

/// The calls of program `entry` (an index into code.functions) the verifier
/// may visit, given which kfuncs the level offers; an error says why skf
/// cannot follow the code.
pub fn reached_calls(code: &Code, entry: usize, presence: &dyn Fn(&str) -> Presence) -> Result<Vec<CallSite>, String> {
    let mut may = Analysis::new(code, presence, Pass::May);
    may.run(entry)?;
    let mut definite = Analysis::new(code, presence, Pass::Definite);
    definite.run(entry)?;
    let mut calls: Vec<CallSite> = may
        .calls
        .iter()
        .map(|(&(function, slot), &id)| CallSite {
            function,
            slot,
            symbol: may.externs[id].clone(),
            reach: if definite.calls.contains_key(&(function, slot)) { Reach::Definite } else { Reach::Maybe },
        })
        .collect();
    calls.sort_by_key(|c| (c.function, c.slot));
    Ok(calls)
}

/// Which edges a pass follows (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    May,
    Definite,
}

/// How many block visits one program may take before skf gives up.
const MAX_VISITS: usize = 500_000;

struct Analysis<'a> {
    code: &'a Code,
    presence: &'a dyn Fn(&str) -> Presence,
    pass: Pass,
    externs: Vec<String>,
    extern_ids: HashMap<String, usize>,
    cfgs: HashMap<usize, Cfg>,
    escapes: HashMap<usize, bool>,
    /// (function, block) -> its in-state.
    states: HashMap<(usize, usize), State>,
    /// Static subprogram -> r0 at its exits.
    returns: HashMap<usize, Val>,
    /// Subprogram -> the blocks that call it.
    callers: HashMap<usize, BTreeSet<(usize, usize)>>,
    /// (function, slot) -> the extern it calls.
    calls: BTreeMap<(usize, usize), usize>,
    work: VecDeque<(usize, usize)>,
    queued: HashSet<(usize, usize)>,
}

impl<'a> Analysis<'a> {
    fn new(code: &'a Code, presence: &'a dyn Fn(&str) -> Presence, pass: Pass) -> Self {
        Analysis {
            code,
            presence,
            pass,
            externs: Vec::new(),
            extern_ids: HashMap::new(),
            cfgs: HashMap::new(),
            escapes: HashMap::new(),
            states: HashMap::new(),
            returns: HashMap::new(),
            callers: HashMap::new(),
            calls: BTreeMap::new(),
            work: VecDeque::new(),
            queued: HashSet::new(),
        }
    }

    fn extern_id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.extern_ids.get(name) {
            return id;
        }
        self.externs.push(name.to_string());
        self.extern_ids.insert(name.to_string(), self.externs.len() - 1);
        self.externs.len() - 1
    }

    fn function(&self, f: usize) -> Result<&'a Function, String> {
        self.code.functions.get(f).ok_or_else(|| format!("function #{f} does not exist"))
    }

    fn insns(&self, f: usize) -> Result<&'a [Insn], String> {
        let func = self.function(f)?;
        self.code.sections.get(func.section).map(Vec::as_slice).ok_or_else(|| format!("{}: no code section #{}", func.name, func.section))
    }

    /// Builds `f`'s CFG once.
    fn ensure_cfg(&mut self, f: usize) -> Result<(), String> {
        if self.cfgs.contains_key(&f) {
            return Ok(());
        }
        let func = self.function(f)?;
        let insns = self.insns(f)?;
        let cfg = cfg::build(insns, func.start, func.end).map_err(|e| format!("{}: {e}", func.name))?;
        // The frame pointer escapes where it is copied, computed with or stored.
        let escapes = cfg::instruction_starts(insns, func.start, func.end).into_iter().any(|pc| {
            let i = insns[pc];
            match i.class() {
                CLASS_ALU | CLASS_ALU64 | CLASS_JMP | CLASS_JMP32 => i.uses_src_reg() && i.src == FP,
                CLASS_STX => i.src == FP,
                _ => false,
            }
        });
        self.escapes.insert(f, escapes);
        self.cfgs.insert(f, cfg);
        Ok(())
    }

    /// Joins `state` into the in-state of `f`'s block `b`; queues it if that changed.
    fn propagate(&mut self, f: usize, b: usize, state: State) {
        let joined = match self.states.get(&(f, b)) {
            Some(old) => {
                let joined = old.join(&state);
                if &joined == old {
                    return;
                }
                joined
            }
            None => state,
        };
        self.states.insert((f, b), joined);
        if self.queued.insert((f, b)) {
            self.work.push_back((f, b));
        }
    }

    fn enter(&mut self, f: usize, state: State) -> Result<(), String> {
        self.ensure_cfg(f)?;
        self.propagate(f, 0, state);
        Ok(())
    }

    fn run(&mut self, entry: usize) -> Result<(), String> {
        // A program's r1 is its context.
        let mut start = State::entry(UNSET);
        start.regs[1] = RUNTIME;
        self.enter(entry, start)?;
        let mut visits = 0;
        while let Some((f, b)) = self.work.pop_front() {
            self.queued.remove(&(f, b));
            visits += 1;
            if visits > MAX_VISITS {
                return Err(format!("{}: more than {MAX_VISITS} steps to follow its paths", self.function(entry)?.name));
            }
            self.visit(f, b, entry)?;
        }
        Ok(())
    }

    fn visit(&mut self, f: usize, b: usize, entry: usize) -> Result<(), String> {
        let mut s = self.states[&(f, b)].clone();
        let block = self.cfgs[&f].blocks[b].clone();
        let insns = self.insns(f)?;
        let section = self.function(f)?.section;
        for pc in cfg::instruction_starts(insns, block.start, block.end) {
            let insn = insns[pc];
            if insn.is_call() {
                if !self.call(f, b, section, pc, insn, &mut s)? {
                    return Ok(()); // a subprogram that has not returned yet
                }
            } else if !insn.is_jump_class() {
                self.step(f, section, pc, insn, &mut s)?;
            }
        }
        let last = insns[block.last];
        match block.exit {
            Exit::Next(n) | Exit::Jump(n) => self.propagate(f, n, s),
            Exit::Branch { taken, not_taken } => {
                let (t, n) = self.branch(last, &s);
                if t {
                    self.propagate(f, taken, s.clone());
                }
                if n {
                    self.propagate(f, not_taken, s);
                }
            }
            Exit::Return if f != entry && !self.function(f)?.global => {
                let joined = match self.returns.get(&f) {
                    Some(&r0) => join_val(r0, s.regs[0]),
                    None => s.regs[0],
                };
                if self.returns.get(&f) != Some(&joined) {
                    self.returns.insert(f, joined);
                    for (cf, cb) in self.callers.get(&f).cloned().unwrap_or_default() {
                        if self.queued.insert((cf, cb)) {
                            self.work.push_back((cf, cb));
                        }
                    }
                }
            }
            Exit::Return => {}
        }
        Ok(())
    }

    /// Whether this pass follows a conditional jump's (taken, not taken) edges.
    fn branch(&self, insn: Insn, s: &State) -> (bool, bool) {
        let dst = s.reg(insn.dst);
        let uncertain = match self.pass {
            Pass::May => (true, true),
            Pass::Definite => (false, false),
        };
        if insn.class() == CLASS_JMP && !insn.uses_src_reg() && insn.imm == 0 {
            // Whether taking the jump means the address is not null.
            let taken_if_present = match insn.op() {
                JMP_JNE | JMP_JGT => Some(true),
                JMP_JEQ | JMP_JLE => Some(false),
                _ => None,
            };
            if let (Some(id), Some(taken_if_present)) = (dst.exact_ksym(), taken_if_present) {
                return match (self.presence)(&self.externs[id]) {
                    Presence::Present => (taken_if_present, !taken_if_present),
                    Presence::Missing => (!taken_if_present, taken_if_present),
                    Presence::Unknown => uncertain,
                };
            }
        }
        if insn.op() == JMP_JCOND {
            return (true, true);
        }
        let operands = if insn.uses_src_reg() { vec![dst, s.reg(insn.src)] } else { vec![dst] };
        if operands.iter().any(|v| v.ksym.is_some()) || !operands.iter().any(|v| v.runtime) {
            return uncertain;
        }
        // Unknown to the verifier on some path this pass follows: it explores both edges.
        (true, true)
    }

    /// A call: false where the rest of the block is not reached yet.
    fn call(&mut self, f: usize, b: usize, section: usize, pc: usize, insn: Insn, s: &mut State) -> Result<bool, String> {
        let escapes = self.escapes[&f];
        let reloc = self.code.relocs.get(&(section, pc));
        let callee = match (insn.src, reloc) {
            (CALL_PSEUDO | CALL_KFUNC, Some(Target::Extern(name))) => {
                let id = self.extern_id(name);
                self.calls.insert((f, pc), id);
                None
            }
            (CALL_PSEUDO, Some(Target::Code { section, offset })) => {
                Some(self.function_at(*section, (*offset / SLOT as u64) as i64 + insn.imm as i64 + 1)?)
            }
            (CALL_PSEUDO, None) => Some(self.function_at(section, pc as i64 + insn.imm as i64 + 1)?),
            (CALL_PSEUDO, Some(t)) => return Err(format!("the call at {pc} goes to {t:?}, not to code")),
            // A helper, or a kfunc by BTF id skf cannot name.
            _ => None,
        };
        let Some(g) = callee else {
            s.after_call(RUNTIME);
            if escapes {
                s.forget_stack();
            }
            return Ok(true);
        };
        let global = self.function(g)?.global;
        let mut args = State::entry(RUNTIME);
        if !global {
            args.regs[1..=5].copy_from_slice(&s.regs[1..=5]);
        }
        self.callers.entry(g).or_default().insert((f, b));
        self.enter(g, args)?;
        let r0 = if global {
            RUNTIME
        } else {
            match self.returns.get(&g) {
                Some(&r0) => r0,
                None => return Ok(false),
            }
        };
        s.after_call(r0);
        if escapes {
            s.forget_stack();
        }
        Ok(true)
    }

    /// The function that starts at `slot` of `section`.
    fn function_at(&self, section: usize, slot: i64) -> Result<usize, String> {
        self.code
            .functions
            .iter()
            .position(|g| g.section == section && g.start as i64 == slot)
            .ok_or_else(|| format!("a call or function address points to slot {slot} of section #{section}, where no function starts"))
    }

    /// Any instruction but a jump, call or exit.
    fn step(&mut self, f: usize, section: usize, pc: usize, insn: Insn, s: &mut State) -> Result<(), String> {
        let unknown = || format!("{}: instruction {pc} (opcode {:#04x}) is none skf knows", self.code.functions[f].name, insn.code);
        match insn.class() {
            CLASS_ALU | CLASS_ALU64 => {
                let wide = insn.class() == CLASS_ALU64;
                let op = insn.op();
                if op > 0xd0 {
                    return Err(unknown());
                }
                let src = if insn.uses_src_reg() { s.reg(insn.src) } else { FIXED };
                let dst = s.reg(insn.dst);
                let v = match op {
                    ALU_MOV if !insn.uses_src_reg() => FIXED,
                    ALU_MOV if wide && insn.off == 0 => src,
                    ALU_MOV => src.opaque(),
                    // neg, byte swaps: one operand
                    0x80 | 0xd0 => dst.opaque(),
                    _ => combine(dst, src),
                };
                s.set(insn.dst, v);
            }
            CLASS_LD if insn.is_ld_imm64() => {
                let v = match self.code.relocs.get(&(section, pc)) {
                    Some(Target::Extern(name)) => ksym(self.extern_id(name)),
                    Some(Target::Code { section, offset }) => {
                        self.callback(*section, (*offset as i64 + insn.imm as i64) / SLOT as i64)?;
                        FIXED
                    }
                    Some(Target::Rodata) => RODATA,
                    Some(Target::Data) => RUNTIME,
                    // BPF_PSEUDO_FUNC: a function's address, relative to here.
                    None if insn.src == 4 => {
                        self.callback(section, pc as i64 + insn.imm as i64 + 1)?;
                        FIXED
                    }
                    None => FIXED,
                };
                s.set(insn.dst, v);
            }
            CLASS_LD if matches!(insn.mode(), MODE_ABS | MODE_IND) => s.after_call(RUNTIME),
            CLASS_LDX if matches!(insn.mode(), MODE_MEM | MODE_MEMSX) => {
                let size = insn.size_bytes();
                let v = match insn.src {
                    FP => s.load_stack(insn.off, size),
                    // Through a pointer: unknown where it may point to writable
                    // memory; otherwise (.rodata, a ksym, a constant) maybe known.
                    r => {
                        let base = s.reg(r);
                        Val { runtime: base.runtime, fixed: base.fixed || base.rodata || base.ksym.is_some() || base == UNSET, ..UNSET }
                    }
                };
                s.set(insn.dst, v);
            }
            CLASS_ST | CLASS_STX if matches!(insn.mode(), MODE_MEM | MODE_ATOMIC) => {
                if insn.mode() == MODE_ATOMIC && insn.class() != CLASS_STX {
                    return Err(unknown());
                }
                let size = insn.size_bytes();
                let stored = if insn.class() == CLASS_ST { FIXED } else { s.reg(insn.src) };
                let stored = if size == 8 { stored } else { stored.opaque() };
                if insn.mode() == MODE_ATOMIC {
                    // The memory changes in ways skf does not follow; fetches write a register.
                    if insn.imm == ATOMIC_CMPXCHG {
                        s.set(0, RUNTIME);
                    } else if insn.imm & ATOMIC_FETCH != 0 {
                        s.set(insn.src, RUNTIME);
                    }
                }
                if insn.dst == FP {
                    let v = if insn.mode() == MODE_ATOMIC { FIXED } else { stored };
                    s.store_stack(insn.off, size, v);
                } else if self.escapes[&f] {
                    s.forget_stack();
                }
            }
            _ => return Err(unknown()),
        }
        Ok(())
    }

    /// A function whose address is taken at a reached instruction: a callback
    /// that may run, with nothing known of its arguments.
    fn callback(&mut self, section: usize, slot: i64) -> Result<(), String> {
        let g = self.function_at(section, slot)?;
        match self.pass {
            Pass::May => self.enter(g, State::entry(RUNTIME)),
            Pass::Definite => Ok(()),
        }
    }
}

/// Arithmetic on two values: an address no longer.
fn combine(dst: Val, src: Val) -> Val {
    if dst.ksym.is_some() || src.ksym.is_some() {
        return FIXED;
    }
    Val { runtime: dst.runtime || src.runtime, fixed: dst.fixed || src.fixed, rodata: dst.rodata || src.rodata, ksym: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf_insn::asm::*;

    /// A program being assembled: its slots and relocations in section 0.
    #[derive(Default)]
    struct Prog {
        insns: Vec<Insn>,
        relocs: HashMap<(usize, usize), Target>,
    }

    impl Prog {
        /// `dst = &kfunc` as bpf_ksym_exists() loads it.
        fn ksym(mut self, dst: u8, kfunc: &str) -> Self {
            self.relocs.insert((0, self.insns.len()), Target::Extern(kfunc.into()));
            self.insns.extend(ld_imm64(dst, 0));
            self
        }
        fn rodata(mut self, dst: u8) -> Self {
            self.relocs.insert((0, self.insns.len()), Target::Rodata);
            self.insns.extend(ld_imm64(dst, 0));
            self
        }
        fn kcall(mut self, kfunc: &str) -> Self {
            self.relocs.insert((0, self.insns.len()), Target::Extern(kfunc.into()));
            self.insns.push(call_reloc());
            self
        }
        fn i(mut self, insn: Insn) -> Self {
            self.insns.push(insn);
            self
        }
        fn code(self, functions: &[(&str, usize, usize, bool)]) -> Code {
            let end = self.insns.len();
            let functions = if functions.is_empty() {
                vec![Function { name: "prog".into(), section: 0, start: 0, end, global: false }]
            } else {
                functions.iter().map(|&(n, start, end, global)| Function { name: n.into(), section: 0, start, end, global }).collect()
            };
            Code { sections: vec![self.insns], relocs: self.relocs, functions }
        }
    }

    /// Present unless named in `missing`; "foreign" is unknown.
    fn level(missing: &'static [&'static str]) -> impl Fn(&str) -> Presence {
        move |k| match k {
            "foreign" => Presence::Unknown,
            k if missing.contains(&k) => Presence::Missing,
            _ => Presence::Present,
        }
    }

    /// The reach of each call of `kfunc`, in slot order.
    fn reach_of(code: &Code, missing: &'static [&'static str], kfunc: &str) -> Vec<Reach> {
        let calls = reached_calls(code, 0, &level(missing)).unwrap();
        calls.into_iter().filter(|c| c.symbol == kfunc).map(|c| c.reach).collect()
    }

    /// if (bpf_ksym_exists(a)) a(); return 0;
    fn guarded(test: &str, call: &str) -> Code {
        Prog::default().ksym(1, test).i(jmp_imm(JMP_JEQ, 1, 0, 1)).kcall(call).i(mov_imm(0, 0)).i(exit()).code(&[])
    }

    #[test]
    fn a_call_behind_its_own_test_is_pruned_where_the_kfunc_is_missing() {
        assert_eq!(reach_of(&guarded("a", "a"), &["a"], "a"), []);
        assert_eq!(reach_of(&guarded("a", "a"), &[], "a"), [Reach::Definite], "present: the test passes");
    }

    #[test]
    fn a_test_of_another_kfunc_guards_nothing() {
        assert_eq!(reach_of(&guarded("b", "a"), &["a"], "a"), [Reach::Definite]);
        assert_eq!(reach_of(&guarded("b", "a"), &["a", "b"], "a"), [], "b missing too: the verifier prunes the call");
    }

    #[test]
    fn a_call_after_the_guarded_region_is_reached() {
        // if (bpf_ksym_exists(a)) x = 1; a();
        let code = Prog::default().ksym(1, "a").i(jmp_imm(JMP_JEQ, 1, 0, 1)).i(mov_imm(6, 1)).kcall("a").i(exit()).code(&[]);
        assert_eq!(reach_of(&code, &["a"], "a"), [Reach::Definite]);
    }

    #[test]
    fn the_non_null_edge_is_the_one_that_guards() {
        // if (!bpf_ksym_exists(a)) a(); : the call sits on the null edge.
        let inverted = Prog::default().ksym(1, "a").i(jmp_imm(JMP_JNE, 1, 0, 1)).kcall("a").i(exit()).code(&[]);
        assert_eq!(reach_of(&inverted, &["a"], "a"), [Reach::Definite]);
        // if (a == 0) return; a(); with `if r1 > 0` (JGT) as clang may write it.
        let jgt = Prog::default().ksym(1, "a").i(jmp_imm(JMP_JGT, 1, 0, 1)).i(exit()).kcall("a").i(exit()).code(&[]);
        assert_eq!(reach_of(&jgt, &["a"], "a"), []);
    }

    #[test]
    fn an_or_of_tests_guards_only_where_all_are_missing() {
        // if (bpf_ksym_exists(a) || bpf_ksym_exists(b)) a();
        let code = Prog::default()
            .ksym(1, "a")
            .i(jmp_imm(JMP_JNE, 1, 0, 3))
            .ksym(1, "b")
            .i(jmp_imm(JMP_JEQ, 1, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&code, &["a"], "a"), [Reach::Definite], "b present: the call is reached without a");
        assert_eq!(reach_of(&code, &["a", "b"], "a"), []);
    }

    #[test]
    fn guards_are_followed_through_moves_and_stack_spills() {
        // r6 = &a; *(u64 *)(r10 - 8) = r6; r0 = helper(); r2 = *(u64 *)(r10 - 8); if r2 == 0 goto out; a();
        let code = Prog::default()
            .ksym(1, "a")
            .i(mov_reg(6, 1))
            .i(stx_dw(FP, -8, 6))
            .i(call_helper(14))
            .i(ldx_dw(2, FP, -8))
            .i(jmp_imm(JMP_JEQ, 2, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&code, &["a"], "a"), []);
    }

    #[test]
    fn a_guard_skf_loses_track_of_makes_the_call_maybe_reached() {
        // The spill is reloaded as 32 bits: the address is no longer followed.
        let narrow_reload = Prog::default()
            .ksym(1, "a")
            .i(stx_dw(FP, -8, 1))
            .i(ldx_w(2, FP, -8))
            .i(jmp_imm(JMP_JEQ, 2, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&narrow_reload, &["a"], "a"), [Reach::Maybe]);
        // The stack pointer escapes (r2 = r10 - 16 passed to a helper), which may overwrite the spill.
        let escaped = Prog::default()
            .ksym(1, "a")
            .i(stx_dw(FP, -8, 1))
            .i(mov_reg(2, FP))
            .i(call_helper(16))
            .i(ldx_dw(3, FP, -8))
            .i(jmp_imm(JMP_JEQ, 3, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&escaped, &["a"], "a"), [Reach::Maybe]);
    }

    #[test]
    fn branches_on_load_time_constants_are_uncertain_on_runtime_values_open() {
        // if (*(u32 *)rodata) a();  (a const volatile knob)
        let rodata = Prog::default().rodata(1).i(ldx_w(1, 1, 0)).i(jmp_imm(JMP_JEQ, 1, 0, 1)).kcall("a").i(exit()).code(&[]);
        assert_eq!(reach_of(&rodata, &["a"], "a"), [Reach::Maybe]);
        // r0 = helper(); if (r0) a();
        let runtime = Prog::default().i(call_helper(5)).i(jmp_imm(JMP_JEQ, 0, 0, 1)).kcall("a").i(exit()).code(&[]);
        assert_eq!(reach_of(&runtime, &["a"], "a"), [Reach::Definite]);
        // has = exists(a) ? 1 : 0; if (has) a();  merged constants: uncertain, not decided.
        let merged = Prog::default()
            .ksym(1, "a")
            .i(mov_imm(2, 1))
            .i(jmp_imm(JMP_JNE, 1, 0, 1))
            .i(mov_imm(2, 0))
            .i(jmp_imm(JMP_JEQ, 2, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&merged, &["a"], "a"), [Reach::Maybe]);
        // A test of a kfunc the level does not decide (a foreign one) is uncertain too.
        assert_eq!(reach_of(&guarded("foreign", "a"), &["a"], "a"), [Reach::Maybe]);
    }

    #[test]
    fn a_value_unknown_on_some_followed_path_opens_its_branch() {
        // r1 = runtime; r6 = 16; if r6 > r1 goto +1; r1 = 16; if r1 == 0 goto +1; r6 = r1; a();
        // (clang's min(size, 16)): r1 is 16 or unknown; both edges are explored.
        let code = Prog::default()
            .i(call_helper(5))
            .i(mov_reg(1, 0))
            .i(mov_imm(6, 16))
            .i(jmp_reg(JMP_JGT, 6, 1, 1))
            .i(mov_imm(1, 16))
            .i(jmp_imm(JMP_JEQ, 1, 0, 1))
            .i(mov_reg(6, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&code, &["a"], "a"), [Reach::Definite]);
    }

    #[test]
    fn a_value_unknown_only_on_an_uncertain_path_does_not() {
        // x = knob ? helper() : 0; if (x) a();  With knob 0 (.rodata) the verifier prunes a().
        let code = Prog::default()
            .rodata(1)
            .i(ldx_w(1, 1, 0))
            .i(mov_imm(0, 0))
            .i(jmp_imm(JMP_JEQ, 1, 0, 1))
            .i(call_helper(5))
            .i(jmp_imm(JMP_JEQ, 0, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[]);
        assert_eq!(reach_of(&code, &["a"], "a"), [Reach::Maybe]);
    }

    #[test]
    fn guards_reach_into_static_subprograms_not_global_ones() {
        // prog: if (bpf_ksym_exists(a)) sub(); exit.   sub: a(); exit.
        let prog = |global| {
            Prog::default()
                .ksym(1, "a")
                .i(jmp_imm(JMP_JEQ, 1, 0, 1))
                .i(insn(CLASS_JMP | JMP_CALL, 0, CALL_PSEUDO, 0, 1)) // to slot 5
                .i(exit())
                .kcall("a")
                .i(exit())
                .code(&[("prog", 0, 5, false), ("sub", 5, 7, global)])
        };
        assert_eq!(reach_of(&prog(false), &["a"], "a"), [], "the static subprogram is only called behind the test");
        assert_eq!(reach_of(&prog(false), &[], "a"), [Reach::Definite]);
        // A global function is verified on its own wherever it is called.
        assert_eq!(reach_of(&prog(true), &[], "a"), [Reach::Definite]);
    }

    #[test]
    fn a_test_in_a_static_subprogram_of_an_address_its_caller_passes_guards() {
        // prog: r1 = &a; sub(r1); exit.   sub: if r1 == 0 goto out; a(); out: exit.
        let code = Prog::default()
            .ksym(1, "a")
            .i(insn(CLASS_JMP | JMP_CALL, 0, CALL_PSEUDO, 0, 1)) // to slot 4
            .i(exit())
            .i(jmp_imm(JMP_JEQ, 1, 0, 1))
            .kcall("a")
            .i(exit())
            .code(&[("prog", 0, 4, false), ("sub", 4, 7, false)]);
        assert_eq!(reach_of(&code, &["a"], "a"), []);
        assert_eq!(reach_of(&code, &[], "a"), [Reach::Definite]);
    }

    #[test]
    fn a_subprograms_result_carries_back_to_its_caller() {
        // prog: r0 = sub(); if r0 == 0 goto out; b(); out: exit.  sub: r0 = helper(); exit.
        let code = Prog::default()
            .i(insn(CLASS_JMP | JMP_CALL, 0, CALL_PSEUDO, 0, 3)) // to slot 4
            .i(jmp_imm(JMP_JEQ, 0, 0, 1))
            .kcall("b")
            .i(exit())
            .i(call_helper(5))
            .i(exit())
            .code(&[("prog", 0, 4, false), ("sub", 4, 6, false)]);
        assert_eq!(reach_of(&code, &["b"], "b"), [Reach::Definite], "a runtime result: both ways");
        // A subprogram that never returns leaves what follows its call unreached.
        let mut endless = code.clone();
        endless.sections[0][5] = ja(-2);
        assert_eq!(reach_of(&endless, &["b"], "b"), []);
    }

    #[test]
    fn code_skf_cannot_follow_is_an_error_not_a_verdict() {
        let bad_jump = Prog::default().i(jmp_imm(JMP_JEQ, 1, 0, 9)).i(exit()).code(&[]);
        assert!(reached_calls(&bad_jump, 0, &level(&[])).unwrap_err().contains("not to an instruction"));
        let bad_op = Prog::default().i(insn(0xff, 0, 0, 0, 0)).i(exit()).code(&[]);
        assert!(reached_calls(&bad_op, 0, &level(&[])).unwrap_err().contains("opcode 0xff"));
        let bad_call = Prog::default().i(insn(CLASS_JMP | JMP_CALL, 0, CALL_PSEUDO, 0, 0)).i(exit()).code(&[]);
        assert!(reached_calls(&bad_call, 0, &level(&[])).unwrap_err().contains("no function starts"));
    }
}
