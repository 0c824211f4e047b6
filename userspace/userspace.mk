# SPDX-License-Identifier: GPL-2.0
# libkabistat and the kabistat CLI, built into $(BUILD)/{lib,bin}.

# pkg-config runs as the Makefile is read, also for make deps on a machine
# that has neither the libraries nor pkg-config yet: quietly, and building
# user space says what is missing (us-deps).
US_PKGS := libnl-genl-3.0 libmicrohttpd ncursesw libseccomp
US_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	-Iinclude/uapi -Iuserspace/lib \
	$(shell $(PKG_CONFIG) --cflags libnl-genl-3.0 2>/dev/null) \
	-DKABISTAT_VERSION='"$(VERSION)"' $(CFLAGS)
US_LDLIBS := $(shell $(PKG_CONFIG) --libs libnl-genl-3.0 2>/dev/null)
# export --listen serves HTTP with libmicrohttpd; top draws with ncurses;
# seccomp asks libseccomp which names it knows on each architecture.
CLI_LDLIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd ncursesw libseccomp 2>/dev/null) \
	-lm -pthread

LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_OBJS := $(LIB_SRCS:userspace/lib/%.c=$(BUILD)/obj/lib/%.o) \
	$(BUILD)/obj/lib/syscall-versions.o
CLI_SRCS := $(wildcard userspace/cli/*.c)
CLI_OBJS := $(CLI_SRCS:userspace/cli/%.c=$(BUILD)/obj/cli/%.o)
US_HDRS := include/uapi/linux/kabistat.h $(wildcard userspace/lib/*.h userspace/cli/*.h)

LIBKABISTAT := $(BUILD)/lib/libkabistat.so.1
KABISTAT_CLI := $(BUILD)/bin/kabistat

userspace: $(LIBKABISTAT) $(KABISTAT_CLI) $(BUILD)/lib/kabistat.pc

.PHONY: us-deps
us-deps:
	@$(PKG_CONFIG) --exists $(US_PKGS) 2>/dev/null || { \
		echo "missing pkg-config or the development files of $(US_PKGS): run 'make deps'" >&2; \
		exit 1; }
$(LIB_OBJS) $(CLI_OBJS): | us-deps

$(BUILD)/obj/lib/%.o: userspace/lib/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -fPIC -c -o $@ $<

# The table of first kernel versions is generated at every build from the
# sources the build host has anyway (scripts/deps.sh installs them), not
# committed: it follows Debian's manual page and kernel trees without a
# step anyone could forget, and $(SYSCALL_VERSIONS_TSV) shows it for review.
# The 6.1 tables come out of the linux-source tarball like checkpatch does;
# 6.12 is the installed headers tree.  Other trees are optional: by default
# the 5.10 headers scripts/bullseye-kernel.sh unpacked and the 7.3 source
# scripts/debug-kernel.sh unpacked (make check provides both kernels before
# it builds the user space), or tarballs, e.g.
#   make SYSCALL_TREES_EXTRA="7.3=/usr/src/linux-source-7.3.tar.xz"
# The optional trees found, and where they lead, are kept in
# $(SYSCALL_TREES_FOUND): the table is made again when that changes (a tree
# that appears, or a new 5.10 ABI), whatever the unpacked files' dates.
SYSCALL_MANPAGE ?= /usr/share/man/man2/syscalls.2.gz
SYSCALL_TREE_6_1 := $(BUILD)/syscall-trees/6.1
SYSCALL_TREE_6_12 ?= $(patsubst %/arch/x86/include/generated/uapi/asm/unistd_64.h,%,\
	$(firstword $(wildcard /usr/src/linux-headers-6.12*/arch/x86/include/generated/uapi/asm/unistd_64.h)))
KABISTAT_CACHE ?= /var/cache/kabistat
SYSCALL_TREES_EXTRA ?= 5.10=$(KABISTAT_CACHE)/linux-5.10/headers \
	7.3=$(KABISTAT_CACHE)/linux-7.3/src
# arm64 and arm: the arm64 headers scripts/arm64-kernel.sh unpacked, when
# there (make check with KERNELS=arm64-* fetches them first).
SYSCALL_ARM64_TREES ?= 6.1=$(KABISTAT_CACHE)/linux-arm64-6.1/headers \
	6.12=$(KABISTAT_CACHE)/linux-arm64-6.12/headers
SYSCALL_TREES_FOUND := $(BUILD)/gen/syscall-trees
SYSCALL_VERSIONS_C := $(BUILD)/gen/syscall-versions.c
SYSCALL_VERSIONS_TSV := $(BUILD)/data/syscall-versions.tsv

$(SYSCALL_TREE_6_1)/.stamp: $(LINUX_SRC_TAR)
	@mkdir -p $(@D)
	tar -xJf $< -C $(@D) --strip-components=1 --wildcards \
		--no-wildcards-match-slash \
		'*/arch/x86/entry/syscalls/syscall_64.tbl' \
		'*/arch/x86/entry/syscalls/syscall_32.tbl'
	@touch $@

# VERSION=real path, empty where a tree is missing; rewritten only when it
# changes.
syscall_trees_now = $(foreach t,$(SYSCALL_TREES_EXTRA) $(SYSCALL_ARM64_TREES),\
	$(firstword $(subst =, ,$(t)))=$(realpath $(lastword $(subst =, ,$(t)))))

.PHONY: syscall-trees-found
$(SYSCALL_TREES_FOUND): syscall-trees-found
	@mkdir -p $(@D)
	@echo '$(strip $(syscall_trees_now))' | cmp -s - $@ || \
		echo '$(strip $(syscall_trees_now))' >$@

