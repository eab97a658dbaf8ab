// SPDX-License-Identifier: GPL-2.0

//! The module's C<->Rust boundary is declared twice by hand: module/glue.h
//! for C (shims.c and the other C files include it, so the C compiler holds
//! their definitions to it) and module/ffi.rs plus the `#[no_mangle]`
//! definitions for Rust. Nothing compiles the two against each other, so
//! this test does: same functions on both sides, same parameter and return
//! types (on the 64-bit Linux targets the module is built for).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A function's parameter types and return type, each in one spelling for
/// both languages (see `canonical`).
#[derive(Debug, PartialEq, Eq)]
struct Signature {
    params: Vec<String>,
    ret: String,
}

fn module_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../module")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// One spelling for a C or Rust type: Rust's, with paths dropped, C's
/// `struct` dropped, and the integer aliases both sides use resolved to
/// fixed widths (c_char stays: its signedness differs between x86_64 and
/// arm64, so only `char` may match it).
fn canonical(ty: &str) -> String {
    let ty = ty.trim();
    if let Some(pointee) = ty.strip_suffix('*') {
        let pointee = pointee.trim();
        return match pointee.strip_prefix("const ") {
            Some(base) => format!("*const {}", canonical(base)),
            None => format!("*mut {}", canonical(pointee)),
        };
    }
    for (prefix, kind) in [("*const ", "*const"), ("*mut ", "*mut")] {
        if let Some(base) = ty.strip_prefix(prefix) {
            return format!("{kind} {}", canonical(base));
        }
    }
    let base = ty.strip_prefix("struct ").unwrap_or(ty);
    let base = base.rsplit("::").next().unwrap();
    let fixed = match base {
        "int" | "c_int" | "s32" => "i32",
        "unsigned int" | "c_uint" => "u32",
        "unsigned long" | "c_ulong" => "u64",
        "s64" => "i64",
        "size_t" => "usize",
        "ssize_t" => "isize",
        "char" => "c_char",
        "void" | "()" | "" => "()",
        // Structs the module defines itself have a Rust name of their own.
        "skf_sock_tuple" => "SkfSockTuple",
        other => other,
    };
    fixed.to_string()
}

/// C prototypes `RET NAME(TYPE NAME, ...);` of functions named skf_*, one per line.
fn c_prototypes(text: &str) -> BTreeMap<String, Signature> {
    let mut protos = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("static") || line.starts_with('#') || !line.ends_with(");") {
            continue;
        }
        let Some((head, rest)) = line.split_once('(') else { continue };
        let name_at = head.rfind([' ', '*']).map_or(0, |i| i + 1);
        let (ret, name) = head.split_at(name_at);
        // A statement (a call in an inline body) has no return type.
        if !name.starts_with("skf_") || ret.trim().is_empty() {
            continue;
        }
        let params = rest.trim_end_matches(");").trim();
        let params = if params == "void" {
            Vec::new()
        } else {
            params
                .split(',')
                .map(|param| {
                    let param = param.trim();
                    let name_at = param.rfind([' ', '*']).unwrap_or_else(|| panic!("unnamed parameter in: {line}")) + 1;
                    canonical(&param[..name_at])
                })
                .collect()
        };
        protos.insert(name.to_string(), Signature { params, ret: canonical(ret) });
    }
    protos
}

/// Rust `fn NAME(name: Type, ...) -> Ret` on one line, from `line`, if it is one.
fn rust_signature(line: &str) -> Option<(String, Signature)> {
    let (_, after_fn) = line.split_once("fn ")?;
    let (name, rest) = after_fn.split_once('(')?;
    let (params, after) = rest.split_once(')')?;
    let ret = after.split_once("->").map_or("()", |(_, r)| r.trim_end_matches(['{', ';']).trim());
    let params = params.split(',').filter(|p| !p.trim().is_empty()).map(|p| canonical(p.split_once(':').expect("name: Type").1)).collect();
    Some((name.trim().to_string(), Signature { params, ret: canonical(ret) }))
}

/// Functions ffi.rs declares in its `extern "C"` block.
fn rust_imports() -> BTreeMap<String, Signature> {
    read(&module_dir().join("ffi.rs"))
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("pub(crate) fn ") && l.ends_with(';'))
        .filter_map(rust_signature)
        .collect()
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Functions the crate defines for C: `#[no_mangle]` then `extern "C" fn`.
fn rust_exports() -> BTreeMap<String, Signature> {
    let mut files = Vec::new();
    rust_sources(&module_dir(), &mut files);
    let mut exports = BTreeMap::new();
    for file in files {
        let text = read(&file);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] == "#[no_mangle]" && pair[1].contains("extern \"C\" fn ") {
                let (name, sig) = rust_signature(pair[1]).unwrap_or_else(|| panic!("{}: cannot read '{}'", file.display(), pair[1]));
                exports.insert(name, sig);
            }
        }
    }
    exports
}

