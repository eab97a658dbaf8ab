/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SKF_TAG: a stability decl tag on a kfunc, readable by any BTF reader. The
 * classes live only in these tags, so a compiler that would drop the
 * attribute (gcc before 14 ignores it with a warning) must stop the build.
 * A header of its own so a host test can compile it with gcc and clang.
 */
#ifndef SKF_BTF_DECL_TAG_H
#define SKF_BTF_DECL_TAG_H

#ifndef __has_attribute
#error "stable_kfuncs needs __has_attribute to check for btf_decl_tag: build with clang (LLVM=1)"
#elif !__has_attribute(btf_decl_tag)
#error "stable_kfuncs needs __attribute__((btf_decl_tag)) for its stability classes, which this compiler lacks: build with clang >= 14 (LLVM=1)"
#endif

#define SKF_TAG(kv) __attribute__((btf_decl_tag("skf." kv)))

#endif /* SKF_BTF_DECL_TAG_H */
