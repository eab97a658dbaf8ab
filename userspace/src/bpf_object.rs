// SPDX-License-Identifier: GPL-2.0

//! A compiled BPF object, read from its ELF and BTF: the kfuncs it imports,
//! its programs and their code.

use crate::bounded_read::read_bounded;
use crate::bpf_insn;
use crate::btf::{Btf, KIND_FUNC, LINKAGE_EXTERN};
use crate::guard::{Code, Function, Target};
use anyhow::{bail, Context, Result};
use object::{Architecture, Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionFlags, SymbolKind};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One kfunc extern of a BPF object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KfuncImport {
    /// As the object names it, e.g. `skf_task_comm___v1`.
    pub symbol: String,
    /// With any libbpf `___flavor` suffix stripped: what the kernel must offer.
    pub kfunc: String,
    /// `__weak`: libbpf loads the object without it.
    pub weak: bool,
    /// The program takes the kfunc's address somewhere (a 64-bit immediate
    /// load, which is what bpf_ksym_exists() compiles to), not only calls
    /// it: it can test for the kfunc before calling.
    pub tested: bool,
}

/// One program: a function of a code section other than .text (whose
/// functions are subprograms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    /// As the object names it, `?` (autoload off) included.
    pub section: String,
    /// Index into Code::functions.
    pub function: usize,
}

/// What `prog check` reads of an object.
#[derive(Clone, Debug)]
pub struct BpfObject {
    pub imports: Vec<KfuncImport>,
    pub programs: Vec<Program>,
    pub code: Code,
}

/// ELF relocation types of the BPF target (include/uapi/linux/elf-em.h users).
const R_BPF_64_64: u32 = 1;

/// The most skf reads of an object: clang's BPF objects are kilobytes, the
/// largest real ones a few megabytes.
const MAX_OBJECT_BYTES: u64 = 256 << 20;

/// ELF's magic bytes, which every object starts with.
pub const ELF_MAGIC: &[u8] = b"\x7fELF";

/// Size of an ELF64 file header: anything shorter cannot be an object.
const ELF64_HEADER_SIZE: usize = 64;

pub fn imports_of(data: &[u8]) -> Result<Vec<KfuncImport>> {
    parse(data).map(|o| o.imports)
}

/// Reads `path`'s object; errors name the file and what to do.
pub fn read(path: &Path) -> Result<BpfObject> {
    let data =
        read_bounded(path, "a BPF object", MAX_OBJECT_BYTES, &[ELF_MAGIC]).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&data).with_context(|| format!("{}", path.display()))
}

pub fn parse(data: &[u8]) -> Result<BpfObject> {
    if data.is_empty() {
        bail!("the file is empty, not an ELF object: pass the .bpf.o that clang -target bpf built");
    }
    if data.len() < ELF64_HEADER_SIZE {
        bail!("only {} bytes, too short for an ELF object: pass the .bpf.o that clang -target bpf built", data.len());
    }
    if !data.starts_with(ELF_MAGIC) {
        bail!("not an ELF object (it does not start with the ELF magic bytes): pass the .bpf.o that clang -target bpf built");
    }
    let file = object::File::parse(data).map_err(|e| anyhow::anyhow!("not an ELF object ({e})"))?;
    if file.architecture() != Architecture::Bpf {
        bail!("not a BPF object: its ELF machine is {:?}; pass the .bpf.o that clang -target bpf built", file.architecture());
    }
    let btf_section = file.section_by_name(".BTF").context("the object has no BTF (.BTF section): rebuild it with clang -g")?;
    let btf_data = btf_section.data().map_err(|e| anyhow::anyhow!("unreadable .BTF section ({e})"))?;
    let btf = Btf::parse(btf_data).context("malformed .BTF section")?;
    let weak: HashSet<&str> = file.symbols().filter(|s| s.is_undefined() && s.is_weak()).filter_map(|s| s.name().ok()).collect();
    let mut address_taken: HashSet<&str> = HashSet::new();
    for section in file.sections() {
        for (_, reloc) in section.relocations() {
            let (RelocationFlags::Elf { r_type: R_BPF_64_64 }, RelocationTarget::Symbol(index)) = (reloc.flags(), reloc.target()) else {
                continue;
            };
            if let Some(name) = file.symbol_by_index(index).ok().and_then(|s| s.name().ok()) {
                address_taken.insert(name);
            }
        }
    }

    let mut imports: Vec<KfuncImport> = btf
        .types()
        .filter(|(_, t)| t.kind == KIND_FUNC && t.vlen == LINKAGE_EXTERN)
        .map(|(_, t)| {
            let symbol = btf.name(t).to_string();
            let kfunc = symbol.split_once("___").map_or(symbol.as_str(), |(base, _)| base).to_string();
            KfuncImport { weak: weak.contains(symbol.as_str()), tested: address_taken.contains(symbol.as_str()), symbol, kfunc }
        })
        .collect();
    imports.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    imports.dedup();
    let (code, programs) = code_of(&file)?;
    Ok(BpfObject { imports, programs, code })
}

