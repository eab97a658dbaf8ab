// SPDX-License-Identifier: GPL-2.0

//! A build whose C and Rust struct layouts disagree refuses to load, naming
//! each field whose offset or size differs, with both values. The skewed
//! build (vm-test/build-module.sh ... skewed) adds 8 to every C offset and
//! size, and looks for mnt_namespace's ns_common 8 bytes past its start.

use nix::errno::Errno;
use skf_selftests::{manifest, Kmsg, LoadedModule, TestEnv};

#[test]
fn mismatched_layout_refuses_to_load_naming_each_field() {
    let env = TestEnv::get();
    let mut kmsg = Kmsg::tail();
    let err = match LoadedModule::insert(&env.skewed_module_path) {
        Ok(_) => panic!("a build with skewed C offsets and sizes was loaded"),
        Err(e) => e,
    };
    assert_eq!(err.raw_os_error(), Some(Errno::EINVAL as i32), "finit_module: {err}");
    assert!(!LoadedModule::is_listed());

    let lines = kmsg.matching("layout guard");
    let guarded = manifest().layout_guard;
    assert_eq!(lines.len(), 2 * guarded.len() + 1, "one offset and one size line per guarded field, one for mnt_namespace: {lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("struct mnt_namespace: no ns_common") && l.contains("refusing to load")),
        "no line for mnt_namespace's ns_common: {lines:#?}"
    );
    for path in &guarded {
        let (strukt, field) = path.split_once('.').unwrap();
        let named = format!("struct {strukt} field {field}: ");
        for (measure, rust) in [("C offsetof", "Rust offset_of"), ("C sizeof_field", "Rust size")] {
            let line = lines
                .iter()
                .find(|l| l.contains(&named) && l.contains(measure))
                .unwrap_or_else(|| panic!("no '{measure}' line for {path}: {lines:#?}"));
            // "C sizeof_field 12 != Rust size 4": both values, 8 apart.
            let values: Vec<usize> = line.split(&named).nth(1).unwrap().split_whitespace().filter_map(|w| w.parse().ok()).collect();
            assert!(
                line.contains(rust) && line.contains("refusing to load") && values.len() == 2 && values[0] == values[1] + 8,
                "'{line}' must give {measure} and {rust}, 8 apart"
            );
        }
    }
}
