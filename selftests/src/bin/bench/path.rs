//! Path lengths, counted in instructions from disassembly: a function of
//! the .ko or vmlinux (llvm-objdump), and a program's JIT image.

use anyhow::{bail, ensure, Context, Result};
use std::path::Path;
use std::process::Command;

/// One function's instruction count and what it calls or jumps to.
pub struct Function {
    pub insns: usize,
    pub callees: Vec<String>,
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?} (install llvm / binutils: make deps)"))?;
    ensure!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Disassembles `symbol` in `elf` (a .ko, with its relocations, or vmlinux).
pub fn function(elf: &Path, symbol: &str) -> Result<Function> {
    let text = output(
        Command::new("llvm-objdump")
            .args(["-d", "-r", "--no-show-raw-insn", "--no-leading-addr"])
            .arg(format!("--disassemble-symbols={symbol}"))
            .arg(elf),
    )?;
    let header = format!("<{symbol}>:");
    let body = text
        .split_once(&header)
        .with_context(|| format!("no function {symbol} in {}", elf.display()))?
        .1;
    let mut insns = 0;
    let mut callees = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.ends_with(">:") || line.starts_with("Disassembly of section") {
            break; // the next symbol
        }
        if let Some(target) = relocation_target(line).or_else(|| branch_target(line)) {
            if target != symbol && !callees.contains(&target) {
                callees.push(target);
            }
        }
        if !line.starts_with("R_") {
            insns += 1;
        }
    }
    ensure!(insns > 0, "function {symbol} in {} has no instructions", elf.display());
    Ok(Function { insns, callees })
}

/// `R_X86_64_PLT32 skf_rs_task_cpu-0x4`, `R_AARCH64_JUMP26 skf_rs_task_cpu`: the symbol
/// of a call or jump relocation.
fn relocation_target(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let kind = words.next()?;
    if !(kind.starts_with("R_") && (kind.contains("PLT32") || kind.contains("PC32") || kind.contains("CALL26") || kind.contains("JUMP26"))) {
        return None;
    }
    let symbol = words.next()?.split(['-', '+']).next()?;
    Some(symbol.to_string())
}

/// `call ... <name>` / `bl ... <name+0x10>` in a linked image: the callee
/// (branches inside the function are skipped by the caller).
fn branch_target(line: &str) -> Option<String> {
    let mnemonic = line.split_whitespace().next()?;
    if !matches!(mnemonic, "call" | "callq" | "jmp" | "jmpq" | "bl" | "b") {
        return None;
    }
    let inner = line.rsplit_once('<')?.1.strip_suffix('>')?;
    let symbol = inner.split(['+', '-']).next()?;
    Some(symbol.to_string())
}

/// Instructions in a JIT image written by `bench run`.
pub fn jit_insns(image: &Path, arch: &str) -> Result<usize> {
    let len = std::fs::metadata(image).with_context(|| format!("reading {}", image.display()))?.len() as usize;
    match arch {
        // Fixed-width instructions.
        "arm64" => Ok(len / 4),
        "x86_64" => {
            let text = output(
                Command::new("objdump").args(["-D", "-b", "binary", "-m", "i386:x86-64", "--no-show-raw-insn"]).arg(image),
            )?;
            // Instruction lines are "  addr:\tmnemonic ...".
            Ok(text
                .lines()
                .filter(|l| l.split_once(":\t").is_some_and(|(addr, _)| addr.trim().chars().all(|c| c.is_ascii_hexdigit())))
                .count())
        }
        other => bail!("unknown architecture '{other}' (use x86_64 or arm64)"),
    }
}
