// SPDX-License-Identifier: GPL-2.0

//! Request socks (TCP_NEW_SYN_RECV) are not full sockets, like TIME_WAIT
//! ones, but no tracepoint passes one as a struct sock *: in 6.12 and 7.2
//! every TCP path that drops or resets on a request has switched to its
//! listener first. A program meets one only as skb->sk (a SYN-ACK's), which
//! the verifier marks RCU, not trusted. So the net kfuncs taking trusted
//! socks only (KF_TRUSTED_ARGS) is what keeps request socks out of them:
//! a call on skb->sk must not load where the same call on a tracepoint's
//! sock does.

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use skf_selftests::skel::request_sock::RequestSockSkelBuilder;
use skf_selftests::{manifest, LoadedModule, TestEnv};
use std::mem::MaybeUninit;

const KFUNC: &str = "skf_sk_tuple";

/// Loads request_sock with only the program on skb->sk, or only the one on
/// the tracepoint's sock.
fn load_only(skb_sk: bool) -> Result<(), libbpf_rs::Error> {
    let mut obj = MaybeUninit::uninit();
    let mut open = RequestSockSkelBuilder::default().open(&mut obj).unwrap();
    open.progs.tuple_of_skb_sk.set_autoload(skb_sk);
    open.progs.tuple_of_tracepoint_sock.set_autoload(!skb_sk);
    open.load().map(drop)
}

#[test]
fn a_net_kfunc_call_on_skb_sk_is_refused_where_a_tracepoint_sock_loads() {
    let env = TestEnv::get();
    let manifest = manifest();
    let k = manifest.kfunc(KFUNC).unwrap_or_else(|| panic!("{KFUNC} is not in the manifest"));
    assert!(k.alive_at(env.api), "{KFUNC} is not offered at API {}: this test runs at the newest level", env.api);
    assert!(k.flags.iter().any(|f| f == "KF_TRUSTED_ARGS"), "{KFUNC} no longer takes trusted socks only: request socks can reach it");
    let _module = LoadedModule::insert_cell_module();
    load_only(false).expect("skf_sk_tuple on tcp_send_reset's sock must load");
    assert!(load_only(true).is_err(), "skf_sk_tuple on skb->sk loaded: a SYN-ACK's request sock could reach it");
}
