// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/stable_kfuncs: the API level, the policy, the call counting
 * switch, a usage reset, and one directory per kfunc offered. C because 6.12
 * has no Rust kobject/sysfs abstraction; values come from Rust.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "glue.h"

static struct kobject *skf_root_kobj;
static struct kobject *skf_kfuncs_kobj;
static struct kobject *skf_kfunc_kobjs[SKF_NR_KFUNCS];

static ssize_t api_level_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return skf_rs_api_level_show(buf);
}

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return skf_rs_policy_show(buf);
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	return skf_rs_policy_store(buf, len);
}

static ssize_t call_counting_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", static_key_enabled(&skf_call_counting));
}

/* static_branch_{en,dis}able may sleep: fine, sysfs stores run in process context. */
static ssize_t call_counting_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	bool on;
	int err = kstrtobool(buf, &on);

	if (err)
		return err;
	if (on)
		static_branch_enable(&skf_call_counting);
	else
		static_branch_disable(&skf_call_counting);
	return len;
}

static ssize_t reset_usage_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	bool reset;
	int err = kstrtobool(buf, &reset);

	if (err)
		return err;
	if (reset) {
		skf_rs_reset_program_counts();
		skf_reset_call_counts();
	}
	return len;
}

static struct kobj_attribute api_level_attr = __ATTR_RO(api_level);
static struct kobj_attribute policy_attr = __ATTR_RW(policy);
static struct kobj_attribute call_counting_attr = __ATTR_RW(call_counting);
static struct kobj_attribute reset_usage_attr = __ATTR_WO(reset_usage);

static struct attribute *skf_root_attrs[] = {
	&api_level_attr.attr,
	&policy_attr.attr,
	&call_counting_attr.attr,
	&reset_usage_attr.attr,
	NULL,
};
static const struct attribute_group skf_root_group = { .attrs = skf_root_attrs };

static ssize_t skf_kfunc_attr_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u32 idx;

	for (idx = 0; idx < SKF_NR_KFUNCS; idx++)
		if (skf_kfunc_kobjs[idx] == kobj)
			return skf_rs_kfunc_show(idx, attr->attr.name, buf);
	return -ENOENT;
}

#define SKF_KFUNC_ATTR(name) __ATTR(name, 0444, skf_kfunc_attr_show, NULL)
static struct kobj_attribute skf_kfunc_attrs[] = {
	SKF_KFUNC_ATTR(class),       SKF_KFUNC_ATTR(since),      SKF_KFUNC_ATTR(deprecated_in),
	SKF_KFUNC_ATTR(removed_in),  SKF_KFUNC_ATTR(replacement), SKF_KFUNC_ATTR(family),
	SKF_KFUNC_ATTR(prog_types),  SKF_KFUNC_ATTR(flags),      SKF_KFUNC_ATTR(proto),
	SKF_KFUNC_ATTR(doc),         SKF_KFUNC_ATTR(programs),   SKF_KFUNC_ATTR(calls),
};
static struct attribute *skf_kfunc_attr_ptrs[ARRAY_SIZE(skf_kfunc_attrs) + 1];
static const struct attribute_group skf_kfunc_group = { .attrs = skf_kfunc_attr_ptrs };

void skf_sysfs_exit(void)
{
	u32 idx;

	for (idx = 0; idx < SKF_NR_KFUNCS; idx++) {
		kobject_put(skf_kfunc_kobjs[idx]);
		skf_kfunc_kobjs[idx] = NULL;
	}
	kobject_put(skf_kfuncs_kobj);
	kobject_put(skf_root_kobj);
	skf_kfuncs_kobj = skf_root_kobj = NULL;
}

int skf_sysfs_init(void)
{
	size_t i;
	u32 idx;
	int err;

	for (i = 0; i < ARRAY_SIZE(skf_kfunc_attrs); i++)
		skf_kfunc_attr_ptrs[i] = &skf_kfunc_attrs[i].attr;

	skf_root_kobj = kobject_create_and_add("stable_kfuncs", kernel_kobj);
	if (!skf_root_kobj)
		return -ENOMEM;
	err = sysfs_create_group(skf_root_kobj, &skf_root_group);
	if (err)
		goto fail;
	skf_kfuncs_kobj = kobject_create_and_add("kfuncs", skf_root_kobj);
	err = -ENOMEM;
	if (!skf_kfuncs_kobj)
		goto fail;
	for (idx = 0; idx < SKF_NR_KFUNCS; idx++) {
		if (!skf_rs_kfunc_alive(idx))
			continue;
		skf_kfunc_kobjs[idx] = kobject_create_and_add(skf_rs_kfunc_name(idx), skf_kfuncs_kobj);
		err = -ENOMEM;
		if (!skf_kfunc_kobjs[idx])
			goto fail;
		err = sysfs_create_group(skf_kfunc_kobjs[idx], &skf_kfunc_group);
		if (err)
			goto fail;
	}
	return 0;
fail:
	pr_err("stable_kfuncs: creating /sys/kernel/stable_kfuncs failed (%d); refusing to load\n", err);
	skf_sysfs_exit();
	return err;
}
