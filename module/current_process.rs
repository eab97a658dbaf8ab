// SPDX-License-Identifier: GPL-2.0

//! The process of the running task as an admin looks it up in a log line:
//! its thread group leader's pid (the tgid) and name, and its uid.

use crate::ffi;
use crate::kfuncs::{CommBuf, OutBuf, Task};
use crate::printable::{printable, write_bstr};

#[derive(Clone, Copy)]
pub(crate) struct CurrentProcess {
    pub(crate) uid: u32,
    pid: i32,
    comm: CommBuf,
    comm_len: usize,
}

impl CurrentProcess {
    /// Before any task was seen: pid 0, no name.
    pub(crate) const NONE: CurrentProcess = CurrentProcess { uid: 0, pid: 0, comm: [0; core::mem::size_of::<CommBuf>()], comm_len: 0 };

    /// Any context, NMI included: RCU and plain reads only.
    pub(crate) fn get() -> CurrentProcess {
        let mut comm = CommBuf::default();
        let (pid, comm_len) =
            Task::with_current_group_leader(|leader| (leader.pid(), leader.comm(&OutBuf::of(&mut comm)))).unwrap_or((0, 0));
        // SAFETY: a plain C call; the running task's credentials outlive it.
        let uid = unsafe { ffi::skf_c_current_uid() };
        CurrentProcess { uid, pid, comm, comm_len }
    }
}

/// "pid 42 (loader) uid 1000"
impl core::fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "pid {} (", self.pid)?;
        write_bstr(f, &self.comm[..self.comm_len])?;
        write!(f, ") uid {}", self.uid)
    }
}

printable!(CurrentProcess);
