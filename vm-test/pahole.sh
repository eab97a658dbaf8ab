#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pahole 1.31, built once from the vendored source (vm-test/vendor/, see its
# README) into the cache. Prints the binary's path.
#
#   pahole.sh build   build if needed, print the path
#   pahole.sh path    print the path it is (or would be) built at
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$SKF_REPO/vm-test/vendor/dwarves-1.31.tar.xz
dir=$SKF_CACHE/pahole/1.31-$(sha256sum <"$tarball" | cut -c1-16)
bin=$dir/src/build/pahole

case "${1:-}" in
path) echo "$bin" ;;
build)
	mkdir -p "$(dirname "$dir")"
	exec 9>"$dir.lock"
	flock 9
	if [ ! -x "$bin" ]; then
		command -v cmake >/dev/null || die "cmake not found: run 'make deps'"
		log "building pahole 1.31 from $tarball"
		rm -rf "$dir" && mkdir -p "$dir/src"
		tar -C "$dir/src" --strip-components=1 -xf "$tarball"
		(cd "$dir/src" && cmake -B build -DCMAKE_BUILD_TYPE=Release -D__LIB=lib >"$dir/build.log" 2>&1 &&
			make -C build -j"$(nproc)" pahole >>"$dir/build.log" 2>&1) ||
			{ tail -20 "$dir/build.log" >&2; rm -f "$bin"; die "pahole 1.31 build failed; log: $dir/build.log"; }
	fi
	"$bin" --version | grep -qx v1.31 || die "$bin is not pahole v1.31"
	echo "$bin"
	;;
*) die "usage: pahole.sh build|path" ;;
esac
