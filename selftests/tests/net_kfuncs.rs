// SPDX-License-Identifier: GPL-2.0

//! The net family against the socket API: a loopback TCP connection over
//! IPv4 and IPv6, in a network namespace of its own. The tuple must match
//! getsockname/getpeername, the cookie SO_NETNS_COOKIE, the smoothed RTT
//! TCP_INFO's tcpi_rtt; on a TIME_WAIT sock, the tuple still, and no RTT.

use libbpf_rs::skel::{OpenSkel, Skel, SkelBuilder};
use skf_selftests::netns::in_new_netns;
use skf_selftests::skel::sock_probe::{types::bss, SockProbeSkelBuilder};
use skf_selftests::skel::sock_timewait::SockTimewaitSkelBuilder as TimewaitSkelBuilder;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::io::{Read, Write};
use std::mem::{size_of, size_of_val, MaybeUninit};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;

/// SO_NETNS_COOKIE (asm-generic/socket.h; the libc crate lacks it).
const SO_NETNS_COOKIE: i32 = 71;

/// TCP_TIME_WAIT (include/net/tcp_states.h): a timewait sock's skc_state.
const TCP_TIME_WAIT: u8 = 6;

/// getsockopt(2) of a plain value.
fn sockopt<T: Copy>(fd: i32, level: i32, name: i32) -> T {
    let mut value = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as nix::libc::socklen_t;
    // SAFETY: `value` has `len` writable bytes; the kernel writes at most that.
    let rc = unsafe { nix::libc::getsockopt(fd, level, name, value.as_mut_ptr().cast(), &mut len) };
    assert_eq!(rc, 0, "getsockopt({level}, {name}): {}", std::io::Error::last_os_error());
    // SAFETY: zero-initialised, then filled by the kernel; T is plain data.
    unsafe { value.assume_init() }
}

/// The clock the guest keeps time with (tsc, refined-jiffies, arch_sys_counter...).
fn clocksource() -> String {
    let path = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}")).trim().to_string()
}

/// The address bytes a tuple holds: IPv4 in the first 4, network order.
fn addr_bytes(ip: IpAddr) -> [u8; 16] {
    let mut out = [0u8; 16];
    match ip {
        IpAddr::V4(v4) => out[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => out = v6.octets(),
    }
    out
}

/// What one connection on `listen` shows: the probe's record, the server
/// side's own addresses, its netns cookie and TCP_INFO's RTT.
fn exchange(listen: &str) -> (bss, SocketAddr, SocketAddr, u64, u32) {
    let listener = TcpListener::bind(listen).unwrap_or_else(|e| panic!("bind {listen}: {e}"));
    let mut obj = MaybeUninit::uninit();
    let mut open = SockProbeSkelBuilder::default().open(&mut obj).unwrap();
    open.maps.bss_data.as_deref_mut().unwrap().local_port = listener.local_addr().unwrap().port();
    let mut skel = open.load().expect("sock_probe loads at every API level");
    skel.attach().expect("attach tp_btf/tcp_rcv_space_adjust");

    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    let mut byte = [0u8; 1];
    // Round trips give TCP RTT samples; the last read is the server's.
    for _ in 0..5 {
        server.write_all(b"s").unwrap();
        client.read_exact(&mut byte).unwrap();
        client.write_all(b"c").unwrap();
        server.read_exact(&mut byte).unwrap();
    }
    let fd = server.as_raw_fd();
    let cookie: u64 = sockopt(fd, nix::libc::SOL_SOCKET, SO_NETNS_COOKIE);
    let info: nix::libc::tcp_info = sockopt(fd, nix::libc::IPPROTO_TCP, nix::libc::TCP_INFO);
    let out = *skel.maps.bss_data.as_deref().unwrap();
    (out, server.local_addr().unwrap(), server.peer_addr().unwrap(), cookie, info.tcpi_rtt)
}

#[test]
fn tuple_cookie_and_rtt_of_loopback_tcp_match_the_socket_api() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let api = env.api;
    let alive = move |name: &str| manifest().kfunc(name).unwrap().alive_at(api);
    in_new_netns(move || {
        for (listen, family) in [("127.0.0.1:0", nix::libc::AF_INET), ("[::1]:0", nix::libc::AF_INET6)] {
            let (out, local, peer, cookie, rtt) = exchange(listen);
            let have = [alive("skf_sk_tuple"), alive("skf_sk_netns_cookie"), alive("skf_tcp_srtt_us")];
            let expected_have = have.iter().enumerate().fold(0, |acc, (i, &a)| acc | (a as u32) << i);
            assert_eq!(out.have, expected_have, "{listen}: bpf_ksym_exists() vs the manifest at API {api}");
            if !have[0] {
                assert_eq!(out.events, 0, "{listen}: no tuple kfunc, no event");
                continue;
            }
            assert!(out.events >= 5, "{listen}: {} reads seen, 5 made", out.events);
            let t = out.tuple;
            assert_eq!(
                out.tuple_ret as usize,
                size_of::<skf_selftests::skel::sock_probe::types::skf_sock_tuple>(),
                "{listen}: return value"
            );
            assert_eq!(out.small_buf_ret, -nix::libc::EINVAL, "{listen}: a buffer one byte short");
            assert_eq!((i32::from(t.family), i32::from(t.protocol)), (family, nix::libc::IPPROTO_TCP), "{listen}: family, protocol");
            assert_eq!((t.local_port, t.remote_port), (local.port(), peer.port()), "{listen}: ports vs getsockname/getpeername");
            assert_eq!(t.local_addr, addr_bytes(local.ip()), "{listen}: local address vs getsockname");
            assert_eq!(t.remote_addr, addr_bytes(peer.ip()), "{listen}: remote address vs getpeername");
            if have[1] {
                assert_eq!(out.netns_cookie, cookie, "{listen}: netns cookie vs SO_NETNS_COOKIE");
            }
            if have[2] {
                // A loopback RTT is microseconds: a jiffies clock (TCG guests
                // fall back to it when TSC calibration fails under load)
                // measures 0, and srtt_us >> 3 is then 0 on both sides.
                let clock = clocksource();
                assert!(rtt > 0 || clock.contains("jiffies"), "{listen}: TCP_INFO has no RTT sample (clocksource {clock})");
                assert_eq!(out.srtt_us, i64::from(rtt), "{listen}: srtt vs TCP_INFO tcpi_rtt");
            }
        }
    });
}

