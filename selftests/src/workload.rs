// SPDX-License-Identifier: GPL-2.0

//! Events made on purpose, so the programs attached to them run: null_blk
//! writes (a struct request each) and loopback TCP reads (a struct sock).

use crate::netns::in_new_netns;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{FileExt, OpenOptionsExt};

/// null_blk's first device: blk-mq, so every I/O is a struct request.
pub const NULL_BLK: &str = "/dev/nullb0";

/// One block, aligned as O_DIRECT wants its buffer.
#[repr(C, align(4096))]
struct Block([u8; 4096]);

/// `count` O_DIRECT 4 KiB writes to null_blk, then an fsync: a request
/// issued and completed per write.
pub fn null_blk_writes(count: usize) -> io::Result<()> {
    let dev = OpenOptions::new()
        .write(true)
        .custom_flags(nix::libc::O_DIRECT)
        .open(NULL_BLK)
        .map_err(|e| io::Error::new(e.kind(), format!("open {NULL_BLK} (CONFIG_BLK_DEV_NULL_BLK makes it): {e}")))?;
    let block = Box::new(Block([0; 4096]));
    for _ in 0..count {
        dev.write_all_at(&block.0, 0).map_err(|e| io::Error::new(e.kind(), format!("O_DIRECT write to {NULL_BLK}: {e}")))?;
    }
    dev.sync_all()
}

/// A loopback TCP connection, in a network namespace of its own so no
/// other traffic mixes in, whose server reads `count` one-byte messages,
/// one read each.
pub fn tcp_reads(count: usize) -> io::Result<()> {
    in_new_netns(move || {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let mut client = TcpStream::connect(listener.local_addr()?)?;
        let (mut server, _) = listener.accept()?;
        let mut byte = [0u8; 1];
        for _ in 0..count {
            client.write_all(b"x")?;
            server.read_exact(&mut byte)?;
        }
        Ok(())
    })
}
