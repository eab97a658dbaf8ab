/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verifier flags across kernel series. Linux 7.x made trusted arguments
 * every kfunc's default (KF_RCU opts out) and removed KF_TRUSTED_ARGS; the
 * manifest still names it, and where the kernel implies it, it adds no bit.
 * SKF_TRUSTED_ARGS_IMPLIED says which, for api_level.c's BTF record.
 */
#ifndef SKF_KF_FLAGS_H
#define SKF_KF_FLAGS_H

#include <linux/btf.h>

#ifdef KF_TRUSTED_ARGS
#define SKF_TRUSTED_ARGS_IMPLIED 0
#else
#define KF_TRUSTED_ARGS 0
#define SKF_TRUSTED_ARGS_IMPLIED 1
#endif

#endif /* SKF_KF_FLAGS_H */
