// SPDX-License-Identifier: GPL-2.0

//! Every malformed write to the module's writable sysfs files (whitespace,
//! huge, binary, NUL-embedded, a valid word with junk after it)
//! gets an errno (EINVAL; E2BIG where sysfs refuses the size first) and
//! changes nothing; an empty one changes nothing; many writers at once
//! leave a valid value and no splat (static key toggles raced).

use skf_selftests::{sysfs, LoadedModule};
use std::io::Write;

/// (file, a valid value that is not its current one, the value to restore).
const WRITABLE: &[(&str, &str, &str)] = &[("policy", "deny", "warn"), ("call_counting", "1", "0"), ("reset_usage", "1", "0")];

/// Values no file accepts. (An empty write never reaches the module:
/// write(2) of 0 bytes returns 0; `empty_writes_change_nothing` checks it.)
fn malformed() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = vec![
        b"\n".to_vec(),
        b" ".to_vec(),
        b"\0".to_vec(),
        vec![0xff, 0xfe, 0x80],
        b"1junk".to_vec(),
        b"0 1".to_vec(),
        b"1\0".to_vec(),
        b"on".to_vec(),
        b"y".to_vec(),
        b"warn\0deny".to_vec(),
        b"warnx".to_vec(),
        b"WARN".to_vec(),
        b"-1".to_vec(),
        b"11".to_vec(),
    ];
    values.push(vec![b'1'; 8192]);
    values.push(b"warn".iter().copied().cycle().take(8192).collect());
    values
}

/// write(2) of `value` in one call; the errno if it failed.
fn write_raw(file: &str, value: &[u8]) -> Result<(), i32> {
    let mut f = std::fs::OpenOptions::new().write(true).open(sysfs::path(file)).unwrap();
    f.write_all(value).map_err(|e| e.raw_os_error().unwrap_or(0))
}

/// What a file shows: its value, or for write-only reset_usage the counters it resets.
fn state(file: &str) -> String {
    match file {
        "reset_usage" => sysfs::read("kfuncs/skf_task_start_time_ns/programs"),
        _ => sysfs::read(file),
    }
}

#[test]
fn malformed_writes_get_an_errno_and_change_nothing() {
    let _module = LoadedModule::insert_cell_module();
    let mut accepted = Vec::new();
    for (file, _, _) in WRITABLE {
        let before = state(file);
        for value in malformed() {
            match write_raw(file, &value) {
                Err(e) if e == nix::libc::EINVAL || e == nix::libc::E2BIG => {}
                other => accepted.push(format!("{file} <- {:?}: {other:?}", String::from_utf8_lossy(&value[..value.len().min(16)]))),
            }
            assert_eq!(state(file), before, "{file} changed after a malformed write");
        }
    }
    assert!(accepted.is_empty(), "malformed writes not refused:\n{}", accepted.join("\n"));
}

#[test]
fn empty_writes_change_nothing() {
    let _module = LoadedModule::insert_cell_module();
    for (file, _, _) in WRITABLE {
        let before = state(file);
        assert_eq!(write_raw(file, b""), Ok(()), "{file}: write(2) of 0 bytes");
        assert_eq!(state(file), before, "{file} changed after an empty write");
    }
}

#[test]
fn concurrent_writers_leave_a_valid_value() {
    let _module = LoadedModule::insert_cell_module();
    std::thread::scope(|s| {
        for (file, other, restore) in WRITABLE {
            for writer in 0..4 {
                s.spawn(move || {
                    for i in 0..200 {
                        let value = if (i + writer) % 2 == 0 { other } else { restore };
                        write_raw(file, value.as_bytes()).unwrap_or_else(|e| panic!("{file} <- {value}: errno {e}"));
                    }
                });
            }
        }
    });
    assert!(["allow", "warn", "deny"].contains(&sysfs::read("policy").as_str()), "policy: {}", sysfs::read("policy"));
    assert!(["0", "1"].contains(&sysfs::read("call_counting").as_str()), "call_counting: {}", sysfs::read("call_counting"));
    for (file, _, restore) in WRITABLE {
        write_raw(file, restore.as_bytes()).unwrap();
    }
}
