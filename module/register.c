// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the generated kfunc sets, with the verifier filter that
 * lets Rust warn about, count and (by policy) refuse deprecated kfuncs.
 * C because btf_kfunc_id_set and module BTF have no Rust abstraction in 6.12.
 */
#include <linux/bpf_verifier.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/kernfs.h>
#include <linux/module.h>
#include "glue.h"

MODULE_AUTHOR("stable-kfuncs developers");

/*
 * Syscall programs need only CAP_BPF, yet bpf_task_from_pid() reaches every
 * task on the host, past pid namespaces and hidepid: reading tasks through
 * our kfuncs from one takes what tracing takes, CAP_PERFMON (or
 * CAP_SYS_ADMIN). The filter runs in the loader's context. noaudit: this
 * is a probe of what the loader may do, not an access an LSM should log.
 */
static bool skf_loader_may_read_any_task(enum bpf_prog_type type)
{
	return type != BPF_PROG_TYPE_SYSCALL ||
	       ns_capable_noaudit(&init_user_ns, CAP_PERFMON) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

static bool skf_is_kfunc_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

/*
 * The index of our kfunc with BTF id @id, or SKF_NR_KFUNCS if none has it
 * (0 included: the kfuncs not built at this level have it).
 */
static u32 skf_kfunc_idx(u32 id)
{
	u32 idx;

	if (!id)
		return SKF_NR_KFUNCS;
	for (idx = 0; idx < SKF_NR_KFUNCS; idx++)
		if (skf_kfunc_btf_ids[idx] == id)
			break;
	return idx;
}

/*
 * The filter's first sighting of a load: the mask of our kfuncs (bit =
 * index) that @prog calls, @asked_idx among them. A kfunc call names its
 * function by BTF id (imm) in the BTF of the load's fd_array slot off (0:
 * vmlinux), which the filter cannot resolve; our BTF is in the slots the
 * calls to @asked_idx go through. Several such slots mean another module's
 * function has that id too: then calls through any of them count, the
 * only case where a function of another BTF can pass for ours.
 */
u64 skf_kfuncs_called(const struct bpf_prog *prog, u32 asked_idx)
{
	u32 asked_id = skf_kfunc_btf_ids[asked_idx], i, idx;
	u64 called = BIT_ULL(asked_idx);
	bool several_slots = false;
	s16 slot = 0;

	BUILD_BUG_ON(SKF_NR_KFUNCS > 64);
	for (i = 0; i < prog->len; i++) {
		const struct bpf_insn *insn = &prog->insnsi[i];

		if (skf_is_kfunc_call(insn) && (u32)insn->imm == asked_id && insn->off) {
			if (slot && insn->off != slot)
				several_slots = true;
			slot = insn->off;
		}
	}
	for (i = 0; i < prog->len && slot; i++) {
		const struct bpf_insn *insn = &prog->insnsi[i];

		if (!skf_is_kfunc_call(insn) || !insn->off || (insn->off != slot && !several_slots))
			continue;
		idx = skf_kfunc_idx((u32)insn->imm);
		if (idx < SKF_NR_KFUNCS)
			called |= BIT_ULL(idx);
	}
	return called;
}

/*
 * Called by the verifier for each of our kfuncs a program references,
 * several times per call site. Non-zero makes the call "not allowed".
 * The ids compared are the build-time ones: skf_register_kfuncs() refuses
 * builds whose ids the kernel renumbers at load.
 */
static int skf_verify_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	/* An freplace (EXT) program is judged as the program it replaces, as the hook was chosen. */
	enum bpf_prog_type type = resolve_prog_type(prog);
	u32 idx;

	/*
	 * 7.x maps raw_tp programs to the tracing kfunc hook, 6.12 does not:
	 * one BPF object gets one verdict on both, so raw_tp stays refused.
	 */
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT || type == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE)
		return -EACCES;

	idx = skf_kfunc_idx(kfunc_id);
	if (idx == SKF_NR_KFUNCS)
		return 0;
	return skf_rs_verify_filter(prog, idx, skf_loader_may_read_any_task(type));
}

/*
 * Whether the kernel registered the module's BTF, the one its kfunc sets
 * were registered on. With CONFIG_MODULE_ALLOW_BTF_MISMATCH it drops a
 * module BTF that fails to parse against vmlinux, and
 * register_btf_kfunc_id_set() then returns 0 having offered nothing.
 * 6.12 exports no BTF lookup (7.2's bpf_find_btf_id() is not exported
 * there); what both show is the sysfs file the kernel creates for each
 * module BTF it registers, /sys/kernel/btf/<module>, which skf reads too.
 * (If creating that file fails, the kernel keeps the BTF without it: we
 * refuse then too, as skf could not read the module anyway.)
 */
static bool skf_module_btf_registered(void)
{
	struct kernfs_node *btf_dir, *ours;
	bool registered = false;

	btf_dir = kernfs_find_and_get(kernel_kobj->sd, "btf");
	if (btf_dir) {
		ours = kernfs_find_and_get(btf_dir, THIS_MODULE->name);
		registered = ours;
		kernfs_put(ours);
		kernfs_put(btf_dir);
	}
	return registered;
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
	/*
	 * With a distilled base (.BTF.base, pahole >= 1.26's default for
	 * out-of-tree modules) the kernel renumbers the module's BTF ids at
	 * load (btf_relocate) in its own copy of the kfunc sets, but not in
	 * skf_kfunc_btf_ids, so the filter would never match: no warnings, no
	 * counts, deny not enforced. No sound derivation of the new ids exists
	 * from here: .BTF and .BTF.base are freed before init runs, and neither
	 * 6.12 nor 7.2 exports the module's struct btf or vmlinux's type count.
	 * SKF_NO_DISTILL_FLAG is the build flag that turns distilling off on
	 * the kernel built against (Kbuild reads it from the tree).
	 */
	if (THIS_MODULE->btf_base_data_size) {
		pr_err("stable_kfuncs: the module's BTF has a distilled base (.BTF.base): the kernel renumbers its kfunc ids at load, and its verifier filter would silently match nothing; rebuild it with " SKF_NO_DISTILL_FLAG " (plain split BTF over this kernel's vmlinux); refusing to load\n");
		return -ENOEXEC;
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
	/* Nothing to unregister: a set registered on no BTF registered nothing. */
	if (!skf_module_btf_registered()) {
		pr_err("stable_kfuncs: the kernel did not register the module's BTF (no /sys/kernel/btf/%s; with CONFIG_MODULE_ALLOW_BTF_MISMATCH it drops a module's BTF that does not match vmlinux, see 'BTF mismatch' above), so no kfunc would be offered; rebuild the module against this kernel; refusing to load\n",
		       THIS_MODULE->name);
		return -ENOENT;
	}
	return 0;
}
