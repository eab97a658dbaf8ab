// SPDX-License-Identifier: GPL-2.0

//! A BPF program's ELF section name to its program type, as libbpf maps it
//! (libbpf.c `section_defs[]`, the SEC_DEF table, libbpf 1.x rules):
//!
//! - `"name+"`: the section is exactly `name`, or `name/` followed by anything;
//! - `"name/"`: the section starts with `name/`;
//! - `"name"`: the section is exactly `name`.
//!
//! The first entry that matches wins, so order matters ("tc/ingress" before
//! "tc"). A leading `?` (`SEC("?kprobe/...")`) only turns autoload off.

/// The BPF_PROG_TYPE_* a section gives a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgType {
    SocketFilter,
    Kprobe,
    SchedCls,
    SchedAct,
    Tracepoint,
    Xdp,
    PerfEvent,
    CgroupSkb,
    CgroupSock,
    LwtIn,
    LwtOut,
    LwtXmit,
    SockOps,
    SkSkb,
    CgroupDevice,
    SkMsg,
    RawTracepoint,
    CgroupSockAddr,
    LwtSeg6local,
    LircMode2,
    SkReuseport,
    FlowDissector,
    CgroupSysctl,
    RawTracepointWritable,
    CgroupSockopt,
    Tracing,
    StructOps,
    Ext,
    Lsm,
    SkLookup,
    Syscall,
    Netfilter,
}

impl ProgType {
    /// The uapi name, e.g. BPF_PROG_TYPE_KPROBE.
    pub fn uapi_name(self) -> &'static str {
        use ProgType::*;
        match self {
            SocketFilter => "BPF_PROG_TYPE_SOCKET_FILTER",
            Kprobe => "BPF_PROG_TYPE_KPROBE",
            SchedCls => "BPF_PROG_TYPE_SCHED_CLS",
            SchedAct => "BPF_PROG_TYPE_SCHED_ACT",
            Tracepoint => "BPF_PROG_TYPE_TRACEPOINT",
            Xdp => "BPF_PROG_TYPE_XDP",
            PerfEvent => "BPF_PROG_TYPE_PERF_EVENT",
            CgroupSkb => "BPF_PROG_TYPE_CGROUP_SKB",
            CgroupSock => "BPF_PROG_TYPE_CGROUP_SOCK",
            LwtIn => "BPF_PROG_TYPE_LWT_IN",
            LwtOut => "BPF_PROG_TYPE_LWT_OUT",
            LwtXmit => "BPF_PROG_TYPE_LWT_XMIT",
            SockOps => "BPF_PROG_TYPE_SOCK_OPS",
            SkSkb => "BPF_PROG_TYPE_SK_SKB",
            CgroupDevice => "BPF_PROG_TYPE_CGROUP_DEVICE",
            SkMsg => "BPF_PROG_TYPE_SK_MSG",
            RawTracepoint => "BPF_PROG_TYPE_RAW_TRACEPOINT",
            CgroupSockAddr => "BPF_PROG_TYPE_CGROUP_SOCK_ADDR",
            LwtSeg6local => "BPF_PROG_TYPE_LWT_SEG6LOCAL",
            LircMode2 => "BPF_PROG_TYPE_LIRC_MODE2",
            SkReuseport => "BPF_PROG_TYPE_SK_REUSEPORT",
            FlowDissector => "BPF_PROG_TYPE_FLOW_DISSECTOR",
            CgroupSysctl => "BPF_PROG_TYPE_CGROUP_SYSCTL",
            RawTracepointWritable => "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE",
            CgroupSockopt => "BPF_PROG_TYPE_CGROUP_SOCKOPT",
            Tracing => "BPF_PROG_TYPE_TRACING",
            StructOps => "BPF_PROG_TYPE_STRUCT_OPS",
            Ext => "BPF_PROG_TYPE_EXT",
            Lsm => "BPF_PROG_TYPE_LSM",
            SkLookup => "BPF_PROG_TYPE_SK_LOOKUP",
            Syscall => "BPF_PROG_TYPE_SYSCALL",
            Netfilter => "BPF_PROG_TYPE_NETFILTER",
        }
    }
}

