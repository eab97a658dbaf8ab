// SPDX-License-Identifier: GPL-2.0

//! module/kfuncs.toml: every kfunc stable_kfuncs has ever released.

use crate::bounded_read::read_bounded;
use crate::proto::{is_ident, CType, Prototype};
use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};
use std::io::ErrorKind;
use std::path::Path;

/// Verifier flags a kfunc may carry, with their BTF_ID_FLAGS bits
/// (include/linux/btf.h, Linux 6.12).
pub const KNOWN_FLAGS: &[(&str, u32)] = &[
    ("KF_ACQUIRE", 1 << 0),
    ("KF_RELEASE", 1 << 1),
    ("KF_RET_NULL", 1 << 2),
    ("KF_TRUSTED_ARGS", 1 << 4),
    ("KF_SLEEPABLE", 1 << 5),
    ("KF_DESTRUCTIVE", 1 << 6),
    ("KF_RCU", 1 << 7),
    ("KF_RCU_PROTECTED", 1 << 11),
];

/// Program types a kfunc can be registered for, with their BPF_PROG_TYPE_*.
pub const PROG_TYPES: &[(&str, &str)] =
    &[("tracing", "BPF_PROG_TYPE_TRACING"), ("kprobe", "BPF_PROG_TYPE_KPROBE"), ("syscall", "BPF_PROG_TYPE_SYSCALL")];

/// The most skf reads of the manifest or a record (module/abi/api-N.toml):
/// they are kilobytes.
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// From this API level on, every new kfunc names the kernel change(s) it absorbs.
pub const CHURN_REQUIRED_SINCE: u32 = 4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The newest API level.
    pub api_level: u32,
    /// `struct.field[.field...]` paths the Rust code reads through bindgen.
    pub layout_guard: Vec<String>,
    #[serde(rename = "kfunc")]
    pub kfuncs: Vec<Kfunc>,
    #[serde(rename = "flag", default)]
    pub flags: Vec<Flag>,
    /// Enum values a kfunc takes or returns (same fields as a flag, any value).
    #[serde(rename = "constant", default)]
    pub constants: Vec<Flag>,
    #[serde(rename = "struct", default)]
    pub structs: Vec<Struct>,
}

/// A struct a kfunc fills in a caller's buffer: its layout is part of the ABI.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Struct {
    pub name: String,
    pub kfunc: String,
    /// `TYPE NAME` or `TYPE NAME[N]`, TYPE one of u8, u16, u32, u64; C order.
    pub fields: Vec<String>,
    pub doc: String,
}

/// One field of a `[[struct]]`: (type, name, array length).
pub fn parse_field(text: &str) -> Result<(&str, &str, Option<usize>)> {
    let (ty, rest) = text.trim().split_once(' ').ok_or_else(|| anyhow::anyhow!("field '{text}' is not 'TYPE NAME'"))?;
    ensure!(["u8", "u16", "u32", "u64"].contains(&ty), "field '{text}': type {ty} is not u8, u16, u32 or u64");
    let (name, len) = match rest.trim().strip_suffix(']').and_then(|r| r.split_once('[')) {
        Some((name, n)) => (name, Some(n.parse().with_context(|| format!("field '{text}': bad array length"))?)),
        None => (rest.trim(), None),
    };
    ensure!(is_ident(name), "field '{text}': '{name}' is not an identifier");
    Ok((ty, name, len))
}

/// A flag bit a kfunc accepts, or (as a `[[constant]]`) a value it takes or returns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    pub name: String,
    pub value: u64,
    pub kfunc: String,
    pub doc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kfunc {
    pub name: String,
    pub family: String,
    #[serde(rename = "proto")]
    pub proto_text: String,
    #[serde(default)]
    pub flags: Vec<String>,
    pub prog_types: Vec<String>,
    pub since: u32,
    pub deprecated: Option<u32>,
    pub removed: Option<u32>,
    pub replacement: Option<String>,
    pub doc: String,
    /// The kernel change(s) this kfunc absorbs: version and what changed.
    pub churn: Option<String>,
    #[serde(skip)]
    pub proto: Option<Prototype>,
}

