// SPDX-License-Identifier: GPL-2.0
/*
 * The same net kfunc call on a tracepoint's socket and on skb->sk. A program
 * meets a request sock (TCP_NEW_SYN_RECV, no full socket) only as skb->sk,
 * e.g. of a SYN-ACK; the verifier marks that pointer RCU, not trusted, and
 * the net kfuncs take trusted socks only.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct sk_buff___skf {
	struct sock *sk;
} __attribute__((preserve_access_index));

int tuple_ret;

static __always_inline void tuple_of(struct sock *sk)
{
	struct skf_sock_tuple t;

	if (sk)
		tuple_ret = skf_sk_tuple(sk, (char *)&t, sizeof(t));
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tuple_of_tracepoint_sock, struct sock *sk)
{
	tuple_of(sk);
	return 0;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(tuple_of_skb_sk, struct sk_buff___skf *skb)
{
	tuple_of(skb->sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
