// SPDX-License-Identifier: GPL-2.0

//! The small C prototype subset kfuncs use: scalar and pointer parameters.

use anyhow::{bail, Result};
use std::fmt;

/// A C type as it appears in a kfunc prototype.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CType {
    Void,
    Int,
    U32,
    U64,
    S32,
    S64,
    /// `char *`: a buffer, sized by the following `__sz` argument.
    CharPtr,
    /// `struct NAME *`
    StructPtr(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub ty: CType,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prototype {
    pub ret: CType,
    pub name: String,
    pub params: Vec<Param>,
}

impl CType {
    fn parse(text: &str) -> Result<CType> {
        let words: Vec<&str> = text.split_whitespace().collect();
        Ok(match words.as_slice() {
            ["void"] => CType::Void,
            ["int"] => CType::Int,
            ["u32"] => CType::U32,
            ["u64"] => CType::U64,
            ["s32"] => CType::S32,
            ["s64"] => CType::S64,
            ["char", "*"] => CType::CharPtr,
            ["struct", name, "*"] if is_ident(name) => CType::StructPtr(name.to_string()),
            _ => bail!("unsupported C type '{text}' (use int, u32, u64, s32, s64, char *, struct NAME *)"),
        })
    }

    /// The Rust type an `extern "C"` implementation uses for this C type.
    pub fn rust(&self) -> String {
        match self {
            CType::Void => "()".into(),
            CType::Int => "core::ffi::c_int".into(),
            CType::U32 => "u32".into(),
            CType::U64 => "u64".into(),
            CType::S32 => "i32".into(),
            CType::S64 => "i64".into(),
            CType::CharPtr => "*mut kernel::ffi::c_char".into(),
            CType::StructPtr(name) => format!("*mut kernel::bindings::{name}"),
        }
    }
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CType::Void => write!(f, "void"),
            CType::Int => write!(f, "int"),
            CType::U32 => write!(f, "u32"),
            CType::U64 => write!(f, "u64"),
            CType::S32 => write!(f, "s32"),
            CType::S64 => write!(f, "s64"),
            CType::CharPtr => write!(f, "char *"),
            CType::StructPtr(name) => write!(f, "struct {name} *"),
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            CType::CharPtr | CType::StructPtr(_) => write!(f, "{}{}", self.ty, self.name),
            _ => write!(f, "{} {}", self.ty, self.name),
        }
    }
}

impl Prototype {
    /// Parses e.g. `int f(struct task_struct *task, char *buf, u32 buf__sz)`.
    pub fn parse(text: &str) -> Result<Prototype> {
        let (head, rest) = text.split_once('(').ok_or_else(|| anyhow::anyhow!("no '(' in prototype '{text}'"))?;
        let args = rest.trim_end().strip_suffix(')').ok_or_else(|| anyhow::anyhow!("prototype '{text}' does not end with ')'"))?;
        let (ret, name) = split_declarator(head)?;
        let mut params = Vec::new();
        if !matches!(args.trim(), "" | "void") {
            for arg in args.split(',') {
                let (ty, name) = split_declarator(arg)?;
                params.push(Param { ty, name });
            }
        }
        let proto = Prototype { ret, name, params };
        proto.check_sized_buffers()?;
        Ok(proto)
    }

    /// A `char *` lets BPF pass memory only with a `NAME__sz` size after it.
    fn check_sized_buffers(&self) -> Result<()> {
        for (i, p) in self.params.iter().enumerate() {
            if p.ty == CType::CharPtr {
                let sized = self
                    .params
                    .get(i + 1)
                    .is_some_and(|next| next.name == format!("{}__sz", p.name) && matches!(next.ty, CType::U32 | CType::U64));
                if !sized {
                    bail!("buffer '{}' of {} must be followed by 'u32 {}__sz'", p.name, self.name, p.name);
                }
            }
        }
        Ok(())
    }

    /// The prototype under another name (the Rust implementation's symbol).
    pub fn render_as(&self, name: &str) -> String {
        let params: Vec<String> = self.params.iter().map(|p| p.to_string()).collect();
        let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
        format!("{} {name}({params})", self.ret)
    }
}

impl fmt::Display for Prototype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_as(&self.name))
    }
}

/// Splits `struct task_struct *task` into its type and identifier.
fn split_declarator(text: &str) -> Result<(CType, String)> {
    let spaced = text.replace('*', " * ");
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    let name = words.pop().filter(|w| is_ident(w)).ok_or_else(|| anyhow::anyhow!("no name in '{}'", text.trim()))?;
    Ok((CType::parse(&words.join(" "))?, name.to_string()))
}

pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pointer_buffer_and_scalar_params() {
        let p = Prototype::parse("int skf_x(struct task_struct *task, char *buf, u32 buf__sz, u64 flags)").unwrap();
        assert_eq!(p.ret, CType::Int);
        assert_eq!(p.name, "skf_x");
        assert_eq!(p.params[0].ty, CType::StructPtr("task_struct".into()));
        assert_eq!(p.params[1].ty, CType::CharPtr);
        assert_eq!(p.params[3], Param { ty: CType::U64, name: "flags".into() });
    }

    #[test]
    fn renders_back_to_the_same_text() {
        let text = "s64 skf_y(struct task_struct *task, int level)";
        assert_eq!(Prototype::parse(text).unwrap().to_string(), text);
    }

    #[test]
    fn rejects_an_unsized_buffer() {
        let err = Prototype::parse("int skf_z(char *buf)").unwrap_err().to_string();
        assert!(err.contains("buf__sz"), "{err}");
    }

    #[test]
    fn rejects_unknown_types() {
        let err = Prototype::parse("float skf_f(void)").unwrap_err().to_string();
        assert!(err.contains("unsupported C type 'float'"), "{err}");
    }
}