/// C's view of every function that crosses: glue.h and the generated kfunc header.
fn c_side() -> BTreeMap<String, Signature> {
    let mut protos = c_prototypes(&read(&module_dir().join("glue.h")));
    protos.extend(c_prototypes(&read(&module_dir().join("generated/kfuncs.h"))));
    protos
}

/// Each function of `rust` that `c` lacks or declares otherwise, in words.
fn disagreements(rust: &BTreeMap<String, Signature>, rust_where: &str, c: &BTreeMap<String, Signature>, c_where: &str) -> Vec<String> {
    rust.iter()
        .filter_map(|(name, r)| match c.get(name) {
            None => Some(format!("{name}: in {rust_where}, not in {c_where}")),
            Some(c) if c != r => Some(format!("{name}: {c_where} says {c:?}, {rust_where} says {r:?}")),
            Some(_) => None,
        })
        .collect()
}

#[test]
fn the_parsers_read_both_spellings_alike() {
    let c = c_prototypes("ssize_t skf_rs_kfunc_show(u32 idx, const char *attr, char *buf);\nvoid skf_x(void);");
    let (name, rust) =
        rust_signature("extern \"C\" fn skf_rs_kfunc_show(idx: u32, attr: *const c_char, buf: *mut c_char) -> isize {").unwrap();
    assert_eq!(c[&name], rust);
    assert_eq!(c["skf_x"], Signature { params: vec![], ret: "()".into() });
    let (_, mismatch) = rust_signature("pub(crate) fn skf_rs_kfunc_show(idx: u32, attr: *mut c_char, buf: *mut c_char) -> isize;").unwrap();
    assert_ne!(c[&name], mismatch, "constness must count");
    let (_, sign) = rust_signature("pub(crate) fn f(x: u32) -> i8;").unwrap();
    assert_ne!(sign.ret, canonical("char"), "c_char is no fixed-width integer");
}

#[test]
fn every_c_function_rust_calls_is_declared_alike_in_glue_h() {
    let c = c_side();
    let imports = rust_imports();
    assert!(imports.len() > 20, "ffi.rs: read only {} declarations; has its layout changed?", imports.len());
    let ours = imports.into_iter().filter(|(name, _)| name.starts_with("skf_")).collect();
    let wrong = disagreements(&ours, "ffi.rs", &c, "glue.h");
    assert!(wrong.is_empty(), "module/ffi.rs and module/glue.h disagree:\n{}", wrong.join("\n"));
}

#[test]
fn every_shim_in_glue_h_has_a_rust_declaration() {
    let imports = rust_imports();
    let unused: Vec<_> = c_side().into_keys().filter(|name| name.starts_with("skf_c_") && !imports.contains_key(name)).collect();
    assert!(unused.is_empty(), "shims in glue.h that ffi.rs does not declare (dead, or declare them): {unused:?}");
}

#[test]
fn every_rust_function_c_calls_matches_its_c_prototype() {
    let c = c_side();
    let exports = rust_exports();
    assert!(exports.len() > 20, "read only {} #[no_mangle] functions; has their layout changed?", exports.len());
    let mut wrong = disagreements(&exports, "a #[no_mangle] definition", &c, "glue.h or generated/kfuncs.h");
    for name in c.keys().filter(|n| n.starts_with("skf_rs_") && !exports.contains_key(*n)) {
        wrong.push(format!("{name}: declared for C, defined nowhere in Rust"));
    }
    assert!(wrong.is_empty(), "the module's C and Rust sides disagree:\n{}", wrong.join("\n"));
}

/// Names in `text` written as `open` NAME `close`, e.g. `Ok("` NAME `") =>`.
fn names_between<'a>(text: &'a str, open: &str, close: &str) -> std::collections::BTreeSet<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once(close))
        .map(|(name, _)| name)
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

#[test]
fn every_kfunc_sysfs_attribute_has_a_rust_value_and_back() {
    let c = read(&module_dir().join("sysfs.c"));
    let rust = read(&module_dir().join("sysfs.rs"));
    let show = &rust[rust.find("fn skf_rs_kfunc_show").expect("sysfs.rs defines skf_rs_kfunc_show")..];
    let mut in_c = names_between(&c, "SKF_KFUNC_ATTR(", ")");
    in_c.extend(names_between(&c, "SKF_KFUNC_COUNTER(", ")"));
    in_c.remove("name"); // the macros' own parameter, in their #define
    let in_rust = names_between(show, "Ok(\"", "\") =>");
    assert!(in_c.len() >= 10, "sysfs.c: read only {in_c:?}; has its layout changed?");
    assert_eq!(in_c, in_rust, "the kfunc attributes sysfs.c creates and those skf_rs_kfunc_show answers differ");
}
