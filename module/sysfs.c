// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/stable_kfuncs: the API level, the policy, the call counting
 * switch, a usage reset, and one directory per kfunc offered. C because 6.12
 * has no Rust kobject/sysfs abstraction; values come from Rust.
 */
#include <linux/kernfs.h>
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

/*
 * Exactly "0" or "1", a trailing newline allowed. Not kstrtobool(): it reads
 * only the first characters, so "1junk" and "on\0binary" would pass.
 */
static int skf_parse_bit(const char *buf, size_t len, bool *bit)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	*bit = buf[0] == '1';
	return 0;
}

/*
 * static_branch_{en,dis}able may sleep: fine, sysfs stores run in process
 * context. They must not race each other on one key: a disable that sees
 * an enable's transient -1 warns (jump_label.c), as concurrent writers
 * showed (selftest sysfs_writes).
 */
static DEFINE_MUTEX(skf_call_counting_lock);

static ssize_t call_counting_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	bool on;
	int err = skf_parse_bit(buf, len, &on);

	if (err)
		return err;
	mutex_lock(&skf_call_counting_lock);
	if (on)
		static_branch_enable(&skf_call_counting);
	else
		static_branch_disable(&skf_call_counting);
	mutex_unlock(&skf_call_counting_lock);
	return len;
}

static ssize_t reset_usage_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	bool reset;
	int err = skf_parse_bit(buf, len, &reset);

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

/*
 * What the manifest says is public; the usage counters are root's only, as
 * they tell which programs run on the machine and how often.
 */
#define SKF_KFUNC_ATTR(name) __ATTR(name, 0444, skf_kfunc_attr_show, NULL)
#define SKF_KFUNC_COUNTER(name) __ATTR(name, 0400, skf_kfunc_attr_show, NULL)
static struct kobj_attribute skf_kfunc_attrs[] = {
	SKF_KFUNC_ATTR(class),       SKF_KFUNC_ATTR(since),       SKF_KFUNC_ATTR(deprecated_in),
	SKF_KFUNC_ATTR(removed_in),  SKF_KFUNC_ATTR(replacement), SKF_KFUNC_ATTR(family),
	SKF_KFUNC_ATTR(prog_types),  SKF_KFUNC_ATTR(flags),       SKF_KFUNC_ATTR(proto),
	SKF_KFUNC_ATTR(doc),         SKF_KFUNC_COUNTER(programs), SKF_KFUNC_COUNTER(calls),
};
static struct attribute *skf_kfunc_attr_ptrs[ARRAY_SIZE(skf_kfunc_attrs) + 1];
static const struct attribute_group skf_kfunc_group = { .attrs = skf_kfunc_attr_ptrs };

/*
 * kobject_del() first: it removes the directory now, whereas kobject_put()
 * alone leaves it until the release, which CONFIG_DEBUG_KOBJECT_RELEASE
 * delays by seconds, so an immediate re-insmod would find the name taken.
 */
static void skf_kobj_remove(struct kobject **kobj)
{
	kobject_del(*kobj);
	kobject_put(*kobj);
	*kobj = NULL;
}

void skf_sysfs_exit(void)
{
	u32 idx;

	for (idx = 0; idx < SKF_NR_KFUNCS; idx++)
		skf_kobj_remove(&skf_kfunc_kobjs[idx]);
	skf_kobj_remove(&skf_kfuncs_kobj);
	skf_kobj_remove(&skf_root_kobj);
}

/*
 * kobject_create_and_add() says NULL for any failure: tell a name still
 * taken (-EEXIST) from an allocation failure, so the refusal names the cause.
 */
static int skf_kobj_create(struct kobject **kobj, const char *name, struct kobject *parent)
{
	struct kernfs_node *taken;

	*kobj = kobject_create_and_add(name, parent);
	if (*kobj)
		return 0;
	taken = kernfs_find_and_get(parent->sd, name);
	if (!taken)
		return -ENOMEM;
	kernfs_put(taken);
	return -EEXIST;
}

int skf_sysfs_init(void)
{
	const char *failed = "stable_kfuncs";
	size_t i;
	u32 idx;
	int err;

	for (i = 0; i < ARRAY_SIZE(skf_kfunc_attrs); i++)
		skf_kfunc_attr_ptrs[i] = &skf_kfunc_attrs[i].attr;

	err = skf_kobj_create(&skf_root_kobj, "stable_kfuncs", kernel_kobj);
	if (err)
		goto fail;
	err = sysfs_create_group(skf_root_kobj, &skf_root_group);
	if (err)
		goto fail;
	failed = "stable_kfuncs/kfuncs";
	err = skf_kobj_create(&skf_kfuncs_kobj, "kfuncs", skf_root_kobj);
	if (err)
		goto fail;
	for (idx = 0; idx < SKF_NR_KFUNCS; idx++) {
		if (!skf_rs_kfunc_alive(idx))
			continue;
		failed = skf_rs_kfunc_name(idx);
		err = skf_kobj_create(&skf_kfunc_kobjs[idx], failed, skf_kfuncs_kobj);
		if (err)
			goto fail;
		err = sysfs_create_group(skf_kfunc_kobjs[idx], &skf_kfunc_group);
		if (err)
			goto fail;
	}
	return 0;
fail:
	pr_err("stable_kfuncs: creating /sys/kernel/stable_kfuncs (at %s) failed (%d%s); refusing to load\n",
	       failed, err, err == -EEXIST ? ": already exists, is a previous instance still being released?" : "");
	skf_sysfs_exit();
	return err;
}