/// The module's own stability classes; not BTF_ID_FLAGS bits, which upstream owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stability {
    Stable,
    Deprecated,
}

/// `BASE_vN` names version N of BASE: (BASE, N). Other names are unversioned.
pub fn split_version(name: &str) -> Option<(&str, u32)> {
    let (base, version) = name.rsplit_once("_v")?;
    Some((base, version.parse().ok()?))
}

impl Kfunc {
    pub fn proto(&self) -> &Prototype {
        self.proto.as_ref().expect("prototypes are parsed by Manifest::decode")
    }

    /// Whether the module built at `level` offers this kfunc.
    pub fn alive_at(&self, level: u32) -> bool {
        self.since <= level && self.removed.is_none_or(|r| level < r)
    }

    /// The class at `level`; meaningful only where the kfunc is alive.
    pub fn stability_at(&self, level: u32) -> Stability {
        match self.deprecated {
            Some(d) if d <= level => Stability::Deprecated,
            _ => Stability::Stable,
        }
    }

    /// The Rust function the C kfunc symbol tail-calls: skf_x -> skf_rs_x.
    pub fn rust_impl_name(&self) -> String {
        format!("skf_rs_{}", self.name.trim_start_matches("skf_"))
    }
}

impl Manifest {
    /// The manifest at `path`, decoded and held to its rules.
    pub fn load(path: &Path) -> Result<Manifest> {
        let manifest = Manifest::load_unvalidated(path)?;
        manifest.validate().with_context(|| format!("manifest {} breaks its rules", path.display()))?;
        Ok(manifest)
    }

    /// The manifest at `path` as written (see `decode`), its rules not yet checked.
    pub fn load_unvalidated(path: &Path) -> Result<Manifest> {
        let bytes = read_bounded(path, "a manifest", MAX_TOML_BYTES, &[]).map_err(|e| {
            // A file too large is no manifest; one missing may be a wrong directory.
            let advice = if e.kind() == ErrorKind::FileTooLarge { "" } else { ": run skf from the repository root, or pass --repo DIR" };
            anyhow::Error::new(e).context(format!("cannot read the manifest {}{advice}", path.display()))
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
            anyhow::anyhow!(
                "the manifest {} is not UTF-8 text (at byte offset {at} of the file, on line {line}): save it as UTF-8, or pass --repo DIR if this is not stable-kfuncs' repository",
                path.display()
            )
        })?;
        Manifest::decode(&text).with_context(|| format!("cannot parse the manifest {}: fix the TOML", path.display()))
    }

