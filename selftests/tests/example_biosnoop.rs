// SPDX-License-Identifier: GPL-2.0

//! bpf/biosnoop.bpf.c, the block latency tracer: at API 4 it reports the
//! device, sector, size and operation of O_DIRECT I/O a contained child
//! (new pid namespace) does to null_blk at known offsets, with the child's
//! pid in both namespaces; below API 4 the same object does not load.

use nix::sched::CloneFlags;
use skf_selftests::biosnoop::{own_pidns_inum, trace, Event};
use skf_selftests::contained::Contained;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::cell::Cell;
use std::ffi::CString;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

/// null_blk's first device: blk-mq, so every I/O is a struct request.
const DEVICE: &str = "/dev/nullb0";
const BLOCK: usize = 4096;

/// (write?, offset, length) of each I/O the child does, in order.
const IOS: &[(bool, u64, usize)] = &[(true, 0, 4096), (true, 1 << 20, 16384), (false, 2 << 20, 8192), (true, 3 << 20, 65536)];

/// A child in a new pid namespace that does `IOS` with O_DIRECT, then
/// pauses until killed (so its /proc entries stay readable).
fn spawn_writer() -> Contained {
    let path = CString::new(DEVICE).unwrap();
    let len = IOS.iter().map(|io| io.2).max().unwrap();
    let layout = std::alloc::Layout::from_size_align(len, BLOCK).unwrap();
    // SAFETY: a non-zero size; never freed: one buffer per test run.
    let buf = unsafe { std::alloc::alloc_zeroed(layout) };
    assert!(!buf.is_null());
    let body = move || {
        // SAFETY: raw syscalls on `path` and `buf`, set up before clone.
        unsafe {
            let fd = nix::libc::open(path.as_ptr(), nix::libc::O_RDWR | nix::libc::O_DIRECT);
            if fd < 0 {
                return 1;
            }
            for &(write, offset, len) in IOS {
                let done = if write {
                    nix::libc::pwrite(fd, buf.cast(), len, offset as i64)
                } else {
                    nix::libc::pread(fd, buf.cast(), len, offset as i64)
                };
                if done != len as isize {
                    return 2;
                }
            }
        }
        Contained::pause_forever()
    };
    // SAFETY: the child makes only raw syscalls (open, pwrite, pread, pause).
    unsafe { Contained::spawn(CloneFlags::CLONE_NEWPID, body) }
}

fn op_value(name: &str) -> u32 {
    manifest().constants.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} is not in the manifest")).value as u32
}

#[test]
fn reports_contained_direct_io_to_null_blk_with_true_values() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let needs = ["skf_rq_dev", "skf_rq_sector", "skf_rq_bytes", "skf_rq_op", "skf_task_tgid_in_ns", "skf_task_ns_inum"];
    let offered = needs.iter().all(|k| manifest().kfunc(k).unwrap().alive_at(env.api));
    let rdev =
        std::fs::metadata(DEVICE).unwrap_or_else(|e| panic!("{DEVICE}: {e}: the test kernel needs CONFIG_BLK_DEV_NULL_BLK=y")).rdev();
    if !offered {
        let loaded = trace(rdev as u32, || {}, Duration::ZERO, |_| true);
        assert!(loaded.is_err(), "biosnoop loaded at API {}, which lacks its kfuncs", env.api);
        return;
    }

    let writer = Cell::new(None);
    let mut events: Vec<Event> = Vec::new();
    let started = Instant::now();
    trace(
        rdev as u32,
        || writer.set(Some(spawn_writer())),
        Duration::from_secs(20),
        |e| {
            events.push(*e);
            events.len() < IOS.len()
        },
    )
    .expect("biosnoop loads and attaches at API 4");
    let elapsed = started.elapsed().as_nanos() as u64;
    let writer = writer.take().expect("the writer was spawned");
    let pid = writer.0.as_raw();
    let child_pidns = std::fs::metadata(format!("/proc/{pid}/ns/pid")).unwrap().ino() as u32;
    let child_comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
    assert_ne!(child_pidns, own_pidns_inum(), "the writer has a pid namespace of its own");
    assert_eq!(events.len(), IOS.len(), "one request per I/O: {events:#?}");

    for (e, &(write, offset, len)) in events.iter().zip(IOS) {
        let what = format!("{} of {len} at {offset}: {e:?}", if write { "write" } else { "read" });
        assert_eq!(u64::from(e.dev), rdev, "dev_t vs stat's st_rdev, {what}");
        assert_eq!(e.sector, offset / 512, "sector, {what}");
        assert_eq!(e.bytes as usize, len, "bytes, {what}");
        assert_eq!(e.op, op_value(if write { "SKF_BLK_OP_WRITE" } else { "SKF_BLK_OP_READ" }), "op, {what}");
        assert_eq!((e.pid, e.ns_pid), (pid, 1), "pid in our namespace and in the writer's, {what}");
        assert_eq!(e.pidns_inum, child_pidns, "the writer's pid namespace, {what}");
        assert_eq!(e.comm(), child_comm.trim_end().as_bytes(), "comm, {what}");
        // null_blk may complete inline, and a TCG guest's clock may be
        // coarse: 0 is a valid latency; more than the whole run is not.
        assert!(e.latency_ns <= elapsed, "latency above the {elapsed} ns the run took, {what}");
    }
}
