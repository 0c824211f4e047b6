# SPDX-License-Identifier: GPL-2.0
# The selftests and the guest payload: $(BUILD)/payload holds exactly what
# the VM runner copies into a guest (bin/, lib/, tests/).

PAYLOAD := $(BUILD)/payload
KSFT_CFLAGS := $(US_CFLAGS) -isystem $(KTOOLS)/tools/testing/selftests -Iselftests

TEST_LIB_SRCS := selftests/nlraw.c
TEST_SRCS := $(filter-out $(TEST_LIB_SRCS),$(wildcard selftests/*.c))
TEST_BINS := $(TEST_SRCS:selftests/%.c=$(PAYLOAD)/tests/%)
TEST_SCRIPTS := $(wildcard selftests/*.sh)
TEST_SCRIPT_DST := $(TEST_SCRIPTS:selftests/%=$(PAYLOAD)/tests/%)

tests: $(TEST_BINS) $(TEST_SCRIPT_DST) $(PAYLOAD)/bin/kabistat \
	$(PAYLOAD)/lib/libkabistat.so.1

$(PAYLOAD)/tests/%: selftests/%.c $(TEST_LIB_SRCS) selftests/*.h $(US_HDRS) \
		$(KTOOLS)/.stamp $(LIBKABISTAT)
	@mkdir -p $(@D)
	$(CC) $(KSFT_CFLAGS) -o $@ $< $(TEST_LIB_SRCS) -L$(BUILD)/lib \
		-lkabistat $(US_LDLIBS) -lpthread

$(PAYLOAD)/tests/%.sh: selftests/%.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(PAYLOAD)/bin/kabistat: $(KABISTAT_CLI)
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(PAYLOAD)/lib/libkabistat.so.1: $(LIBKABISTAT)
	@mkdir -p $(@D)
	install -m 0644 $< $@
