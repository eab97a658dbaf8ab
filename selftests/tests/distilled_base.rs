// SPDX-License-Identifier: GPL-2.0

//! A build with a distilled base (.BTF.base, what out-of-tree modules get by
//! default from pahole >= 1.26 on 6.12 and from resolve_btfids on 7.x) must
//! not load: the kernel renumbers its kfuncs' BTF ids, which the module
//! cannot learn, so its verifier filter would match nothing. Where the
//! kernel relocates the base (7.x), the module's own refusal says which
//! build flag avoids it on that kernel; 6.12 cannot relocate it over these
//! clang-built kernels and refuses first. Where the kernel's pahole cannot
//! distil (1.24), the default build is plain split BTF and loads.
//!
//! Likewise a module whose BTF the kernel cannot parse: a kernel with
//! CONFIG_MODULE_ALLOW_BTF_MISMATCH drops that BTF and loads the module,
//! whose kfunc sets then register on nothing; the module must see it and
//! refuse. Other kernels refuse such a module themselves.

use object::{Object, ObjectSection};
use skf_selftests::{Kmsg, LoadedModule, TestEnv};

const OWN_REFUSAL: &str = "stable_kfuncs: the module's BTF has a distilled base";

fn has_distilled_base(path: &std::path::Path) -> bool {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let elf = object::File::parse(&*data).unwrap_or_else(|e| panic!("{}: not an ELF file: {e}", path.display()));
    elf.section_by_name(".BTF.base").is_some()
}

/// The flag that turns distilling off on the running kernel: 7.x moved it
/// from pahole to resolve_btfids.
fn no_distill_flag() -> &'static str {
    let release = nix::sys::utsname::uname().unwrap().release().to_string_lossy().into_owned();
    let major: u32 = release.split('.').next().and_then(|m| m.parse().ok()).unwrap_or_else(|| panic!("uname -r: {release}"));
    if major >= 7 {
        "RESOLVE_BTFIDS_FLAGS="
    } else {
        "MODULE_PAHOLE_FLAGS="
    }
}

#[test]
fn a_build_with_a_distilled_base_is_refused_naming_the_flag_that_avoids_it() {
    let env = TestEnv::get();
    let path = &env.distilled_module_path;
    if !has_distilled_base(path) {
        let module = LoadedModule::insert(path).expect("a default build without .BTF.base (pahole < 1.26) must load");
        module.remove().unwrap();
        return;
    }
    let mut kmsg = Kmsg::tail();
    let err = match LoadedModule::insert(path) {
        Ok(module) => {
            module.remove().unwrap();
            panic!("{} has a distilled base and loaded", path.display());
        }
        Err(e) => e,
    };
    assert!(!LoadedModule::is_listed(), "a refused load left the module listed");
    let lines = kmsg.read_new();
    let own: Vec<&String> = lines.iter().filter(|l| l.contains(OWN_REFUSAL)).collect();
    if own.is_empty() {
        assert!(
            no_distill_flag() != "RESOLVE_BTFIDS_FLAGS=",
            "7.x relocates a distilled base: the module itself must refuse it ({err}): {lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("failed to validate module [stable_kfuncs] BTF")),
            "refused ({err}) with neither the module's line nor the kernel's BTF validation error: {lines:?}"
        );
        return;
    }
    assert_eq!(err.raw_os_error(), Some(nix::libc::ENOEXEC), "the module's refusal returns ENOEXEC");
    assert!(own[0].contains(no_distill_flag()), "the refusal must name {} on this kernel: {}", no_distill_flag(), own[0]);
}

const DROPPED_BTF_REFUSAL: &str = "stable_kfuncs: the kernel did not register the module's BTF";

/// A copy of module `path` whose BTF no kernel parses: its magic (the
/// header's first two bytes, 0xeb9f) zeroed.
fn with_unparseable_btf(path: &std::path::Path) -> std::path::PathBuf {
    let mut data = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let elf = object::File::parse(&*data).unwrap_or_else(|e| panic!("{}: not an ELF file: {e}", path.display()));
    let btf = elf.section_by_name(".BTF").unwrap_or_else(|| panic!("{} has no .BTF", path.display()));
    let (offset, size) = btf.file_range().expect(".BTF has file contents");
    let offset = usize::try_from(offset).unwrap();
    assert!(
        size >= 2 && u16::from_ne_bytes([data[offset], data[offset + 1]]) == 0xeb9f,
        "{}: .BTF does not start with the BTF magic",
        path.display()
    );
    data[offset..offset + 2].fill(0);
    let copy = std::env::temp_dir().join("stable_kfuncs-unparseable-btf.ko");
    std::fs::write(&copy, data).unwrap_or_else(|e| panic!("write {}: {e}", copy.display()));
    copy
}

#[test]
fn a_module_whose_btf_the_kernel_drops_refuses_to_load() {
    let env = TestEnv::get();
    let path = with_unparseable_btf(&env.module_path);
    let mut kmsg = Kmsg::tail();
    let err = match LoadedModule::insert(&path) {
        Ok(module) => {
            module.remove().unwrap();
            panic!("a module whose BTF the kernel could not parse loaded, offering no kfunc");
        }
        Err(e) => e,
    };
    assert!(!LoadedModule::is_listed(), "a refused load left the module listed");
    let lines = kmsg.read_new();
    if lines.iter().any(|l| l.contains("failed to validate module [stable_kfuncs] BTF")) {
        eprintln!("the kernel refused the module itself (no CONFIG_MODULE_ALLOW_BTF_MISMATCH): the module's check was not reached");
        return;
    }
    assert!(lines.iter().any(|l| l.contains(DROPPED_BTF_REFUSAL)), "refused ({err}) without saying why: {lines:#?}");
    assert_eq!(err.raw_os_error(), Some(nix::libc::ENOENT), "the module's refusal returns ENOENT");
}
