// SPDX-License-Identifier: GPL-2.0

//! Which of the module's kfunc sets a program type reaches: the kernel maps
//! each BPF_PROG_TYPE_* to a kfunc hook (btf.c bpf_prog_type_to_kfunc_hook),
//! and the module registers one set per manifest `prog_types` entry
//! (module/register.c: BPF_PROG_TYPE_TRACING, _KPROBE, _SYSCALL) behind a
//! filter that refuses raw_tp programs on every kernel (7.x maps them to the
//! tracing hook, 6.12 to none).

use crate::sec_def::ProgType;

/// What the module offers a program of one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// The kfuncs whose manifest `prog_types` has this name.
    Offered(&'static str),
    /// None, on every kernel: its filter refuses raw_tp programs.
    RefusedRawTp,
    /// An freplace program is judged as the program it replaces, which the
    /// object does not name: only the loader knows.
    AsReplacedProgram,
    /// None: the module registers no kfunc set this type reaches.
    None,
}

pub fn hook_of(prog_type: ProgType) -> Hook {
    use ProgType::*;
    match prog_type {
        // The tracing hook: fentry/fexit/fmod_ret/tp_btf/iter, tracepoint,
        // perf_event and LSM programs.
        Tracing | Tracepoint | PerfEvent | Lsm => Hook::Offered("tracing"),
        // kprobe, kretprobe, uprobe, usdt, ksyscall and their multi forms.
        Kprobe => Hook::Offered("kprobe"),
        Syscall => Hook::Offered("syscall"),
        RawTracepoint | RawTracepointWritable => Hook::RefusedRawTp,
        Ext => Hook::AsReplacedProgram,
        _ => Hook::None,
    }
}

/// The sections a manifest prog type covers, for advice.
pub fn sections_of(prog_type: &str) -> &'static str {
    match prog_type {
        "tracing" => "tp_btf/, fentry/, fexit/, fmod_ret/, lsm/, iter/, tp/, perf_event",
        "kprobe" => "kprobe/, kretprobe/, uprobe/, usdt/, ksyscall/",
        "syscall" => "syscall",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::PROG_TYPES;

    #[test]
    fn every_offered_hook_is_a_manifest_prog_type() {
        for t in [ProgType::Tracing, ProgType::Tracepoint, ProgType::PerfEvent, ProgType::Lsm, ProgType::Kprobe, ProgType::Syscall] {
            let Hook::Offered(name) = hook_of(t) else { panic!("{t:?} reaches no set") };
            assert!(PROG_TYPES.iter().any(|(n, _)| *n == name), "{name} is not a manifest prog type");
            assert_ne!(sections_of(name), "?");
        }
    }

    #[test]
    fn raw_tp_networking_and_freplace_get_no_set() {
        assert_eq!(hook_of(ProgType::RawTracepoint), Hook::RefusedRawTp);
        assert_eq!(hook_of(ProgType::RawTracepointWritable), Hook::RefusedRawTp);
        assert_eq!(hook_of(ProgType::Xdp), Hook::None);
        assert_eq!(hook_of(ProgType::SchedCls), Hook::None);
        assert_eq!(hook_of(ProgType::StructOps), Hook::None);
        assert_eq!(hook_of(ProgType::Ext), Hook::AsReplacedProgram);
    }
}
