// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel APIs that are static inline or macros, so bindgen cannot expose
 * them and 6.12's kernel crate has no wrapper. Each shim is one call, and
 * one [[c]] entry of module/ffi.toml, which declares it for C and Rust.
 */
#include <linux/blk-mq.h>
#include <linux/cgroup.h>
#include <linux/hardirq.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <net/tcp.h>
#include "glue.h"

/*
 * task->comm into buf, NUL-padded, as bpf_get_current_comm() copies it:
 * strscpy_pad() reads words, takes no lock, and terminates whatever a
 * concurrent rename leaves. Returns the length copied (truncated: size - 1).
 */
u32 skf_c_task_comm(const struct task_struct *task, char *buf, u32 size)
{
	ssize_t n = strscpy_pad(buf, task->comm, size);

	return n < 0 ? size - 1 : n;
}

/* rcu_read_lock()/unlock() are inline; 6.12 has no Rust RCU guard. */
void skf_c_rcu_read_lock(void)
{
	rcu_read_lock();
}

void skf_c_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/* task_dfl_cgroup() is inline; the caller holds the RCU read lock. */
struct cgroup *skf_c_task_dfl_cgroup(struct task_struct *task)
{
	return task_dfl_cgroup(task);
}

/*
 * cgroup_ancestor() is inline; NULL for a level deeper than cgrp's. Its
 * ancestors[] array sits in a union since 7.x, a path bindgen spells apart.
 */
struct cgroup *skf_c_cgroup_ancestor(struct cgroup *cgrp, int level)
{
	return cgroup_ancestor(cgrp, level);
}

/*
 * current_uid() is a macro, over credentials only the task itself replaces:
 * safe in any context. As the initial namespace sees it, as in dmesg.
 */
u32 skf_c_current_uid(void)
{
	return from_kuid_munged(&init_user_ns, current_uid());
}

/* in_task() is a preempt_count() macro. */
bool skf_c_in_task(void)
{
	return in_task();
}

/* irqs_disabled() is an arch macro. */
bool skf_c_irqs_disabled(void)
{
	return irqs_disabled();
}

/* pid_alive() is inline; false once the task is unhashed at exit. */
bool skf_c_pid_alive(const struct task_struct *task)
{
	return pid_alive(task);
}

/* task_lock() is inline; trylock because a traced function may hold it. */
bool skf_c_task_trylock(struct task_struct *task)
{
	return spin_trylock(&task->alloc_lock);
}

void skf_c_task_unlock(struct task_struct *task)
{
	task_unlock(task);
}


/*
 * The pages in the mm counters `members` selects (a bit per MM_* counter),
 * each as get_mm_counter_sum(), which /proc/PID/status uses, gives it, but
 * without its lock: mm counters became per-CPU in 6.2, and their exact sum
 * takes fbc->lock, which an NMI, or a probe inside the fold, could deadlock
 * on. Summed lock-free instead: exact while the mm is quiet, off by at most
 * one batch while another CPU folds. One pass over the CPUs that can hold a
 * delta, online and dying ones as __percpu_counter_sum() walks (a dead CPU's
 * is folded into ->count): the cost grows with the CPUs online, not with
 * the possible ones. get_mm_counter() alone lags by a batch per CPU.
 */
unsigned long skf_c_mm_pages(struct mm_struct *mm, unsigned int members)
{
	s64 pages[NR_MM_COUNTERS];
	unsigned long sum = 0;
	int member;
#ifdef CONFIG_SMP
	int cpu;
#endif

	for (member = 0; member < NR_MM_COUNTERS; member++)
		pages[member] = members & BIT(member) ? READ_ONCE(mm->rss_stat[member].count) : 0;
#ifdef CONFIG_SMP
	for_each_cpu_or(cpu, cpu_online_mask, cpu_dying_mask)
		for (member = 0; member < NR_MM_COUNTERS; member++)
			if (members & BIT(member))
				pages[member] += READ_ONCE(*per_cpu_ptr(mm->rss_stat[member].counters, cpu));
#endif
	for (member = 0; member < NR_MM_COUNTERS; member++)
		if (pages[member] > 0)
			sum += pages[member];
	return sum;
}

/* task_state_to_char() is inline: the letter /proc/PID/stat shows. */
char skf_c_task_state_char(struct task_struct *task)
{
	return task_state_to_char(task);
}

/*
 * Namespace structs are opaque to 6.12's Rust bindings (pid_namespace, net)
 * or private to fs/ (mnt_namespace): these read their ns_common inode number.
 */
unsigned int skf_c_pid_ns_inum(struct pid_namespace *ns)
{
	return ns->ns.inum;
}

unsigned int skf_c_net_ns_inum(struct net *net)
{
	return net->ns.inum;
}

