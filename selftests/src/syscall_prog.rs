// SPDX-License-Identifier: GPL-2.0

//! Syscall programs built by hand, loaded with fewer capabilities than the
//! test holds: `task = bpf_task_from_pid(pid); KFUNC(task)...;
//! bpf_task_release(task)`.
//!
//! libbpf finds module BTF only with CAP_SYS_ADMIN (BPF_BTF_GET_NEXT_ID), so
//! a CAP_BPF-only loader gets the module's BTF fd from a privileged process,
//! as here: the fd is opened with every capability, then the program is
//! loaded by hand from a thread with fewer.

use crate::caps::{self, CAP_BPF};
use crate::module::MODULE_NAME;
use libbpf_rs::libbpf_sys as sys;
use skf::manifest::Manifest;
use skf::proto::CType;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;

/// The name every program built here is loaded under.
pub const PROG: &str = "read_other_task";

/// The BTF id of function `name` in vmlinux, or in `module`'s split BTF;
/// remembered, as reading vmlinux BTF takes a while under TCG and tests
/// load hundreds of programs.
fn func_btf_id(name: &str, module: Option<&str>) -> i32 {
    static IDS: Mutex<BTreeMap<(String, Option<String>), i32>> = Mutex::new(BTreeMap::new());
    let key = (name.to_string(), module.map(str::to_string));
    if let Some(&id) = IDS.lock().unwrap().get(&key) {
        return id;
    }
    let id = read_func_btf_id(name, module);
    IDS.lock().unwrap().insert(key, id);
    id
}

fn read_func_btf_id(name: &str, module: Option<&str>) -> i32 {
    let cname = CString::new(name).unwrap();
    // SAFETY: plain libbpf calls; each BTF is freed once, below.
    unsafe {
        let vmlinux = sys::btf__load_vmlinux_btf();
        assert!(!vmlinux.is_null(), "cannot read vmlinux BTF");
        let split = module.map(|m| {
            let path = CString::new(format!("/sys/kernel/btf/{m}")).unwrap();
            let btf = sys::btf__parse_split(path.as_ptr(), vmlinux);
            assert!(!btf.is_null(), "cannot read /sys/kernel/btf/{m}");
            btf
        });
        let id = sys::btf__find_by_name_kind(split.unwrap_or(vmlinux), cname.as_ptr(), sys::BTF_KIND_FUNC);
        if let Some(btf) = split {
            sys::btf__free(btf);
        }
        sys::btf__free(vmlinux);
        assert!(id > 0, "no BTF FUNC {name} in {}", module.unwrap_or("vmlinux"));
        id
    }
}

/// An fd of the loaded module's BTF object (needs CAP_SYS_ADMIN).
pub fn module_btf_fd() -> OwnedFd {
    let mut id = 0;
    // SAFETY: plain libbpf calls on valid out-pointers.
    unsafe {
        while sys::bpf_btf_get_next_id(id, &mut id) == 0 {
            let fd = sys::bpf_btf_get_fd_by_id(id);
            if fd < 0 {
                continue;
            }
            let fd = OwnedFd::from_raw_fd(fd);
            let mut name = [0u8; 64];
            let mut info: sys::bpf_btf_info = std::mem::zeroed();
            info.name = name.as_mut_ptr() as u64;
            info.name_len = name.len() as u32;
            let mut len = std::mem::size_of::<sys::bpf_btf_info>() as u32;
            if sys::bpf_btf_get_info_by_fd(fd.as_raw_fd(), &mut info, &mut len) == 0
                && CStr::from_bytes_until_nul(&name).is_ok_and(|n| n.to_bytes() == MODULE_NAME.as_bytes())
            {
                return fd;
            }
        }
    }
    panic!("no BTF object named {MODULE_NAME}: is the module loaded?")
}

/// The kfuncs offered to syscall programs at `api` that take just a task.
pub fn task_kfuncs(manifest: &Manifest, api: u32) -> Vec<String> {
    manifest
        .kfuncs
        .iter()
        .filter(|k| k.alive_at(api) && k.prog_types.iter().any(|t| t == "syscall"))
        .filter(|k| matches!(k.proto().params.as_slice(), [p] if p.ty == CType::StructPtr("task_struct".into())))
        .map(|k| k.name.clone())
        .collect()
}

/// One instruction, encoded as the kernel reads it.
fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0] = code;
    b[1] = dst | (src << 4);
    b[2..4].copy_from_slice(&off.to_ne_bytes());
    b[4..8].copy_from_slice(&imm.to_ne_bytes());
    b
}

