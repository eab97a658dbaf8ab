//! How skf prints: text, or JSON (-j compact, -p pretty) as bpftool does,
//! errors included: `{"error": "..."}` on stdout, with the same exit code.

use anyhow::Result;
use serde::Serialize;
use std::ffi::OsString;
use std::fmt::Display;

/// The prefix of every error skf prints as text, usage errors included.
pub const ERROR_PREFIX: &str = "skf: error: ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
    PrettyJson,
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
    pub fn print<T: Serialize + Display>(self, value: &T) -> Result<()> {
        match self {
            Output::Text => print!("{value}"),
            Output::Json => println!("{}", serde_json::to_string(value)?),
            Output::PrettyJson => println!("{}", serde_json::to_string_pretty(value)?),
        }
        Ok(())
    }

    /// Reports an error: `skf: error: ...` on stderr, or a JSON document on stdout.
    pub fn error(self, message: &str) {
        let doc = ErrorDoc { error: message };
        let json = match self {
            Output::Text => return eprintln!("{ERROR_PREFIX}{message}"),
            Output::Json => serde_json::to_string(&doc),
            Output::PrettyJson => serde_json::to_string_pretty(&doc),
        };
        println!("{}", json.expect("a string always serializes"));
    }
}

/// A clap usage error: as text with its usage line and hint (clap's own
/// `error: ` prefix replaced by ours), as JSON only its message.
pub fn usage_error_text(e: &clap::Error, out: Output) -> String {
    let rendered = e.render().to_string();
    let text = rendered.trim_end();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    match out {
        Output::Text => text.to_string(),
        Output::Json | Output::PrettyJson => text.split("\n\n").next().unwrap_or(text).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(args: &[&str]) -> Output {
        Output::from_raw_args(std::iter::once("skf").chain(args.iter().copied()).map(OsString::from))
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
