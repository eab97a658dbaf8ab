//! The kfuncs a compiled BPF object imports, read from its ELF and BTF.

use crate::btf::{Btf, KIND_FUNC, LINKAGE_EXTERN};
use anyhow::{bail, Context, Result};
use object::{Architecture, Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};
use std::collections::HashSet;
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

/// ELF relocation types of the BPF target (include/uapi/linux/elf-em.h users).
const R_BPF_64_64: u32 = 1;

/// Reads `path`'s kfunc imports; errors name the file and what to do.
pub fn kfunc_imports(path: &Path) -> Result<Vec<KfuncImport>> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    imports_of(&data).with_context(|| format!("{}", path.display()))
}

/// Size of an ELF64 file header: anything shorter cannot be an object.
const ELF64_HEADER_SIZE: usize = 64;

pub fn imports_of(data: &[u8]) -> Result<Vec<KfuncImport>> {
    if data.is_empty() {
        bail!("the file is empty, not an ELF object: pass the .bpf.o that clang -target bpf built");
    }
    if data.len() < ELF64_HEADER_SIZE {
        bail!("only {} bytes, too short for an ELF object: pass the .bpf.o that clang -target bpf built", data.len());
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
    Ok(imports)
}
