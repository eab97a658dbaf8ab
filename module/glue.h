/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's C files share with each other, and (generated/ffi.h,
 * from module/ffi.toml) with the Rust crate.
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
#include "generated/ffi.h"

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
void skf_reset_call_counts(void);

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

#endif /* SKF_GLUE_H */
