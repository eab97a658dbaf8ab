// SPDX-License-Identifier: GPL-2.0

//! Children cloned into new namespaces, killed and reaped on drop.

use nix::sched::{clone, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

/// A child process in the namespaces `spawn` gave it.
pub struct Contained(pub Pid);

impl Contained {
    /// Clones a child into new namespaces (`flags`) that runs `body`.
    ///
    /// # Safety
    /// The caller is multi-threaded (libtest): `body` may only make
    /// async-signal-safe calls (raw syscalls) on memory set up before.
    pub unsafe fn spawn(flags: CloneFlags, body: impl FnMut() -> isize) -> Contained {
        let mut stack = vec![0u8; 256 * 1024];
        // SAFETY: as the caller guarantees; `stack` outlives the call (the
        // child runs on its own copy of the address space).
        let pid = unsafe { clone(Box::new(body), &mut stack, flags, Some(Signal::SIGCHLD as i32)) }
            .unwrap_or_else(|e| panic!("clone({flags:?}) as root: {e}"));
        Contained(pid)
    }

    /// Waits for signals forever: a child body that only has to exist.
    pub fn pause_forever() -> isize {
        loop {
            // SAFETY: pause(2) takes nothing.
            unsafe { nix::libc::pause() };
        }
    }
}

impl Drop for Contained {
    fn drop(&mut self) {
        let _ = kill(self.0, Signal::SIGKILL);
        let _ = waitpid(self.0, None);
    }
}
