/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's C files share with each other and with the Rust crate
 * (which declares the same functions in ffi.rs; userspace/tests/module_ffi.rs
 * checks that both sides agree).
 */
#ifndef SKF_GLUE_H
#define SKF_GLUE_H

#include <linux/blk-mq.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/jump_label.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/stddef.h>
#include "btf_decl_tag.h"
#include "kf_flags.h"
#include "generated/kfuncs.h"

#ifndef CONFIG_DEBUG_INFO_BTF_MODULES
#error "stable_kfuncs needs CONFIG_DEBUG_INFO_BTF_MODULES: kfuncs are found through module BTF"
#endif


/* Fault injection for the layout guard's selftest (Kbuild SKF_LAYOUT_SKEW). */
#ifndef SKF_LAYOUT_SKEW
#define SKF_LAYOUT_SKEW 0
#endif

/* One kfunc set of the generated glue, and the program type it is for. */
struct skf_kfunc_set {
	enum bpf_prog_type prog_type;
	const char *name;
	struct btf_id_set8 *set;
};
extern const struct skf_kfunc_set skf_kfunc_sets[];
extern const size_t skf_nr_kfunc_sets;

/* calls.c */
DECLARE_STATIC_KEY_FALSE(skf_call_counting);
struct skf_call_counts {
	u64 n[SKF_NR_KFUNCS];
};
DECLARE_PER_CPU(struct skf_call_counts, skf_calls);
extern struct static_key_true skf_deprecated_armed[SKF_NR_KFUNCS];
void skf_deprecated_call(u32 idx);

/*
 * Entry of every kfunc: its call counter, a patched-out jump unless
 * counting is switched on. A deprecated kfunc's wrapper then has a second
 * patchable jump, to its call-time warning (skf_deprecated_armed, calls.c).
 */
static __always_inline void skf_count_call(u32 idx)
{
#ifndef SKF_NO_CALL_COUNTING /* the benchmark's baseline build (Kbuild) */
	if (static_branch_unlikely(&skf_call_counting))
		this_cpu_inc(skf_calls.n[idx]);
#endif
}

/* Implemented in Rust, in the crate under module/. */
int skf_rs_verify_filter(const struct bpf_prog *prog, u32 idx, bool loader_may_read_any_task);
void skf_rs_note_deprecated_caller(u32 idx);
void skf_rs_report_deprecated_call(u32 idx);
bool skf_rs_kfunc_alive(u32 idx);
const char *skf_rs_kfunc_name(u32 idx);
ssize_t skf_rs_kfunc_show(u32 idx, const char *attr, char *buf);
ssize_t skf_rs_api_level_show(char *buf);
ssize_t skf_rs_policy_show(char *buf);
ssize_t skf_rs_policy_store(const char *buf, size_t len);
void skf_rs_reset_program_counts(void);

/* Implemented in C, called from Rust (ffi.rs declares the same). */
int skf_register_kfuncs(void);
u64 skf_kfuncs_called(const struct bpf_prog *prog, u32 asked_idx);
int skf_sysfs_init(void);
void skf_sysfs_exit(void);
void skf_calls_exit(void);
u64 skf_call_count(u32 idx);
void skf_reset_call_counts(void);

/* shims.c: kernel inlines and macros, callable from Rust. */
struct cgroup;
struct mm_struct;
u32 skf_c_task_comm(const struct task_struct *task, char *buf, u32 size);
void skf_c_rcu_read_lock(void);
void skf_c_rcu_read_unlock(void);
struct cgroup *skf_c_task_dfl_cgroup(struct task_struct *task);
struct cgroup *skf_c_cgroup_ancestor(struct cgroup *cgrp, int level);
u32 skf_c_current_uid(void);
bool skf_c_in_task(void);
bool skf_c_irqs_disabled(void);
bool skf_c_pid_alive(const struct task_struct *task);
bool skf_c_task_trylock(struct task_struct *task);
void skf_c_task_unlock(struct task_struct *task);
struct pid_namespace;
struct net;
struct mnt_namespace;
struct gendisk;
struct request;
struct sock;
unsigned long skf_c_mm_pages(struct mm_struct *mm, unsigned int members);
char skf_c_task_state_char(struct task_struct *task);
unsigned int skf_c_pid_ns_inum(struct pid_namespace *ns);
unsigned int skf_c_net_ns_inum(struct net *net);
unsigned int skf_c_mnt_ns_inum(struct mnt_namespace *ns);
bool skf_c_mnt_ns_layout_holds(void);
u32 skf_c_disk_devt_user(struct gendisk *disk);
u64 skf_c_rq_pos(const struct request *rq);
u32 skf_c_rq_bytes(const struct request *rq);
u32 skf_c_rq_op(const struct request *rq);
bool skf_c_sk_tuple(const struct sock *sk, struct skf_sock_tuple *t);
u64 skf_c_sk_netns_cookie(const struct sock *sk);
s64 skf_c_tcp_srtt_us(const struct sock *sk);

#endif /* SKF_GLUE_H */
