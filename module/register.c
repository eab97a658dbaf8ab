// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the generated kfunc sets, with the verifier filter that
 * lets Rust warn about, count and (by policy) refuse deprecated kfuncs.
 * C because btf_kfunc_id_set and module BTF have no Rust abstraction in 6.12.
 */
#include <linux/module.h>
#include "glue.h"

/*
 * Called by the verifier for each of our kfuncs a program references,
 * several times per call site. Non-zero makes the call "not allowed".
 */
static int skf_verify_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	u32 idx;

	for (idx = 0; idx < SKF_NR_KFUNCS; idx++)
		if (skf_kfunc_btf_ids[idx] == kfunc_id)
			return skf_rs_verify_filter(prog, idx);
	return 0;
}

int skf_register_kfuncs(void)
{
	size_t i;
	int err;

	/* Without module BTF, registration "succeeds" and registers nothing. */
	if (!THIS_MODULE->btf_data_size) {
		pr_err("stable_kfuncs: the module has no BTF (was it built against a kernel tree without vmlinux?); refusing to load\n");
		return -ENOENT;
	}
	for (i = 0; i < skf_nr_kfunc_sets; i++) {
		const struct btf_kfunc_id_set kset = {
			.owner = THIS_MODULE,
			.set = skf_kfunc_sets[i].set,
			.filter = skf_verify_filter,
		};

		err = register_btf_kfunc_id_set(skf_kfunc_sets[i].prog_type, &kset);
		if (err) {
			pr_err("stable_kfuncs: registering the %s kfunc set failed (%d); refusing to load\n",
			       skf_kfunc_sets[i].name, err);
			return err;
		}
	}
	return 0;
}
