// SPDX-License-Identifier: GPL-2.0

//! The control-flow graph of one BPF function: basic blocks split at jump
//! targets and after jumps and exits (BPF_JMP and BPF_JMP32, conditional or
//! not). Calls do not end a block: they return to the next instruction.

use crate::bpf_insn::Insn;
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Falls through to the block after it.
    Next(usize),
    /// An unconditional jump.
    Jump(usize),
    /// A conditional jump: the block it goes to when taken, and when not.
    Branch { taken: usize, not_taken: usize },
    /// `exit`: the function returns.
    Return,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Its slots, [start, end).
    pub start: usize,
    pub end: usize,
    /// The slot of its last instruction.
    pub last: usize,
    pub exit: Exit,
}

#[derive(Debug)]
pub struct Cfg {
    /// The entry block is the first.
    pub blocks: Vec<Block>,
}

/// The instruction starts in [start, end) of `insns`: ld_imm64 takes two slots.
pub fn instruction_starts(insns: &[Insn], start: usize, end: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut pc = start;
    while pc < end {
        starts.push(pc);
        pc += insns[pc].slots();
    }
    starts
}

/// The CFG of the function in slots [start, end) of `insns`; an error says
/// what makes it no function the verifier would take (a jump out of it, or
/// into the middle of an instruction, or code running off its end).
pub fn build(insns: &[Insn], start: usize, end: usize) -> Result<Cfg, String> {
    if start >= end || end > insns.len() {
        return Err(format!("the function's slots {start}..{end} are outside its section ({} slots)", insns.len()));
    }
    let starts = instruction_starts(insns, start, end);
    let last_start = *starts.last().expect("start < end");
    if last_start + insns[last_start].slots() > end {
        return Err(format!("the ld_imm64 at {last_start} runs past the function's end"));
    }
    let is_start: BTreeSet<usize> = starts.iter().copied().collect();
    let mut leaders = BTreeSet::from([start]);
    for &pc in &starts {
        let insn = insns[pc];
        if insn.is_ja() || insn.is_conditional() {
            let target = insn.jump_target(pc);
            if target < start as i64 || target >= end as i64 || !is_start.contains(&(target as usize)) {
                return Err(format!("the jump at {pc} goes to {target}, not to an instruction of its function"));
            }
            leaders.insert(target as usize);
        }
        if insn.is_ja() || insn.is_conditional() || insn.is_exit() {
            let next = pc + insn.slots();
            if next < end {
                leaders.insert(next);
            }
        }
    }
    let leaders: Vec<usize> = leaders.into_iter().collect();
    let index: HashMap<usize, usize> = leaders.iter().enumerate().map(|(i, &pc)| (pc, i)).collect();
    let mut blocks = Vec::with_capacity(leaders.len());
    for (i, &block_start) in leaders.iter().enumerate() {
        let block_end = leaders.get(i + 1).copied().unwrap_or(end);
        let last = *starts.iter().rev().find(|&&pc| pc < block_end).expect("a block holds an instruction");
        let insn = insns[last];
        let target = || index[&(insn.jump_target(last) as usize)];
        let exit = if insn.is_exit() {
            Exit::Return
        } else if insn.is_ja() {
            Exit::Jump(target())
        } else if insn.is_conditional() {
            let not_taken = index.get(&block_end).copied().ok_or_else(|| format!("the conditional jump at {last} ends the function"))?;
            Exit::Branch { taken: target(), not_taken }
        } else {
            Exit::Next(index.get(&block_end).copied().ok_or_else(|| format!("the code at {last} runs off the function's end"))?)
        };
        blocks.push(Block { start: block_start, end: block_end, last, exit });
    }
    Ok(Cfg { blocks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf_insn::asm::*;
    use crate::bpf_insn::*;

    #[test]
    fn blocks_split_at_jumps_and_their_targets_not_at_calls() {
        // 0: r1 = ksym ll (2 slots); 2: if r1 == 0 goto 4; 3: call; 4: r0 = 0; 5: exit
        let [a, b] = ld_imm64(1, 0);
        let insns = [a, b, jmp_imm(JMP_JEQ, 1, 0, 1), call_reloc(), mov_imm(0, 0), exit()];
        let cfg = build(&insns, 0, insns.len()).unwrap();
        let shape: Vec<_> = cfg.blocks.iter().map(|b| (b.start, b.end, b.exit)).collect();
        assert_eq!(
            shape,
            [(0, 3, Exit::Branch { taken: 2, not_taken: 1 }), (3, 4, Exit::Next(2)), (4, 6, Exit::Return)],
            "the call at 3 does not end its block; the jump's target starts one"
        );
    }

    #[test]
    fn loops_and_unconditional_jumps() {
        // 0: r1 = 0; 1: r1 += 1 (as a mov here); 2: if r1 < 4 goto 1; 3: ja +0; 4: exit
        let insns = [mov_imm(1, 0), mov_imm(1, 1), jmp_imm(JMP_JLT, 1, 4, -2), ja(0), exit()];
        let cfg = build(&insns, 0, insns.len()).unwrap();
        let shape: Vec<_> = cfg.blocks.iter().map(|b| (b.start, b.exit)).collect();
        assert_eq!(shape, [(0, Exit::Next(1)), (1, Exit::Branch { taken: 1, not_taken: 2 }), (3, Exit::Jump(3)), (4, Exit::Return)]);
    }

    #[test]
    fn malformed_code_is_refused_with_a_reason() {
        let out_of_range = [jmp_imm(JMP_JEQ, 1, 0, 5), exit()];
        assert!(build(&out_of_range, 0, 2).unwrap_err().contains("not to an instruction of its function"));
        let [a, b] = ld_imm64(1, 0);
        let into_ld_imm64 = [jmp_imm(JMP_JEQ, 1, 0, 1), a, b, exit()];
        assert!(build(&into_ld_imm64, 0, 4).unwrap_err().contains("goes to 2"));
        let falls_off = [mov_imm(0, 0)];
        assert!(build(&falls_off, 0, 1).unwrap_err().contains("runs off"));
        let truncated = [a];
        assert!(build(&truncated, 0, 1).unwrap_err().contains("runs past"));
        assert!(build(&[exit()], 1, 1).is_err());
    }
}