$(SYSCALL_VERSIONS_C): userspace/data/gen-syscall-versions.py \
		userspace/data/syscall-overrides $(SYSCALL_MANPAGE) \
		$(SYSCALL_TREE_6_1)/.stamp \
		$(SYSCALL_TREE_6_12)/arch/x86/include/generated/uapi/asm/unistd_64.h \
		$(SYSCALL_TREES_FOUND)
	@test -n "$(SYSCALL_TREE_6_12)" || { echo "no linux-headers-6.12: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(@D) $(dir $(SYSCALL_VERSIONS_TSV))
	python3 userspace/data/gen-syscall-versions.py \
		--manpage $(SYSCALL_MANPAGE) \
		--tree 6.1=$(SYSCALL_TREE_6_1) --tree 6.12=$(SYSCALL_TREE_6_12) \
		$(foreach t,$(SYSCALL_TREES_EXTRA),--optional-tree $(t)) \
		$(foreach t,$(SYSCALL_ARM64_TREES),--arm64-tree $(t)) \
		--overrides userspace/data/syscall-overrides \
		--tsv $(SYSCALL_VERSIONS_TSV) --c $@.tmp
	@mv $@.tmp $@

$(BUILD)/obj/lib/syscall-versions.o: $(SYSCALL_VERSIONS_C) $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -fPIC -c -o $@ $<

$(BUILD)/obj/cli/%.o: userspace/cli/%.c $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -c -o $@ $<

$(LIBKABISTAT): $(LIB_OBJS) userspace/lib/libkabistat.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libkabistat.so.1 \
		-Wl,--version-script=userspace/lib/libkabistat.map \
		-Wl,--no-undefined -o $@ $(LIB_OBJS) $(US_LDLIBS) $(LDFLAGS)
	ln -sf libkabistat.so.1 $(BUILD)/lib/libkabistat.so

$(KABISTAT_CLI): $(CLI_OBJS) $(LIBKABISTAT)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_OBJS) -L$(BUILD)/lib -lkabistat $(US_LDLIBS) $(CLI_LDLIBS) \
		-Wl,-rpath,'$$ORIGIN/../lib' $(LDFLAGS)

$(BUILD)/lib/kabistat.pc: userspace/lib/kabistat.pc.in VERSION
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' \
	    -e 's|@INCLUDEDIR@|$(PREFIX)/include|' -e 's|@VERSION@|$(VERSION)|' \
	    $< > $@

# valgrind for the CLI's memcheck test in the guest (selftests/cli_json.c):
# the real binary behind Debian's /usr/bin/valgrind wrapper, memcheck and its
# preloads, under $(BUILD)/payload/valgrind, used with VALGRIND_LIB set.  The
# VM runner copies the libraries they need.  memcheck cannot start without
# the symbols of ld.so (its strlen must be redirected): libc6-dbg's file for
# the loader's build id goes to valgrind/debug/.build-id, which the test
# links to from the guest's /usr/lib/debug.  Without valgrind installed the test skips.
VALGRIND_LIBEXEC := /usr/libexec/valgrind
VALGRIND_FILES := memcheck-amd64-linux vgpreload_core-amd64-linux.so \
	vgpreload_memcheck-amd64-linux.so default.supp
VALGRIND_PAYLOAD := $(BUILD)/payload/valgrind

# Not in the arm64 payload (USER_ARCH): this machine's valgrind is amd64's.
ifneq ($(USER_ARCH)-$(wildcard /usr/bin/valgrind.bin),-)
ifeq ($(USER_ARCH),)
tests: $(VALGRIND_PAYLOAD)/.stamp
endif
endif

VALGRIND_LDSO := /lib64/ld-linux-x86-64.so.2

$(VALGRIND_PAYLOAD)/.stamp: userspace/userspace.mk /usr/bin/valgrind.bin $(VALGRIND_LDSO) \
		$(addprefix $(VALGRIND_LIBEXEC)/,$(VALGRIND_FILES))
	@mkdir -p $(@D)/lib
	install -m 0755 /usr/bin/valgrind.bin $(@D)/valgrind
	install -m 0755 $(addprefix $(VALGRIND_LIBEXEC)/,$(VALGRIND_FILES)) $(@D)/lib/
	@id=$$(readelf -n $(VALGRIND_LDSO) | awk '/Build ID/ { print $$3 }'); \
	dbg=.build-id/$$(echo $$id | cut -c1-2)/$$(echo $$id | cut -c3-).debug; \
	test -f /usr/lib/debug/$$dbg || { echo "no /usr/lib/debug/$$dbg: install libc6-dbg" >&2; exit 1; }; \
	mkdir -p $(@D)/debug/$$(dirname $$dbg) && \
	install -m 0644 /usr/lib/debug/$$dbg $(@D)/debug/$$dbg
	@touch $@

# The exposition of `kabistat export` for made-up readings, for promtool on
# the host (scripts/host-tests.sh): the formatter without the module, with
# the CLI's helpers it shares with show and check (cgroup.o, json.o).
EXPORT_SAMPLE := $(BUILD)/host/export-sample
EXPORT_SAMPLE_OBJS := $(addprefix $(BUILD)/obj/cli/,export_fmt.o format.o cgroup.o json.o utf8.o)
$(EXPORT_SAMPLE): selftests/host/export_sample.c $(EXPORT_SAMPLE_OBJS) \
		$(LIBKABISTAT) $(US_HDRS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -Iuserspace/cli -o $@ $< $(EXPORT_SAMPLE_OBJS) \
		-L$(BUILD)/lib -lkabistat $(US_LDLIBS) \
		-Wl,-rpath,$(abspath $(BUILD))/lib
