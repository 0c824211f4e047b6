# SPDX-License-Identifier: GPL-2.0
#
# kabistat: the module, libkabistat, the CLI and the selftests.
#
#   make                 build everything for KVER (default: the running
#                        kernel if its headers are installed, else the
#                        newest installed Debian cloud kernel)
#   make check           install what is missing, lint, build, and run every
#                        test inside each tested kernel under qemu
#   make lint            checkpatch, sparse, W=1 and -Werror user space
#   make demo            boot the newest installed Debian kernel with sample
#                        workloads and the CLI (only what that needs:
#                        make deps-demo, the module, the CLI; seconds)
#   make fleet           boot a 6.1 and a 6.12 node with sample containers,
#                        scrape them with a local Prometheus and print the
#                        fleet's answers (see README.rst, "Fleet")
#   make vm-shell        an interactive guest with the module loaded
#   make bench           overhead and scale against the floor and eBPF
#                        (6.1, 6.12, the 7.3 debug kernel: BENCH_KERNELS)
#   make deps            install the Debian packages the above need
#                        (make deps-demo: only those make demo needs)
#   make install         install the module for KVER, the library, headers,
#                        pkg-config file, CLI, man pages, udev rule and
#                        systemd unit under DESTDIR/PREFIX (see README.rst);
#                        install-module and install-userspace do each half
#   make dkms-install    register the module with DKMS and build it for every
#                        kernel with headers; make dkms-remove undoes it

VERSION := $(shell cat VERSION)
BUILD ?= $(CURDIR)/build
PREFIX ?= /usr/local

KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /usr/src/linux-headers-*-cloud-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1; fi)
KDIR ?= /usr/src/linux-headers-$(KVER)
KMOD_DIR := $(BUILD)/kmod/$(KVER)
# Headers of an arm64 kernel (scripts/arm64-kernel.sh) build the module
# with the cross compiler, unless this machine is arm64 itself: the one
# scripts/arm64-toolchain.sh unpacked (Debian's conflicts with
# gcc-multilib), first in PATH, where the headers' own CROSS_COMPILE
# (6.12's is an override) finds it.
KABISTAT_CACHE ?= /var/cache/kabistat
ARM64_TOOLCHAIN ?= $(KABISTAT_CACHE)/arm64-toolchain/root/usr/bin/
KARCH := $(shell sed -n 's/^override ARCH = //p' $(KDIR)/.kernelvariables 2>/dev/null)
ifeq ($(KARCH)-$(filter aarch64,$(shell uname -m)),arm64-)
KBUILD_FLAGS += ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
KBUILD_ENV := PATH=$(ARM64_TOOLCHAIN):$$PATH
endif
KMOD := $(KMOD_DIR)/kmod/kabistat.ko
# The test build: the same module with the selftests' hooks (kmod/testing.h).
KMOD_TEST_DIR := $(BUILD)/kmod-test/$(KVER)
KMOD_TEST := $(KMOD_TEST_DIR)/kmod/kabistat.ko

# The kernel tree Debian ships as a tarball gives the kselftest harness and
# checkpatch; only the few files needed are extracted, never committed.
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KTOOLS := $(BUILD)/linux-tools

.PHONY: all module module-test userspace tests check lint demo demo-payload vm-shell deps \
	deps-demo clean \
	bench bench-payload fleet fleet-payload
.PHONY: install install-module install-userspace uninstall
.PHONY: dkms-source dkms-install dkms-remove

all: module userspace tests

deps:
	@scripts/deps.sh

deps-demo:
	@scripts/deps.sh --demo

# Kbuild writes its objects next to the sources, so each kernel gets its own
# copy of the module sources (mtimes kept, so rebuilds stay incremental).
module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel headers for '$(KVER)': install linux-headers-$(KVER) or run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KMOD_DIR)
	@cp -a --update Kbuild VERSION kmod include $(KMOD_DIR)/
	$(KBUILD_ENV) $(MAKE) -C $(KDIR) M=$(KMOD_DIR) $(KBUILD_FLAGS) modules

module-test:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel headers for '$(KVER)': install linux-headers-$(KVER) or run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KMOD_TEST_DIR)
	@cp -a --update Kbuild VERSION kmod include $(KMOD_TEST_DIR)/
	$(KBUILD_ENV) $(MAKE) -C $(KDIR) M=$(KMOD_TEST_DIR) KABISTAT_TESTING=1 $(KBUILD_FLAGS) modules

$(KTOOLS)/.stamp: $(LINUX_SRC_TAR)
	@mkdir -p $(KTOOLS)
	tar -xJf $< -C $(KTOOLS) --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	@touch $@

# USER_ARCH=arm64: user space and the test payload cross-built for the
# arm64 guests, against the arm64 sysroot (scripts/arm64-sysroot.sh); give
# them a BUILD of their own.  make check does (scripts/check.sh).
PKG_CONFIG ?= pkg-config
ifeq ($(USER_ARCH),arm64)
ARM64_SYSROOT ?= $(KABISTAT_CACHE)/arm64-sysroot/root
CC := $(ARM64_TOOLCHAIN)aarch64-linux-gnu-gcc-12 --sysroot=$(ARM64_SYSROOT)
COMPAT_CC := $(ARM64_TOOLCHAIN)arm-linux-gnueabihf-gcc-12
PKG_CONFIG := PKG_CONFIG_SYSROOT_DIR=$(ARM64_SYSROOT) \
	PKG_CONFIG_LIBDIR=$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/pkgconfig:$(ARM64_SYSROOT)/usr/share/pkgconfig \
	pkg-config
# How the build runs a test binary (tests.list).
TEST_EXEC := qemu-aarch64 -L $(ARM64_SYSROOT)
else ifneq ($(USER_ARCH),)
$(error USER_ARCH is arm64 or empty, not '$(USER_ARCH)')
endif

include userspace/userspace.mk
include selftests/selftests.mk
include bench/bench.mk

# checkpatch's ENOSYS check is for code that returns it; the module counts
# the ENOSYS returns of syscalls, which is exactly "invalid syscall nr".
lint: $(KTOOLS)/.stamp userspace tests
	$(KTOOLS)/scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,ENOSYS \
		-f kmod/*.c kmod/*.h kmod/features/*.c include/uapi/linux/kabistat.h
	shellcheck -S warning .ci/run scripts/*.sh kmod/*.sh selftests/vm/*.sh \
		bench/*.sh bench/qemu/qemu-system-x86_64
	@rm -rf $(BUILD)/lint && mkdir -p $(BUILD)/lint
	@cp -a Kbuild VERSION kmod include $(BUILD)/lint/
	@$(MAKE) -s -C $(KDIR) M=$(BUILD)/lint W=1 C=2 modules 2>&1 | \
		grep -v '^Skipping BTF generation' | tee $(BUILD)/lint/log
	@$(MAKE) -s -C $(KDIR) M=$(BUILD)/lint KABISTAT_TESTING=1 W=1 C=2 \
		clean modules 2>&1 | \
		grep -v '^Skipping BTF generation' | tee -a $(BUILD)/lint/log
	@! grep -q . $(BUILD)/lint/log || { echo "lint: the module build is not clean (W=1, sparse)" >&2; exit 1; }
	@echo "lint: clean"

include packaging/install.mk

check: deps
	@scripts/check.sh

demo: deps-demo
	@scripts/demo.sh

fleet: deps
	@scripts/fleet.sh

vm-shell: deps
	@scripts/check.sh --shell

# Not part of check: boots each kernel twice (icount, then wall time); see
# bench/.
bench: deps
	@bench/run.sh

clean:
	rm -rf $(BUILD)