/// One SEC_DEF entry: the section pattern, the program type, the expected
/// attach type (None where libbpf passes 0) and whether it is sleepable.
#[derive(Debug, PartialEq, Eq)]
pub struct SecDef {
    pub pattern: &'static str,
    pub prog_type: ProgType,
    pub attach: Option<&'static str>,
    pub sleepable: bool,
}

const fn def(pattern: &'static str, prog_type: ProgType, attach: Option<&'static str>, sleepable: bool) -> SecDef {
    SecDef { pattern, prog_type, attach, sleepable }
}

use ProgType as P;

/// libbpf's table, in its order.
#[rustfmt::skip]
pub const SECTION_DEFS: &[SecDef] = &[
    def("socket", P::SocketFilter, None, false),
    def("sk_reuseport/migrate", P::SkReuseport, Some("BPF_SK_REUSEPORT_SELECT_OR_MIGRATE"), false),
    def("sk_reuseport", P::SkReuseport, Some("BPF_SK_REUSEPORT_SELECT"), false),
    def("kprobe+", P::Kprobe, None, false),
    def("uprobe+", P::Kprobe, None, false),
    def("uprobe.s+", P::Kprobe, None, true),
    def("kretprobe+", P::Kprobe, None, false),
    def("uretprobe+", P::Kprobe, None, false),
    def("uretprobe.s+", P::Kprobe, None, true),
    def("kprobe.multi+", P::Kprobe, Some("BPF_TRACE_KPROBE_MULTI"), false),
    def("kretprobe.multi+", P::Kprobe, Some("BPF_TRACE_KPROBE_MULTI"), false),
    def("kprobe.session+", P::Kprobe, Some("BPF_TRACE_KPROBE_SESSION"), false),
    def("uprobe.multi+", P::Kprobe, Some("BPF_TRACE_UPROBE_MULTI"), false),
    def("uretprobe.multi+", P::Kprobe, Some("BPF_TRACE_UPROBE_MULTI"), false),
    def("uprobe.session+", P::Kprobe, Some("BPF_TRACE_UPROBE_SESSION"), false),
    def("uprobe.multi.s+", P::Kprobe, Some("BPF_TRACE_UPROBE_MULTI"), true),
    def("uretprobe.multi.s+", P::Kprobe, Some("BPF_TRACE_UPROBE_MULTI"), true),
    def("uprobe.session.s+", P::Kprobe, Some("BPF_TRACE_UPROBE_SESSION"), true),
    def("ksyscall+", P::Kprobe, None, false),
    def("kretsyscall+", P::Kprobe, None, false),
    def("usdt+", P::Kprobe, None, false),
    def("usdt.s+", P::Kprobe, None, true),
    def("tc/ingress", P::SchedCls, Some("BPF_TCX_INGRESS"), false),
    def("tc/egress", P::SchedCls, Some("BPF_TCX_EGRESS"), false),
    def("tcx/ingress", P::SchedCls, Some("BPF_TCX_INGRESS"), false),
    def("tcx/egress", P::SchedCls, Some("BPF_TCX_EGRESS"), false),
    def("tc", P::SchedCls, None, false),
    def("classifier", P::SchedCls, None, false),
    def("action", P::SchedAct, None, false),
    def("netkit/primary", P::SchedCls, Some("BPF_NETKIT_PRIMARY"), false),
    def("netkit/peer", P::SchedCls, Some("BPF_NETKIT_PEER"), false),
    def("tracepoint+", P::Tracepoint, None, false),
    def("tp+", P::Tracepoint, None, false),
    def("tracepoint.s+", P::Tracepoint, None, true),
    def("tp.s+", P::Tracepoint, None, true),
    def("raw_tracepoint+", P::RawTracepoint, None, false),
    def("raw_tp+", P::RawTracepoint, None, false),
    def("raw_tracepoint.s+", P::RawTracepoint, None, true),
    def("raw_tp.s+", P::RawTracepoint, None, true),
    def("raw_tracepoint.w+", P::RawTracepointWritable, None, false),
    def("raw_tp.w+", P::RawTracepointWritable, None, false),
    def("tp_btf+", P::Tracing, Some("BPF_TRACE_RAW_TP"), false),
    def("tp_btf.s+", P::Tracing, Some("BPF_TRACE_RAW_TP"), true),
    def("fentry+", P::Tracing, Some("BPF_TRACE_FENTRY"), false),
    def("fmod_ret+", P::Tracing, Some("BPF_MODIFY_RETURN"), false),
    def("fexit+", P::Tracing, Some("BPF_TRACE_FEXIT"), false),
    def("fentry.s+", P::Tracing, Some("BPF_TRACE_FENTRY"), true),
    def("fmod_ret.s+", P::Tracing, Some("BPF_MODIFY_RETURN"), true),
    def("fexit.s+", P::Tracing, Some("BPF_TRACE_FEXIT"), true),
    def("fsession+", P::Tracing, Some("BPF_TRACE_FSESSION"), false),
    def("fsession.s+", P::Tracing, Some("BPF_TRACE_FSESSION"), true),
    def("fsession.multi+", P::Tracing, Some("BPF_TRACE_FSESSION_MULTI"), false),
    def("fsession.multi.s+", P::Tracing, Some("BPF_TRACE_FSESSION_MULTI"), true),
    def("fentry.multi+", P::Tracing, Some("BPF_TRACE_FENTRY_MULTI"), false),
    def("fexit.multi+", P::Tracing, Some("BPF_TRACE_FEXIT_MULTI"), false),
    def("fentry.multi.s+", P::Tracing, Some("BPF_TRACE_FENTRY_MULTI"), true),
    def("fexit.multi.s+", P::Tracing, Some("BPF_TRACE_FEXIT_MULTI"), true),
    def("freplace+", P::Ext, None, false),
    def("lsm+", P::Lsm, Some("BPF_LSM_MAC"), false),
    def("lsm.s+", P::Lsm, Some("BPF_LSM_MAC"), true),
    def("lsm_cgroup+", P::Lsm, Some("BPF_LSM_CGROUP"), false),
    def("iter+", P::Tracing, Some("BPF_TRACE_ITER"), false),
    def("iter.s+", P::Tracing, Some("BPF_TRACE_ITER"), true),
    def("syscall", P::Syscall, None, true),
    def("xdp.frags/devmap", P::Xdp, Some("BPF_XDP_DEVMAP"), false),
    def("xdp/devmap", P::Xdp, Some("BPF_XDP_DEVMAP"), false),
    def("xdp.frags/cpumap", P::Xdp, Some("BPF_XDP_CPUMAP"), false),
    def("xdp/cpumap", P::Xdp, Some("BPF_XDP_CPUMAP"), false),
    def("xdp.frags", P::Xdp, Some("BPF_XDP"), false),
    def("xdp", P::Xdp, Some("BPF_XDP"), false),
    def("perf_event", P::PerfEvent, None, false),
    def("lwt_in", P::LwtIn, None, false),
    def("lwt_out", P::LwtOut, None, false),
    def("lwt_xmit", P::LwtXmit, None, false),
    def("lwt_seg6local", P::LwtSeg6local, None, false),
    def("sockops", P::SockOps, Some("BPF_CGROUP_SOCK_OPS"), false),
    def("sk_skb/stream_parser", P::SkSkb, Some("BPF_SK_SKB_STREAM_PARSER"), false),
    def("sk_skb/stream_verdict", P::SkSkb, Some("BPF_SK_SKB_STREAM_VERDICT"), false),
    def("sk_skb/verdict", P::SkSkb, Some("BPF_SK_SKB_VERDICT"), false),
    def("sk_skb", P::SkSkb, None, false),
    def("sk_msg", P::SkMsg, Some("BPF_SK_MSG_VERDICT"), false),
    def("lirc_mode2", P::LircMode2, Some("BPF_LIRC_MODE2"), false),
    def("flow_dissector", P::FlowDissector, Some("BPF_FLOW_DISSECTOR"), false),
    def("cgroup_skb/ingress", P::CgroupSkb, Some("BPF_CGROUP_INET_INGRESS"), false),
    def("cgroup_skb/egress", P::CgroupSkb, Some("BPF_CGROUP_INET_EGRESS"), false),
    def("cgroup/skb", P::CgroupSkb, None, false),
    def("cgroup/sock_create", P::CgroupSock, Some("BPF_CGROUP_INET_SOCK_CREATE"), false),
    def("cgroup/sock_release", P::CgroupSock, Some("BPF_CGROUP_INET_SOCK_RELEASE"), false),
    def("cgroup/sock", P::CgroupSock, Some("BPF_CGROUP_INET_SOCK_CREATE"), false),
    def("cgroup/post_bind4", P::CgroupSock, Some("BPF_CGROUP_INET4_POST_BIND"), false),
    def("cgroup/post_bind6", P::CgroupSock, Some("BPF_CGROUP_INET6_POST_BIND"), false),
    def("cgroup/bind4", P::CgroupSockAddr, Some("BPF_CGROUP_INET4_BIND"), false),
    def("cgroup/bind6", P::CgroupSockAddr, Some("BPF_CGROUP_INET6_BIND"), false),
    def("cgroup/connect4", P::CgroupSockAddr, Some("BPF_CGROUP_INET4_CONNECT"), false),
    def("cgroup/connect6", P::CgroupSockAddr, Some("BPF_CGROUP_INET6_CONNECT"), false),
    def("cgroup/connect_unix", P::CgroupSockAddr, Some("BPF_CGROUP_UNIX_CONNECT"), false),
    def("cgroup/sendmsg4", P::CgroupSockAddr, Some("BPF_CGROUP_UDP4_SENDMSG"), false),
    def("cgroup/sendmsg6", P::CgroupSockAddr, Some("BPF_CGROUP_UDP6_SENDMSG"), false),
    def("cgroup/sendmsg_unix", P::CgroupSockAddr, Some("BPF_CGROUP_UNIX_SENDMSG"), false),
    def("cgroup/recvmsg4", P::CgroupSockAddr, Some("BPF_CGROUP_UDP4_RECVMSG"), false),
    def("cgroup/recvmsg6", P::CgroupSockAddr, Some("BPF_CGROUP_UDP6_RECVMSG"), false),
    def("cgroup/recvmsg_unix", P::CgroupSockAddr, Some("BPF_CGROUP_UNIX_RECVMSG"), false),
    def("cgroup/getpeername4", P::CgroupSockAddr, Some("BPF_CGROUP_INET4_GETPEERNAME"), false),
    def("cgroup/getpeername6", P::CgroupSockAddr, Some("BPF_CGROUP_INET6_GETPEERNAME"), false),
    def("cgroup/getpeername_unix", P::CgroupSockAddr, Some("BPF_CGROUP_UNIX_GETPEERNAME"), false),
    def("cgroup/getsockname4", P::CgroupSockAddr, Some("BPF_CGROUP_INET4_GETSOCKNAME"), false),
    def("cgroup/getsockname6", P::CgroupSockAddr, Some("BPF_CGROUP_INET6_GETSOCKNAME"), false),
    def("cgroup/getsockname_unix", P::CgroupSockAddr, Some("BPF_CGROUP_UNIX_GETSOCKNAME"), false),
    def("cgroup/sysctl", P::CgroupSysctl, Some("BPF_CGROUP_SYSCTL"), false),
    def("cgroup/getsockopt", P::CgroupSockopt, Some("BPF_CGROUP_GETSOCKOPT"), false),
    def("cgroup/setsockopt", P::CgroupSockopt, Some("BPF_CGROUP_SETSOCKOPT"), false),
    def("cgroup/dev", P::CgroupDevice, Some("BPF_CGROUP_DEVICE"), false),
    def("struct_ops+", P::StructOps, None, false),
    def("struct_ops.s+", P::StructOps, None, true),
    def("sk_lookup", P::SkLookup, Some("BPF_SK_LOOKUP"), false),
    def("netfilter", P::Netfilter, Some("BPF_NETFILTER"), false),
];

