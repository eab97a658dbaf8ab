// SPDX-License-Identifier: GPL-2.0

//! BPF instructions as a compiled object holds them (include/uapi/linux/bpf.h,
//! bpf_common.h): 8-byte slots, little-endian on the BPF target clang
//! builds for; a 64-bit immediate load (ld_imm64) takes two slots.

/// One 8-byte slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    pub code: u8,
    pub dst: u8,
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

pub const SLOT: usize = 8;

// Classes.
pub const CLASS_LD: u8 = 0x00;
pub const CLASS_LDX: u8 = 0x01;
pub const CLASS_ST: u8 = 0x02;
pub const CLASS_STX: u8 = 0x03;
pub const CLASS_ALU: u8 = 0x04;
pub const CLASS_JMP: u8 = 0x05;
pub const CLASS_JMP32: u8 = 0x06;
pub const CLASS_ALU64: u8 = 0x07;

// Sizes and modes of loads and stores.
pub const SIZE_W: u8 = 0x00;
pub const SIZE_H: u8 = 0x08;
pub const SIZE_B: u8 = 0x10;
pub const SIZE_DW: u8 = 0x18;
pub const MODE_IMM: u8 = 0x00;
pub const MODE_ABS: u8 = 0x20;
pub const MODE_IND: u8 = 0x40;
pub const MODE_MEM: u8 = 0x60;
pub const MODE_MEMSX: u8 = 0x80;
pub const MODE_ATOMIC: u8 = 0xc0;

/// Operand source: the immediate (K) or src_reg (X).
pub const SRC_X: u8 = 0x08;

// ALU operations.
pub const ALU_MOV: u8 = 0xb0;

// Jump operations.
pub const JMP_JA: u8 = 0x00;
pub const JMP_JEQ: u8 = 0x10;
pub const JMP_JGT: u8 = 0x20;
pub const JMP_JGE: u8 = 0x30;
pub const JMP_JSET: u8 = 0x40;
pub const JMP_JNE: u8 = 0x50;
pub const JMP_JSGT: u8 = 0x60;
pub const JMP_JSGE: u8 = 0x70;
pub const JMP_CALL: u8 = 0x80;
pub const JMP_EXIT: u8 = 0x90;
pub const JMP_JLT: u8 = 0xa0;
pub const JMP_JLE: u8 = 0xb0;
pub const JMP_JSLT: u8 = 0xc0;
pub const JMP_JSLE: u8 = 0xd0;
/// may_goto (src_reg BPF_MAY_GOTO): the verifier explores both ways.
pub const JMP_JCOND: u8 = 0xe0;

/// ld_imm64: BPF_LD | BPF_IMM | BPF_DW.
pub const LD_IMM64: u8 = CLASS_LD | MODE_IMM | SIZE_DW;

/// Atomic operations that write the old value back to a register.
pub const ATOMIC_FETCH: i32 = 0x01;
pub const ATOMIC_CMPXCHG: i32 = 0xf0 | ATOMIC_FETCH;

/// src_reg of a call: a helper (0), a BPF-to-BPF call or (in an object
/// clang wrote) a kfunc call through a relocation (1), a kfunc by BTF id (2).
pub const CALL_HELPER: u8 = 0;
pub const CALL_PSEUDO: u8 = 1;
pub const CALL_KFUNC: u8 = 2;

/// The frame pointer, read-only.
pub const FP: u8 = 10;

impl Insn {
    pub fn class(self) -> u8 {
        self.code & 0x07
    }

    /// The operation of an ALU or jump instruction.
    pub fn op(self) -> u8 {
        self.code & 0xf0
    }

    pub fn size(self) -> u8 {
        self.code & 0x18
    }

    pub fn mode(self) -> u8 {
        self.code & 0xe0
    }

    pub fn uses_src_reg(self) -> bool {
        self.code & SRC_X != 0
    }

    /// Bytes a load or store of this size moves.
    pub fn size_bytes(self) -> u8 {
        match self.size() {
            SIZE_W => 4,
            SIZE_H => 2,
            SIZE_B => 1,
            _ => 8,
        }
    }

    pub fn is_ld_imm64(self) -> bool {
        self.code == LD_IMM64
    }

    pub fn is_jump_class(self) -> bool {
        matches!(self.class(), CLASS_JMP | CLASS_JMP32)
    }

    pub fn is_call(self) -> bool {
        self.class() == CLASS_JMP && self.op() == JMP_CALL
    }

    pub fn is_exit(self) -> bool {
        self.class() == CLASS_JMP && self.op() == JMP_EXIT
    }

    /// An unconditional jump: `ja` (JMP, offset in off) or `gotol` (JMP32, offset in imm).
    pub fn is_ja(self) -> bool {
        self.is_jump_class() && self.op() == JMP_JA && !self.uses_src_reg()
    }

    /// A jump that may or may not be taken (may_goto included).
    pub fn is_conditional(self) -> bool {
        self.is_jump_class() && !matches!(self.op(), JMP_JA | JMP_CALL | JMP_EXIT)
    }

    /// The slot an unconditional or conditional jump at `pc` goes to, if in i64.
    pub fn jump_target(self, pc: usize) -> i64 {
        let delta = if self.class() == CLASS_JMP32 && self.op() == JMP_JA { self.imm as i64 } else { self.off as i64 };
        pc as i64 + 1 + delta
    }

