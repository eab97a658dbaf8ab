/* SPDX-License-Identifier: GPL-2.0 */
/* Upstream's task reference kfuncs (kernel/bpf/helpers.c), for syscall programs. */
#ifndef SKF_SELFTESTS_TASK_REF_H
#define SKF_SELFTESTS_TASK_REF_H

struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

#endif
