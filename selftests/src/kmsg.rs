use nix::errno::Errno;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;

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

    /// New messages that contain `needle`.
    pub fn matching(&mut self, needle: &str) -> Vec<String> {
        self.read_new().into_iter().filter(|l| l.contains(needle)).collect()
    }
}
