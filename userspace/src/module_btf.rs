// SPDX-License-Identifier: GPL-2.0

//! A stable_kfuncs build's ABI as the kernel sees it: kfunc prototypes,
//! `skf.*` decl tags and the API level enum from the module's BTF, and the
//! kfunc sets from its .BTF_ids (a .ko) or from sysfs (the running module).

use crate::abi::{Class, KfuncAbi, LevelAbi};
use crate::bounded_read::read_bounded;
use crate::bpf_object::ELF_MAGIC;
use crate::btf::{Btf, KIND_DECL_TAG, KIND_ENUM, KIND_FUNC};
use crate::manifest::KNOWN_FLAGS;
use crate::sysfs::{sysfs_value, NOT_LOADED};
use anyhow::{bail, ensure, Context, Result};
use object::{Object, ObjectSection, ObjectSymbol};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

pub const SYSFS_BTF_VMLINUX: &str = "/sys/kernel/btf/vmlinux";
pub const SYSFS_BTF_MODULE: &str = "/sys/kernel/btf/stable_kfuncs";

/// The generated C names its kfunc sets `skf_kfuncs_<prog type>`.
const SET_SYMBOL_PREFIX: &str = "__BTF_ID__set8__skf_kfuncs_";

/// The most skf reads of a module build: stable_kfuncs.ko is megabytes,
/// the largest modules with DWARF (amdgpu.ko) half a gigabyte.
const MAX_MODULE_BYTES: u64 = 1 << 30;

/// The most skf reads of a vmlinux: a distribution's with DWARF is about a gigabyte.
const MAX_VMLINUX_BYTES: u64 = 4 << 30;

/// What raw BTF (/sys/kernel/btf/*) starts with.
const BTF_MAGIC: [u8; 2] = crate::btf::MAGIC.to_le_bytes();

/// Reads a file of at most `limit` bytes, saying which and why on failure.
fn read(path: &Path, what: &str, limit: u64, magics: &[&[u8]]) -> Result<Vec<u8>> {
    read_bounded(path, what, limit, magics).with_context(|| format!("cannot read {what} {}", path.display()))
}

/// vmlinux BTF from /sys/kernel/btf/vmlinux or a vmlinux ELF: what module BTF extends.
pub fn load_base(path: &Path) -> Result<Arc<Btf>> {
    let data = read(path, "vmlinux BTF", MAX_VMLINUX_BYTES, &[ELF_MAGIC, &BTF_MAGIC])
        .context("module BTF extends vmlinux's: pass -B/--base-btf with the vmlinux the module was built against")?;
    let btf = Btf::parse(Btf::section_of(&data)?).with_context(|| format!("malformed BTF in {}", path.display()))?;
    Ok(Arc::new(btf))
}

/// The ABI of the built module `ko`. Its BTF extends its own distilled base
/// (`.BTF.base`, pahole >= 1.26) if it has one, else the vmlinux BTF at `vmlinux`.
pub fn read_ko(ko: &Path, vmlinux: &Path) -> Result<LevelAbi> {
    let data = read(ko, "the module", MAX_MODULE_BYTES, &[ELF_MAGIC])?;
    parse_ko(&data, || load_base(vmlinux)).with_context(|| format!("{}", ko.display()))
}

