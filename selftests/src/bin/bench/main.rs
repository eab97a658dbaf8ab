// SPDX-License-Identifier: GPL-2.0

//! `make bench`: what a stable kfunc costs, side by side with what a BPF
//! program would use instead. vm-test/bench.sh runs it in two halves:
//!
//!   bench run --out DIR --newest KO --no-counting KO --api2 KO [--short]
//!       in the test VM, as root: times the BPF loops of bpf/bench.bpf.c
//!       under each module build (syscall programs by BPF_PROG_TEST_RUN,
//!       the others on null_blk writes and loopback TCP reads it makes)
//!       and writes DIR/run.json and DIR/jit/*.bin
//!   bench report --run DIR --ko KO --vmlinux VMLINUX|--no-vmlinux --arch ARCH --machine TEXT --commit C --date D --json FILE
//!       on the host: adds path lengths (disassembly of the .ko, vmlinux and
//!       the JIT images), prints the tables and writes FILE; exits 1 if any
//!       row is missing
//!   bench compare OLD.json NEW.json
//!       on the host: each kfunc's instructions per call in two reports
//!       (two kernels), and how the count changed
//!   bench agree A.json B.json
//!       on the host: exits 1 unless two reports of the same build have
//!       the same instruction counts (the instrument is deterministic)
//!   bench doc FILE.md REPORT.json...
//!       on the host: rewrites FILE.md's tables (between its bench-tables
//!       markers) from the reports, one per machine
//!
//! The guest runs under QEMU's instruction counting, so every figure is
//! instructions executed, not time.

mod compare;
mod event;
mod path;
mod report;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: bench run --out DIR --newest KO --no-counting KO --api2 KO [--short]\n       \
                     bench report --run DIR --ko KO --vmlinux VMLINUX|--no-vmlinux --arch x86_64|arm64 --machine TEXT --commit C --date D --json FILE\n       \
                     bench compare OLD.json NEW.json\n       \
                     bench agree A.json B.json\n       \
                     bench doc FILE.md REPORT.json...";

/// `--name value` options and `--flag`s, in any order.
struct Options {
    values: Vec<(String, String)>,
    flags: Vec<String>,
}

impl Options {
    fn parse(args: &[String], flags: &[&str]) -> Result<Options, String> {
        let mut options = Options { values: Vec::new(), flags: Vec::new() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let name = arg.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{arg}'"))?;
            if flags.contains(&name) {
                options.flags.push(name.to_string());
            } else {
                let value = args.next().ok_or_else(|| format!("--{name} needs a value"))?;
                options.values.push((name.to_string(), value.clone()));
            }
        }
        Ok(options)
    }

    fn path(&self, name: &str) -> Result<PathBuf, String> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| PathBuf::from(v)).ok_or_else(|| format!("missing --{name}"))
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => Options::parse(&args[1..], &["short"]).and_then(|o| {
            let modules = run::Modules { newest: o.path("newest")?, no_counting: o.path("no-counting")?, api2: o.path("api2")? };
            run::run(&o.path("out")?, &modules, o.flag("short")).map_err(|e| format!("{e:#}"))
        }),
        Some("report") => Options::parse(&args[1..], &["no-vmlinux"]).and_then(|o| {
            let arch = o.path("arch")?.to_string_lossy().into_owned();
            let text = |name: &str| o.path(name).map(|p| p.to_string_lossy().into_owned());
            let inputs = report::Inputs {
                run_dir: o.path("run")?,
                ko: o.path("ko")?,
                vmlinux: if o.flag("no-vmlinux") { None } else { Some(o.path("vmlinux")?) },
                arch,
                machine: text("machine")?,
                commit: text("commit")?,
                date: text("date")?,
            };
            report::report(&inputs, &o.path("json")?)
        }),
        Some("compare") => match &args[1..] {
            [old, new] => compare::compare(old.as_ref(), new.as_ref()),
            _ => Err("compare takes two reports".to_string()),
        },
        Some("doc") => match &args[1..] {
            [doc, reports @ ..] if !reports.is_empty() => compare::doc(doc.as_ref(), reports),
            _ => Err("doc takes a Markdown file and at least one report".to_string()),
        },
        Some("agree") => match &args[1..] {
            [a, b] => compare::agree(a.as_ref(), b.as_ref()),
            _ => Err("agree takes two reports".to_string()),
        },
        _ => Err("no command given".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