/*
 * struct mnt_namespace is private to fs/ (fs/mount.h), so no header gives
 * its layout; in 6.12 and 7.2 its ns_common is its first member. At load,
 * skf_c_mnt_ns_layout_holds() checks that.
 */
static const struct ns_common *skf_mnt_ns_common(const struct mnt_namespace *ns)
{
	return (const void *)ns + SKF_LAYOUT_SKEW;
}

unsigned int skf_c_mnt_ns_inum(struct mnt_namespace *ns)
{
	return skf_mnt_ns_common(ns)->inum;
}

/*
 * Whether what skf_mnt_ns_common() finds in the init task's mount namespace
 * is an ns_common whose proc operations are the mount namespace's ("mnt").
 * Read without faulting: where the layout changed, other data lies there.
 */
bool skf_c_mnt_ns_layout_holds(void)
{
	const struct ns_common *ns = skf_mnt_ns_common(init_task.nsproxy->mnt_ns);
	const struct proc_ns_operations *ops;
	const char *name;
	char prefix[4];

	return !copy_from_kernel_nofault(&ops, &ns->ops, sizeof(ops)) &&
	       !copy_from_kernel_nofault(&name, &ops->name, sizeof(name)) &&
	       !copy_from_kernel_nofault(prefix, name, sizeof(prefix)) &&
	       !memcmp(prefix, "mnt", sizeof(prefix));
}

/* disk_devt() and new_encode_dev() are inline: st_rdev's encoding. */
u32 skf_c_disk_devt_user(struct gendisk *disk)
{
	return new_encode_dev(disk_devt(disk));
}

/* blk_rq_pos(), blk_rq_bytes() and req_op() are inline. */
u64 skf_c_rq_pos(const struct request *rq)
{
	return blk_rq_pos(rq);
}

u32 skf_c_rq_bytes(const struct request *rq)
{
	return blk_rq_bytes(rq);
}

u32 skf_c_rq_op(const struct request *rq)
{
	return req_op(rq);
}

/*
 * The protocol of an inet socket. A trusted struct sock * need not be a full
 * socket: tracepoints such as kfree_skb (rx_sk) and tcp_send_reset hand BPF
 * TIME_WAIT socks, which end shortly after their sock_common, before
 * sk_protocol. (sk_fullsock() turns away request socks too, though only
 * skb->sk, which is not trusted, can be one.) Only TCP and DCCP (gone in
 * 6.16) make TIME_WAIT socks; one keeps its creator's struct proto in
 * skc_prot, pinned with its module (inet_twsk_alloc), whose name tells them
 * apart: "TCP", "TCPv6", "DCCP" or "DCCPv6".
 */
static u8 skf_sk_protocol(const struct sock *sk)
{
	if (sk_fullsock(sk))
		return sk->sk_protocol;
	return strncmp(sk->sk_prot->name, "TCP", 3) ? IPPROTO_DCCP : IPPROTO_TCP;
}

/*
 * struct sock is opaque to 6.12's Rust bindings (net/sock.h is not in
 * bindings_helper.h), so its reads are here. Fills the tuple of an inet
 * socket, full or not (everything but the protocol is in sock_common);
 * false for another family.
 */
bool skf_c_sk_tuple(const struct sock *sk, struct skf_sock_tuple *t)
{
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return false;
	*t = (struct skf_sock_tuple){
		.family = sk->sk_family,
		.protocol = skf_sk_protocol(sk),
		.local_port = sk->sk_num,
		.remote_port = ntohs(sk->sk_dport),
	};
	if (sk->sk_family == AF_INET) {
		memcpy(t->local_addr, &sk->sk_rcv_saddr, 4);
		memcpy(t->remote_addr, &sk->sk_daddr, 4);
	}
#if IS_ENABLED(CONFIG_IPV6)
	else {
		memcpy(t->local_addr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(t->remote_addr, &sk->sk_v6_daddr, 16);
	}
#endif
	return true;
}

/* sock_net() is inline; SO_NETNS_COOKIE reads the same field. */
u64 skf_c_sk_netns_cookie(const struct sock *sk)
{
	return sock_net(sk)->net_cookie;
}

/*
 * sk_is_tcp() and tcp_sk() are inline; srtt_us holds the RTT << 3. A TIME_WAIT
 * or request sock has no RTT (nor sk_type, which sk_is_tcp() reads).
 */
s64 skf_c_tcp_srtt_us(const struct sock *sk)
{
	if (!sk_fullsock(sk))
		return -ENOTCONN;
	if (!sk_is_tcp(sk))
		return -EPROTONOSUPPORT;
	return READ_ONCE(tcp_sk(sk)->srtt_us) >> 3;
}
