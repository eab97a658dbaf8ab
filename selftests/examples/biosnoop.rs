// SPDX-License-Identifier: GPL-2.0

//! Runs bpf/biosnoop.bpf.c for a few seconds and prints each block request
//! as it completes: the issuing process (pid here and in its own pid
//! namespace), device, operation, sector, size and latency, all read
//! through stable_kfuncs (API 4). Needs root and the module loaded.
//!
//!   biosnoop [SECONDS] [DEVICE]   (default 5, every device)
//!
//! The header line appears once the tracer is attached.

use skf_selftests::biosnoop::{trace, Event};
use std::os::unix::fs::MetadataExt;
use std::process::ExitCode;
use std::time::Duration;

/// SKF_BLK_OP_* names, by value (bpf/include/stable_kfuncs.bpf.h).
const OPS: &[&str] = &["read", "write", "flush", "discard", "erase", "zeroes", "zone", "driver", "other"];

fn print(e: &Event) -> bool {
    let op = OPS.get(e.op as usize).copied().unwrap_or("?");
    let dev = format!("{}:{}", nix::libc::major(e.dev.into()), nix::libc::minor(e.dev.into()));
    println!(
        "{:>7} {:>7} {:<16} {:>7} {:<6} {:>12} {:>8} {:>10.1}",
        e.pid,
        e.ns_pid,
        String::from_utf8_lossy(e.comm()),
        dev,
        op,
        e.sector,
        e.bytes,
        e.latency_ns as f64 / 1e3
    );
    true
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds = match args.next().map(|s| s.parse::<u64>()) {
        None => 5,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: biosnoop [SECONDS] [DEVICE]");
            return ExitCode::from(2);
        }
    };
    let dev = match args.next() {
        None => 0,
        Some(path) => match std::fs::metadata(&path) {
            Ok(m) => m.rdev() as u32,
            Err(e) => {
                eprintln!("biosnoop: {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let header = || {
        println!("{:>7} {:>7} {:<16} {:>7} {:<6} {:>12} {:>8} {:>10}", "PID", "NSPID", "COMM", "DEV", "OP", "SECTOR", "BYTES", "LAT(us)")
    };
    match trace(dev, header, Duration::from_secs(seconds), print) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("biosnoop: {e:#} (needs stable_kfuncs at API 4 or later: `modprobe stable_kfuncs`, or `insmod module/stable_kfuncs.ko` in a checkout)");
            ExitCode::FAILURE
        }
    }
}
