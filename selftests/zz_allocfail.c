// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures: the test build of kabistat.ko (make module-test)
 * reloaded with test_fail_alloc=N, which makes 1 in N allocations of pooled
 * cgroups and slot chunks fail from the load on (kmod/testing.c,
 * ks_fail_alloc()), as memory pressure would.  Events that
 * find no cgroup or no chunk go to the overflow aggregate, and nothing is
 * lost: with counting off, the sum over a full dump equals observed.
 *
 * These tests reload the module, like zz_lifecycle.c, and every test's
 * teardown reloads it with its default parameters whatever happened (the
 * harness's parent does it too, should a test be killed on timeout).
 * Leaks are for kmemleak on the debug kernel: the unloads here free every
 * pool and cgroup, and the guest scans before power-off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "modctl.h"

#define X64		TEST_ABI_NATIVE
#define NCG		30

/* ------------------------------------------------------------------ */

/*
 * 17 distinct syscalls, then getppid WL_K more times: with the moving
 * read and the exit_group, 19 keys (more than one chunk of 15 slots) and
 * WL_CALLS calls, none failing.
 */
#define WL_K		20
#define WL_CALLS	(17 + WL_K + CGTEST_OVERHEAD_CALLS)
#define WL_GETPPID	(1 + WL_K)

static int wl_many(void *arg)
{
	struct utsname u;
	struct rlimit rl;
	struct itimerval it;
	struct sysinfo si;
	struct tms { long a, b, c, d; } t;
	unsigned int r1, r2, r3;
	int i;

	(void)arg;
	if (syscall(SYS_getppid) <= 0 || syscall(SYS_getpid) <= 0 ||
	    syscall(SYS_getuid) < 0 || syscall(SYS_geteuid) < 0 ||
	    syscall(SYS_getgid) < 0 || syscall(SYS_getegid) < 0 ||
	    syscall(SYS_gettid) <= 0 || syscall(SYS_getpgid, 0) <= 0 ||
	    syscall(SYS_sched_yield) ||
	    syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0 ||
	    syscall(SYS_times, &t) == -1 || syscall(SYS_uname, &u) ||
	    syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl) ||
	    syscall(SYS_sched_getscheduler, 0) < 0 ||
	    syscall(SYS_getresuid, &r1, &r2, &r3) ||
	    syscall(SYS_getitimer, ITIMER_REAL, &it) ||
	    syscall(SYS_sysinfo, &si))
		return 10;
	for (i = 0; i < WL_K; i++)
		if (syscall(SYS_getppid) <= 0)
			return 11;
	return 0;
}

struct agg {
	uint64_t sum;
	int ncg;
	struct kabistat_counters overflow, evicted;
};

static int dump_cb(const struct kabistat_cgroup *cg, void *arg)
{
	struct agg *a = arg;

	a->sum += cg->totals.calls;
	if (cg->id)
		a->ncg++;
	else if (cg->state == KABISTAT_CGROUP_OVERFLOW)
		a->overflow = cg->totals;
	else
		a->evicted = cg->totals;
	return 0;
}

FIXTURE(allocfail) {
	struct kabistat *ks;
	struct cgtest cg[NCG];
	int ncg;
};

FIXTURE_SETUP(allocfail)
{
	memset(self->cg, 0, sizeof(self->cg));
}

FIXTURE_TEARDOWN(allocfail)
{
	int i, err;

	if (self->ks)
		kabistat_close(self->ks);
	for (i = 0; i < self->ncg; i++)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	err = reload("");
	EXPECT_EQ(0, err) TH_LOG("reloading %s with defaults: %s", KO_NAME,
				 strerror(-err));
	EXPECT_FALSE(test_build_loaded());
}

static void reload_ks(struct __test_metadata *_metadata,
		      FIXTURE_DATA(allocfail) *self, const char *params)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int err;

	if (self->ks)
		kabistat_close(self->ks);
	self->ks = NULL;
	if (!test_build_present())
		SKIP(return, "no test build of the module at %s", KO_TEST_PATH);
	err = reload_test(params);
	ASSERT_EQ(0, err) TH_LOG("reload '%s': %s", params, strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
}

static void get_abi(struct __test_metadata *_metadata, struct kabistat *ks,
		    uint32_t *tracked, uint64_t *memory, uint64_t *observed)
{
	struct kabistat_kernel_abi *abi = NULL;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi)) TH_LOG("%s",
						       kabistat_errmsg(ks));
	if (tracked)
		*tracked = abi->tracked_cgroups;
	if (memory)
		*memory = abi->memory_used;
	if (observed) {
		EXPECT_TRUE(abi->has_observed)
			TH_LOG("GET_ABI as root without observed");
		*observed = abi->observed;
	}
	kabistat_abi_free(abi);
}

/* Counting off, then: sum over the dump == observed, before and after. */
static void conservation(struct __test_metadata *_metadata,
			 struct kabistat *ks, struct agg *a)
{
	struct kabistat_settings off = {
		.sz = sizeof(off), .counting = 0, .mask = KABISTAT_SET_COUNTING,
	};
	struct kabistat_dump_opts o = { .sz = sizeof(o) };
	uint64_t o1, o2;

