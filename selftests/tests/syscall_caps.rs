// SPDX-License-Identifier: GPL-2.0

//! Syscall programs need only CAP_BPF, yet bpf_task_from_pid() reaches every
//! host task: the module refuses its kfuncs to them unless the loader may
//! trace (CAP_PERFMON or CAP_SYS_ADMIN in the initial namespace).

use skf_selftests::caps::{CAP_PERFMON, CAP_SYS_ADMIN};
use skf_selftests::syscall_prog::{load_calling, module_btf_fd, PROG};
use skf_selftests::{manifest, Kmsg, LoadedModule, TestEnv};

const KFUNC: &str = "skf_task_start_time_ns";

#[test]
fn cap_bpf_alone_cannot_read_tasks_from_a_syscall_program() {
    let env = TestEnv::get();
    assert!(
        manifest().kfunc(KFUNC).is_some_and(|k| k.alive_at(env.api)),
        "{KFUNC} is not offered at API {}: pick another kfunc for this test",
        env.api
    );
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let target = std::process::id() as i32;
    let mut kmsg = Kmsg::tail();

    let err = load_calling(&[KFUNC], target, &btf, &[CAP_PERFMON, CAP_SYS_ADMIN])
        .expect_err("a syscall program of a CAP_BPF-only loader read tasks through stable_kfuncs");
    assert!(err.contains(&format!("calling kernel function {KFUNC} is not allowed")), "refused for another reason: {err}");
    let lines = kmsg.matching(&format!("refusing syscall prog '{PROG}'"));
    assert_eq!(lines.len(), 1, "one refusal line per load: {lines:?}");
    let loader = format!("loaded by pid {}", std::process::id());
    for part in [loader.as_str(), KFUNC, "CAP_PERFMON"] {
        assert!(lines[0].contains(part), "'{}' lacks '{part}'", lines[0]);
    }

    for (dropped, holding) in [(&[CAP_SYS_ADMIN][..], "CAP_PERFMON"), (&[CAP_PERFMON][..], "CAP_SYS_ADMIN"), (&[][..], "every capability")]
    {
        load_calling(&[KFUNC], target, &btf, dropped).unwrap_or_else(|e| panic!("a loader holding {holding} was refused: {e}"));
    }
    assert!(kmsg.matching("refusing syscall prog").is_empty(), "privileged loaders were reported as refused");
}

/// Loads alternating between a privileged and a CAP_BPF-only loader.
const ALTERNATIONS: usize = 50;

/// The capability check is taken at every call of the filter, never taken
/// from what the module remembers of a load: back-to-back loads of one
/// program (the next may get the freed one's addresses, the module's key
/// for a load) are each judged by their own loader.
#[test]
fn back_to_back_loads_are_each_judged_by_their_own_loader() {
    let _module = LoadedModule::insert_cell_module();
    let btf = module_btf_fd();
    let target = std::process::id() as i32;
    for i in 0..ALTERNATIONS {
        load_calling(&[KFUNC], target, &btf, &[]).unwrap_or_else(|e| panic!("load {i}: a privileged loader was refused: {e}"));
        load_calling(&[KFUNC], target, &btf, &[CAP_PERFMON, CAP_SYS_ADMIN])
            .expect_err("a syscall program of a CAP_BPF-only loader read tasks through stable_kfuncs");
    }
}
