// SPDX-License-Identifier: GPL-2.0
/*
 * On each TCP read (tp_btf/tcp_rcv_space_adjust, process context) of the
 * socket bound to local_port, records what the net kfuncs say of it; each
 * only where the running module offers it, so this loads at every level.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_tracing.h>

/* In: the local port (host order) of the socket to watch. */
__u16 local_port;

/* Out. */
__u32 have;
__u32 events;
int tuple_ret, small_buf_ret;
struct skf_sock_tuple tuple;
__u64 netns_cookie;
__s64 srtt_us;

SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(on_tcp_read, struct sock *sk)
{
	struct skf_sock_tuple t = {};
	int ret;

	have = bpf_ksym_exists(skf_sk_tuple) | bpf_ksym_exists(skf_sk_netns_cookie) << 1 |
	       bpf_ksym_exists(skf_tcp_srtt_us) << 2;
	if (!bpf_ksym_exists(skf_sk_tuple))
		return 0;
	ret = skf_sk_tuple(sk, (char *)&t, sizeof(t));
	if (ret < 0 || t.local_port != local_port)
		return 0;
	events++;
	tuple_ret = ret;
	tuple = t;
	small_buf_ret = skf_sk_tuple(sk, (char *)&t, sizeof(t) - 1);
	if (bpf_ksym_exists(skf_sk_netns_cookie))
		netns_cookie = skf_sk_netns_cookie(sk);
	if (bpf_ksym_exists(skf_tcp_srtt_us))
		srtt_us = skf_tcp_srtt_us(sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
