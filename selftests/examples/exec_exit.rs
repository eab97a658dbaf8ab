// SPDX-License-Identifier: GPL-2.0

//! Runs bpf/exec_exit.bpf.c for a few seconds and prints what it reports:
//! every exec and exit, with name, cgroup, start time and RSS, all read
//! through stable_kfuncs. Needs root and the module loaded.
//!
//!   exec_exit [SECONDS]   (default 5)
//!
//! The header line appears once the tracer is attached.

use skf_selftests::exec_exit::{trace, EXEC};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let seconds = match std::env::args().nth(1).map(|s| s.parse::<u64>()) {
        None => 5,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: exec_exit [SECONDS]");
            return ExitCode::from(2);
        }
    };
    let header = || println!("{:<5} {:>7} {:<16} {:>9} {:>14} {:>10}", "EVENT", "PID", "COMM", "CGROUP", "STARTED(s)", "RSS(KiB)");
    let printed = trace(header, Duration::from_secs(seconds), |e| {
        let comm = String::from_utf8_lossy(e.comm());
        let rss = if e.rss_bytes < 0 { format!("err {}", e.rss_bytes) } else { (e.rss_bytes / 1024).to_string() };
        let kind = if e.kind == EXEC { "exec" } else { "exit" };
        let started = e.start_time_ns as f64 / 1e9;
        println!("{kind:<5} {:>7} {comm:<16} {:>9} {started:>14.3} {rss:>10}", e.pid, e.cgroup_id);
        true
    });
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "exec_exit: {e:#} (is stable_kfuncs loaded? `modprobe stable_kfuncs`, or `insmod module/stable_kfuncs.ko` in a checkout)"
            );
            ExitCode::FAILURE
        }
    }
}
