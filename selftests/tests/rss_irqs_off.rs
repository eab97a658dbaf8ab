// SPDX-License-Identifier: GPL-2.0

//! skf_task_rss_bytes on another task where its task_lock must not be
//! taken: in the scheduler's sched_switch tracepoint IRQs are off (and the
//! runqueue locked), so the kfunc must say -EBUSY, not trylock alloc_lock.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use skf_selftests::skel::rss_sched_switch::RssSchedSwitchSkelBuilder;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

#[test]
fn rss_of_the_next_task_in_sched_switch_is_ebusy() {
    let env = TestEnv::get();
    assert!(
        manifest().kfunc("skf_task_rss_bytes").is_some_and(|k| k.alive_at(env.api)),
        "skf_task_rss_bytes is not offered at API {}: this test needs another kfunc",
        env.api
    );
    let _module = LoadedModule::insert_cell_module();
    let mut obj = MaybeUninit::uninit();
    let mut open = RssSchedSwitchSkelBuilder::default().open(&mut obj).unwrap();
    open.maps.bss_data.as_deref_mut().unwrap().target_tgid = std::process::id() as i32;
    let skel = open.load().expect("rss_sched_switch loads");
    let _link = skel.progs.rss_of_next.attach().expect("attach tp_btf/sched_switch");

    // Sleeping makes this thread the next task of some switch when it wakes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while skel.maps.bss_data.as_deref().unwrap().seen == 0 {
        assert!(Instant::now() < deadline, "no switch to this process was seen in 10 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    let rss = skel.maps.bss_data.as_deref().unwrap().rss_bytes;
    assert_eq!(rss, -(nix::libc::EBUSY as i64), "with IRQs off, another task's RSS must be -EBUSY (got {rss})");
}