	ASSERT_EQ(0, kabistat_set(ks, &off)) TH_LOG("%s", kabistat_errmsg(ks));
	get_abi(_metadata, ks, NULL, NULL, &o1);
	memset(a, 0, sizeof(*a));
	ASSERT_EQ(0, kabistat_dump(ks, &o, dump_cb, a))
		TH_LOG("%s", kabistat_errmsg(ks));
	get_abi(_metadata, ks, NULL, NULL, &o2);
	EXPECT_EQ(o1, o2);
	EXPECT_EQ(o1, a->sum) TH_LOG("sum over the dump %llu, observed %llu",
				     (unsigned long long)a->sum,
				     (unsigned long long)o1);
}

static uint64_t calls_of(const struct kabistat_cgroup *cg, uint32_t nr)
{
	size_t i;

	for (i = 0; i < cg->nr_stats; i++)
		if (cg->stats[i].abi == X64 && cg->stats[i].nr == nr)
			return cg->stats[i].c.calls;
	return 0;
}

/*
 * test_fail_alloc=1: every allocation fails, the pools' first fill at
 * load included, so the pools stay empty and no cgroup can ever be
 * tracked, not even the root cgroup: tracked_cgroups is 0 from load on,
 * memory_used never moves (it is the CPU caches alone), and every event
 * of every cgroup lands in overflow: overflow = observed exactly.
 */
TEST_F_TIMEOUT(allocfail, fail_every_allocation, 120)
{
	struct kabistat_cgroup *cg;
	uint32_t tracked;
	uint64_t mem0, mem1, obs;
	long injected;
	struct agg a;
	int i;

	reload_ks(_metadata, self, "test_fail_alloc=1");
	EXPECT_EQ(1, module_param("test_fail_alloc"));
	injected = module_param("test_fail_injected");
	/* the pools' first fill at load failed, at least once per pool */
	EXPECT_LT(0, injected) TH_LOG("no allocation failed at load");
	get_abi(_metadata, self->ks, &tracked, &mem0, NULL);
	EXPECT_EQ(0, tracked) TH_LOG("cgroups tracked with empty pools");

	for (i = 0; i < 5; i++, self->ncg++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "allocfail1"))
			TH_LOG("%s", cgtest_err());
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_many, NULL))
			TH_LOG("%s", cgtest_err());
	}
	/* until the refills the workloads asked for ran (and failed) */
	for (i = 0; i < 1000 && module_param("test_fail_injected") <= injected;
	     i++)
		sleep_ms(10);
	for (i = 0; i < 5; i++) {
		cg = NULL;
		EXPECT_EQ(-ENOENT, kabistat_get_cgroup(self->ks,
						       self->cg[i].id, &cg))
			TH_LOG("cgroup %d tracked without memory", i);
		kabistat_cgroup_free(cg);
	}
	get_abi(_metadata, self->ks, &tracked, &mem1, &obs);
	EXPECT_EQ(0, tracked);
	/* and the workloads' cgroups made refills that failed too */
	EXPECT_LT(injected, module_param("test_fail_injected"))
		TH_LOG("no allocation failed for the workloads");
	EXPECT_EQ(mem0, mem1) TH_LOG("memory_used moved: %llu -> %llu",
				     (unsigned long long)mem0,
				     (unsigned long long)mem1);

	conservation(_metadata, self->ks, &a);
	EXPECT_EQ(0, a.ncg);
	EXPECT_EQ(a.sum, a.overflow.calls) TH_LOG("not all in overflow");
	EXPECT_EQ(0, a.evicted.calls);
	EXPECT_LE(5 * WL_CALLS, a.overflow.calls);
	printf("# fail_every_allocation: 5 workloads, %llu calls, all in overflow\n",
	       (unsigned long long)a.overflow.calls);
}

/*
 * test_fail_alloc=3: one allocation in three fails.  A refill stops at
 * its first failure, so pools hold a couple of objects at most; 30
 * workloads started back to back, each using 19 keys (two chunks),
 * drain them: a workload's cgroup is tracked or not (its first event
 * found a pooled cgroup or not), and a tracked one may miss a chunk
 * (partial).  A tracked cgroup that is not partial is exact; a partial
 * one holds less; what they lack, and all of the untracked ones, is in
 * overflow; and everything adds up to observed.
 */
