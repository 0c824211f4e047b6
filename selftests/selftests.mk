# SPDX-License-Identifier: GPL-2.0
# The selftests and the guest payload: $(BUILD)/payload holds exactly what
# the VM runner copies into a guest (bin/, lib/, tests/).

PAYLOAD := $(BUILD)/payload
# selftests/kselftest_harness.h wraps the kernel's, which it includes as
# <testing/selftests/kselftest_harness.h>.
KSFT_CFLAGS := $(US_CFLAGS) -isystem $(KTOOLS)/tools/testing/selftests \
	-isystem $(KTOOLS)/tools -Iselftests

TEST_LIB_SRCS := selftests/nlraw.c selftests/cgtest.c
# 32-bit helpers that tests run from $(PAYLOAD)/bin; not tests themselves:
# of the compat ABI of the architecture CC builds for, ia32 or, on arm64,
# arm (AArch32) with COMPAT_CC (USER_ARCH=arm64: scripts/arm64-toolchain.sh's).
# On x86 the i686 cross compiler, not gcc -m32: Debian's gcc-multilib
# conflicts with the arm64 and armhf cross compilers.
TEST_WL32_SRCS := selftests/wl_ia32.c selftests/wl_ia32_oor.c \
	selftests/wl_arm.c selftests/ioctl_compat32.c selftests/ioctl_fuzz32.c
# 64-bit helpers without libc: every system call their image makes is known
# (wl_crun: the entrypoint of cli_crun.c's containers).  x86-64 only.
TEST_X64_SRCS := selftests/wl_x64.c selftests/wl_crun.c
ifneq ($(filter aarch64-%,$(shell $(CC) -dumpmachine)),)
TEST_IA32_SRCS := selftests/wl_arm.c selftests/ioctl_compat32.c \
	selftests/ioctl_fuzz32.c
TEST_X64_BINS :=
# Not ported to arm64 yet: bigcgroup and spec_errno reach the ia32 table
# through int $0x80, which 64-bit arm64 code has no counterpart of;
# spec_exec and cli_crun run x86-64 images without libc; the others expect
# x86's numbers, ABI names or symbols (uselib, "x86_64", __x64_sys_*).
TEST_NOT_HERE := selftests/bigcgroup.c selftests/spec_errno.c \
	selftests/spec_exec.c selftests/cli_crun.c selftests/cli_schema.c \
	selftests/events_drops.c selftests/abi_symbols.c \
	selftests/cli_events.c selftests/cli_names.c \
	selftests/cli_seccomp_formats.c selftests/lib_open.c \
	selftests/events_burst.c selftests/spec_signals.c
COMPAT_CC ?= arm-linux-gnueabihf-gcc
else
TEST_IA32_SRCS := selftests/wl_ia32.c selftests/wl_ia32_oor.c \
	selftests/ioctl_compat32.c selftests/ioctl_fuzz32.c