/// Closes `client` into TIME_WAIT (FIN_WAIT2 substate: the server has
/// acknowledged its FIN) and has the server send it a late segment, which
/// TIME_WAIT answers with a reset and drops. The FIN goes out at shutdown()
/// and is acknowledged before close(): a socket orphaned while the ACK is
/// still due would wait as a full FIN_WAIT2 socket instead.
fn late_segment_to_timewait(client: TcpStream, mut server: TcpStream) {
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let mut eof = [0u8; 1];
    assert_eq!(server.read(&mut eof).unwrap(), 0, "the server must see the client's FIN");
    std::thread::sleep(std::time::Duration::from_millis(100));
    // close() of a FIN_WAIT2 socket hands it to a timewait sock at once.
    drop(client);
    server.write_all(b"late").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
}

/// Found at run time on the KASAN kernel: tp_btf/kfree_skb's rx_sk and
/// tp_btf/tcp_send_reset's sk are TIME_WAIT socks typed as struct sock *,
/// and skf_sk_tuple read sk_protocol (skf_tcp_srtt_us sk_type and srtt_us)
/// past their end: "slab-out-of-bounds ... cache tw_sock_TCP".
#[test]
fn timewait_socks_from_drop_and_reset_tracepoints_read_only_what_they_have() {
    let env = TestEnv::get();
    let _module = LoadedModule::insert_cell_module();
    let api = env.api;
    let alive = move |name: &str| manifest().kfunc(name).unwrap().alive_at(api);
    in_new_netns(move || {
        for listen in ["127.0.0.1:0", "[::1]:0"] {
            let listener = TcpListener::bind(listen).unwrap_or_else(|e| panic!("bind {listen}: {e}"));
            let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (server, _) = listener.accept().unwrap();
            let (local, peer) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
            let mut obj = MaybeUninit::uninit();
            let mut open = TimewaitSkelBuilder::default().open(&mut obj).unwrap();
            let bss = open.maps.bss_data.as_deref_mut().unwrap();
            (bss.local_port, bss.remote_port) = (local.port(), peer.port());
            let mut skel = open.load().expect("sock_timewait loads at every API level");
            skel.attach().expect("attach tp_btf/kfree_skb and tp_btf/tcp_send_reset");
            late_segment_to_timewait(client, server);

            let out = *skel.maps.bss_data.as_deref().unwrap();
            let have = [alive("skf_sk_tuple"), alive("skf_tcp_srtt_us")];
            assert_eq!(out.have, have[0] as u32 | (have[1] as u32) << 1, "{listen}: bpf_ksym_exists() vs the manifest at API {api}");
            if !have[0] {
                continue;
            }
            for (i, tracepoint) in ["kfree_skb (rx_sk)", "tcp_send_reset"].iter().enumerate() {
                assert!(out.seen[i] > 0, "{listen}: {tracepoint} never saw the timewait sock");
                assert_eq!(out.state[i], TCP_TIME_WAIT, "{listen}: {tracepoint}: the sock is not in TIME_WAIT");
                let t = out.tuple[i];
                assert_eq!(out.tuple_ret[i] as usize, size_of_val(&t), "{listen}: {tracepoint}: return value");
                assert_eq!(i32::from(t.protocol), nix::libc::IPPROTO_TCP, "{listen}: {tracepoint}: protocol of a timewait sock");
                assert_eq!(t.local_addr, addr_bytes(local.ip()), "{listen}: {tracepoint}: local address");
                assert_eq!(t.remote_addr, addr_bytes(peer.ip()), "{listen}: {tracepoint}: remote address");
                if have[1] {
                    assert_eq!(out.srtt_us[i], -i64::from(nix::libc::ENOTCONN), "{listen}: {tracepoint}: a timewait sock has no RTT");
                }
            }
        }
    });
}
