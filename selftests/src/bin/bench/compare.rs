// SPDX-License-Identifier: GPL-2.0

//! Two reports side by side, by instructions per call.
//!
//! `bench compare OLD.json NEW.json`: the same kfunc on two kernels (6.12
//! and 7.2; a test kernel and a distribution's), or on one kernel with
//! two CPU counts (online/possible, bench.sh --cpus). Prints each kfunc's count
//! on both, NEW's over OLD's, and how many stay within 1.1x. A report, not
//! a test: the exit status says only whether both files were read.
//!
//! `bench doc FILE.md REPORT.json...`: the tables of FILE.md, between its
//! `<!-- bench-tables -->` and `<!-- /bench-tables -->` lines, replaced by
//! each report's (date, commit, machine line and table), in order.
//!
//! `bench agree A.json B.json`: two runs of the same build on the same
//! machine. Every instruction count (per call, per iteration, differences)
//! must be the same in both; exits 1 naming those that are not. The
//! verification figures are left out: they include libbpf's file and
//! syscall work, which the guest's other CPU and I/O interleave with.

use serde_json::Value;
use std::path::Path;

/// The target for one kfunc across kernels.
const WITHIN: f64 = 1.1;

fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a bench report ({e}); bench report --json writes one", path.display()))?;
    if !json["kfuncs"].is_array() {
        return Err(format!("{}: no kfuncs array: not a bench report", path.display()));
    }
    Ok(json)
}

/// Each timed kfunc's instructions per call.
fn kfunc_counts(report: &Value) -> Vec<(String, f64)> {
    report["kfuncs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| Some((k["kfunc"].as_str()?.to_string(), k["insns_per_call"]["insns"].as_f64()?)))
        .collect()
}

pub fn compare(old: &Path, new: &Path) -> Result<(), String> {
    let (old, new) = (read(old)?, read(new)?);
    let kernel = |r: &Value| r["kernel"].as_str().unwrap_or("?").to_string();
    let (mut old_kernel, mut new_kernel) = (kernel(&old), kernel(&new));
    if old_kernel == new_kernel {
        // One kernel with two CPU counts: the columns are the CPU counts.
        let cpus = |r: &Value| format!("{}/{} CPUs", r["online_cpus"], r["possible_cpus"]);
        (old_kernel, new_kernel) = (cpus(&old), cpus(&new));
    }
    let new_counts = kfunc_counts(&new);
    println!("Instructions per call of each kfunc, {old_kernel} and {new_kernel}.");
    println!("{:<30} {:>12} {:>12} {:>8}", "kfunc", old_kernel, new_kernel, "new/old");
    let (mut compared, mut within) = (0, 0);
    for (kfunc, old_insns) in kfunc_counts(&old) {
        let Some((_, new_insns)) = new_counts.iter().find(|(k, _)| *k == kfunc) else {
            println!("{kfunc:<30} {old_insns:>12.0} {:>12}", "not timed");
            continue;
        };
        let change = new_insns / old_insns;
        compared += 1;
        let mark = if change <= WITHIN {
            within += 1;
            ""
        } else {
            "  over 1.1x"
        };
        println!("{kfunc:<30} {old_insns:>12.0} {new_insns:>12.0} {change:>8.2}{mark}");
    }
    println!("{within} of {compared} kfuncs within {WITHIN}x of {old_kernel} on {new_kernel}");
    Ok(())
}

/// Every instruction count of a report, by where it sits: the leaves named
/// `insns` under the per-call sections, and the empty loop's.
fn counts(report: &Value) -> Vec<(String, f64)> {
    fn walk(at: String, value: &Value, out: &mut Vec<(String, f64)>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if key == "insns" {
                        if let Some(n) = v.as_f64() {
                            out.push((at.clone(), n));
                        }
                    } else {
                        walk(format!("{at}.{key}"), v, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    // Rows are named by their kfunc or program, not their position.
                    let name = ["kfunc", "program", "deprecated"].iter().find_map(|k| v[k].as_str()).map_or(i.to_string(), str::to_string);
                    walk(format!("{at}[{name}]"), v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for section in ["empty_loop_insns_per_iteration", "kfuncs", "baselines", "deprecated_adapters", "call_counting"] {
        walk(section.to_string(), &report[section], &mut out);
    }
    out
}

pub fn agree(a: &Path, b: &Path) -> Result<(), String> {
    let (first, second) = (read(a)?, read(b)?);
    let (first_counts, second_counts) = (counts(&first), counts(&second));
    if first_counts.is_empty() {
        return Err(format!("{}: no instruction counts", a.display()));
    }
    let mut differ = Vec::new();
    for (at, n) in &first_counts {
        match second_counts.iter().find(|(other, _)| other == at) {
            Some((_, m)) if m == n => {}
            Some((_, m)) => differ.push(format!("{at}: {n} and {m}")),
            None => differ.push(format!("{at}: {n} and absent")),
        }
    }
    differ.extend(
        second_counts
            .iter()
            .filter(|(at, _)| !first_counts.iter().any(|(other, _)| other == at))
            .map(|(at, m)| format!("{at}: absent and {m}")),
    );
    if differ.is_empty() {
        println!("{} instruction counts, the same in {} and {}", first_counts.len(), a.display(), b.display());
        Ok(())
    } else {
        Err(format!("{} of {} instruction counts differ:\n  {}", differ.len(), first_counts.len(), differ.join("\n  ")))
    }
}

const TABLES_START: &str = "<!-- bench-tables -->";
const TABLES_END: &str = "<!-- /bench-tables -->";

pub fn doc(doc: &Path, reports: &[String]) -> Result<(), String> {
    let text = std::fs::read_to_string(doc).map_err(|e| format!("{}: {e}", doc.display()))?;
    let (before, rest) = text.split_once(TABLES_START).ok_or_else(|| format!("{}: no {TABLES_START} line", doc.display()))?;
    let (_, after) = rest.split_once(TABLES_END).ok_or_else(|| format!("{}: no {TABLES_END} line", doc.display()))?;
    let mut tables = String::new();
    for path in reports {
        let report = read(path.as_ref())?;
        let field = |key: &str| report[key].as_str().unwrap_or("?").to_string();
        if report["short"] == true {
            return Err(format!("{path}: a short run's report; the document shows full runs"));
        }
        tables.push_str(&format!(
            "\n### {}, guest kernel {}\n\n{}, commit {}: {}\n\n```\n{}```\n",
            field("arch"),
            field("kernel"),
            field("date"),
            field("commit"),
            field("machine"),
            field("table")
        ));
    }
    let text = format!("{before}{TABLES_START}\n{tables}\n{TABLES_END}{after}");
    std::fs::write(doc, text).map_err(|e| format!("writing {}: {e}", doc.display()))?;
    println!("bench: wrote {} tables into {}", reports.len(), doc.display());
    Ok(())
}
