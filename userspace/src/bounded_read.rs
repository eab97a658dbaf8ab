// SPDX-License-Identifier: GPL-2.0

//! Reading an input file with a bound: skf's inputs (objects, module builds,
//! vmlinux BTF, TOML) have sizes known within an order of magnitude, and a
//! device, pipe or huge file given by mistake (/dev/zero, a disk image) must
//! be refused, not read until memory runs out.

use std::io::{Error, ErrorKind, Read, Result};
use std::path::Path;

/// `path`'s bytes, at most `limit` of them: a larger regular file is refused
/// unread, and a device or pipe is read up to the limit, or only until its
/// first bytes match none of `magics` (if any are given): enough for the
/// parser to say it is not `what`. Too much is an error of kind FileTooLarge;
/// callers name the file.
pub fn read_bounded(path: &Path, what: &str, limit: u64, magics: &[&[u8]]) -> Result<Vec<u8>> {
    let too_large = |size: Option<u64>| {
        let size = size.map_or("it holds".to_string(), |n| format!("it is {n} bytes,"));
        Error::new(ErrorKind::FileTooLarge, format!("{size} more than the {} MiB skf reads of {what}", limit >> 20))
    };
    let mut file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(too_large(Some(metadata.len())));
    }
    let magic_len = magics.iter().map(|m| m.len()).max().unwrap_or(0);
    let mut data = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        data.extend_from_slice(&chunk[..n]);
        if data.len() as u64 > limit {
            return Err(too_large(None));
        }
        if magic_len > 0 && data.len() >= magic_len && !magics.iter().any(|m| data.starts_with(m)) {
            break; // what is read is enough to say it is not `what`
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_read_only_until_its_first_bytes_rule_it_out() {
        let data = read_bounded(Path::new("/dev/zero"), "an ELF file", 1 << 20, &[b"\x7fELF"]).unwrap();
        assert!(data.len() <= 64 << 10, "read {} bytes of /dev/zero", data.len());
    }

    #[test]
    fn a_device_without_magic_is_read_to_the_limit_and_refused() {
        let err = read_bounded(Path::new("/dev/zero"), "a manifest", 1 << 20, &[]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "it holds more than the 1 MiB skf reads of a manifest");
    }

    #[test]
    fn a_larger_regular_file_is_refused_unread() {
        let file = tempfile::NamedTempFile::new().unwrap();
        file.as_file().set_len((2 << 20) + 1).unwrap();
        let err = read_bounded(file.path(), "a BPF object", 2 << 20, &[b"\x7fELF"]).unwrap_err();
        let expected = format!("it is {} bytes, more than the 2 MiB skf reads of a BPF object", (2 << 20) + 1);
        assert_eq!(err.to_string(), expected);
    }
}
