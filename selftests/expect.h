/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a cgroup's counters in tests, and checking them exactly; and the
 * simplest workload, n getppid calls.  Include after kselftest_harness.h.
 */
#ifndef KABISTAT_EXPECT_H
#define KABISTAT_EXPECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
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

/* Whether @cg has an entry for (ABI, nr) at all. */
static inline bool has_stat(const struct kabistat_cgroup *cg, uint32_t abi,
			    uint32_t nr)
{
	size_t i;

	for (i = 0; i < cg->nr_stats; i++)
		if (cg->stats[i].abi == abi && cg->stats[i].nr == nr)
			return true;
	return false;
}

/* Every errno bucket other than the (errno, count) pairs given is 0. */
static inline void expect_errnos(struct __test_metadata *_metadata,
				 const struct kabistat_cgroup *cg, int n, ...)
{
	uint64_t want[KABISTAT_ERRNO_MAX + 1] = { 0 };
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int e = va_arg(ap, int);

		want[e] = va_arg(ap, uint64_t);
	}
	va_end(ap);
	for (i = 0; i <= KABISTAT_ERRNO_MAX; i++)
		EXPECT_EQ(want[i], cg->errno_counts[i])
			TH_LOG("errno_counts[%d] (%s)", i,
			       i ? strerror(i) : "other");
}

/* A cgroup's counters; any failure to read them fails the test. */
static inline struct kabistat_cgroup *
read_cg(struct __test_metadata *_metadata, struct kabistat *ks, uint64_t id)
{
	struct kabistat_cgroup *cg = NULL;
	int err;

	err = kabistat_get_cgroup(ks, id, &cg);
	ASSERT_EQ(0, err)
		TH_LOG("kabistat_get_cgroup(%llu): %s",
		       (unsigned long long)id, kabistat_errmsg(ks));
	ASSERT_NE(NULL, cg);
	EXPECT_EQ(id, cg->id);
	/* events that went to overflow would make any exact count wrong */
	EXPECT_EQ(0, cg->flags & KABISTAT_CGROUP_F_PARTIAL)
		TH_LOG("cgroup %llu is partial: some of its events went to overflow",
		       (unsigned long long)id);
	return cg;
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
