//! A build whose C and Rust struct layouts disagree refuses to load.

use nix::errno::Errno;
use skf_selftests::{manifest, Kmsg, LoadedModule, TestEnv};

#[test]
fn mismatched_layout_refuses_to_load_naming_the_field() {
    let env = TestEnv::get();
    let mut kmsg = Kmsg::tail();
    let err = match LoadedModule::insert(&env.skewed_module_path) {
        Ok(_) => panic!("a build with skewed C offsets was loaded"),
        Err(e) => e,
    };
    assert_eq!(err.raw_os_error(), Some(Errno::EINVAL as i32), "finit_module: {err}");
    assert!(!LoadedModule::is_listed());

    let lines = kmsg.matching("layout guard");
    assert_eq!(lines.len(), 1, "expected one layout guard line, got {lines:?}");
    let first = &manifest().layout_guard[0];
    let (strukt, field) = first.split_once('.').unwrap();
    let expected = format!("struct {strukt} field {field}: C offsetof ");
    assert!(lines[0].contains(&expected), "'{}' does not name {first}", lines[0]);
    assert!(lines[0].contains("Rust offset_of") && lines[0].contains("refusing to load"), "{}", lines[0]);
}