TEST_F_TIMEOUT(allocfail, fail_one_allocation_in_three, 180)
{
	struct kabistat_cgroup *cg;
	uint64_t missing = 0, ovf0;
	pid_t pids[NCG];
	int pfd[2];
	int i, err, full = 0, partial = 0, untracked = 0;
	long injected;
	struct agg a;

	reload_ks(_metadata, self, "test_fail_alloc=3");
	EXPECT_EQ(3, module_param("test_fail_alloc"));
	injected = module_param("test_fail_injected");
	EXPECT_LE(0, injected);
	/* the overflow before the workloads */
	conservation(_metadata, self->ks, &a);
	ovf0 = a.overflow.calls;
	{
		struct kabistat_settings on = {
			.sz = sizeof(on), .counting = 1, .released_ttl = -1,
		};

		ASSERT_EQ(0, kabistat_set(self->ks, &on));
	}

	for (i = 0; i < NCG; i++, self->ncg++)
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "allocfail3"))
			TH_LOG("%s", cgtest_err());
	/*
	 * All 30 wait in read() on one pipe, each already moved into its
	 * cgroup; one write of 30 bytes wakes them at once, so their first
	 * events (the read's return) come in a burst on both CPUs.
	 */
	ASSERT_EQ(0, pipe(pfd));
	for (i = 0; i < NCG; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			char c;

			close(pfd[1]);
			if (syscall(SYS_read, pfd[0], &c, 1) != 1)
				syscall(SYS_exit_group, 12);
			syscall(SYS_exit_group, wl_many(NULL));
		}
	}
	close(pfd[0]);
	for (i = 0; i < NCG; i++) {
		ASSERT_EQ(0, cgtest_wait_blocked(pids[i], SYS_read, pfd[0],
						 10000))
			TH_LOG("workload %d never blocked", i);
		ASSERT_EQ(0, cgtest_move(&self->cg[i], pids[i]))
			TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(NCG, write(pfd[1], "012345678901234567890123456789", NCG));
	close(pfd[1]);
	for (i = 0; i < NCG; i++)
		EXPECT_EQ(0, cgtest_reap(pids[i])) TH_LOG("workload %d", i);

	for (i = 0; i < NCG; i++) {
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, self->cg[i].id, &cg);
		if (err == -ENOENT) {
			untracked++;
			missing += WL_CALLS;
			continue;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, cg->state);
		if (cg->flags & KABISTAT_CGROUP_F_PARTIAL) {
			partial++;
			EXPECT_GE(WL_CALLS, cg->totals.calls);
			EXPECT_GE(WL_GETPPID, calls_of(cg, SYS_getppid));
			missing += WL_CALLS - cg->totals.calls;
		} else {
			full++;
			EXPECT_EQ(WL_CALLS, cg->totals.calls)
				TH_LOG("cgroup %d not partial, not exact", i);
			EXPECT_EQ(WL_GETPPID, calls_of(cg, SYS_getppid));
			EXPECT_EQ(1, calls_of(cg, SYS_read));
			EXPECT_EQ(1, calls_of(cg, SYS_exit_group));
			EXPECT_EQ(1, calls_of(cg, SYS_sysinfo));
			EXPECT_EQ(0, cg->totals.errors);
		}
		kabistat_cgroup_free(cg);
	}
	/* the burst drained the pools: refills ran, and some failed */
	EXPECT_LT(injected, module_param("test_fail_injected"))
		TH_LOG("no allocation failed for the workloads");
	printf("# fail_one_allocation_in_three: %ld allocations failed, %d cgroups tracked exactly, %d partial, %d in overflow; %llu calls of theirs in overflow at least\n",
	       module_param("test_fail_injected") - injected, full, partial,
	       untracked, (unsigned long long)missing);

	conservation(_metadata, self->ks, &a);
	/* the overflow took at least what the workloads' cgroups lack */
	EXPECT_LE(ovf0 + missing, a.overflow.calls)
		TH_LOG("overflow grew by %llu, the workloads lack %llu",
		       (unsigned long long)(a.overflow.calls - ovf0),
		       (unsigned long long)missing);
	EXPECT_LT(0, full + partial) TH_LOG("nothing tracked at all");
}


#define FAIL_ATTR	"/sys/kernel/debug/kabistat/fail_alloc/"

static int write_attr(const char *name, const char *value)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), FAIL_ATTR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		err = -errno;
	close(fd);
	return err;
}

static long read_attr(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), FAIL_ATTR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1000;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtol(buf, NULL, 10);
}

/*
 * Where the kernel has fault injection, the production module fails
 * allocations through debugfs kabistat/fail_alloc: "times" 5 counts down
 * to 0 as exactly five failures are injected while 20 new cgroups drain
 * the pools, and nothing is lost (conservation).
 */
TEST_F_TIMEOUT(allocfail, kernel_fault_injection_through_debugfs, 120)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct agg a;
	int i, err;

	err = reload("");
	ASSERT_EQ(0, err) TH_LOG("reload: %s", strerror(-err));
	if (access(FAIL_ATTR "times", W_OK))
		SKIP(return, "kernel without CONFIG_FAULT_INJECTION_DEBUG_FS");
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, write_attr("verbose", "0"));
	ASSERT_EQ(0, write_attr("interval", "1"));
	ASSERT_EQ(0, write_attr("times", "5"));
	ASSERT_EQ(0, write_attr("probability", "100"));

	for (i = 0; i < 20; i++, self->ncg++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "faultinj"))
			TH_LOG("%s", cgtest_err());
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_many, NULL))
			TH_LOG("%s", cgtest_err());
	}
	EXPECT_EQ(0, read_attr("times")) TH_LOG("failures left to inject");
	ASSERT_EQ(0, write_attr("probability", "0"));
	conservation(_metadata, self->ks, &a);
}

TEST_HARNESS_MAIN
