// SPDX-License-Identifier: GPL-2.0

//! The calling thread's effective capabilities (capget/capset(2), which act
//! on one thread only), for tests that load as a less privileged user.

use nix::libc;

pub const CAP_SYS_ADMIN: u32 = 21;
pub const CAP_PERFMON: u32 = 38;
pub const CAP_BPF: u32 = 39;

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct Header {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Data {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn get() -> [Data; 2] {
    let mut header = Header { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let mut data = [Data::default(); 2];
    // SAFETY: version 3 takes two data structs, both writable.
    let rc = unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) };
    assert_eq!(rc, 0, "capget: {}", std::io::Error::last_os_error());
    data
}

fn set(data: &[Data; 2]) {
    let mut header = Header { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    // SAFETY: version 3 reads two data structs.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) };
    assert_eq!(rc, 0, "capset: {}", std::io::Error::last_os_error());
}

/// Runs `f` on this thread with `caps` dropped from the effective set (kept
/// in the permitted set), and restores the effective set afterwards.
pub fn without_effective<R>(caps: &[u32], f: impl FnOnce() -> R) -> R {
    let saved = get();
    let mut reduced = saved;
    for &cap in caps {
        reduced[(cap / 32) as usize].effective &= !(1 << (cap % 32));
    }
    set(&reduced);
    let result = f();
    set(&saved);
    result
}

/// Whether `cap` is in this thread's effective set.
pub fn has_effective(cap: u32) -> bool {
    get()[(cap / 32) as usize].effective & (1 << (cap % 32)) != 0
}

/// securebits: setuid() leaves the capability sets alone.
const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;

/// Runs `f` on this thread as user `uid` (real, effective and saved),
/// capabilities kept, then back. Raw syscalls: glibc's setresuid() would
/// switch every thread of the process.
pub fn as_uid<R>(uid: u32, f: impl FnOnce() -> R) -> R {
    let set_uid = |uid: u32| {
        // SAFETY: setresuid(2) on this thread; no memory is passed.
        let rc = unsafe { libc::syscall(libc::SYS_setresuid, uid, uid, uid) };
        assert_eq!(rc, 0, "setresuid({uid}): {}", std::io::Error::last_os_error());
    };
    let set_securebits = |bits: libc::c_ulong| {
        // SAFETY: prctl(2) on this thread's credentials; no memory is passed.
        let rc = unsafe { libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) };
        assert_eq!(rc, 0, "PR_SET_SECUREBITS {bits:#x}: {}", std::io::Error::last_os_error());
    };
    // SAFETY: prctl(2) reading this thread's securebits.
    let saved_bits = unsafe { libc::prctl(libc::PR_GET_SECUREBITS, 0, 0, 0, 0) };
    assert!(saved_bits >= 0, "PR_GET_SECUREBITS: {}", std::io::Error::last_os_error());
    // SAFETY: getuid(2) cannot fail.
    let saved_uid = unsafe { libc::getuid() };
    set_securebits(saved_bits as libc::c_ulong | SECBIT_NO_SETUID_FIXUP);
    set_uid(uid);
    let result = f();
    set_uid(saved_uid);
    set_securebits(saved_bits as libc::c_ulong);
    result
}
