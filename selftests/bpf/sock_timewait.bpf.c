// SPDX-License-Identifier: GPL-2.0
/*
 * The net kfuncs on sockets that are not full ones: the kfree_skb and
 * tcp_send_reset tracepoints hand BPF a TIME_WAIT sock, which ends after its
 * sock_common, as a trusted struct sock *. Records what skf_sk_tuple and
 * skf_tcp_srtt_us say of the first such sock with the watched ports; each
 * only where the running module offers it, so this loads at every level.
 */
#include <linux/types.h>
#include <stable_kfuncs.bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* The one field read directly: the state, in sock_common. */
struct sock_common___skf {
	unsigned char skc_state;
} __attribute__((preserve_access_index));

struct sock___skf {
	struct sock_common___skf __sk_common;
} __attribute__((preserve_access_index));

/* In: the watched socket's local and remote ports (host order). */
__u16 local_port, remote_port;

/* Out, per tracepoint: 0 kfree_skb (rx_sk), 1 tcp_send_reset. */
__u32 have;
__u32 seen[2];
__u8 state[2];
int tuple_ret[2];
struct skf_sock_tuple tuple[2];
__s64 srtt_us[2];

static __always_inline void record(int i, struct sock *sk)
{
	struct skf_sock_tuple t = {};
	int ret;

	have = bpf_ksym_exists(skf_sk_tuple) | bpf_ksym_exists(skf_tcp_srtt_us) << 1;
	if (!sk || !bpf_ksym_exists(skf_sk_tuple))
		return;
	ret = skf_sk_tuple(sk, (char *)&t, sizeof(t));
	if (ret < 0 || t.local_port != local_port || t.remote_port != remote_port || seen[i & 1]++)
		return;
	state[i & 1] = ((struct sock___skf *)sk)->__sk_common.skc_state;
	tuple_ret[i & 1] = ret;
	tuple[i & 1] = t;
	if (bpf_ksym_exists(skf_tcp_srtt_us))
		srtt_us[i & 1] = skf_tcp_srtt_us(sk);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(on_drop, void *skb, void *location, int reason, struct sock *rx_sk)
{
	record(0, rx_sk);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_reset, const struct sock *sk)
{
	record(1, (struct sock *)sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