/// The program's instructions: each of `kfuncs` called on task `pid`.
fn program(pid: i32, kfuncs: &[&str]) -> Vec<[u8; 8]> {
    const MOV64_IMM: u8 = 0xb7;
    const MOV64_REG: u8 = 0xbf;
    const CALL: u8 = 0x85;
    const JEQ_IMM: u8 = 0x15;
    const EXIT: u8 = 0x95;
    const PSEUDO_KFUNC_CALL: u8 = 2;
    let mut prog = vec![
        insn(MOV64_IMM, 1, 0, 0, pid),
        insn(CALL, 0, PSEUDO_KFUNC_CALL, 0, func_btf_id("bpf_task_from_pid", None)),
        // No task: skip to the exit, past r6 = r0, two per kfunc, and the release's two.
        insn(JEQ_IMM, 0, 0, 1 + 2 * kfuncs.len() as i16 + 2, 0),
        insn(MOV64_REG, 6, 0, 0, 0),
    ];
    for kfunc in kfuncs {
        prog.push(insn(MOV64_REG, 1, 6, 0, 0));
        // off 1: fd_array[1] is the module's BTF.
        prog.push(insn(CALL, 0, PSEUDO_KFUNC_CALL, 1, func_btf_id(kfunc, Some(MODULE_NAME))));
    }
    prog.extend([
        insn(MOV64_REG, 1, 6, 0, 0),
        insn(CALL, 0, PSEUDO_KFUNC_CALL, 0, func_btf_id("bpf_task_release", None)),
        insn(MOV64_IMM, 0, 0, 0, 0),
        insn(EXIT, 0, 0, 0, 0),
    ]);
    prog
}

/// Loads the program calling `kfuncs` on task `pid`, with `dropped` removed
/// from this thread's effective capabilities; Ok(()) if it loaded, else the
/// errno and the verifier log.
pub fn load_calling(kfuncs: &[&str], pid: i32, module_btf: &OwnedFd, dropped: &[u32]) -> Result<(), String> {
    load(kfuncs, pid, module_btf, dropped, None)
}

/// `load_calling` by a loader running as user `uid`, with the capabilities
/// this process holds but `dropped`.
pub fn load_calling_as(uid: u32, kfuncs: &[&str], pid: i32, module_btf: &OwnedFd, dropped: &[u32]) -> Result<(), String> {
    load(kfuncs, pid, module_btf, dropped, Some(uid))
}

fn load(kfuncs: &[&str], pid: i32, module_btf: &OwnedFd, dropped: &[u32], uid: Option<u32>) -> Result<(), String> {
    let prog = program(pid, kfuncs);
    let fd_array = [0, module_btf.as_raw_fd()];
    let dropped = dropped.to_vec();
    std::thread::scope(|s| {
        s.spawn(|| {
            let load_now = || {
                caps::without_effective(&dropped, || {
                    assert!(caps::has_effective(CAP_BPF), "the loader must hold CAP_BPF");
                    let mut log = vec![0u8; 64 * 1024];
                    let mut opts = sys::bpf_prog_load_opts {
                        sz: std::mem::size_of::<sys::bpf_prog_load_opts>() as _,
                        prog_flags: sys::BPF_F_SLEEPABLE,
                        fd_array: fd_array.as_ptr(),
                        log_level: 1,
                        log_size: log.len() as u32,
                        log_buf: log.as_mut_ptr().cast(),
                        ..Default::default()
                    };
                    let name = CString::new(PROG).unwrap();
                    // SAFETY: every pointer is valid for the call; insns are 8-byte bpf_insn.
                    let fd = unsafe {
                        sys::bpf_prog_load(
                            sys::BPF_PROG_TYPE_SYSCALL,
                            name.as_ptr(),
                            c"GPL".as_ptr(),
                            prog.as_ptr().cast(),
                            prog.len() as _,
                            &mut opts,
                        )
                    };
                    if fd >= 0 {
                        // SAFETY: a new fd that we own.
                        drop(unsafe { OwnedFd::from_raw_fd(fd) });
                        return Ok(());
                    }
                    let log = CStr::from_bytes_until_nul(&log).map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
                    Err(format!("{}: {log}", std::io::Error::from_raw_os_error(-fd)))
                })
            };
            match uid {
                Some(uid) => caps::as_uid(uid, load_now),
                None => load_now(),
            }
        })
        .join()
        .expect("the loader thread panicked")
    })
}
