/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a cgroup's counters in tests, and checking them exactly; and the
 * simplest workload, n getppid calls.  Include after kselftest_harness.h.
 */
#ifndef KABISTAT_EXPECT_H
#define KABISTAT_EXPECT_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kabistat.h"
#include "abis.h"

/* The counters of one (ABI, nr) of @cg; all zero when it has none. */
static inline const struct kabistat_counters *
counters_of(const struct kabistat_cgroup *cg, uint32_t abi, uint32_t nr)
{
	static const struct kabistat_counters zero;
	size_t i;

	for (i = 0; i < cg->nr_stats; i++)
		if (cg->stats[i].abi == abi && cg->stats[i].nr == nr)
			return &cg->stats[i].c;
	return &zero;
}

static inline uint64_t getppid_calls(const struct kabistat_cgroup *cg)
{
	return counters_of(cg, TEST_ABI_NATIVE, SYS_getppid)->calls;
}

static inline void expect_counters(struct __test_metadata *_metadata,
				   const char *what,
				   const struct kabistat_counters *c,
				   uint64_t calls, uint64_t errors,
				   uint64_t enosys, uint64_t denied,
				   uint64_t interrupted)
{
	EXPECT_EQ(calls, c->calls) TH_LOG("%s: calls", what);
	EXPECT_EQ(errors, c->errors) TH_LOG("%s: errors", what);
	EXPECT_EQ(enosys, c->enosys) TH_LOG("%s: enosys", what);
	EXPECT_EQ(denied, c->denied) TH_LOG("%s: denied", what);
	EXPECT_EQ(interrupted, c->interrupted)
		TH_LOG("%s: interrupted", what);
}

/* calls, errors, enosys, denied, interrupted of one (ABI, nr) */
#define EXPECT_SYSCALL(cg, abi, nr, ...) \
	expect_counters(_metadata, #abi " " #nr, counters_of(cg, abi, nr), \
			__VA_ARGS__)

#define EXPECT_TOTALS(cg, ...) \
	expect_counters(_metadata, "totals", &(cg)->totals, __VA_ARGS__)

/* A workload (see cgtest.h): (long)@arg getppid calls, raw. */
static inline int wl_getppid(void *arg)
{
	long i, n = (long)arg;

	for (i = 0; i < n; i++)
		if (syscall(SYS_getppid) <= 0)
			return 10;
	return 0;
}

#endif /* KABISTAT_EXPECT_H */
