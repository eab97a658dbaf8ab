//! `bench compare OLD.json NEW.json`: the same kfunc on two kernels (6.12
//! and 7.2; a test kernel and a distribution's). Nanoseconds from two VM
//! runs cannot be compared, but each kfunc's cost relative to the same
//! counterpart within its own run can: the CO-RE read of its field where it
//! has one, else its closest helper. Prints both ratios per kfunc, NEW's
//! over OLD's, and how many stay within 1.1x. A report, not a test: the
//! exit status says only whether both files were read.

use crate::stats::Spread;
use serde_json::Value;
use std::path::Path;

/// The target for one kfunc across kernels.
const WITHIN: f64 = 1.1;

/// One report's kernel, and per timed kfunc its counterpart and ratio to it.
struct Report {
    kernel: String,
    ratios: Vec<(String, String, Spread)>,
}

fn read(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a bench report ({e}); bench report --json writes one", path.display()))?;
    let kfuncs = json["kfuncs"].as_array().ok_or_else(|| format!("{}: no kfuncs array: not a bench report", path.display()))?;
    let ratios = kfuncs
        .iter()
        .filter(|k| k["timed"] == true)
        .filter_map(|k| {
            let counterpart = if k["core"].is_object() { &k["core"] } else { &k["helper"] };
            let ratio = &counterpart["ratio"];
            let spread = Spread { median: ratio["median"].as_f64()?, min: ratio["min"].as_f64()?, max: ratio["max"].as_f64()? };
            Some((k["kfunc"].as_str()?.to_string(), counterpart["program"].as_str()?.to_string(), spread))
        })
        .collect();
    Ok(Report { kernel: json["kernel"].as_str().unwrap_or("?").to_string(), ratios })
}

pub fn compare(old: &Path, new: &Path) -> Result<(), String> {
    let (old, new) = (read(old)?, read(new)?);
    println!(
        "Each kfunc's cost over the same counterpart's within each run: median (min-max over repetitions), {} and {}.",
        old.kernel, new.kernel
    );
    println!("{:<30} {:<24} {:>20} {:>20} {:>8}", "kfunc", "compared with", old.kernel, new.kernel, "new/old");
    let (mut compared, mut within, mut beyond_spread) = (0, 0, 0);
    for (kfunc, counterpart, old_ratio) in &old.ratios {
        let Some((_, _, new_ratio)) = new.ratios.iter().find(|(k, c, _)| k == kfunc && c == counterpart) else {
            println!("{kfunc:<30} {counterpart:<24} {:>20} {:>20}", format!("{old_ratio:.2}"), "not timed");
            continue;
        };
        let change = new_ratio.median / old_ratio.median;
        compared += 1;
        let mark = if change <= WITHIN {
            within += 1;
            ""
        } else if new_ratio.min > old_ratio.max {
            beyond_spread += 1;
            "  over 1.1x"
        } else {
            "  over 1.1x, within the spreads"
        };
        println!("{kfunc:<30} {counterpart:<24} {:>20} {:>20} {change:>8.2}{mark}", format!("{old_ratio:.2}"), format!("{new_ratio:.2}"));
    }
    println!(
        "{within} of {compared} kfuncs within {WITHIN}x of {} on {}; {beyond_spread} over it with spreads that do not overlap",
        old.kernel, new.kernel
    );
    Ok(())
}
