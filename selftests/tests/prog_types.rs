// SPDX-License-Identifier: GPL-2.0

//! Where a kfunc may be called is the same on every kernel series: the
//! kernel's own mapping of program types to kfunc hooks differs (7.x lets
//! raw_tp programs reach the tracing hook; 6.12 does not), the module's
//! verdict must not.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use skf_selftests::skel::raw_tp_call::RawTpCallSkelBuilder;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::mem::MaybeUninit;

const KFUNC: &str = "skf_task_cpu";

/// Loads raw_tp_call with only the program named `raw_tp` or not.
fn load_only(raw_tp: bool) -> Result<(), libbpf_rs::Error> {
    let mut obj = MaybeUninit::uninit();
    let mut open = RawTpCallSkelBuilder::default().open(&mut obj).unwrap();
    open.progs.cpu_from_raw_tp.set_autoload(raw_tp);
    open.progs.cpu_from_tp_btf.set_autoload(!raw_tp);
    open.load().map(drop)
}

#[test]
fn a_kfunc_call_from_raw_tp_is_refused_where_tp_btf_loads() {
    let env = TestEnv::get();
    let manifest = manifest();
    let k = manifest.kfunc(KFUNC).unwrap_or_else(|| panic!("{KFUNC} is not in the manifest"));
    assert!(k.alive_at(env.api), "{KFUNC} is not offered at API {}: pick another kfunc for this test", env.api);
    assert!(!k.prog_types.iter().any(|t| t == "raw_tp"), "the manifest registers {KFUNC} for raw_tp: this test's premise is gone");
    let _module = LoadedModule::insert_cell_module();
    load_only(false).expect("the tp_btf program calling skf_task_cpu must load");
    assert!(
        load_only(true).is_err(),
        "a raw_tp program called {KFUNC}: on 7.x the tracing hook covers raw_tp, and the module must refuse it"
    );
}