    /// How many slots the instruction takes.
    pub fn slots(self) -> usize {
        if self.is_ld_imm64() {
            2
        } else {
            1
        }
    }
}

/// The slots of `bytes` (a whole number of them; a trailing partial slot is dropped).
pub fn decode(bytes: &[u8]) -> Vec<Insn> {
    bytes
        .chunks_exact(SLOT)
        .map(|s| Insn {
            code: s[0],
            dst: s[1] & 0x0f,
            src: s[1] >> 4,
            off: i16::from_le_bytes([s[2], s[3]]),
            imm: i32::from_le_bytes([s[4], s[5], s[6], s[7]]),
        })
        .collect()
}

/// Encoders for hand-assembled tests.
pub mod asm {
    use super::*;

    pub fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
        Insn { code, dst, src, off, imm }
    }

    /// `dst = imm64` (two slots; the relocation, if any, goes on the first).
    pub fn ld_imm64(dst: u8, imm: i64) -> [Insn; 2] {
        [insn(LD_IMM64, dst, 0, 0, imm as i32), insn(0, 0, 0, 0, (imm >> 32) as i32)]
    }

    pub fn mov_imm(dst: u8, imm: i32) -> Insn {
        insn(CLASS_ALU64 | ALU_MOV, dst, 0, 0, imm)
    }

    pub fn mov_reg(dst: u8, src: u8) -> Insn {
        insn(CLASS_ALU64 | ALU_MOV | SRC_X, dst, src, 0, 0)
    }

    /// `if dst OP imm goto +off`.
    pub fn jmp_imm(op: u8, dst: u8, imm: i32, off: i16) -> Insn {
        insn(CLASS_JMP | op, dst, 0, off, imm)
    }

    /// `if dst OP src goto +off`.
    pub fn jmp_reg(op: u8, dst: u8, src: u8, off: i16) -> Insn {
        insn(CLASS_JMP | op | SRC_X, dst, src, off, 0)
    }

    pub fn ja(off: i16) -> Insn {
        insn(CLASS_JMP | JMP_JA, 0, 0, off, 0)
    }

    /// A call as clang writes a kfunc or subprogram call: src 1, imm -1, and a relocation.
    pub fn call_reloc() -> Insn {
        insn(CLASS_JMP | JMP_CALL, 0, CALL_PSEUDO, 0, -1)
    }

    pub fn call_helper(id: i32) -> Insn {
        insn(CLASS_JMP | JMP_CALL, 0, CALL_HELPER, 0, id)
    }

    pub fn exit() -> Insn {
        insn(CLASS_JMP | JMP_EXIT, 0, 0, 0, 0)
    }

    /// `*(u64 *)(dst + off) = src`.
    pub fn stx_dw(dst: u8, off: i16, src: u8) -> Insn {
        insn(CLASS_STX | MODE_MEM | SIZE_DW, dst, src, off, 0)
    }

    /// `dst = *(u64 *)(src + off)`.
    pub fn ldx_dw(dst: u8, src: u8, off: i16) -> Insn {
        insn(CLASS_LDX | MODE_MEM | SIZE_DW, dst, src, off, 0)
    }

    /// `dst = *(u32 *)(src + off)`.
    pub fn ldx_w(dst: u8, src: u8, off: i16) -> Insn {
        insn(CLASS_LDX | MODE_MEM | SIZE_W, dst, src, off, 0)
    }

    /// The bytes of `insns`, as an object's section holds them.
    pub fn encode(insns: &[Insn]) -> Vec<u8> {
        insns
            .iter()
            .flat_map(|i| {
                let mut b = vec![i.code, i.dst | (i.src << 4)];
                b.extend_from_slice(&i.off.to_le_bytes());
                b.extend_from_slice(&i.imm.to_le_bytes());
                b
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::asm::*;
    use super::*;

    #[test]
    fn decoding_inverts_encoding() {
        let insns = [mov_imm(1, -7), jmp_imm(JMP_JEQ, 2, 0, 3), call_reloc(), stx_dw(FP, -8, 6), exit()];
        assert_eq!(decode(&encode(&insns)), insns);
        // clang's `call -1` for a kfunc: 85 10 00 00 ff ff ff ff.
        let call = decode(&[0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff])[0];
        assert!(call.is_call() && call.src == CALL_PSEUDO && call.imm == -1, "{call:?}");
    }

    #[test]
    fn jumps_are_classified() {
        assert!(jmp_imm(JMP_JNE, 1, 0, 2).is_conditional());
        assert!(!ja(2).is_conditional() && ja(2).is_ja());
        assert!(!call_reloc().is_conditional() && !exit().is_conditional());
        assert_eq!(jmp_imm(JMP_JEQ, 1, 0, 4).jump_target(10), 15);
        assert_eq!(ja(-3).jump_target(10), 8);
        let gotol = insn(CLASS_JMP32 | JMP_JA, 0, 0, 0, 100);
        assert!(gotol.is_ja() && gotol.jump_target(0) == 101);
        assert_eq!(ld_imm64(1, 0)[0].slots(), 2);
    }
}