/// Whether `section` matches `pattern` by libbpf's rules (module doc).
fn matches(pattern: &str, section: &str) -> bool {
    if pattern.ends_with('/') {
        return section.starts_with(pattern);
    }
    match pattern.strip_suffix('+') {
        Some(name) => section.strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        None => section == pattern,
    }
}

/// A program's section as libbpf reads it.
#[derive(Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// The name without the `?` that turns autoload off.
    pub name: &'a str,
    pub autoload: bool,
    /// None: libbpf knows no program type for it, and the load fails
    /// unless the loader sets one.
    pub def: Option<&'static SecDef>,
}

pub fn find(section: &str) -> Section<'_> {
    let (name, autoload) = match section.strip_prefix('?') {
        Some(rest) => (rest, false),
        None => (section, true),
    };
    Section { name, autoload, def: SECTION_DEFS.iter().find(|d| matches(d.pattern, name)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(section: &str) -> Option<ProgType> {
        find(section).def.map(|d| d.prog_type)
    }

    #[test]
    fn sections_map_to_libbpfs_program_types() {
        let cases = [
            ("tp_btf/sched_switch", Some(P::Tracing)),
            ("fentry/do_exit", Some(P::Tracing)),
            ("fexit/do_exit", Some(P::Tracing)),
            ("fmod_ret/x", Some(P::Tracing)),
            ("fentry.s/x", Some(P::Tracing)),
            ("iter/task", Some(P::Tracing)),
            ("lsm/file_open", Some(P::Lsm)),
            ("lsm.s/file_open", Some(P::Lsm)),
            ("raw_tp/sys_enter", Some(P::RawTracepoint)),
            ("raw_tracepoint/sys_enter", Some(P::RawTracepoint)),
            ("raw_tp.w/x", Some(P::RawTracepointWritable)),
            ("tp/sched/sched_switch", Some(P::Tracepoint)),
            ("tracepoint/sched/sched_switch", Some(P::Tracepoint)),
            ("kprobe/do_exit", Some(P::Kprobe)),
            ("kretprobe/do_exit", Some(P::Kprobe)),
            ("uprobe", Some(P::Kprobe)),
            ("uprobe//bin/sh:main", Some(P::Kprobe)),
            ("usdt/x", Some(P::Kprobe)),
            ("ksyscall/openat", Some(P::Kprobe)),
            ("perf_event", Some(P::PerfEvent)),
            ("syscall", Some(P::Syscall)),
            ("xdp", Some(P::Xdp)),
            ("xdp.frags", Some(P::Xdp)),
            ("tc", Some(P::SchedCls)),
            ("tcx/ingress", Some(P::SchedCls)),
            ("classifier", Some(P::SchedCls)),
            ("cgroup_skb/ingress", Some(P::CgroupSkb)),
            ("socket", Some(P::SocketFilter)),
            ("struct_ops/dispatch", Some(P::StructOps)),
            ("struct_ops.s/x", Some(P::StructOps)),
            ("freplace/handler", Some(P::Ext)),
        ];
        for (section, expected) in cases {
            assert_eq!(type_of(section), expected, "{section}");
        }
    }

    #[test]
    fn plus_patterns_need_a_slash_exact_ones_an_exact_name() {
        assert_eq!(type_of("kprobe_typo/do_exit"), None, "kprobe+ needs kprobe or kprobe/...");
        assert_eq!(type_of("kprobe"), Some(P::Kprobe));
        assert_eq!(type_of("tc/other"), None, "tc is exact; only tc/ingress and tc/egress extend it");
        assert_eq!(type_of("xdp/foo"), None);
        assert_eq!(type_of("syscall/x"), None);
        assert_eq!(type_of(".text"), None);
        assert_eq!(type_of(""), None);
    }

    #[test]
    fn order_and_flags_follow_the_table() {
        let s = find("fentry.s/do_exit").def.unwrap();
        assert!(s.sleepable && s.attach == Some("BPF_TRACE_FENTRY"), "{s:?}");
        assert!(!find("fentry/do_exit").def.unwrap().sleepable);
        assert_eq!(find("tc/ingress").def.unwrap().attach, Some("BPF_TCX_INGRESS"), "tc/ingress before tc");
        assert_eq!(find("xdp/devmap").def.unwrap().attach, Some("BPF_XDP_DEVMAP"));
    }

    #[test]
    fn a_question_mark_only_turns_autoload_off() {
        let s = find("?kprobe/do_exit");
        assert_eq!((s.name, s.autoload, s.def.map(|d| d.prog_type)), ("kprobe/do_exit", false, Some(P::Kprobe)));
        assert!(find("kprobe/do_exit").autoload);
    }
}
