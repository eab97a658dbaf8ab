// SPDX-License-Identifier: GPL-2.0

//! A network namespace of the test's own, so its sockets see no other traffic.

use nix::sched::{unshare, CloneFlags};

/// Brings up `lo` in this thread's (new) network namespace; ::1 comes with it.
fn loopback_up() {
    // SAFETY: plain socket and ioctl calls on a zeroed ifreq naming "lo".
    unsafe {
        let fd = nix::libc::socket(nix::libc::AF_INET, nix::libc::SOCK_DGRAM, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let mut req: nix::libc::ifreq = std::mem::zeroed();
        req.ifr_name[0] = b'l' as _;
        req.ifr_name[1] = b'o' as _;
        assert_eq!(nix::libc::ioctl(fd, nix::libc::SIOCGIFFLAGS, &mut req), 0, "SIOCGIFFLAGS lo");
        req.ifr_ifru.ifru_flags |= nix::libc::IFF_UP as i16;
        assert_eq!(nix::libc::ioctl(fd, nix::libc::SIOCSIFFLAGS, &req), 0, "SIOCSIFFLAGS lo up");
        nix::libc::close(fd);
    }
}

/// Runs `checks` on a thread of its own in a new network namespace with
/// `lo` up, so the test's sockets see no other traffic; returns what they return.
pub fn in_new_netns<T: Send + 'static>(checks: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET) as root");
        loopback_up();
        checks()
    })
    .join()
    .expect("the network namespace thread's checks failed")
}
