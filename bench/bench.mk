# SPDX-License-Identifier: GPL-2.0
# make bench: the guest payload $(BUILD)/payload-bench (bin/, lib/, mod/,
# tests/) for the kernel KVER/KDIR; bench/run.sh boots it.  See README.rst,
# "Benchmarks".

BENCH_DIR := $(BUILD)/bench
BENCH_PAYLOAD := $(BUILD)/payload-bench
BENCH_FLOOR_DIR := $(BENCH_DIR)/floor/$(KVER)
BENCH_BINS := $(BENCH_DIR)/bin/ksb-loop $(BENCH_DIR)/bin/ksb-kabistat \
	$(BENCH_DIR)/bin/ksb-bpf
# One copy of guest.sh per phase; see its header.
BENCH_PHASES := a-setup r1 r2 r3 r4 r5 s-scale

# Static: once in its cgroup it makes the workload's syscalls only.
$(BENCH_DIR)/bin/ksb-loop: bench/loop.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -Werror -std=gnu11 -o $@ $<

$(BENCH_DIR)/bin/ksb-kabistat: bench/ksb-kabistat.c $(US_HDRS) $(LIBKABISTAT)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) -o $@ $< -L$(BUILD)/lib -lkabistat $(US_LDLIBS)

$(BENCH_DIR)/bin/ksb-bpf: bench/ksb-bpf.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -o $@ $< -lbpf

$(BENCH_DIR)/ksb.bpf.o: bench/ksb.bpf.c
	@mkdir -p $(@D)
	clang -O2 -g -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) \
		-Wall -Werror -c -o $@ $<

$(BENCH_FLOOR_DIR)/ksb_floor.ko: bench/floor/floor.c bench/floor/Kbuild
	@mkdir -p $(@D)
	@cp -a --update bench/floor/floor.c bench/floor/Kbuild $(@D)/
	$(MAKE) -C $(KDIR) M=$(BENCH_FLOOR_DIR) modules 2>&1 | \
		grep -v '^Skipping BTF generation' || true
	@test -f $@

bench-payload: $(BENCH_BINS) $(BENCH_DIR)/ksb.bpf.o \
		$(BENCH_FLOOR_DIR)/ksb_floor.ko $(LIBKABISTAT) bench/guest.sh
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "bench-payload: set KVER and KDIR" >&2; exit 1; }
	@bench/scap.sh $(KDIR) $(BENCH_DIR)/scap/$(KVER)
	@rm -rf $(BENCH_PAYLOAD)
	@mkdir -p $(BENCH_PAYLOAD)/bin $(BENCH_PAYLOAD)/lib $(BENCH_PAYLOAD)/mod \
		$(BENCH_PAYLOAD)/tests
	@cp $(BENCH_BINS) $(BENCH_PAYLOAD)/bin/
	@install -m 0644 $(LIBKABISTAT) $(BENCH_PAYLOAD)/lib/
	@cp $(BENCH_DIR)/ksb.bpf.o $(BENCH_FLOOR_DIR)/ksb_floor.ko $(BENCH_PAYLOAD)/mod/
	@cp $(BENCH_DIR)/scap/$(KVER)/scap.ko $(BENCH_PAYLOAD)/mod/ 2>/dev/null || \
		cp $(BENCH_DIR)/scap/$(KVER)/scap.na $(BENCH_PAYLOAD)/mod/
	@for tool in bpftrace sysdig; do \
		if command -v $$tool >/dev/null; then \
			cp "$$(command -v $$tool)" $(BENCH_PAYLOAD)/bin/; fi; done
	@for phase in $(BENCH_PHASES); do \
		install -m 0755 bench/guest.sh $(BENCH_PAYLOAD)/tests/$$phase; done