TEST_X64_BINS := $(TEST_X64_SRCS:selftests/%.c=$(PAYLOAD)/bin/%)
COMPAT_CC ?= i686-linux-gnu-gcc
endif
TEST_IA32_BINS := $(TEST_IA32_SRCS:selftests/%.c=$(PAYLOAD)/bin/%)
TEST_SRCS := $(filter-out $(TEST_LIB_SRCS) $(TEST_WL32_SRCS) $(TEST_X64_SRCS) \
	$(TEST_NOT_HERE),\
	$(wildcard selftests/*.c))
TEST_BINS := $(TEST_SRCS:selftests/%.c=$(PAYLOAD)/tests/%)
TEST_SCRIPTS := $(wildcard selftests/*.sh)
TEST_SCRIPT_DST := $(TEST_SCRIPTS:selftests/%=$(PAYLOAD)/tests/%)

tests: $(TEST_BINS) $(TEST_SCRIPT_DST) $(TEST_IA32_BINS) $(TEST_X64_BINS) \
	$(WL_BINS) \
	$(PAYLOAD)/bin/kabistat $(PAYLOAD)/lib/libkabistat.so.1 \
	$(PAYLOAD)/tests.list

# Every test the payload holds, "BINARY/TEST TIMEOUT", from the binaries
# themselves (-l, selftests/kselftest_harness.h; nothing else runs): what
# run-guest.sh expects to see run.  A script is "SCRIPT/* 0".
$(PAYLOAD)/tests.list: $(TEST_BINS) $(TEST_SCRIPT_DST)
	@for t in $(TEST_BINS); do \
		list=$$(LD_LIBRARY_PATH=$(BUILD)/lib $(TEST_EXEC) $$t -l) || \
			{ echo "$$t -l failed" >&2; exit 1; }; \
		printf '%s\n' "$$list" | grep -v '^#' | sed "s|^|$${t##*/}/|"; \
	done >$@.tmp
	@for t in $(TEST_SCRIPT_DST); do echo "$${t##*/}/* 0"; done >>$@.tmp
	@mv $@.tmp $@

# Libraries only some tests need (the VM runner copies what ldd names).
$(PAYLOAD)/tests/counting $(PAYLOAD)/tests/cli_features \
	$(PAYLOAD)/tests/spec_errno: TEST_LDLIBS := -lseccomp

$(PAYLOAD)/tests/%: selftests/%.c $(TEST_LIB_SRCS) selftests/*.h $(US_HDRS) \
		$(KTOOLS)/.stamp $(LIBKABISTAT)
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -o $@ $< $(TEST_LIB_SRCS) -L$(BUILD)/lib \
		-lkabistat $(US_LDLIBS) -lpthread $(TEST_LDLIBS)

# Static, so the guest needs no 32-bit libraries.  wl_ia32 has no libc and
# no start files at all: every system call its image makes is known.
IA32_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi
$(PAYLOAD)/bin/wl_ia32 $(PAYLOAD)/bin/wl_ia32_oor $(PAYLOAD)/bin/wl_arm: \
	IA32_EXTRA := -nostdlib -ffreestanding -fno-pie -no-pie

$(TEST_IA32_BINS): $(PAYLOAD)/bin/%: selftests/%.c include/uapi/linux/kabistat.h
	@mkdir -p $(@D)
	$(COMPAT_CC) $(IA32_CFLAGS) $(IA32_EXTRA) -o $@ $<

$(TEST_X64_BINS): $(PAYLOAD)/bin/%: selftests/%.c
	@mkdir -p $(@D)
	$(CC) -static -nostdlib -ffreestanding -fno-pie -no-pie -O2 -g -Wall \
		-Wextra -Werror -std=gnu11 -o $@ $<

$(PAYLOAD)/tests/%.sh: selftests/%.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(PAYLOAD)/bin/kabistat: $(KABISTAT_CLI)
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(PAYLOAD)/lib/libkabistat.so.1: $(LIBKABISTAT)
	@mkdir -p $(@D)
	install -m 0644 $< $@

# Sample workloads for make demo (and tests that want a realistic mix):
# $(PAYLOAD)/bin/wl-NAME from selftests/workloads/NAME.c; compat32 is a
# static 32-bit binary.
WL_SRCS := $(wildcard selftests/workloads/*.c)
WL_BINS := $(WL_SRCS:selftests/workloads/%.c=$(PAYLOAD)/bin/wl-%)

$(PAYLOAD)/bin/wl-%: selftests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -o $@ $<

$(PAYLOAD)/bin/wl-compat32: selftests/workloads/compat32.c
	@mkdir -p $(@D)
	$(COMPAT_CC) $(IA32_CFLAGS) -o $@ $<

# The demo guest runs only the demo script, with the CLI, the library and
# the sample workloads: none of the tests, so that make demo builds in
# seconds.
DEMO_PAYLOAD := $(BUILD)/payload-demo

demo-payload: $(PAYLOAD)/bin/kabistat $(PAYLOAD)/lib/libkabistat.so.1 \
		$(WL_BINS) selftests/vm/demo.sh
	@rm -rf $(DEMO_PAYLOAD) && mkdir -p $(DEMO_PAYLOAD)/tests $(DEMO_PAYLOAD)/bin
	@cp -a $(PAYLOAD)/lib $(DEMO_PAYLOAD)/
	@cp -a $(PAYLOAD)/bin/kabistat $(WL_BINS) $(DEMO_PAYLOAD)/bin/
	@install -m 0755 selftests/vm/demo.sh $(DEMO_PAYLOAD)/tests/demo.sh

# Each node of make fleet runs only its node script (scripts/fleet.sh).
FLEET_PAYLOAD := $(BUILD)/payload-fleet

fleet-payload: tests $(WL_BINS) selftests/vm/fleet-node.sh
	@rm -rf $(FLEET_PAYLOAD) && mkdir -p $(FLEET_PAYLOAD)/tests
	@cp -a $(PAYLOAD)/bin $(PAYLOAD)/lib $(FLEET_PAYLOAD)/
	@install -m 0755 selftests/vm/fleet-node.sh $(FLEET_PAYLOAD)/tests/fleet-node.sh

# libkabistat's dump parser against made-up parts, and its requests against
# the host kernel's nlctrl family, run by scripts/host-tests.sh under
# valgrind: linked from the library's objects, whose internal functions it
# calls (the shared library exports only the API).
DUMP_PARTS := $(BUILD)/host/dump-parts
$(DUMP_PARTS): selftests/host/dump_parts.c $(LIB_OBJS) $(US_HDRS) $(KTOOLS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -o $@ $< $(LIB_OBJS) $(US_LDLIBS)

# The library's ABI hash of a table kmod/gen-syscalls.sh generates, for
# scripts/host-tests.sh to compare the tables of two kernels.
ABI_HASH := $(BUILD)/host/abi-hash
$(ABI_HASH): selftests/host/abi_hash.c $(LIB_OBJS) $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -o $@ $< $(LIB_OBJS) $(US_LDLIBS)
