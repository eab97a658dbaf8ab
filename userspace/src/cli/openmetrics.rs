// SPDX-License-Identifier: GPL-2.0

//! `skf usage show --openmetrics`: the counters as OpenMetrics text, for a
//! fleet's scraper (node_exporter's textfile collector reads it): who still
//! calls a kfunc before the level that removes it.

use crate::abi::KfuncAbi;
use std::fmt::Write;

/// One kfunc's counters, with the record its labels come from.
pub struct Sample<'a> {
    pub abi: &'a KfuncAbi,
    pub programs: u64,
    /// None while call counting is off: the family is then left out, not zeroed.
    pub calls: Option<u64>,
}

/// A label value, escaped as OpenMetrics requires.
fn escaped(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', r#"\""#).replace('\n', r"\n")
}

fn labels(abi: &KfuncAbi) -> String {
    let level = |l: Option<u32>| l.map_or(String::new(), |l| l.to_string());
    format!(
        r#"kfunc="{}",class="{}",since="{}",deprecated_in="{}",removed_in="{}""#,
        escaped(&abi.name),
        escaped(abi.class.name()),
        abi.since,
        level(abi.deprecated),
        level(abi.removed)
    )
}

/// The exposition: the module's API level, then one counter family per
/// counter, ended by `# EOF`. A level the kfunc lacks is an empty label.
pub fn render(api_level: u32, samples: &[Sample]) -> String {
    let mut text = String::new();
    let mut family = |name: &str, help: &str, value: &dyn Fn(&Sample) -> Option<u64>| {
        if samples.iter().all(|s| value(s).is_none()) {
            return;
        }
        let _ = writeln!(text, "# TYPE {name} counter\n# HELP {name} {help}");
        for s in samples {
            if let Some(v) = value(s) {
                let _ = writeln!(text, "{name}_total{{{}}} {v}", labels(s.abi));
            }
        }
    };
    family("skf_kfunc_programs", "BPF programs loaded that call the kfunc, since the module or its counters started.", &|s| {
        Some(s.programs)
    });
    family("skf_kfunc_calls", "Calls of the kfunc counted while call counting was on.", &|s| s.calls);
    let _ = writeln!(text, "# TYPE skf_api_level gauge\n# HELP skf_api_level The API level of the loaded stable_kfuncs module.");
    let _ = writeln!(text, "skf_api_level {api_level}\n# EOF");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::Class;

    fn abi(name: &str, deprecated: Option<u32>, removed: Option<u32>) -> KfuncAbi {
        KfuncAbi {
            name: name.into(),
            proto: String::new(),
            class: Class::Stable,
            since: 1,
            deprecated,
            removed,
            replacement: None,
            prog_types: Default::default(),
            flags: Default::default(),
        }
    }

    #[test]
    fn each_counter_is_one_family_labelled_with_the_lifecycle() {
        let (old, new) = (abi("skf_old", Some(2), Some(3)), abi("skf_new", None, None));
        let text = render(2, &[Sample { abi: &old, programs: 5, calls: Some(7) }, Sample { abi: &new, programs: 0, calls: Some(0) }]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.iter().filter(|l| l.starts_with("# TYPE ")).count(), 3, "{text}");
        assert!(
            lines.contains(&r#"skf_kfunc_programs_total{kfunc="skf_old",class="stable",since="1",deprecated_in="2",removed_in="3"} 5"#),
            "{text}"
        );
        assert!(
            lines.contains(&r#"skf_kfunc_calls_total{kfunc="skf_new",class="stable",since="1",deprecated_in="",removed_in=""} 0"#),
            "{text}"
        );
        assert!(lines.contains(&"skf_api_level 2"), "{text}");
        assert_eq!(lines.last(), Some(&"# EOF"), "OpenMetrics ends with # EOF: {text}");
    }

    #[test]
    fn calls_are_left_out_while_call_counting_is_off() {
        let k = abi("skf_k", None, None);
        let text = render(1, &[Sample { abi: &k, programs: 1, calls: None }]);
        assert!(!text.contains("skf_kfunc_calls"), "{text}");
        assert!(text.contains("skf_kfunc_programs_total{"), "{text}");
    }

    #[test]
    fn lifecycle_labels_are_spelled_as_the_module_sysfs_spells_them() {
        let files = crate::cli::contract::sysfs_kfunc_files();
        let k = abi("skf_k", Some(2), Some(3));
        let text = render(3, &[Sample { abi: &k, programs: 1, calls: None }]);
        let sample = text.lines().find(|l| l.starts_with("skf_kfunc_programs_total{")).expect("a programs sample");
        let labels = sample.split_once('{').and_then(|(_, rest)| rest.split_once('}')).map(|(labels, _)| labels).unwrap_or_default();
        let names: Vec<&str> = labels.split(',').filter_map(|label| label.split_once('=').map(|(name, _)| name)).collect();
        assert!(names.contains(&"deprecated_in"), "{sample}");
        // The kfunc label is the sysfs directory's name.
        let not_in_sysfs: Vec<&&str> = names.iter().filter(|n| **n != "kfunc" && !files.contains(**n)).collect();
        assert!(not_in_sysfs.is_empty(), "labels {not_in_sysfs:?} are not sysfs files of module/sysfs.c: {files:?}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escaped("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    }
}
