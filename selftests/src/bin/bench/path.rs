// SPDX-License-Identifier: GPL-2.0

//! Path lengths, counted in instructions from disassembly: functions of the
//! .ko or vmlinux (llvm-objdump), and a program's JIT image.

use anyhow::{bail, ensure, Context, Result};
use std::path::Path;
use std::process::Command;

/// One disassembled function.
pub struct Function {
    insns: Vec<Insn>,
}

struct Insn {
    addr: u64,
    mnemonic: String,
    /// The symbol a relocation on this instruction names (.ko only).
    reloc: Option<String>,
    /// `<symbol+off>` of a branch in a linked image.
    target: Option<String>,
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?} (install llvm and binutils: make deps)"))?;
    ensure!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `symbol`'s section, address and size in bytes, from the symbol table.
fn symbol_range(elf: &Path, symbol: &str) -> Result<(String, u64, u64)> {
    let table = output(Command::new("llvm-objdump").arg("-t").arg(elf))?;
    // "ADDR FLAGS SECTION\tSIZE NAME"; the first function of that name.
    table
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once('\t')?;
            let (size, name) = right.split_once(' ')?;
            let mut fields = left.split_whitespace();
            let addr = fields.next()?;
            let section = fields.next_back()?;
            (name == symbol && left.contains(" F "))
                .then(|| Some((section.to_string(), u64::from_str_radix(addr, 16).ok()?, u64::from_str_radix(size, 16).ok()?)))?
        })
        .next()
        .with_context(|| format!("no function {symbol} in the symbol table of {}", elf.display()))
}

/// Disassembles `symbol` in `elf` (a .ko, with its relocations, or vmlinux).
/// By address range, not --disassemble-symbols, which stops at the first
/// arm64 mapping symbol ($x, $d) inside the function.
pub fn function(elf: &Path, symbol: &str) -> Result<Function> {
    let (section, start, size) = symbol_range(elf, symbol)?;
    let text = output(
        Command::new("llvm-objdump")
            .args(["-d", "-r", "-C", "--no-show-raw-insn"])
            .arg(format!("--section={section}"))
            .arg(format!("--start-address={start:#x}"))
            .arg(format!("--stop-address={:#x}", start + size))
            .arg(elf),
    )?;
    let body = text.split_once(&format!("<{symbol}>:")).with_context(|| format!("no function {symbol} in {}", elf.display()))?.1;
    let mut insns: Vec<Insn> = Vec::new();
    for line in body.lines() {
        if line.contains(" <$") && line.trim_end().ends_with(">:") {
            continue; // an arm64 mapping symbol ($x, $d) inside the function
        }
        let Some((addr, rest)) = line.trim().split_once(':') else { continue };
        let Ok(addr) = u64::from_str_radix(addr.trim(), 16) else { break }; // the next symbol's header
        let rest = rest.trim();
        if let Some(reloc) = rest.strip_prefix("R_") {
            // llvm-objdump also lists relocations of other code among a
            // function's lines: keep those that patch its last instruction.
            if let Some(last) = insns.last_mut().filter(|last| addr >= last.addr && addr - last.addr < 16) {
                // "TYPE\tsymbol-0x4"; demangled Rust symbols hold spaces.
                last.reloc = reloc.split_once(char::is_whitespace).map(|(_, name)| strip_addend(name.trim()).to_string());
            }
            continue;
        }
        let mnemonic = rest.split_whitespace().next().unwrap_or_default().to_string();
        let target =
            rest.rsplit_once('<').and_then(|(_, t)| t.strip_suffix('>')).map(|t| t.split(['+', '-']).next().unwrap_or(t).to_string());
        insns.push(Insn { addr, mnemonic, reloc: None, target });
    }
    ensure!(!insns.is_empty(), "function {symbol} in {} has no instructions", elf.display());
    Ok(Function { insns: fix_targets(insns, symbol) })
}

/// `symbol-0x4` -> `symbol`.
fn strip_addend(name: &str) -> &str {
    match name.rfind(['-', '+']) {
        Some(i) if name[i + 1..].starts_with("0x") => &name[..i],
        _ => name,
    }
}

/// A branch to the function itself is internal, not a callee; so is one
/// that objdump names by an arm64 mapping symbol ($x, $d) inside it.
fn fix_targets(mut insns: Vec<Insn>, symbol: &str) -> Vec<Insn> {
    for insn in &mut insns {
        if insn.target.as_deref().is_some_and(|t| t == symbol || t.starts_with('$')) {
            insn.target = None;
        }
    }
    insns
}

fn is_jump(mnemonic: &str) -> bool {
    matches!(mnemonic, "jmp" | "jmpq" | "b")
}

fn is_return(mnemonic: &str) -> bool {
    matches!(mnemonic, "ret" | "retq")
}

impl Insn {
    /// The function this instruction leaves to, if it calls or jumps out.
    fn callee(&self) -> Option<&str> {
        self.reloc.as_deref().or(self.target.as_deref())
    }
}

impl Function {
    /// Every instruction, cold paths and padding included.
    pub fn size(&self) -> usize {
        self.insns.len()
    }

    /// What it calls or jumps to, in order, once each.
    pub fn callees(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for insn in &self.insns {
            if let Some(callee) = insn.callee() {
                if !out.iter().any(|c| c == callee) && !callee.starts_with('.') && callee != "__fentry__" {
                    out.push(callee.to_string());
                }
            }
        }
        out
    }

    /// Instructions run from the entry to the first jump out or return,
    /// with every conditional branch and patched-out static key falling
    /// through: for a kfunc's C wrapper with counting off, the path to its
    /// tail jump.
    pub fn straight_path(&self) -> usize {
        let mut count = 0;
        for insn in &self.insns {
            count += 1;
            if is_return(&insn.mnemonic) || (is_jump(&insn.mnemonic) && insn.callee().is_some()) {
                break;
            }
        }
        count
    }
}

/// Instructions in a JIT image written by `bench run`.
pub fn jit_insns(image: &Path, arch: &str) -> Result<usize> {
    let len = std::fs::metadata(image).with_context(|| format!("reading {}", image.display()))?.len() as usize;
    match arch {
        // Fixed-width instructions.
        "arm64" => Ok(len / 4),
        "x86_64" => {
            let text = output(Command::new("objdump").args(["-D", "-b", "binary", "-m", "i386:x86-64", "--no-show-raw-insn"]).arg(image))?;
            // Instruction lines are "  addr:\tmnemonic ...".
            Ok(text
                .lines()
                .filter(|l| l.split_once(":\t").is_some_and(|(addr, _)| addr.trim().chars().all(|c| c.is_ascii_hexdigit())))
                .count())
        }
        other => bail!("unknown architecture '{other}' (use x86_64 or arm64)"),
    }
}
