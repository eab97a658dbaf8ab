# SPDX-License-Identifier: GPL-2.0
#
#   make                 build module/stable_kfuncs.ko against the running kernel's build tree
#   make KDIR=/path      ... against any 6.12 or 7.2 tree (with vmlinux, for BTF)
#   make SERIES=6.12     ... against the cached x86_64 6.12 test kernel (SERIES=7.2: 7.2's)
#   make SKF_API=N       ... as it shipped at API level N
#   make ARCH=arm64      ... against the cached arm64 test kernel
#   make FLAVOUR=pahole131-kasan   ... against the x86_64 6.12 kernel built with pahole 1.31 and KASAN
#   make modules_install [INSTALL_MOD_PATH=DIR]
#   make deps            install everything this project needs (idempotent)
#   make kernel [ARCH=] [SERIES=] [FLAVOUR=]   build (or reuse) the cached test kernel
#   make check           host tests plus VM tests on every test machine
#   make demo            the main job, in the x86_64 VM
#   make bench [ARCH=] [SERIES=] [FLAVOUR=]   the benchmark in the test VM (FLAVOUR=debian: Debian's image): tables, build/bench/MACHINE.json
#   make soak [ARCH=] [SERIES=] [FLAVOUR=] [SOAK_SECONDS=600]   the soak, concurrent loads and
#                        fault sweep at length, by default on the KCSAN kernel (x86_64-6.12-kcsan)
#   make fuzz [FUZZ_TARGET=prog_check|module_abi|btf] [FUZZ_SECONDS=600]
#   make rust-analyzer   write rust-project.json for the module
#   make install [PREFIX=/usr/local] [DESTDIR=]   skf, its man pages and shell completions,
#                        and the BPF header (PREFIX/include/stable_kfuncs.bpf.h)
#   make stock [KVER=7.2.13+deb14-amd64]   the module for Debian's stock kernel, every level
#                        (in a cached sid chroot with that kernel's own toolchain; needs root)
#   make sign KEY= CERT= [MODULE=] [KDIR=]   sign a build for Secure Boot with your key
#   make deb [KVER=]     Debian packages into build/deb/ (dpkg-buildpackage: debian/): skf,
#                        stable-kfuncs-dev (the header), stable-kfuncs-dkms, and
#                        stable-kfuncs-modules-KVER (packaging/deb.sh)
#
# Only deps, kernel, check, demo, stock, deb and fuzz install packages; a plain `make`
# never does.

ARCH ?= x86_64
SERIES ?= 6.12
FLAVOUR ?=
MACHINE := $(ARCH)-$(SERIES)$(if $(FLAVOUR),-$(FLAVOUR))

# Whether ARCH, SERIES or FLAVOUR name a test machine (rather than their defaults).
MACHINE_GIVEN := $(filter command% environment%,$(origin ARCH) $(origin SERIES) $(origin FLAVOUR))

# Without KDIR, build against the running kernel's build tree, as any
# out-of-tree module does; a named test machine means its cached kernel,
# with the pahole it was built with (module BTF must come from the same pahole).
ifeq ($(origin KDIR),undefined)
ifneq ($(MACHINE_GIVEN),)
KDIR := $(shell vm-test/kernel.sh path $(MACHINE) 2>/dev/null)
PAHOLE ?= $(shell vm-test/kernel.sh pahole $(MACHINE) 2>/dev/null)
KBUILD_ARCH := $(ARCH)
else
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
endif
else
# Another tree (dkms: the running system's headers) builds for its own
# architecture unless ARCH is given.
KBUILD_ARCH := $(if $(filter command line environment,$(origin ARCH)),$(ARCH))
endif

# The compiler KDIR was built with (clang of some version, or gcc).
LLVM ?= $(shell module/kdir-llvm.sh $(KDIR))

# Out-of-tree modules get a distilled base (.BTF.base) from pahole >= 1.26 on
# 6.12 and from resolve_btfids on 7.2. The module cannot find its kfuncs'
# BTF ids after relocation, so by default its BTF is plain split BTF over
# KDIR's vmlinux (each variable is a no-op on the other kernel).
# SKF_DISTILLED_BASE=1 keeps the distilled base.
NO_DISTILLED_BASE := MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS=

# A kernel built without CONFIG_RUST (Debian 13's 6.12) exports no kernel
# crate: the module links one built for that kernel from its linux-source
# (module/kernel-crate/build.sh), kept under build/.
KDIR_HAS_RUST := $(if $(KDIR),$(shell grep -sqx CONFIG_RUST=y $(KDIR)/.config && echo y))
SKF_KERNEL_CRATE ?= $(CURDIR)/build/kernel-crate/$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(KBUILD_ARCH),ARCH=$(KBUILD_ARCH)) LLVM=$(LLVM) \
	$(if $(PAHOLE),PAHOLE=$(PAHOLE)) $(if $(SKF_DISTILLED_BASE),,$(NO_DISTILLED_BASE)) \
	$(if $(KDIR_HAS_RUST),,SKF_KERNEL_CRATE=$(SKF_KERNEL_CRATE))

