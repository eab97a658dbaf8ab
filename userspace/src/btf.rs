//! A reader for the parts of BTF that `skf` needs: type kinds, names and
//! function linkage. It bounds-checks every read, so arbitrary bytes give
//! an error, never a panic.

use anyhow::{bail, ensure, Context, Result};

const MAGIC: u16 = 0xeb9f;

pub const KIND_FUNC: u8 = 12;
/// `struct btf_func` linkage of an extern (a kfunc or other ksym a program imports).
pub const LINKAGE_EXTERN: u16 = 2;

/// One type record (its kind-specific data is skipped).
#[derive(Clone, Debug)]
pub struct Type {
    pub kind: u8,
    pub name_off: u32,
    pub vlen: u16,
}

pub struct Btf {
    data: Vec<u8>,
    strings: std::ops::Range<usize>,
    /// types[0] is id 1: id 0 is void.
    types: Vec<Type>,
}

fn u16_at(d: &[u8], off: usize) -> Result<u16> {
    let b = d.get(off..off + 2).context("BTF truncated")?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], off: usize) -> Result<u32> {
    let b = d.get(off..off + 4).context("BTF truncated")?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Bytes of kind-specific data after a type record.
fn extra_len(kind: u8, vlen: usize) -> Result<usize> {
    Ok(match kind {
        1 | 14 | 17 => 4,                  // INT, VAR, DECL_TAG
        3 => 12,                           // ARRAY
        4 | 5 | 15 | 19 => 12 * vlen,      // STRUCT, UNION, DATASEC, ENUM64
        6 | 13 => 8 * vlen,                // ENUM, FUNC_PROTO
        2 | 7..=12 | 16 | 18 => 0,         // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
        _ => bail!("unknown BTF kind {kind}"),
    })
}

impl Btf {
    /// Parses a little-endian .BTF section.
    pub fn parse(data: &[u8]) -> Result<Btf> {
        ensure!(u16_at(data, 0)? == MAGIC, "not BTF (bad magic; big-endian BTF is not supported)");
        let hdr_len = u32_at(data, 4)? as usize;
        let (type_off, type_len) = (u32_at(data, 8)? as usize, u32_at(data, 12)? as usize);
        let (str_off, str_len) = (u32_at(data, 16)? as usize, u32_at(data, 20)? as usize);
        let span = |off: usize, len: usize| -> Result<std::ops::Range<usize>> {
            let start = hdr_len.checked_add(off).context("BTF offsets overflow")?;
            let end = start.checked_add(len).context("BTF offsets overflow")?;
            ensure!(end <= data.len(), "BTF section is shorter than its header says");
            Ok(start..end)
        };
        let type_span = span(type_off, type_len)?;
        let strings = span(str_off, str_len)?;
        let mut types = Vec::new();
        let mut at = type_span.start;
        while at < type_span.end {
            let info = u32_at(data, at + 4)?;
            let kind = ((info >> 24) & 0x1f) as u8;
            let vlen = (info & 0xffff) as u16;
            let start = at + 12;
            let end = start + extra_len(kind, vlen as usize)?;
            ensure!(end <= type_span.end, "BTF type {} runs past the type section", types.len() + 1);
            types.push(Type { kind, name_off: u32_at(data, at)?, vlen });
            at = end;
        }
        Ok(Btf { data: data.to_vec(), strings, types })
    }

    pub fn types(&self) -> impl Iterator<Item = (u32, &Type)> {
        (1u32..).zip(self.types.iter())
    }

    /// The string at `off` in the string section ("" where malformed).
    pub fn str_at(&self, off: u32) -> &str {
        let strings = &self.data[self.strings.clone()];
        let Some(rest) = strings.get(off as usize..) else { return "" };
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).unwrap_or("")
    }

    pub fn name(&self, t: &Type) -> &str {
        self.str_at(t.name_off)
    }

}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny valid BTF: one INT and one FUNC named "f".
    fn sample() -> Vec<u8> {
        let mut types = Vec::new();
        for w in [1u32, 1 << 24, 4, 32] {
            types.extend(w.to_le_bytes()); // INT, 4 bytes, 32 bits
        }
        for w in [1u32, (12 << 24) | 2, 1] {
            types.extend(w.to_le_bytes()); // extern FUNC "f"
        }
        let strings = b"\0f\0";
        let mut d = Vec::new();
        d.extend(MAGIC.to_le_bytes());
        d.extend([1u8, 0]);
        for w in [24u32, 0, types.len() as u32, types.len() as u32, strings.len() as u32] {
            d.extend(w.to_le_bytes());
        }
        d.extend(types);
        d.extend(strings);
        d
    }

    #[test]
    fn reads_an_extern_func() {
        let btf = Btf::parse(&sample()).unwrap();
        let (id, f) = btf.types().find(|(_, t)| t.kind == KIND_FUNC).unwrap();
        assert_eq!((id, btf.name(f), f.vlen), (2, "f", LINKAGE_EXTERN));
    }

    #[test]
    fn truncated_or_corrupted_input_is_an_error_not_a_panic() {
        let good = sample();
        for len in 0..good.len() {
            let _ = Btf::parse(&good[..len]);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state as usize) % bytes.len();
                bytes[at] = (state >> 32) as u8;
            }
            if let Ok(btf) = Btf::parse(&bytes) {
                for (_, t) in btf.types() {
                    let _ = btf.name(t);
                }
            }
        }
    }
}