/// SHF_EXECINSTR: a section of code.
const SHF_EXECINSTR: u64 = 0x4;

/// The object's code sections, relocations and functions, and its programs.
fn code_of(file: &object::File) -> Result<(Code, Vec<Program>)> {
    let mut code = Code::default();
    let mut programs = Vec::new();
    // ELF section index -> code section index.
    let mut code_index: HashMap<usize, usize> = HashMap::new();
    let mut names = Vec::new();
    for section in file.sections() {
        let executable = matches!(section.flags(), SectionFlags::Elf { sh_flags } if sh_flags & SHF_EXECINSTR != 0);
        if !executable || section.size() == 0 {
            continue;
        }
        let name = section.name().map_err(|e| anyhow::anyhow!("unreadable section name ({e})"))?;
        let bytes = section.data().map_err(|e| anyhow::anyhow!("unreadable section {name} ({e})"))?;
        code_index.insert(section.index().0, code.sections.len());
        code.sections.push(bpf_insn::decode(bytes));
        names.push(name.to_string());
    }
    for section in file.sections() {
        let Some(&index) = code_index.get(&section.index().0) else { continue };
        for (offset, reloc) in section.relocations() {
            let RelocationTarget::Symbol(symbol) = reloc.target() else { continue };
            let Ok(symbol) = file.symbol_by_index(symbol) else { continue };
            let target = match symbol.section_index() {
                None if symbol.is_undefined() => Target::Extern(symbol.name().unwrap_or_default().to_string()),
                Some(s) => match code_index.get(&s.0) {
                    Some(&code_section) => Target::Code { section: code_section, offset: symbol.address() },
                    None if file.section_by_index(s).ok().and_then(|s| s.name().ok()).is_some_and(|n| n.starts_with(".rodata")) => {
                        Target::Rodata
                    }
                    None => Target::Data,
                },
                None => Target::Data,
            };
            code.relocs.insert((index, (offset / bpf_insn::SLOT as u64) as usize), target);
        }
    }
    for symbol in file.symbols() {
        let Some(section) = symbol.section_index().and_then(|s| code_index.get(&s.0)) else { continue };
        if symbol.kind() != SymbolKind::Text {
            continue;
        }
        let name = symbol.name().map_err(|e| anyhow::anyhow!("unreadable symbol name ({e})"))?.to_string();
        let slot = bpf_insn::SLOT as u64;
        let (start, end) = if symbol.address() % slot == 0 && symbol.size() % slot == 0 {
            ((symbol.address() / slot) as usize, ((symbol.address() + symbol.size()) / slot) as usize)
        } else {
            (usize::MAX, usize::MAX) // not on instruction boundaries: the CFG refuses it
        };
        let global = symbol.is_global() || symbol.is_weak();
        if names[*section] != ".text" {
            programs.push(Program { name: name.clone(), section: names[*section].clone(), function: code.functions.len() });
        }
        code.functions.push(Function { name, section: *section, start, end, global });
    }
    programs.sort_by(|a, b| (&a.section, &a.name).cmp(&(&b.section, &b.name)));
    Ok((code, programs))
}