/// The ABI of a built module from its bytes (`read_ko` without the files);
/// `vmlinux` is asked for only if the module carries no `.BTF.base`.
pub fn parse_ko(data: &[u8], vmlinux: impl FnOnce() -> Result<Arc<Btf>>) -> Result<LevelAbi> {
    let elf = object::File::parse(data).map_err(|e| anyhow::anyhow!("not an ELF file ({e})"))?;
    let btf_data = elf
        .section_by_name(".BTF")
        .context("has no .BTF section: not a kernel module built with BTF (CONFIG_DEBUG_INFO_BTF_MODULES)")?
        .data()?;
    let btf = match elf.section_by_name(".BTF.base") {
        Some(distilled) => {
            let base = Btf::parse(distilled.data()?).context("malformed distilled base BTF (.BTF.base)")?;
            Btf::parse_split(btf_data, Arc::new(base)).context("malformed module BTF over its .BTF.base")?
        }
        None => Btf::parse_split(btf_data, vmlinux()?)
            .context("malformed module BTF (or BTF of another vmlinux: pass the one it was built against with -B)")?,
    };
    let ids = elf.section_by_name(".BTF_ids").context("has no .BTF_ids section: not a module that registers kfuncs")?;
    let ids_data = ids.data()?;

    let mut registered: BTreeMap<u32, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for sym in elf.symbols().filter(|s| s.section_index() == Some(ids.index())) {
        let Some(prog_type) = sym.name().ok().and_then(|n| n.strip_prefix(SET_SYMBOL_PREFIX)) else { continue };
        for (id, flags) in set8_entries(ids_data, sym.address(), sym.size())? {
            let entry = registered.entry(id).or_default();
            entry.0.insert(prog_type.to_string());
            entry.1.extend(flag_names(flags)?);
        }
    }
    ensure!(!registered.is_empty(), "registers no kfunc sets ({SET_SYMBOL_PREFIX}* symbols): not a stable_kfuncs build");
    if trusted_args_implied(&btf)? {
        for (_, flags) in registered.values_mut() {
            if !flags.contains("KF_RCU") {
                flags.insert("KF_TRUSTED_ARGS".to_string());
            }
        }
    }
    let tags = skf_tags(&btf)?;
    let kfuncs = registered
        .into_iter()
        .map(|(id, (prog_types, flags))| kfunc_abi(&btf, &tags, id, prog_types, flags))
        .collect::<Result<Vec<_>>>()
        .context("its kfunc sets name functions that are not its kfuncs: is -B/--base-btf the vmlinux it was built against?")?;
    Ok(LevelAbi { api_level: api_level(&btf)?, kfuncs: kfuncs.into_iter().map(|k| (k.name.clone(), k)).collect() })
}

