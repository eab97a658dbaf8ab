// SPDX-License-Identifier: GPL-2.0

//! How skf prints: text, or JSON (-j compact, -p pretty) as bpftool does,
//! errors included: `{"schema": 1, "error": "..."}` on stdout, with the same
//! exit code. docs/skf-json.md documents every document's fields.

use anyhow::{Context, Result};
use serde::Serialize;
use std::ffi::OsString;
use std::fmt::Display;
use std::io::Write;

/// The prefix of every error skf prints as text, usage errors included.
pub const ERROR_PREFIX: &str = "skf: error: ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
    PrettyJson,
}

/// The version of skf's JSON documents, their first field `"schema"`: raised
/// when a field is renamed or removed or changes meaning, not when one is added.
pub const SCHEMA: u32 = 1;

/// A JSON document: the schema version, then the fields of `body` (a struct
/// or an externally tagged enum: something serde can flatten into an object).
#[derive(Serialize)]
struct Document<'a, T> {
    schema: u32,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Serialize)]
struct ErrorDoc<'a> {
    error: &'a str,
}

impl Output {
    pub fn new(json: bool, pretty: bool) -> Output {
        match (json, pretty) {
            (_, true) => Output::PrettyJson,
            (true, false) => Output::Json,
            (false, false) => Output::Text,
        }
    }

    /// The format asked for in arguments clap could not parse: any -j,
    /// --json, -p or --pretty (alone or in a bundle of short flags) before `--`.
    pub fn from_raw_args(args: impl IntoIterator<Item = OsString>) -> Output {
        let (mut json, mut pretty) = (false, false);
        for arg in args.into_iter().skip(1) {
            let arg = arg.to_string_lossy();
            match arg.as_ref() {
                "--" => break,
                "--json" => json = true,
                "--pretty" => pretty = true,
                short if short.starts_with('-') && !short.starts_with("--") => {
                    json |= short.contains('j');
                    pretty |= short.contains('p');
                }
                _ => {}
            }
        }
        Output::new(json, pretty)
    }

    /// Prints a command's result: its Display as text, or its fields as JSON.
    /// A failed write (a full disk, a closed file) is an error, not a panic.
    pub fn print<T: Serialize + Display>(self, value: &T) -> Result<()> {
        let text = match self {
            Output::Text => value.to_string(),
            Output::Json | Output::PrettyJson => self.json(value)?,
        };
        write_stdout(&text)
    }

    /// `value` as a JSON document, with its schema version, and a newline;
    /// indented for -p.
    pub fn json<T: Serialize>(self, value: &T) -> Result<String> {
        let doc = Document { schema: SCHEMA, body: value };
        let json = match self {
            Output::PrettyJson => serde_json::to_string_pretty(&doc),
            Output::Json | Output::Text => serde_json::to_string(&doc),
        };
        Ok(json.context("cannot render the JSON document")? + "\n")
    }

    /// Reports an error: `skf: error: ...` on stderr, or a JSON document on
    /// stdout; as text on stderr where stdout cannot be written (it is what failed).
    pub fn error(self, message: &str) {
        let json = match self {
            Output::Text => None,
            Output::Json | Output::PrettyJson => self.json(&ErrorDoc { error: message }).ok(),
        };
        if json.is_some_and(|json| write_stdout(&json).is_ok()) {
            return;
        }
        // Nowhere left to report a failure to write stderr.
        let _ = writeln!(std::io::stderr(), "{ERROR_PREFIX}{message}");
    }
}

/// Writes `text` to stdout and flushes it; errors say what could not be written.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}

/// A clap usage error: as text with its usage line and hint (clap's own
/// `error: ` prefix replaced by ours), as JSON only its message.
pub fn usage_error_text(e: &clap::Error, out: Output) -> String {
    if let Some(text) = missing_subcommand_text(e, out) {
        return text;
    }
    let rendered = e.render().to_string();
    let text = rendered.trim_end();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    match out {
        Output::Text => text.to_string(),
        Output::Json | Output::PrettyJson => text.split("\n\n").next().unwrap_or(text).to_string(),
    }
}

/// `skf prog` alone: which verbs there are, not clap's long help printed as
/// if it were the error.
fn missing_subcommand_text(e: &clap::Error, out: Output) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use clap::CommandFactory;
    if e.kind() != ErrorKind::MissingSubcommand {
        return None;
    }
    let Some(ContextValue::String(path)) = e.get(ContextKind::InvalidSubcommand) else {
        return None;
    };
    let mut root = super::Cli::command();
    root.build();
    let mut cmd = &root;
    for name in path.split(' ').skip(1) {
        cmd = cmd.find_subcommand(name)?;
    }
    let names: Vec<&str> = cmd.get_subcommands().filter(|s| s.get_name() != "help").map(|s| s.get_name()).collect();
    let what = if std::ptr::eq(cmd, &root) { "an object" } else { "a verb" };
    let message = format!("'{path}' needs {what}: {}", names.join(", "));
    Some(match out {
        Output::Text => format!("{message}\n\n{}\n\nFor more information, try '{path} --help'.", cmd.clone().render_usage()),
        Output::Json | Output::PrettyJson => message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(args: &[&str]) -> Output {
        Output::from_raw_args(std::iter::once("skf").chain(args.iter().copied()).map(OsString::from))
    }

    #[test]
    fn errors_print_the_documented_fields() {
        crate::cli::contract::assert_documented("error", &ErrorDoc { error: "cannot read x.o" });
    }

    #[test]
    fn raw_scan_finds_the_format_flags_before_a_double_dash() {
        assert_eq!(scan(&["prog", "check", "x.o"]), Output::Text);
        assert_eq!(scan(&["-j", "prog", "bogus"]), Output::Json);
        assert_eq!(scan(&["--json", "prog"]), Output::Json);
        assert_eq!(scan(&["prog", "-p"]), Output::PrettyJson);
        assert_eq!(scan(&["-jp"]), Output::PrettyJson);
        assert_eq!(scan(&["prog", "--", "-j"]), Output::Text);
        assert_eq!(scan(&["prog", "check", "my-jp.o"]), Output::Text);
    }
}
