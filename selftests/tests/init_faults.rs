// SPDX-License-Identifier: GPL-2.0

//! Module init under fault injection, on kernels with CONFIG_FAILSLAB and
//! CONFIG_FAIL_PAGE_ALLOC (check.sh runs this test only there): through
//! /proc/thread-self/fail-nth, the Nth slab or page allocation made with the
//! module's code on the stack fails, for N over the fault points (see
//! `fault_points`) until an insmod makes fewer allocations than N and
//! succeeds. Every failed insmod must return an error, leave nothing listed,
//! and say in dmesg which init step failed; the next insmod must work;
//! kmemleak (run-vm.sh) must find nothing left behind. (fail_function cannot reach the module's own functions:
//! they exist only once it is loaded, and init runs before anything could
//! name them.)

use skf_selftests::{Kmsg, LoadedModule, TestEnv};
use std::path::Path;

const DEBUGFS: &str = "/sys/kernel/debug";

/// The stack filter's range: from the end of the kernel image (`_end`) to
/// the end of the module area, so only module code is in it. x86_64 (4-level
/// paging): the module area follows the image, up to MODULES_END; where it
/// starts depends on KASLR's image size, `_end` does not.
fn module_area() -> (u64, u64) {
    let end_of_modules = match std::env::consts::ARCH {
        "x86_64" => 0xffff_ffff_ff00_0000,
        arch => panic!("init_faults knows no module area for {arch}: add it to module_area()"),
    };
    let kallsyms = std::fs::read_to_string("/proc/kallsyms").expect("read /proc/kallsyms");
    let image_end = kallsyms
        .lines()
        .find_map(|l| l.strip_suffix(" _end").and_then(|l| l.split_whitespace().next()))
        .map(|a| u64::from_str_radix(a, 16).unwrap())
        .expect("no _end in /proc/kallsyms");
    assert_ne!(image_end, 0, "/proc/kallsyms hides addresses: run as root with kptr_restrict < 2");
    (image_end, end_of_modules)
}

/// The most faults a sweep may take: far more allocations than init makes.
const MOST_FAULT_POINTS: u32 = 2000;

/// `make check`'s sweep: every one of the first FIRST_POINTS allocations
/// (the filter's state, the kfunc sets), then every STRIDE-th (sysfs makes
/// hundreds, and on the KASAN kernel each failed insmod waits seconds for
/// DEBUG_KOBJECT_RELEASE); the insmod after the last is the one that must
/// work. `make soak` sweeps every allocation, re-loading after each.
const FIRST_POINTS: u32 = 8;
const STRIDE: u32 = 256;

fn fault_points(every: bool) -> impl Iterator<Item = u32> {
    (1..=MOST_FAULT_POINTS).filter(move |&n| every || n <= FIRST_POINTS || (n - FIRST_POINTS) % STRIDE == 0)
}

fn write(path: &str, value: &str) {
    std::fs::write(path, value).unwrap_or_else(|e| panic!("{path} <- {value}: {e}"));
}

/// Fault injection that fires only through fail-nth, only for allocations
/// with the module area on the stack, GFP_KERNEL ones included.
fn configure() {
    // vm-test/guest-exec.sh mounts debugfs.
    let (start, end) = module_area();
    for attr in ["failslab", "fail_page_alloc"] {
        let dir = format!("{DEBUGFS}/{attr}");
        assert!(Path::new(&dir).is_dir(), "{dir} is missing: this kernel lacks CONFIG_FAILSLAB/CONFIG_FAIL_PAGE_ALLOC");
        write(&format!("{dir}/probability"), "0");
        write(&format!("{dir}/task-filter"), "N");
        write(&format!("{dir}/ignore-gfp-wait"), "N");
        write(&format!("{dir}/verbose"), "0");
        write(&format!("{dir}/stacktrace-depth"), "32");
        write(&format!("{dir}/require-start"), &start.to_string());
        write(&format!("{dir}/require-end"), &end.to_string());
    }
    write(&format!("{DEBUGFS}/fail_page_alloc/min-order"), "0");
    write(&format!("{DEBUGFS}/fail_page_alloc/ignore-gfp-highmem"), "N");
}

/// insmod with the Nth allocation failing: its result, and whether a fault
/// was injected (fail-nth counted down to 0).
fn insert_failing_nth(path: &Path, n: u32) -> (std::io::Result<LoadedModule>, bool) {
    write("/proc/thread-self/fail-nth", &n.to_string());
    let result = LoadedModule::insert(path);
    let left: u32 = std::fs::read_to_string("/proc/thread-self/fail-nth").unwrap().trim().parse().unwrap();
    write("/proc/thread-self/fail-nth", "0");
    (result, left == 0)
}

#[test]
fn init_fails_cleanly_at_every_allocation() {
    let env = TestEnv::get();
    configure();
    let mut kmsg = Kmsg::tail();
    let every = env.soak_seconds.is_some();
    let (mut swept, mut absorbed, mut finished) = (0, 0, false);
    for n in fault_points(every) {
        match insert_failing_nth(&env.module_path, n) {
            (Err(e), true) => {
                assert!(!LoadedModule::is_listed(), "allocation {n}: a failed init left the module listed");
                let lines = kmsg.read_new();
                assert!(
                    lines.iter().any(|l| l.contains("stable_kfuncs") && l.contains("refusing to load")),
                    "allocation {n} failed ({e}) and dmesg does not say which step: {lines:#?}"
                );
                swept += 1;
                if every {
                    let module = LoadedModule::insert(&env.module_path).unwrap_or_else(|e| panic!("insmod after fault {n}: {e}"));
                    module.remove().unwrap_or_else(|e| panic!("rmmod after fault {n}: {e}"));
                }
            }
            (Err(e), false) => panic!("insmod failed with no allocation failed: {e}"),
            // A fallback (kvmalloc's vmalloc, say) absorbed the failure.
            (Ok(module), true) => {
                absorbed += 1;
                module.remove().unwrap_or_else(|e| panic!("rmmod after absorbed fault {n}: {e}"));
            }
            // Init makes fewer than n such allocations: the sweep is done, and
            // this insmod, after every fault, worked.
            (Ok(module), false) => {
                let text = std::fs::read_to_string("/sys/module/stable_kfuncs/sections/.text").unwrap();
                let text = u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).unwrap();
                let (start, end) = module_area();
                assert!((start..end).contains(&text), "the module's .text {text:#x} is outside the filtered area {start:#x}..{end:#x}");
                module.remove().unwrap();
                finished = true;
                break;
            }
        }
    }
    assert!(swept > 0, "no allocation with the module on the stack failed: is the stack filter's area right?");
    assert!(finished, "init still made allocations after {MOST_FAULT_POINTS} faults");
    assert!(!LoadedModule::is_listed(), "the sweep left the module loaded");
    eprintln!(
        "init_faults: {} fault points swept ({}): {swept} clean refusals, {absorbed} absorbed by a fallback",
        swept + absorbed,
        if every { "every allocation" } else { "sampled" }
    );
}