/// The (BTF id, flags) pairs of the `struct btf_id_set8` at `offset`
/// (u32 cnt, u32 flags, then cnt pairs), as resolve_btfids left them.
fn set8_entries(section: &[u8], offset: u64, size: u64) -> Result<Vec<(u32, u32)>> {
    let word = |rel: u64| -> Result<u32> {
        let b = offset
            .checked_add(rel)
            .and_then(|at| usize::try_from(at).ok())
            .and_then(|at| section.get(at..at.checked_add(4)?))
            .context(".BTF_ids set runs past its section")?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let cnt = u64::from(word(0)?);
    ensure!(8 + 8 * cnt <= size, ".BTF_ids set claims {cnt} entries, more than its symbol holds");
    (0..cnt).map(|i| Ok((word(8 + 8 * i)?, word(12 + 8 * i)?))).collect()
}

fn flag_names(bits: u32) -> Result<Vec<String>> {
    let known: u32 = KNOWN_FLAGS.iter().map(|(_, bit)| bit).sum();
    ensure!(bits & !known == 0, "a kfunc carries verifier flag bits {:#x} that skf does not know", bits & !known);
    Ok(KNOWN_FLAGS.iter().filter(|(_, bit)| bits & bit != 0).map(|(name, _)| name.to_string()).collect())
}

/// The value of `enum skf_api_level` (module/api_level.c).
fn api_level(btf: &Btf) -> Result<u32> {
    let (id, _) = btf
        .types()
        .find(|(_, t)| t.kind == KIND_ENUM && btf.name(t) == "skf_api_level")
        .context("module BTF has no enum skf_api_level: not a stable_kfuncs build")?;
    let values = btf.enum_values(id)?;
    let value = values.iter().find(|(n, _)| *n == "SKF_API_LEVEL").context("enum skf_api_level has no SKF_API_LEVEL")?.1;
    u32::try_from(value).with_context(|| format!("SKF_API_LEVEL = {value} is not a level"))
}

/// Whether the module's kernel makes trusted arguments the default (Linux
/// 7.x, where KF_TRUSTED_ARGS is gone and KF_RCU opts out): `enum
/// skf_kernel_flags` (module/api_level.c), absent from builds before it.
fn trusted_args_implied(btf: &Btf) -> Result<bool> {
    let Some((id, _)) = btf.types().find(|(_, t)| t.kind == KIND_ENUM && btf.name(t) == "skf_kernel_flags") else {
        return Ok(false);
    };
    let values = btf.enum_values(id)?;
    match values.iter().find(|(n, _)| *n == "SKF_KERNEL_TRUSTED_ARGS_IMPLIED").map(|(_, v)| *v) {
        Some(0) => Ok(false),
        Some(1) => Ok(true),
        other => bail!("enum skf_kernel_flags has SKF_KERNEL_TRUSTED_ARGS_IMPLIED = {other:?}, not 0 or 1"),
    }
}

/// Decl tags `skf.KEY=VALUE` on whole declarations: tags by key, by the id they tag.
type SkfTags = BTreeMap<u32, BTreeMap<String, String>>;

fn skf_tags(btf: &Btf) -> Result<SkfTags> {
    let mut tags = SkfTags::new();
    for (tag_id, t) in btf.types().filter(|(_, t)| t.kind == KIND_DECL_TAG) {
        if btf.decl_tag_component(tag_id)? != -1 {
            continue;
        }
        if let Some((key, value)) = btf.name(t).strip_prefix("skf.").and_then(|kv| kv.split_once('=')) {
            tags.entry(t.size_or_type).or_default().insert(key.to_string(), value.to_string());
        }
    }
    Ok(tags)
}

fn kfunc_abi(btf: &Btf, tags: &SkfTags, id: u32, prog_types: BTreeSet<String>, flags: BTreeSet<String>) -> Result<KfuncAbi> {
    let func = btf.type_by_id(id)?;
    ensure!(func.kind == KIND_FUNC, "kfunc set entry {id} is not a function in the module's BTF");
    let name = btf.name(func).to_string();
    let no_tags = BTreeMap::new();
    let tags = tags.get(&id).unwrap_or(&no_tags);
    let level = |key: &str| -> Result<Option<u32>> {
        tags.get(key).map(|v| v.parse().with_context(|| format!("{name}: decl tag skf.{key}={v} is not a level"))).transpose()
    };
    let class = match tags.get("class").map(String::as_str) {
        Some("KF_STABLE") => Class::Stable,
        Some("KF_DEPRECATED") => Class::Deprecated,
        Some(other) => bail!("{name}: unknown decl tag skf.class={other}"),
        None => bail!("{name} has no skf.class decl tag: it is not a stable_kfuncs kfunc"),
    };
    Ok(KfuncAbi {
        proto: btf.func_prototype(id).with_context(|| format!("{name}: unreadable prototype"))?,
        class,
        since: level("since")?.with_context(|| format!("{name} has no skf.since decl tag"))?,
        deprecated: level("deprecated")?,
        removed: level("removed")?,
        replacement: tags.get("replacement").cloned(),
        prog_types,
        flags,
        name,
    })
}

/// The running module's ABI: its BTF from /sys/kernel/btf, its kfunc
/// registrations from sysfs. Both are world-readable on most kernels.
pub fn read_running() -> Result<LevelAbi> {
    if !Path::new(SYSFS_BTF_MODULE).exists() {
        bail!(NOT_LOADED);
    }
    let module_btf = read(Path::new(SYSFS_BTF_MODULE), "the module's BTF", MAX_MODULE_BYTES, &[&BTF_MAGIC])?;
    let btf = Btf::parse_split(&module_btf, load_base(Path::new(SYSFS_BTF_VMLINUX))?)
        .context("malformed BTF in /sys/kernel/btf/stable_kfuncs")?;
    let tags = skf_tags(&btf)?;
    let mut kfuncs = BTreeMap::new();
    for (&id, _) in tags.iter().filter(|(_, t)| t.contains_key("class")) {
        let func = btf.type_by_id(id)?;
        if func.kind != KIND_FUNC {
            continue;
        }
        let name = btf.name(func);
        let words = |attr: &str| -> Result<BTreeSet<String>> {
            let text = sysfs_value(&format!("kfuncs/{name}/{attr}"))?;
            Ok(text.split(|c: char| c.is_whitespace() || c == '|').filter(|w| !w.is_empty()).map(String::from).collect())
        };
        let k = kfunc_abi(&btf, &tags, id, words("prog_types")?, words("flags")?)?;
        kfuncs.insert(k.name.clone(), k);
    }
    Ok(LevelAbi { api_level: api_level(&btf)?, kfuncs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set8_entries_are_bounded_by_the_symbol_and_section() {
        let mut set = Vec::new();
        for w in [2u32, 1, 10, 0x10, 11, 0x11] {
            set.extend(w.to_le_bytes());
        }
        assert_eq!(set8_entries(&set, 0, 24).unwrap(), vec![(10, 0x10), (11, 0x11)]);
        assert!(set8_entries(&set, 0, 16).is_err(), "cnt larger than the symbol");
        assert!(set8_entries(&set[..20], 0, 24).is_err(), "set past the section");
        assert!(set8_entries(&set, u64::MAX - 2, 24).is_err());
    }

    #[test]
    fn flag_bits_are_named_and_unknown_bits_rejected() {
        assert_eq!(flag_names(1 << 4 | 1 << 5).unwrap(), vec!["KF_TRUSTED_ARGS", "KF_SLEEPABLE"]);
        assert!(flag_names(1 << 30).is_err());
    }
}
