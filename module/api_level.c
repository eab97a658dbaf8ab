// SPDX-License-Identifier: GPL-2.0
/*
 * The API level this module was built at, as a BTF enum so BPF programs can
 * read it at load time with CO-RE (bpf_core_enum_value). C because Rust
 * code gets no BTF in 6.12.
 */
#include <linux/compiler.h>

enum skf_api_level { SKF_API_LEVEL = SKF_API };

/* A global of the type is what makes clang emit the enum into DWARF/BTF. */
const enum skf_api_level skf_api_level __used = SKF_API_LEVEL;