    /// Decodes and validates a manifest.
    pub fn parse(text: &str) -> Result<Manifest> {
        let manifest = Manifest::decode(text)?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// The manifest as written: TOML syntax, known fields of the right types,
    /// prototypes that parse. Its rules (lifecycle, names, churn) are `validate`'s.
    pub fn decode(text: &str) -> Result<Manifest> {
        let mut manifest: Manifest = toml::from_str(text)?;
        for k in &mut manifest.kfuncs {
            k.proto = Some(Prototype::parse(&k.proto_text).with_context(|| format!("kfunc {}: bad proto", k.name))?);
        }
        Ok(manifest)
    }

    pub fn kfunc(&self, name: &str) -> Option<&Kfunc> {
        self.kfuncs.iter().find(|k| k.name == name)
    }

    /// The structs kfunc prototypes point to, e.g. task_struct.
    pub fn struct_types(&self) -> BTreeSet<&str> {
        self.kfuncs
            .iter()
            .flat_map(|k| k.proto().params.iter().map(|p| &p.ty).chain([&k.proto().ret]))
            .filter_map(|t| match t {
                CType::StructPtr(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn levels(&self) -> impl Iterator<Item = u32> {
        1..=self.api_level
    }

    /// The manifest's own rules: among them the ABI's (removal only after a
    /// level of deprecation, a replacement alive where it is named).
    pub fn validate(&self) -> Result<()> {
        ensure!(self.api_level >= 1, "api_level must be at least 1");
        let mut names = HashSet::new();
        for k in &self.kfuncs {
            ensure!(names.insert(k.name.as_str()), "kfunc {} is declared twice", k.name);
        }
        for k in &self.kfuncs {
            self.validate_kfunc(k).with_context(|| format!("kfunc {}", k.name))?;
        }
        for (prog_type, _) in PROG_TYPES {
            for level in self.levels() {
                let used = self.kfuncs.iter().any(|k| k.prog_types.iter().any(|p| p == prog_type));
                let alive = self.kfuncs.iter().any(|k| k.alive_at(level) && k.prog_types.iter().any(|p| p == prog_type));
                ensure!(!used || alive, "no kfunc for prog type {prog_type} is alive at API {level}: its kfunc set would be empty");
            }
        }
        for f in &self.flags {
            ensure!(f.name.starts_with("SKF_") && is_ident(&f.name), "flag {} must be a C identifier starting with SKF_", f.name);
            ensure!(f.value.is_power_of_two(), "flag {} = {} is not a single bit", f.name, f.value);
            let k = self.kfunc(&f.kfunc).ok_or_else(|| anyhow::anyhow!("flag {}: kfunc {} is not in the manifest", f.name, f.kfunc))?;
            ensure!(k.proto().params.iter().any(|p| p.name == "flags"), "flag {}: {} takes no flags argument", f.name, f.kfunc);
        }
        let mut constant_names = HashSet::new();
        for c in self.flags.iter().chain(&self.constants) {
            ensure!(constant_names.insert(c.name.as_str()), "flag or constant {} is declared twice", c.name);
        }
        for c in &self.constants {
            ensure!(c.name.starts_with("SKF_") && is_ident(&c.name), "constant {} must be a C identifier starting with SKF_", c.name);
            ensure!(self.kfunc(&c.kfunc).is_some(), "constant {}: kfunc {} is not in the manifest", c.name, c.kfunc);
            let twin = self.constants.iter().find(|o| o.kfunc == c.kfunc && o.value == c.value && o.name != c.name);
            ensure!(twin.is_none(), "constants {} and {} of {} share the value {}", c.name, twin.map_or("", |t| &t.name), c.kfunc, c.value);
        }
        for st in &self.structs {
            ensure!(st.name.starts_with("skf_") && is_ident(&st.name), "struct {} must be a C identifier starting with skf_", st.name);
            ensure!(self.kfunc(&st.kfunc).is_some(), "struct {}: kfunc {} is not in the manifest", st.name, st.kfunc);
            ensure!(!st.fields.is_empty(), "struct {} has no fields", st.name);
            for f in &st.fields {
                parse_field(f).with_context(|| format!("struct {}", st.name))?;
            }
        }
        for path in &self.layout_guard {
            let parts: Vec<&str> = guarded_field(path).path.split('.').collect();
            ensure!(
                parts.len() >= 2 && parts.iter().all(|p| is_ident(p)),
                "layout_guard entry '{path}' is not struct.field or struct.field[]"
            );
        }
        Ok(())
    }

    fn validate_kfunc(&self, k: &Kfunc) -> Result<()> {
        ensure!(k.name.starts_with("skf_") && is_ident(&k.name), "name must be a C identifier starting with skf_");
        ensure!(k.proto().name == k.name, "proto declares '{}', not '{}'", k.proto().name, k.name);
        // A misspelt family names no module/kfuncs/<family>.rs: userspace/tests/kfunc_families.rs.
        ensure!(
            is_ident(&k.family) && !k.family.contains(|c: char| c.is_ascii_uppercase()),
            "family '{}' must be a lowercase C identifier: it names module/kfuncs/<family>.rs and SKF_HAS_<FAMILY>()",
            k.family
        );
        for f in &k.flags {
            ensure!(
                KNOWN_FLAGS.iter().any(|(name, _)| name == f),
                "unknown verifier flag '{f}' (known: {:?})",
                KNOWN_FLAGS.iter().map(|(name, _)| name).collect::<Vec<_>>()
            );
        }
        ensure!(!k.prog_types.is_empty(), "prog_types is empty");
        for p in &k.prog_types {
            ensure!(PROG_TYPES.iter().any(|(n, _)| n == p), "unknown prog type '{p}' (use tracing, kprobe or syscall)");
        }
        ensure!(!k.doc.trim().is_empty() && !k.doc.contains('\n'), "doc must be one non-empty line");
        for text in [Some(&k.doc), k.churn.as_ref()].into_iter().flatten() {
            ensure!(!text.contains("/*") && !text.contains("*/"), "'{text}' contains /* or */, which would end the C comment it goes into");
        }
        match &k.churn {
            Some(c) => ensure!(!c.trim().is_empty() && !c.contains('\n'), "churn must be one non-empty line"),
            None => ensure!(
                k.since < CHURN_REQUIRED_SINCE,
                "since = {} needs churn: the kernel change(s) it absorbs, version and what changed (required from API {CHURN_REQUIRED_SINCE})",
                k.since
            ),
        }
        ensure!((1..=self.api_level).contains(&k.since), "since = {} is outside API 1..={}", k.since, self.api_level);
        match (k.deprecated, &k.replacement) {
            (None, Some(_)) => bail!("has a replacement but is not deprecated"),
            (Some(_), None) => bail!("is deprecated without a replacement"),
            (Some(d), Some(r)) => {
                ensure!(d > k.since, "deprecated = {d} must come after since = {}", k.since);
                ensure!(d <= self.api_level, "deprecated = {d} is beyond api_level {}", self.api_level);
                let rep = self.kfunc(r).ok_or_else(|| anyhow::anyhow!("replacement {r} is not in the manifest"))?;
                ensure!(rep.alive_at(d), "replacement {r} is not available at API {d}, where {} is deprecated", k.name);
            }
            (None, None) => {}
        }
        if let Some(r) = k.removed {
            let d = k.deprecated.ok_or_else(|| anyhow::anyhow!("removed = {r} without being deprecated first"))?;
            ensure!(r > d, "removed = {r} leaves no API level of deprecation after deprecated = {d}");
        }
        Ok(())
    }
}

/// A layout_guard entry, `struct.field[.field]`, or `struct.field[]` for a
/// flexible array member (its size is undefined in C: its element's is compared).
pub struct GuardedField<'a> {
    /// `struct.field` without the `[]`.
    pub path: &'a str,
    pub flexible: bool,
}

pub fn guarded_field(entry: &str) -> GuardedField<'_> {
    match entry.strip_suffix("[]") {
        Some(path) => GuardedField { path, flexible: true },
        None => GuardedField { path: entry, flexible: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
api_level = 3
layout_guard = ["task_struct.comm"]

[[kfunc]]
name = "skf_a_v1"
family = "task"
proto = "int skf_a_v1(struct task_struct *task)"
prog_types = ["tracing"]
since = 1
deprecated = 2
removed = 3
replacement = "skf_a_v2"
doc = "a"

[[kfunc]]
name = "skf_a_v2"
family = "task"
proto = "int skf_a_v2(struct task_struct *task, u64 flags)"
prog_types = ["tracing"]
since = 2
doc = "a, with flags"
"#;

    fn parse_with(from: &str, to: &str) -> anyhow::Result<Manifest> {
        assert!(GOOD.contains(from), "test fixture lacks '{from}'");
        Manifest::parse(&GOOD.replacen(from, to, 1))
    }

    fn error_of(from: &str, to: &str) -> String {
        format!("{:#}", parse_with(from, to).expect_err("manifest should be rejected"))
    }

    #[test]
    fn lifecycle_follows_the_levels() {
        let m = Manifest::parse(GOOD).unwrap();
        let v1 = m.kfunc("skf_a_v1").unwrap();
        assert!(v1.alive_at(1) && v1.alive_at(2) && !v1.alive_at(3));
        assert_eq!(v1.stability_at(1), Stability::Stable);
        assert_eq!(v1.stability_at(2), Stability::Deprecated);
        assert_eq!(v1.rust_impl_name(), "skf_rs_a_v1");
        assert!(!m.kfunc("skf_a_v2").unwrap().alive_at(1));
    }

    #[test]
    fn removal_needs_a_deprecation_window() {
        assert!(error_of("removed = 3", "removed = 2").contains("leaves no API level of deprecation"));
    }

    #[test]
    fn removal_needs_deprecation() {
        let e = error_of("deprecated = 2\nremoved = 3\nreplacement = \"skf_a_v2\"", "removed = 3");
        assert!(e.contains("without being deprecated"), "{e}");
    }

    #[test]
    fn deprecation_needs_an_available_replacement() {
        assert!(error_of("replacement = \"skf_a_v2\"", "replacement = \"skf_nope\"").contains("not in the manifest"));
        assert!(error_of("since = 2\ndoc", "since = 3\ndoc").contains("not available at API 2"));
    }

    #[test]
    fn rejects_unknown_flags_types_and_fields() {
        assert!(error_of("prog_types = [\"tracing\"]", "flags = [\"KF_BOGUS\"]\nprog_types = [\"tracing\"]").contains("KF_BOGUS"));
        assert!(error_of("prog_types = [\"tracing\"]", "prog_types = [\"xdp\"]").contains("unknown prog type 'xdp'"));
        assert!(error_of("doc = \"a\"", "doc = \"a\"\ncolour = \"red\"").contains("unknown field `colour`"));
    }

    #[test]
    fn rejects_a_family_that_cannot_name_a_file_and_a_macro() {
        for bad in ["Task", "task-2", ""] {
            let e = error_of("family = \"task\"", &format!("family = \"{bad}\""));
            assert!(e.contains("must be a lowercase C identifier"), "{bad}: {e}");
        }
    }

    #[test]
    fn rejects_a_proto_that_names_another_function() {
        assert!(error_of("int skf_a_v1(", "int skf_b(").contains("proto declares 'skf_b'"));
    }

    #[test]
    fn rejects_duplicates() {
        assert!(error_of("name = \"skf_a_v2\"", "name = \"skf_a_v1\"").contains("declared twice"));
    }

    #[test]
    fn new_kfuncs_must_name_their_churn_and_constants_their_kfunc() {
        let next = GOOD.replacen("api_level = 3", "api_level = 4", 1)
            + "\n[[kfunc]]\nname = \"skf_b\"\nfamily = \"sched\"\nproto = \"u32 skf_b(struct task_struct *task)\"\n\
               prog_types = [\"tracing\"]\nsince = 4\ndoc = \"b\"\n";
        let e = format!("{:#}", Manifest::parse(&next).unwrap_err());
        assert!(e.contains("since = 4 needs churn"), "{e}");
        let with_churn = next.clone() + "churn = \"6.0 moved b\"\n";
        assert!(Manifest::parse(&with_churn).is_ok());
        let comment = next.clone() + "churn = \"moved to /* here */\"\n";
        assert!(format!("{:#}", Manifest::parse(&comment).unwrap_err()).contains("would end the C comment"));
        let twins = with_churn.clone()
            + "\n[[constant]]\nname = \"SKF_B_X\"\nvalue = 0\nkfunc = \"skf_b\"\ndoc = \"x\"\n\
               \n[[constant]]\nname = \"SKF_B_Y\"\nvalue = 0\nkfunc = \"skf_b\"\ndoc = \"y\"\n";
        assert!(format!("{:#}", Manifest::parse(&twins).unwrap_err()).contains("share the value 0"));
    }

    #[test]
    fn struct_fields_are_checked() {
        assert_eq!(parse_field("u8 addr[16]").unwrap(), ("u8", "addr", Some(16)));
        assert!(parse_field("float x").unwrap_err().to_string().contains("not u8, u16, u32 or u64"));
        assert!(parse_field("u16").is_err());
    }

    #[test]
    fn the_real_manifest_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../module/kfuncs.toml");
        let m = Manifest::load(&path).unwrap();
        assert!(m.kfuncs.len() >= 8);
        let families: HashSet<_> = m.kfuncs.iter().map(|k| k.family.as_str()).collect();
        assert!(families.len() >= 3, "{families:?}");
    }
}
