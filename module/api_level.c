// SPDX-License-Identifier: GPL-2.0
/*
 * The API level this module was built at, as a BTF enum so BPF programs can
 * read it at load time with CO-RE (bpf_core_enum_value), and what its kernel
 * implies for kfunc flags, for skf. C because Rust code gets no BTF in 6.12.
 */
#include <linux/compiler.h>
#include "kf_flags.h"

enum skf_api_level { SKF_API_LEVEL = SKF_API };

/*
 * What the kernel built against implies for every kfunc's flags: skf reads
 * a set8 entry without KF_TRUSTED_ARGS as trusted where this is 1.
 */
enum skf_kernel_flags { SKF_KERNEL_TRUSTED_ARGS_IMPLIED = SKF_TRUSTED_ARGS_IMPLIED };

/* A global of each type is what makes clang emit the enum into DWARF/BTF. */
const enum skf_api_level skf_api_level __used = SKF_API_LEVEL;
const enum skf_kernel_flags skf_kernel_flags __used = SKF_KERNEL_TRUSTED_ARGS_IMPLIED;
