/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SKF_TAG: a stability decl tag on a kfunc, readable by any BTF reader.
 * clang and gcc >= 15 emit it through DWARF and pahole. Older gcc (Debian
 * 13's kernel is built with gcc 14) lacks the attribute: there the generated
 * code's SKF_TAG_RECORD lines put each tag into the .skf_decl_tags section
 * instead, as "kfunc\0skf.key=value\0", and module/btf_decl_tags.py moves
 * them into the module's BTF as the same decl tags after the build (the
 * top-level Makefile runs it). A header of its own so a host test can
 * compile it with gcc and clang.
 */
#ifndef SKF_BTF_DECL_TAG_H
#define SKF_BTF_DECL_TAG_H

#if defined(__has_attribute) && __has_attribute(btf_decl_tag)
#define SKF_TAG(kv) __attribute__((btf_decl_tag("skf." kv)))
#define SKF_TAG_RECORD(kfunc, kv)
#else
#define SKF_TAG(kv)
#define SKF_TAG_RECORD(kfunc, kv) SKF_TAG_RECORD_NAMED(SKF_TAG_RECORD_NAME(__COUNTER__), kfunc, kv)
#define SKF_TAG_RECORD_NAME(n) SKF_TAG_RECORD_CONCAT(skf_decl_tag_, n)
#define SKF_TAG_RECORD_CONCAT(a, b) a##b
#define SKF_TAG_RECORD_NAMED(name, kfunc, kv) \
	static const char name[] __attribute__((used, section(".skf_decl_tags"), aligned(1))) = #kfunc "\0skf." kv;
#endif

#endif /* SKF_BTF_DECL_TAG_H */
