#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every source file git tracks names its license in an SPDX line (COPYING):
# GPL-2.0, but the BPF header's LGPL-2.1 OR BSD-2-Clause. Data files (tests'
# expected output, fragments, patches, vendored sources) are not checked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SKF_REPO"

header=bpf/include/stable_kfuncs.bpf.h
bad=0
while IFS= read -r file; do
	want="GPL-2.0"
	[ "$file" != "$header" ] || want="(LGPL-2.1 OR BSD-2-Clause)"
	line=$(head -5 "$file" | grep -m1 'SPDX-License-Identifier:' || true)
	if [ -z "$line" ]; then
		echo "$file: no SPDX-License-Identifier line in its first 5 lines: add one naming $want" >&2
		bad=1
	elif [[ "$line" != *"SPDX-License-Identifier: $want"* ]]; then
		echo "$file: '$line' should name $want (COPYING)" >&2
		bad=1
	fi
done < <(git ls-files -- '*.rs' '*.c' '*.h' '*.sh' '*.py' Makefile '*Kbuild' .ci/run vm-test/guest-init packaging/dkms.conf \
	'*debian/rules' '*debian/*postinst' '*debian/*prerm' '*debian/*postrm' ':!vm-test/vendor' ':!module/kernel-crate/*.patch')
[ "$bad" = 0 ] || exit 1
echo "every source file names its license"
