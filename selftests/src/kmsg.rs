// SPDX-License-Identifier: GPL-2.0

use nix::errno::Errno;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;

/// The module's verification-time lines: one per key (loader uid, reason,
/// deprecated kfuncs called) per interval, and at most `REPORT_BURST` per
/// reason per interval whatever the key (module/report_limit.rs).
pub const REPORT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
pub const REPORT_BURST: usize = 10;

/// The most lines one key may log over `elapsed`: one per interval begun.
pub fn most_reports_in(elapsed: std::time::Duration) -> usize {
    1 + (elapsed.as_millis() / REPORT_INTERVAL.as_millis()) as usize
}

/// The loads a line stands for: itself, the "(and N more such loads since
/// the last line)" of its key, and the "(M lines of this kind dropped over
/// the limit ...)" of its reason.
pub fn loads_told(line: &str) -> usize {
    let count_before = |marker: &str| {
        line.split_once(marker).map_or(0, |(head, _)| {
            let n = head.rsplit(['(', ' ']).find(|w| !w.is_empty()).unwrap_or("");
            n.parse::<usize>().unwrap_or_else(|e| panic!("{e}: '{n}' in {line}"))
        })
    };
    1 + count_before(" more such loads since the last line)") + count_before(" lines of this kind dropped over the limit")
}

/// The kernel log from the moment `Kmsg::tail` was called.
pub struct Kmsg {
    file: File,
}

impl Kmsg {
    pub fn tail() -> Kmsg {
        let mut file =
            std::fs::OpenOptions::new().read(true).custom_flags(nix::libc::O_NONBLOCK).open("/dev/kmsg").expect("open /dev/kmsg");
        file.seek(SeekFrom::End(0)).expect("seek /dev/kmsg to its end");
        Kmsg { file }
    }

    /// Messages logged since `tail` (or the previous call), text only.
    pub fn read_new(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut record = vec![0u8; 8192];
        loop {
            match self.file.read(&mut record) {
                Ok(0) => break,
                Ok(n) => {
                    let text = String::from_utf8_lossy(&record[..n]);
                    // "<prio>,<seq>,<usec>,<flags>;<message>\n[ continuation lines]"
                    if let Some((_, msg)) = text.split_once(';') {
                        lines.push(msg.lines().next().unwrap_or("").to_string());
                    }
                }
                Err(e) if e.raw_os_error() == Some(Errno::EAGAIN as i32) => break,
                // EPIPE: records were overwritten; carry on from the next one.
                Err(e) if e.raw_os_error() == Some(Errno::EPIPE as i32) => continue,
                Err(e) => panic!("reading /dev/kmsg: {e}"),
            }
        }
        lines
    }

    /// New messages, read until one contains `needle` or `timeout` passes:
    /// for lines the kernel logs later, from a work item.
    pub fn read_until(&mut self, needle: &str, timeout: std::time::Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + timeout;
        let mut lines = self.read_new();
        while !lines.iter().any(|l| l.contains(needle)) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            lines.extend(self.read_new());
        }
        lines
    }

    /// New messages that contain `needle`.
    pub fn matching(&mut self, needle: &str) -> Vec<String> {
        self.read_new().into_iter().filter(|l| l.contains(needle)).collect()
    }
}
