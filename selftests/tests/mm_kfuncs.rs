// SPDX-License-Identifier: GPL-2.0

//! skf_task_rss_kind_bytes against /proc/PID/status: RssFile, RssAnon and
//! RssShmem of a stopped child (exact: nothing moves) and of this process
//! with shared memory mapped (within what it touches meanwhile).

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use skf_selftests::task_probe::{alive, probe, status_bytes};
use skf_selftests::{LoadedModule, TestEnv};
use std::process::Command;
use std::time::{Duration, Instant};

/// (file, anon, shmem) bytes of /proc/PID/status.
fn proc_rss(pid: &str) -> [i64; 3] {
    ["RssFile", "RssAnon", "RssShmem"].map(|f| status_bytes(pid, f))
}

#[test]
fn rss_kinds_of_a_stopped_child_match_proc_exactly() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let mut child = Command::new("sleep").arg("1000").spawn().expect("spawn sleep");
    let pid = child.id();
    kill(Pid::from_raw(pid as i32), Signal::SIGSTOP).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap().contains(") T ") {
        assert!(Instant::now() < deadline, "the child never stopped");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = probe(pid, 0);
    let expected = proc_rss(&pid.to_string());
    let _ = child.kill();
    let _ = child.wait();
    if alive(&out, env.api, "skf_task_rss_kind_bytes") {
        assert_eq!([out.rss_file, out.rss_anon, out.rss_shmem], expected, "(file, anon, shmem) vs /proc/{pid}/status");
        assert_eq!(out.rss_all, expected.iter().sum::<i64>(), "all kinds together");
        assert_eq!(out.rss_no_kind, -i64::from(nix::libc::EINVAL), "no kind selected");
    }
    if alive(&out, env.api, "skf_task_rss_bytes") {
        assert_eq!(out.rss_old, expected.iter().sum::<i64>(), "the deprecated whole-RSS kfunc");
    }
}

#[test]
fn shared_memory_we_touch_shows_as_shmem() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    const LEN: usize = 4 << 20;
    // SAFETY: a fresh shared anonymous mapping, touched and unmapped below, never aliased.
    let map = unsafe {
        nix::libc::mmap(
            std::ptr::null_mut(),
            LEN,
            nix::libc::PROT_READ | nix::libc::PROT_WRITE,
            nix::libc::MAP_SHARED | nix::libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(map, nix::libc::MAP_FAILED, "mmap: {}", std::io::Error::last_os_error());
    // SAFETY: `map` is LEN writable bytes.
    unsafe { std::ptr::write_bytes(map.cast::<u8>(), 1, LEN) };
    let before = proc_rss("self");
    let out = probe(std::process::id(), 0);
    let after = proc_rss("self");
    // SAFETY: unmaps exactly the mapping made above.
    unsafe { nix::libc::munmap(map, LEN) };
    if !alive(&out, env.api, "skf_task_rss_kind_bytes") {
        return;
    }
    assert!(out.rss_shmem >= LEN as i64, "RssShmem {} below the {LEN} bytes touched", out.rss_shmem);
    // The probe's load allocates meanwhile; per-CPU counters also lag by a
    // batch (32 pages a CPU at our sizes): allow that much on either side.
    let slack = 32 * 4096 * std::thread::available_parallelism().map_or(2, |n| n.get()) as i64;
    for (i, (kind, value)) in [("file", out.rss_file), ("anon", out.rss_anon), ("shmem", out.rss_shmem)].into_iter().enumerate() {
        let (lo, hi) = (before[i].min(after[i]) - slack, before[i].max(after[i]) + slack);
        assert!((lo..=hi).contains(&value), "{kind}: {value} outside /proc's [{lo}, {hi}]");
    }
}
