// SPDX-License-Identifier: GPL-2.0

//! A reader for the parts of BTF that `skf` needs: type kinds, names,
//! function prototypes, enums and decl tags, of plain or split (module)
//! BTF. It bounds-checks every read, so arbitrary bytes give an error,
//! never a panic.

use anyhow::{bail, ensure, Context, Result};
use std::ops::Range;
use std::sync::Arc;

/// The first field of every BTF header.
pub const MAGIC: u16 = 0xeb9f;

pub const KIND_INT: u8 = 1;
pub const KIND_PTR: u8 = 2;
pub const KIND_STRUCT: u8 = 4;
pub const KIND_UNION: u8 = 5;
pub const KIND_ENUM: u8 = 6;
pub const KIND_FWD: u8 = 7;
pub const KIND_TYPEDEF: u8 = 8;
pub const KIND_VOLATILE: u8 = 9;
pub const KIND_CONST: u8 = 10;
pub const KIND_RESTRICT: u8 = 11;
pub const KIND_FUNC: u8 = 12;
pub const KIND_FUNC_PROTO: u8 = 13;
pub const KIND_FLOAT: u8 = 16;
pub const KIND_DECL_TAG: u8 = 17;
pub const KIND_TYPE_TAG: u8 = 18;
pub const KIND_ENUM64: u8 = 19;

/// `struct btf_func` linkage of a global function (what a kfunc is).
pub const LINKAGE_GLOBAL: u32 = 1;
/// `struct btf_func` linkage of an extern (a kfunc or other ksym a program imports).
pub const LINKAGE_EXTERN: u32 = 2;

/// The header up to the string section, as 6.12 has it; 7.2 appends the
/// layout section's offset and length.
const HEADER_LEN: usize = 24;
const HEADER_LEN_WITH_LAYOUT: usize = 32;

/// A type record's info word, with the widths 7.2 gave it (6.12 used 5 and
/// 16 of those bits, the rest zero): kind in bits 24-30, vlen in bits 0-23.
const KIND_MASK: u32 = 0x7f;
const VLEN_MASK: u32 = 0xff_ffff;

/// Pointer and qualifier chains deeper than this are malformed input.
const MAX_TYPE_DEPTH: usize = 32;

/// One type record.
#[derive(Clone, Debug)]
pub struct Type {
    pub kind: u8,
    pub name_off: u32,
    pub vlen: u32,
    pub kind_flag: bool,
    /// `size` or `type`, by kind: the referenced type of PTR, TYPEDEF,
    /// FUNC, FUNC_PROTO (its return type) and DECL_TAG.
    pub size_or_type: u32,
    /// Where the kind-specific data after the record lies in the section.
    extra: Range<usize>,
}

pub struct Btf {
    data: Vec<u8>,
    strings: Range<usize>,
    /// types[0] is id `first_id`: id 0 is void, and split BTF continues
    /// its base's numbering.
    types: Vec<Type>,
    first_id: u32,
    /// The BTF that split (module) BTF extends: vmlinux's.
    base: Option<Arc<Btf>>,
    /// The layout section's entries, indexed by kind (its base's for split
    /// BTF without one; none before 7.2).
    layouts: Vec<KindLayout>,
}

