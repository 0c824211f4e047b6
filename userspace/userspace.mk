# SPDX-License-Identifier: GPL-2.0
# libkabistat and the kabistat CLI, built into $(BUILD)/{lib,bin}.

US_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	-Iinclude/uapi -Iuserspace/lib $(shell pkg-config --cflags libnl-genl-3.0) \
	-DKABISTAT_VERSION='"$(VERSION)"' $(CFLAGS)
US_LDLIBS := $(shell pkg-config --libs libnl-genl-3.0)

LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_OBJS := $(LIB_SRCS:userspace/lib/%.c=$(BUILD)/obj/lib/%.o)
CLI_SRCS := $(wildcard userspace/cli/*.c)
CLI_OBJS := $(CLI_SRCS:userspace/cli/%.c=$(BUILD)/obj/cli/%.o)
US_HDRS := include/uapi/linux/kabistat.h $(wildcard userspace/lib/*.h userspace/cli/*.h)

LIBKABISTAT := $(BUILD)/lib/libkabistat.so.1
KABISTAT_CLI := $(BUILD)/bin/kabistat

userspace: $(LIBKABISTAT) $(KABISTAT_CLI) $(BUILD)/lib/kabistat.pc

$(BUILD)/obj/lib/%.o: userspace/lib/%.c $(US_HDRS)
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
	$(CC) -o $@ $(CLI_OBJS) -L$(BUILD)/lib -lkabistat $(US_LDLIBS) \
		-Wl,-rpath,'$$ORIGIN/../lib' $(LDFLAGS)

$(BUILD)/lib/kabistat.pc: userspace/lib/kabistat.pc.in VERSION
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' \
	    -e 's|@INCLUDEDIR@|$(PREFIX)/include|' -e 's|@VERSION@|$(VERSION)|' \
	    $< > $@
