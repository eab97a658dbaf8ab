# SPDX-License-Identifier: GPL-2.0
#
#   make                 build module/stable_kfuncs.ko against KDIR
#   make KDIR=/path LLVM=1   ... against any Rust-enabled 6.12 tree
#   make SKF_API=N       ... as it shipped at API level N
#   make ARCH=arm64      ... against the cached arm64 test kernel
#   make kernel [ARCH=]  build (or reuse) the cached test kernel
#   make deps            install everything this project needs (idempotent)
#   make check           host tests plus VM tests on x86_64 and arm64
#   make demo            the main job, in the x86_64 VM
#   make bench [ARCH=]   the benchmark in the test VM: tables, build/bench/ARCH.json
#   make fuzz [FUZZ_TARGET=prog_check|module_abi] [FUZZ_SECONDS=600]
#   make rust-analyzer   write rust-project.json for the module

ARCH ?= x86_64
LLVM ?= 1
SKF_API ?= $(shell sed -n "s/^api_level = //p" module/kfuncs.toml)
export SKF_API

# Without an explicit KDIR, build against the cached test kernel (built on
# first use). Expanded only when a recipe runs, after `kernel` is done.
ifeq ($(origin KDIR),undefined)
KDIR_PREREQ := kernel
KDIR = $(shell vm-test/kernel.sh path $(ARCH))
endif

KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR) ARCH=$(ARCH) LLVM=$(LLVM)

.PHONY: all module modules_install clean deps kernel check demo bench fuzz rust-analyzer

all: module

module: $(KDIR_PREREQ)
	$(KBUILD) modules

# 6.12's `make M=... rust-analyzer` looks for rust/Makefile under M when the
# kernel was built with O=, so call its generator directly.
rust-analyzer: $(KDIR_PREREQ)
	python3 $(KDIR)/source/scripts/generate_rust_analyzer.py 2021 \
		$$(realpath $(KDIR)/source) $$(realpath $(KDIR)) $$(rustc --print sysroot) \
		$$(rustc --print sysroot)/lib/rustlib/src/rust/library $(CURDIR)/module >rust-project.json

clean:
	-$(KBUILD) clean
	rm -rf build

deps:
	vm-test/deps.sh

kernel: deps
	vm-test/kernel.sh build $(ARCH) >/dev/null

check: deps
	vm-test/check.sh

demo: deps
	vm-test/demo.sh

bench: deps
	vm-test/bench.sh $(ARCH)

FUZZ_TARGET ?= prog_check
FUZZ_SECONDS ?= 600
fuzz: deps
	userspace/fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)