fn u16_at(d: &[u8], off: usize) -> Result<u16> {
    let b = d.get(off..off + 2).context("BTF truncated")?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], off: usize) -> Result<u32> {
    let b = d.get(off..off + 4).context("BTF truncated")?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// One entry of 7.2's layout section, per kind the encoder knew: the bytes
/// after a record of that kind are `info_sz + vlen * elem_sz`. It lets a
/// reader step over kinds newer than itself.
#[derive(Clone, Copy, Debug)]
struct KindLayout {
    info_sz: u8,
    elem_sz: u8,
}

/// Bytes of kind-specific data after a type record. Kinds newer than this
/// reader are sized by the layout section (split BTF without one uses its
/// base's), as libbpf does.
fn extra_len(kind: u8, vlen: usize, layouts: &[KindLayout]) -> Result<usize> {
    Ok(match kind {
        1 | 14 | 17 => 4,             // INT, VAR, DECL_TAG
        3 => 12,                      // ARRAY
        4 | 5 | 15 | 19 => 12 * vlen, // STRUCT, UNION, DATASEC, ENUM64
        6 | 13 => 8 * vlen,           // ENUM, FUNC_PROTO
        2 | 7..=12 | 16 | 18 => 0,    // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
        _ => {
            let Some(layout) = layouts.get(kind as usize) else {
                bail!("unknown BTF kind {kind}, and no layout section gives its size (BTF newer than this skf?)")
            };
            ensure!(
                layout.info_sz % 4 == 0 && layout.elem_sz % 4 == 0,
                "the BTF layout section gives kind {kind} sizes {} and {}, not multiples of 4",
                layout.info_sz,
                layout.elem_sz
            );
            layout.info_sz as usize + layout.elem_sz as usize * vlen
        }
    })
}

/// A function parameter: its name and type id.
pub struct Param {
    pub name_off: u32,
    pub type_id: u32,
}

impl Btf {
    /// Parses a little-endian .BTF section.
    pub fn parse(data: &[u8]) -> Result<Btf> {
        Btf::parse_on(data, None)
    }

    /// Parses split BTF (a module's) that extends `base` (vmlinux's).
    pub fn parse_split(data: &[u8], base: Arc<Btf>) -> Result<Btf> {
        Btf::parse_on(data, Some(base))
    }

    /// BTF from a raw BTF file (/sys/kernel/btf/*) or the .BTF section of an ELF file.
    pub fn section_of(file_data: &[u8]) -> Result<&[u8]> {
        if file_data.starts_with(b"\x7fELF") {
            use object::{Object, ObjectSection};
            let elf = object::File::parse(file_data).map_err(|e| anyhow::anyhow!("not a readable ELF file ({e})"))?;
            let section = elf.section_by_name(".BTF").context("the ELF file has no .BTF section (built without BTF?)")?;
            section.data().map_err(|e| anyhow::anyhow!("unreadable .BTF section ({e})"))
        } else {
            Ok(file_data)
        }
    }

    fn parse_on(data: &[u8], base: Option<Arc<Btf>>) -> Result<Btf> {
        ensure!(u16_at(data, 0)? == MAGIC, "not BTF (bad magic; big-endian BTF is not supported)");
        let hdr_len = u32_at(data, 4)? as usize;
        ensure!(hdr_len >= HEADER_LEN, "BTF header of {hdr_len} bytes is shorter than the {HEADER_LEN} every version has");
        let (type_off, type_len) = (u32_at(data, 8)? as usize, u32_at(data, 12)? as usize);
        let (str_off, str_len) = (u32_at(data, 16)? as usize, u32_at(data, 20)? as usize);
        let span = |off: usize, len: usize| -> Result<Range<usize>> {
            let start = hdr_len.checked_add(off).context("BTF offsets overflow")?;
            let end = start.checked_add(len).context("BTF offsets overflow")?;
            ensure!(end <= data.len(), "BTF section is shorter than its header says");
            Ok(start..end)
        };
        let type_span = span(type_off, type_len)?;
        let strings = span(str_off, str_len)?;
        let layouts = if hdr_len >= HEADER_LEN_WITH_LAYOUT {
            let layout_span = span(u32_at(data, 24)? as usize, u32_at(data, 28)? as usize)?;
            ensure!(layout_span.len() % 4 == 0, "BTF layout section of {} bytes is not whole 4-byte entries", layout_span.len());
            data[layout_span].chunks(4).map(|e| KindLayout { info_sz: e[0], elem_sz: e[1] }).collect()
        } else {
            Vec::new()
        };
        let layouts = match (&layouts[..], &base) {
            ([], Some(base)) => base.layouts.clone(),
            _ => layouts,
        };
        let first_id = base.as_ref().map_or(Ok(1), |b| b.next_id())?;
        let mut types = Vec::new();
        let mut at = type_span.start;
        while at < type_span.end {
            let info = u32_at(data, at + 4)?;
            let kind = ((info >> 24) & KIND_MASK) as u8;
            let vlen = info & VLEN_MASK;
            let start = at + 12;
            let end = start + extra_len(kind, vlen as usize, &layouts)?;
            ensure!(end <= type_span.end, "BTF type {} runs past the type section", types.len() + 1);
            types.push(Type {
                kind,
                name_off: u32_at(data, at)?,
                vlen,
                kind_flag: info >> 31 == 1,
                size_or_type: u32_at(data, at + 8)?,
                extra: start..end,
            });
            at = end;
        }
        Ok(Btf { data: data.to_vec(), strings, types, first_id, base, layouts })
    }

    /// The id the first type of BTF split on this one gets.
    fn next_id(&self) -> Result<u32> {
        u32::try_from(self.types.len()).ok().and_then(|n| self.first_id.checked_add(n)).context("too many BTF types")
    }

    fn base_str_len(&self) -> usize {
        self.base.as_ref().map_or(0, |b| b.base_str_len() + b.strings.len())
    }

    /// This BTF's own types (not its base's), with their ids.
    pub fn types(&self) -> impl Iterator<Item = (u32, &Type)> {
        (self.first_id..).zip(self.types.iter())
    }

    /// The type with `id`, in this BTF or its base.
    pub fn type_by_id(&self, id: u32) -> Result<&Type> {
        Ok(self.layer_of(id)?.1)
    }

    /// The type with `id` and the BTF (this or a base) whose section holds it.
    fn layer_of(&self, id: u32) -> Result<(&Btf, &Type)> {
        if id < self.first_id {
            return match &self.base {
                Some(base) => base.layer_of(id),
                None => bail!("BTF type id {id} does not exist"),
            };
        }
        let t = self.types.get((id - self.first_id) as usize).with_context(|| format!("BTF type id {id} does not exist"))?;
        Ok((self, t))
    }

    /// The string at `off` in the string section ("" where malformed).
    /// Split BTF numbers its strings after its base's.
    pub fn str_at(&self, off: u32) -> &str {
        let base_len = self.base_str_len();
        if (off as usize) < base_len {
            return self.base.as_ref().map_or("", |b| b.str_at(off));
        }
        let strings = &self.data[self.strings.clone()];
        let Some(rest) = strings.get(off as usize - base_len..) else { return "" };
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).unwrap_or("")
    }

    pub fn name(&self, t: &Type) -> &str {
        self.str_at(t.name_off)
    }

    /// Word `index` of type `id`'s kind-specific data, checking its kind.
    fn extra_u32(&self, id: u32, kind: u8, index: usize) -> Result<u32> {
        let (layer, t) = self.layer_of(id)?;
        ensure!(t.kind == kind, "BTF type {id} is of kind {}, not {kind}", t.kind);
        let off = t.extra.start + 4 * index;
        ensure!(off + 4 <= t.extra.end, "BTF type {id}'s data is out of range");
        u32_at(&layer.data, off)
    }

    /// The parameters of FUNC_PROTO `id`.
    pub fn params(&self, id: u32) -> Result<Vec<Param>> {
        let n = self.type_by_id(id)?.vlen as usize;
        (0..n)
            .map(|i| {
                Ok(Param {
                    name_off: self.extra_u32(id, KIND_FUNC_PROTO, 2 * i)?,
                    type_id: self.extra_u32(id, KIND_FUNC_PROTO, 2 * i + 1)?,
                })
            })
            .collect()
    }

    /// The (name, value) pairs of ENUM `id`.
    pub fn enum_values(&self, id: u32) -> Result<Vec<(&str, i64)>> {
        let n = self.type_by_id(id)?.vlen as usize;
        (0..n)
            .map(|i| {
                let name = self.str_at(self.extra_u32(id, KIND_ENUM, 2 * i)?);
                Ok((name, self.extra_u32(id, KIND_ENUM, 2 * i + 1)? as i32 as i64))
            })
            .collect()
    }

    /// DECL_TAG `id`'s component index: -1 when it tags the declaration itself.
    pub fn decl_tag_component(&self, id: u32) -> Result<i32> {
        Ok(self.extra_u32(id, KIND_DECL_TAG, 0)? as i32)
    }

    /// A type as C spells it, e.g. `struct task_struct *`.
    pub fn c_type(&self, id: u32) -> Result<String> {
        self.c_type_at(id, 0)
    }

    fn c_type_at(&self, id: u32, depth: usize) -> Result<String> {
        ensure!(depth < MAX_TYPE_DEPTH, "BTF type {id} nests too deep (a loop?)");
        if id == 0 {
            return Ok("void".into());
        }
        let t = self.type_by_id(id)?;
        let inner = || self.c_type_at(t.size_or_type, depth + 1);
        Ok(match t.kind {
            KIND_INT | KIND_TYPEDEF | KIND_FLOAT => self.name(t).to_string(),
            KIND_STRUCT => format!("struct {}", self.name(t)),
            KIND_UNION => format!("union {}", self.name(t)),
            KIND_ENUM | KIND_ENUM64 => format!("enum {}", self.name(t)),
            KIND_FWD => format!("{} {}", if t.kind_flag { "union" } else { "struct" }, self.name(t)),
            KIND_PTR => format!("{} *", inner()?),
            KIND_CONST => format!("const {}", inner()?),
            KIND_VOLATILE => format!("volatile {}", inner()?),
            KIND_RESTRICT | KIND_TYPE_TAG => inner()?,
            kind => bail!("BTF type {id} (kind {kind}) is not a C value type"),
        })
    }

    /// FUNC `id`'s prototype as C spells it, e.g. `u64 f(struct task_struct *task)`.
    pub fn func_prototype(&self, id: u32) -> Result<String> {
        let func = self.type_by_id(id)?;
        ensure!(func.kind == KIND_FUNC, "BTF type {id} is not a function");
        let proto_id = func.size_or_type;
        let params = self
            .params(proto_id)?
            .iter()
            .map(|p| {
                let ty = self.c_type(p.type_id)?;
                let sep = if ty.ends_with('*') { "" } else { " " };
                Ok(format!("{ty}{sep}{}", self.str_at(p.name_off)))
            })
            .collect::<Result<Vec<_>>>()?;
        let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
        let ret = self.c_type(self.type_by_id(proto_id)?.size_or_type)?;
        Ok(format!("{ret} {}({params})", self.name(func)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A .BTF section holding `types` (u32 words) and `strings`, as 6.12 writes it.
    fn section(types: &[u32], strings: &[u8]) -> Vec<u8> {
        section_with_layout(types, strings, None)
    }

    /// The same with 7.2's header, and with a layout section if `layout`
    /// gives one ((info_sz, elem_sz) per kind), between types and strings.
    fn section_with_layout(types: &[u32], strings: &[u8], layout: Option<&[(u8, u8)]>) -> Vec<u8> {
        let types: Vec<u8> = types.iter().flat_map(|w| w.to_le_bytes()).collect();
        let layout: Option<Vec<u8>> = layout.map(|l| l.iter().flat_map(|&(info, elem)| [info, elem, 0, 0]).collect());
        let (t, l) = (types.len() as u32, layout.as_ref().map_or(0, |l| l.len()) as u32);
        let mut d = Vec::new();
        d.extend(MAGIC.to_le_bytes());
        d.extend([1u8, 0]);
        let header: &[u32] = match layout {
            Some(_) => &[HEADER_LEN_WITH_LAYOUT as u32, 0, t, t + l, strings.len() as u32, t, l],
            None => &[HEADER_LEN as u32, 0, t, t, strings.len() as u32],
        };
        for w in header {
            d.extend(w.to_le_bytes());
        }
        d.extend(types);
        d.extend(layout.unwrap_or_default());
        d.extend(strings);
        d
    }

    const fn info(kind: u8, vlen: u32) -> u32 {
        (kind as u32) << 24 | vlen
    }

    /// Base: 1 int "int", 2 struct "task_struct" (size 8, no members), 3 ptr to 2.
    fn base() -> Vec<u8> {
        section(&[1, info(KIND_INT, 0), 4, 32, 5, info(KIND_STRUCT, 0), 8, 0, info(KIND_PTR, 0), 2], b"\0int\0task_struct\0")
    }

    /// Split on base(): 4 proto int(struct task_struct *task), 5 global func
    /// "skf_f", 6 decl tag "skf.since=1" on 5, 7 enum "e" { A = 3 }.
    fn split() -> Vec<u8> {
        // Own strings start at the base's length, 17.
        let s = |off: u32| 17 + off;
        section(
            &[
                0,
                info(KIND_FUNC_PROTO, 1),
                1,
                s(1),
                3,
                s(6),
                info(KIND_FUNC, LINKAGE_GLOBAL),
                4,
                s(12),
                info(KIND_DECL_TAG, 0),
                5,
                u32::MAX,
                s(24),
                info(KIND_ENUM, 1),
                4,
                s(26),
                3,
            ],
            b"\0task\0skf_f\0skf.since=1\0e\0A\0",
        )
    }

    #[test]
    fn reads_split_btf_on_its_base() {
        let btf = Btf::parse_split(&split(), Arc::new(Btf::parse(&base()).unwrap())).unwrap();
        assert_eq!(btf.types().next().unwrap().0, 4, "split ids continue the base's");
        assert_eq!(btf.func_prototype(5).unwrap(), "int skf_f(struct task_struct *task)");
        let (tag_id, tag) = btf.types().find(|(_, t)| t.kind == KIND_DECL_TAG).unwrap();
        assert_eq!((btf.name(tag), tag.size_or_type, btf.decl_tag_component(tag_id).unwrap()), ("skf.since=1", 5, -1));
        assert_eq!(btf.enum_values(7).unwrap(), vec![("A", 3)]);
        assert!(btf.enum_values(5).is_err(), "kind is checked");
        assert!(btf.type_by_id(8).is_err());
    }

    /// The layout 7.2 writes for kinds 0..=19, and a kind 20 unknown to skf
    /// whose records carry 4 bytes plus 8 per vlen.
    fn layout_with_kind_20() -> Vec<(u8, u8)> {
        let mut layout: Vec<(u8, u8)> = (0..20u8)
            .map(|kind| match kind {
                1 | 14 | 17 => (4, 0),
                3 => (12, 0),
                4 | 5 | 15 | 19 => (0, 12),
                6 | 13 => (0, 8),
                _ => (0, 0),
            })
            .collect();
        layout.push((4, 8));
        layout
    }

    /// 1 int "int", 2 struct "big" with 65536 members (a vlen 6.12's 16 bits
    /// cannot hold), 3 a kind-20 record with vlen 2, 4 proto int(int a).
    fn btf_7_2_types() -> (Vec<u32>, &'static [u8]) {
        let mut types = vec![1, info(KIND_INT, 0), 4, 32, 5, info(KIND_STRUCT, 0x1_0000), 4];
        types.extend([0, 1, 0].repeat(0x1_0000));
        types.extend([0, info(20, 2), 0, 7, 1, 2, 3, 4]);
        types.extend([0, info(KIND_FUNC_PROTO, 1), 1, 9, 1]);
        (types, b"\0int\0big\0a\0")
    }

    #[test]
    fn reads_7_2_btf_with_a_wide_vlen_and_a_kind_sized_by_its_layout() {
        let (types, strings) = btf_7_2_types();
        let layout = layout_with_kind_20();
        let btf = Btf::parse(&section_with_layout(&types, strings, Some(&layout))).unwrap();
        assert_eq!(btf.types().count(), 4);
        assert_eq!(btf.type_by_id(2).unwrap().vlen, 0x1_0000);
        assert_eq!(btf.type_by_id(3).unwrap().kind, 20);
        let proto = btf.type_by_id(4).unwrap();
        assert_eq!((proto.kind, btf.params(4).unwrap().len()), (KIND_FUNC_PROTO, 1));
        assert_eq!(btf.str_at(btf.params(4).unwrap()[0].name_off), "a");
    }

    #[test]
    fn a_kind_no_layout_section_sizes_is_an_error_that_names_it() {
        let (types, strings) = btf_7_2_types();
        let err = Btf::parse(&section(&types, strings)).err().unwrap().to_string();
        assert!(err.contains("unknown BTF kind 20") && err.contains("no layout section"), "{err}");
        let mut layout = layout_with_kind_20();
        layout[20] = (2, 8);
        let err = Btf::parse(&section_with_layout(&types, strings, Some(&layout))).err().unwrap().to_string();
        assert!(err.contains("kind 20 sizes 2 and 8"), "{err}");
    }

    #[test]
    fn split_btf_without_a_layout_section_uses_its_base_s() {
        let layout = layout_with_kind_20();
        let base = Arc::new(Btf::parse(&section_with_layout(&[1, info(KIND_INT, 0), 4, 32], b"\0int\0", Some(&layout))).unwrap());
        let split = Btf::parse_split(&section(&[0, info(20, 1), 0, 7, 1, 2], b"\0"), base).unwrap();
        assert_eq!(split.types().map(|(id, t)| (id, t.kind)).collect::<Vec<_>>(), vec![(2, 20)]);
    }

    #[test]
    fn a_header_shorter_than_6_12_s_is_an_error() {
        let mut bytes = base();
        bytes[4] = 16;
        assert!(Btf::parse(&bytes).err().unwrap().to_string().contains("BTF header of 16 bytes"));
    }

    #[test]
    fn split_btf_without_its_base_does_not_resolve() {
        let alone = Btf::parse(&split()).unwrap();
        assert!(alone.func_prototype(2).is_err());
    }

    #[test]
    fn a_pointer_loop_is_an_error() {
        let btf = Btf::parse(&section(&[0, info(KIND_PTR, 0), 1], b"\0")).unwrap();
        assert!(btf.c_type(1).unwrap_err().to_string().contains("nests too deep"));
    }

    #[test]
    fn truncated_or_corrupted_input_is_an_error_not_a_panic() {
        let good = split();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20_000 {
            let mut bytes = good.clone();
            if round < good.len() {
                bytes.truncate(round);
            }
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if let Some(b) = bytes.get_mut((state as usize) % good.len()) {
                    *b = (state >> 32) as u8;
                }
            }
            if let Ok(btf) = Btf::parse_split(&bytes, Arc::new(Btf::parse(&base()).unwrap())) {
                for id in 0..10 {
                    let _ = btf.func_prototype(id);
                    let _ = btf.enum_values(id);
                    let _ = btf.decl_tag_component(id);
                }
            }
        }
    }
}