.PHONY: all module kernel-crate modules_install clean have-kdir deps kernel check fmt demo bench soak stock deb sign fuzz rust-analyzer install

all: module

have-kdir:
ifneq ($(MACHINE_GIVEN),)
	@test -n "$(KDIR)" || { vm-test/kernel.sh path $(MACHINE) >/dev/null; echo "(or pass KDIR=/path/to/linux)" >&2; exit 1; }
else
	@test -n "$(KDIR)" || { echo "error: no build tree for the running kernel at /lib/modules/$$(uname -r)/build: install linux-headers-$$(uname -r), pass KDIR=/path/to/linux, or name a test kernel (make SERIES=6.12)" >&2; exit 1; }
endif

# A compiler without btf_decl_tag (gcc < 15) leaves the stability tags in a
# section of their own: move them into the module's BTF.
module: have-kdir kernel-crate
	$(KBUILD) modules
	python3 module/btf_decl_tags.py module/stable_kfuncs.ko $(KDIR)/vmlinux

kernel-crate: have-kdir
	$(if $(KDIR_HAS_RUST),,module/kernel-crate/build.sh $(KDIR) $(SKF_KERNEL_CRATE))

modules_install: module
	$(KBUILD) modules_install

# 6.12's `make M=... rust-analyzer` looks for rust/Makefile under M when the
# kernel was built with O=, so call its generator directly.
rust-analyzer: have-kdir
	python3 $(KDIR)/source/scripts/generate_rust_analyzer.py 2021 \
		$$(realpath $(KDIR)/source) $$(realpath $(KDIR)) $$(rustc --print sysroot) \
		$$(rustc --print sysroot)/lib/rustlib/src/rust/library $(CURDIR)/module >rust-project.json

clean:
	-$(if $(KDIR),$(KBUILD) clean)
	rm -rf build

deps:
	vm-test/deps.sh

kernel: deps
	vm-test/kernel.sh build $(MACHINE) >/dev/null

check: deps
	vm-test/check.sh

fmt:
	vm-test/fmt.sh

demo: deps
	vm-test/demo.sh

bench: deps
	vm-test/bench.sh $(MACHINE)

SOAK_SECONDS ?= 600
# The KCSAN kernel, unless ARCH, SERIES or FLAVOUR names another machine.
SOAK_MACHINE := $(if $(MACHINE_GIVEN),$(MACHINE),x86_64-6.12-kcsan)
soak: deps
	vm-test/soak.sh $(SOAK_MACHINE) $(SOAK_SECONDS)

KVER ?=
stock: deps
	$(if $(KVER),SKF_STOCK_KVER=$(KVER)) vm-test/stock-modules.sh

# Secure Boot: a build signed with your key, which you enroll as a MOK
# (README, Install).
MODULE ?= module/stable_kfuncs.ko
sign: have-kdir
	@test -n "$(KEY)" && test -n "$(CERT)" || { echo "usage: make sign KEY=key.priv CERT=cert.der [MODULE=$(MODULE)] [KDIR=...]" >&2; exit 1; }
	@test -f "$(MODULE)" || { echo "error: $(MODULE) not found: build it first (make), or name a build with MODULE=" >&2; exit 1; }
	@grep -qx CONFIG_MODULE_SIG=y $(KDIR)/.config || { echo "error: $(KDIR) is a kernel built without CONFIG_MODULE_SIG: it checks no module signatures" >&2; exit 1; }
	$(KDIR)/scripts/sign-file $(shell sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$$/\1/p' $(KDIR)/.config) $(KEY) $(CERT) $(MODULE)

deb: deps
	$(if $(KVER),SKF_STOCK_KVER=$(KVER)) packaging/deb.sh

FUZZ_TARGET ?= prog_check
FUZZ_SECONDS ?= 600
fuzz: deps
	userspace/fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)

PREFIX ?= /usr/local
install:
	cargo build --release -p skf -p xtask
	rm -rf build/docs && target/release/xtask docs --out build/docs >/dev/null
	install -Dm755 target/release/skf $(DESTDIR)$(PREFIX)/bin/skf
	install -Dm644 -t $(DESTDIR)$(PREFIX)/share/man/man1 build/docs/man/*.1
	install -Dm644 build/docs/completions/skf.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/skf
	install -Dm644 build/docs/completions/_skf $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_skf
	install -Dm644 build/docs/completions/skf.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/skf.fish
	install -Dm644 bpf/include/stable_kfuncs.bpf.h $(DESTDIR)$(PREFIX)/include/stable_kfuncs.bpf.h
