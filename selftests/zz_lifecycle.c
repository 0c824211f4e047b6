// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat's lifecycle: the cgroup cap and its overflow, released cgroups
 * and their eviction, and unloading and reloading the module.
 *
 * These tests reload kabistat.ko with other parameters, so the file is
 * named to run after every other test.  Each test's teardown reloads the
 * module with its default parameters, whatever happened; should a test be
 * killed before its teardown (timeout), the harness's parent process does
 * the same when it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "modctl.h"
#include "nlraw.h"

#define DEV_PATH	"/dev/kabistat"

#define X64	TEST_ABI_NATIVE

#define MAX_CGS		256

/* ------------------------------------------------------------------ */
/* Loading and unloading                                               */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

struct dump_state {
	uint64_t sum;			/* totals.calls over everything */
	int ncg;			/* entries with an id */
	int nonzero;			/* entries with any non-zero reading */
	bool seen_overflow, seen_evicted;
	struct kabistat_counters overflow, evicted;	/* totals */
	struct kabistat_counters overflow_x64, evicted_x64;
	uint32_t overflow_state, evicted_state;
};

static bool counters_zero(const struct kabistat_counters *c)
{
	return !c->calls && !c->errors && !c->enosys && !c->denied &&
	       !c->interrupted;
}

static bool reading_zero(const struct kabistat_cgroup *cg)
{
	size_t i;

	if (!counters_zero(&cg->totals))
		return false;
	for (i = 0; i < cg->nr_stats; i++)
		if (!counters_zero(&cg->stats[i].c))
			return false;
	for (i = 0; i < KABISTAT_MAX_ABIS; i++)
		if (!counters_zero(&cg->per_abi[i]) ||
		    !counters_zero(&cg->out_of_range[i]))
			return false;
	for (i = 0; i <= KABISTAT_ERRNO_MAX; i++)
		if (cg->errno_counts[i])
			return false;
	return true;
}

static int dump_cb(const struct kabistat_cgroup *cg, void *arg)
{
	struct dump_state *d = arg;

	d->sum += cg->totals.calls;
	if (!reading_zero(cg))
		d->nonzero++;
	if (cg->id) {
		d->ncg++;
	} else if (cg->state == KABISTAT_CGROUP_OVERFLOW) {
		d->seen_overflow = true;
		d->overflow_state = cg->state;
		d->overflow = cg->totals;
		d->overflow_x64 = cg->per_abi[X64];
	} else {
		d->seen_evicted = true;
		d->evicted_state = cg->state;
		d->evicted = cg->totals;
		d->evicted_x64 = cg->per_abi[X64];
	}
	return 0;
}

static void do_dump(struct __test_metadata *_metadata, struct kabistat *ks,
		    struct dump_state *d)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };

	memset(d, 0, sizeof(*d));
	ASSERT_EQ(0, kabistat_dump(ks, &opts, dump_cb, d))
		TH_LOG("dump: %s", kabistat_errmsg(ks));
	ASSERT_TRUE(d->seen_overflow) TH_LOG("no overflow aggregate");
	ASSERT_TRUE(d->seen_evicted) TH_LOG("no evicted aggregate");
	EXPECT_EQ(KABISTAT_CGROUP_EVICTED, d->evicted_state);
}

static struct kabistat_kernel_abi *get_abi(struct __test_metadata *_metadata,
					   struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi = NULL;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi))
		TH_LOG("GET_ABI: %s", kabistat_errmsg(ks));
	return abi;
}

/*
 * With counting off nothing moves: the sum over the dump (every cgroup,
 * overflow and evicted) equals "observed" exactly, before and after.
 */
static void expect_conservation(struct __test_metadata *_metadata,
				struct kabistat *ks, const char *when,
				struct dump_state *d)
{
	struct kabistat_kernel_abi *abi;
	uint64_t o1, o2;

	abi = get_abi(_metadata, ks);
	EXPECT_TRUE(abi->has_observed) TH_LOG("%s: GET_ABI as root without observed",
					      when);
	o1 = abi->observed;
	EXPECT_EQ(0, abi->counting) TH_LOG("%s: counting is on", when);
	kabistat_abi_free(abi);
	do_dump(_metadata, ks, d);
	abi = get_abi(_metadata, ks);
	o2 = abi->observed;
	kabistat_abi_free(abi);
	EXPECT_EQ(o1, o2) TH_LOG("%s: observed moved while counting was off",
				 when);
	EXPECT_EQ(o1, d->sum) TH_LOG("%s: sum over the dump %llu, observed %llu",
				     when, (unsigned long long)d->sum,
				     (unsigned long long)o1);
}

/* ------------------------------------------------------------------ */
/* Workloads: after the moving read returns, raw syscall() only        */


/* ------------------------------------------------------------------ */

FIXTURE(lifecycle) {
	struct kabistat *ks;
	struct cgtest *cg;
	int ncg;
	double started;
	char modprobe[256];		/* the kernel's, to put back */
};

FIXTURE_SETUP(lifecycle)
{
	self->started = now_s();
	self->cg = calloc(MAX_CGS, sizeof(*self->cg));
	ASSERT_NE(NULL, self->cg);
	/*
	 * These tests unload and load the module themselves: a family
	 * lookup while it is out must not load it behind their backs (an
	 * installed module would be), nor run a modprobe helper per try.
	 */
	ASSERT_EQ(0, modprobe_helper_swap("", self->modprobe,
					  sizeof(self->modprobe)));
}

FIXTURE_TEARDOWN(lifecycle)
{
	int i, err;

	if (self->ks)
		kabistat_close(self->ks);
	self->ks = NULL;
	/* a test that moved itself must not be killed with its cgroup */
	err = cgtest_enter(cgtest_home());
	if (err)
		TH_LOG("moving back to the home cgroup: %s", strerror(-err));
	for (i = self->ncg - 1; i >= 0; i--)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	free(self->cg);
	if (self->modprobe[0]) {
		char none[sizeof(self->modprobe)];

		err = modprobe_helper_swap(self->modprobe, none, sizeof(none));
		if (err)
			TH_LOG("putting back the kernel's modprobe: %s",
			       strerror(-err));
	}
	err = reload("");
	if (err)
		TH_LOG("reloading %s with defaults: %s", KO_NAME,
		       strerror(-err));
	TH_LOG("took %.1f s", now_s() - self->started);
}

static void open_ks(struct __test_metadata *_metadata,
		    FIXTURE_DATA(lifecycle) *self)
{
	char msg[KABISTAT_ERRMSG_LEN];

	if (self->ks)
		kabistat_close(self->ks);
	self->ks = NULL;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
}

/* Reload with @params and reconnect (the family id may change). */
static void reload_ks(struct __test_metadata *_metadata,
		      FIXTURE_DATA(lifecycle) *self, const char *params)
{
	int err;

	if (self->ks)
		kabistat_close(self->ks);
	self->ks = NULL;
	err = reload(params);
	ASSERT_EQ(0, err) TH_LOG("reload '%s': %s", params, strerror(-err));
	open_ks(_metadata, self);
}

static struct cgtest *new_cg(struct __test_metadata *_metadata,
			     FIXTURE_DATA(lifecycle) *self, const char *tag)
{
	struct cgtest *cg;

	ASSERT_LT(self->ncg, MAX_CGS);
	cg = &self->cg[self->ncg];
	ASSERT_EQ(0, cgtest_create(cg, NULL, tag)) TH_LOG("%s", cgtest_err());
	self->ncg++;
	return cg;
}

static void set_counting(struct __test_metadata *_metadata,
			 struct kabistat *ks, int on)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = on, .mask = KABISTAT_SET_COUNTING,
	};

	ASSERT_EQ(0, kabistat_set(ks, &s)) TH_LOG("%s", kabistat_errmsg(ks));
}

static void set_ttl(struct __test_metadata *_metadata, struct kabistat *ks,
		    int64_t ttl)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = -1, .released_ttl = ttl,
	};

	ASSERT_EQ(0, kabistat_set(ks, &s)) TH_LOG("%s", kabistat_errmsg(ks));
}

#define RUN_WORKLOAD(cg, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, NULL, fn, arg)) TH_LOG("%s", cgtest_err())


/* The cgroup's path as the module reports it: from the cgroup2 root. */
static const char *cg_rel_path(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT);
}

/* ------------------------------------------------------------------ */

/*
 * max_cgroups = 6.  The cgroups tracked right after the load (B: the
 * cgroups where the runner and this test live) leave R = 6 - B places for
 * workload cgroups; K = 3 more workload cgroups find the cap full.  Each
 * workload makes exactly M getppid, plus the moving read and the final
 * exit_group: M + 2 calls, all x86_64, none failing.
 */
#define CAP_N	6
#define CAP_K	3
#define CAP_M	100L
#define CAP_M2	50L

TEST_F_TIMEOUT(lifecycle, cap_overflow_keeps_conservation, 90)
{
	const uint64_t per_wl = CAP_M + 2;
	struct kabistat_kernel_abi *abi;
	struct kabistat_cgroup *cg;
	struct dump_state d;
	uint64_t gen_before;
	int i, b, r, left, err;
	double t0;

	reload_ks(_metadata, self, "max_cgroups=6");
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(CAP_N, abi->max_cgroups);
	b = abi->tracked_cgroups;
	kabistat_abi_free(abi);
	ASSERT_GE(b, 1) TH_LOG("this test's own cgroup is not tracked");
	ASSERT_LT(b, CAP_N - 1) TH_LOG("%d cgroups tracked after load", b);
	r = CAP_N - b;
	TH_LOG("tracked after load: %d; %d workloads tracked, %d overflow",
	       b, r, CAP_K);

	for (i = 0; i < r + CAP_K; i++)
		RUN_WORKLOAD(new_cg(_metadata, self, "cap"), wl_getppid,
			     (void *)CAP_M);

	/* the first R are tracked, exactly, and complete */
	for (i = 0; i < r; i++) {
		cg = NULL;
		ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg[i].id, &cg))
			TH_LOG("cgroup %d: %s", i, kabistat_errmsg(self->ks));
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, cg->state);
		EXPECT_EQ(0, cg->flags & KABISTAT_CGROUP_F_PARTIAL);
		EXPECT_EQ(CAP_M, counters_of(cg, X64, SYS_getppid)->calls);
		EXPECT_EQ(per_wl, cg->totals.calls);
		EXPECT_EQ(0, cg->totals.errors);
		kabistat_cgroup_free(cg);
	}
	/* the others are not tracked at all */
	for (i = r; i < r + CAP_K; i++) {
		cg = NULL;
		EXPECT_EQ(-ENOENT, kabistat_get_cgroup(self->ks,
						       self->cg[i].id, &cg))
			TH_LOG("cgroup %d past the cap is tracked", i);
		kabistat_cgroup_free(cg);
	}
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(CAP_N, abi->tracked_cgroups);
	kabistat_abi_free(abi);

	/* overflow holds exactly the K untracked workloads */
	set_counting(_metadata, self->ks, 0);
	expect_conservation(_metadata, self->ks, "at the cap", &d);
	EXPECT_EQ(CAP_N, d.ncg);
	EXPECT_EQ(KABISTAT_CGROUP_OVERFLOW, d.overflow_state);
	EXPECT_EQ(CAP_K * per_wl, d.overflow_x64.calls);
	EXPECT_EQ(CAP_K * per_wl, d.overflow.calls);
	EXPECT_EQ(0, d.overflow.errors);
	EXPECT_EQ(0, d.evicted.calls);

	/*
	 * Remove the R tracked workload cgroups: released, then evicted (the
	 * cap is full, or at the latest with released_ttl 0).
	 */
	for (i = 0; i < r; i++)
		ASSERT_EQ(0, cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	for (i = 0; i < r; i++) {
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, self->cg[i].id, &cg);
		if (err == -ENOENT)
			continue;	/* already evicted */
		ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
		EXPECT_EQ(per_wl, cg->totals.calls)
			TH_LOG("removed cgroup %d lost counts", i);
		kabistat_cgroup_free(cg);
	}
	set_ttl(_metadata, self->ks, 0);
	t0 = now_s();
	do {
		for (left = 0, i = 0; i < r; i++) {
			cg = NULL;
			err = kabistat_get_cgroup(self->ks, self->cg[i].id,
						  &cg);
			ASSERT_TRUE(err == 0 || err == -ENOENT)
				TH_LOG("%s", kabistat_errmsg(self->ks));
			if (!err) {
				EXPECT_EQ(KABISTAT_CGROUP_RELEASED, cg->state);
				EXPECT_EQ(per_wl, cg->totals.calls);
				left++;
			}
			kabistat_cgroup_free(cg);
		}
		if (left)
			sleep_ms(100);
	} while (left && now_s() - t0 < 15);
	ASSERT_EQ(0, left) TH_LOG("%d released cgroups not evicted in 15 s",
				  left);
	TH_LOG("evicted within %.1f s of released_ttl 0", now_s() - t0);

	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(b, abi->tracked_cgroups);
	EXPECT_EQ(0, abi->released_ttl);
	kabistat_abi_free(abi);
	expect_conservation(_metadata, self->ks, "after eviction", &d);
	EXPECT_EQ(b, d.ncg);
	EXPECT_EQ(r * per_wl, d.evicted_x64.calls);
	EXPECT_EQ(r * per_wl, d.evicted.calls);
	EXPECT_EQ(0, d.evicted.errors);
	EXPECT_EQ(CAP_K * per_wl, d.overflow.calls);

	/*
	 * There is room again: an overflowed cgroup that calls again is
	 * tracked, with only its new calls, and marked partial.
	 */
	set_counting(_metadata, self->ks, 1);
	RUN_WORKLOAD(&self->cg[r], wl_getppid, (void *)CAP_M2);
	cg = NULL;
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg[r].id, &cg))
		TH_LOG("overflowed cgroup not tracked once there was room: %s",
		       kabistat_errmsg(self->ks));
	EXPECT_EQ(KABISTAT_CGROUP_LIVE, cg->state);
	EXPECT_EQ(KABISTAT_CGROUP_F_PARTIAL,
		  cg->flags & KABISTAT_CGROUP_F_PARTIAL)
		TH_LOG("flags 0x%x: not marked partial", cg->flags);
	EXPECT_EQ(CAP_M2, counters_of(cg, X64, SYS_getppid)->calls);
	EXPECT_EQ(CAP_M2 + 2, cg->totals.calls);
	kabistat_cgroup_free(cg);
	/* one that did not call again stays untracked */
	cg = NULL;
	EXPECT_EQ(-ENOENT, kabistat_get_cgroup(self->ks, self->cg[r + 1].id,
					       &cg));
	kabistat_cgroup_free(cg);

	set_counting(_metadata, self->ks, 0);
	expect_conservation(_metadata, self->ks, "partial cgroup", &d);
	EXPECT_EQ(b + 1, d.ncg);
	EXPECT_EQ(CAP_K * per_wl, d.overflow.calls);
	EXPECT_EQ(r * per_wl, d.evicted.calls);

	/* reset all: every reading 0, and observed too */
	abi = get_abi(_metadata, self->ks);
	gen_before = abi->generation;
	kabistat_abi_free(abi);
	ASSERT_EQ(0, kabistat_reset(self->ks, 0))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	expect_conservation(_metadata, self->ks, "after reset", &d);
	EXPECT_EQ(0, d.sum);
	EXPECT_EQ(0, d.nonzero) TH_LOG("%d readings not zero after reset",
				       d.nonzero);
	EXPECT_EQ(b + 1, d.ncg);
	EXPECT_TRUE(counters_zero(&d.overflow));
	EXPECT_TRUE(counters_zero(&d.evicted));
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(0, abi->observed);
	EXPECT_NE(gen_before, abi->generation);
	kabistat_abi_free(abi);
}

/*
 * At the cap, room is made by evicting released cgroups oldest first:
 * reloaded with max_cgroups EV_N and the default released_ttl (600 s, so
 * nothing expires meanwhile), the free places are filled with workload
 * cgroups, which are then removed one at a time (each released before
 * the next goes).  Each new cgroup that then finds the cap full evicts at
 * least one released cgroup, and those evicted are always the oldest:
 * the first ones of the release order, none after one that is kept.
 * (Other cgroups of the guest may take a place too, and evict as well.)
 */
#define EV_N	8
#define EV_NEW	3

/* How many of @cg[0..@n) were evicted; which are left in @tracked. */
static int evicted_of(struct __test_metadata *_metadata,
		      struct kabistat *ks, const struct cgtest *cg, int n,
		      bool *tracked)
{
	struct kabistat_cgroup *got;
	int i, err, evicted = 0;

	for (i = 0; i < n; i++) {
		got = NULL;
		err = kabistat_get_cgroup(ks, cg[i].id, &got);
		EXPECT_TRUE(err == 0 || err == -ENOENT)
			TH_LOG("%s", kabistat_errmsg(ks));
		tracked[i] = !err;
		evicted += !!err;
		if (!err)
			EXPECT_EQ(KABISTAT_CGROUP_RELEASED, got->state);
		kabistat_cgroup_free(got);
	}
	return evicted;
}

/* The evicted ones of @tracked[0..@n) are its first @evicted. */
static void expect_oldest_evicted(struct __test_metadata *_metadata,
				  const bool *tracked, int n, int evicted,
				  const char *when)
{
	int i;

	/* braces: EXPECT_*() TH_LOG() is two statements */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i >= evicted, tracked[i])
			TH_LOG("%s: released cgroup %d of %d %s, %d evicted",
			       when, i, n, tracked[i] ? "kept" : "evicted",
			       evicted);
	}
}

TEST_F_TIMEOUT(lifecycle, cap_evicts_the_oldest_released_first, 90)
{
	struct kabistat_kernel_abi *abi;
	struct kabistat_cgroup *got;
	bool tracked[EV_N];
	struct cgtest *rel;
	int i, k, b, r, ev0, ev, err, state;
	char when[32];
	double t0;

	reload_ks(_metadata, self, "max_cgroups=8");
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(EV_N, abi->max_cgroups);
	EXPECT_EQ(DEFAULT_RELEASED_TTL, abi->released_ttl);
	b = abi->tracked_cgroups;
	kabistat_abi_free(abi);
	r = EV_N - b;
	ASSERT_LE(EV_NEW + 2, r) TH_LOG("%d cgroups tracked after load", b);

	rel = &self->cg[self->ncg];
	for (i = 0; i < r; i++)
		RUN_WORKLOAD(new_cg(_metadata, self, "evict"), wl_getppid,
			     (void *)1L);
	/* released in this order, each before the next is removed */
	for (i = 0; i < r; i++) {
		ASSERT_EQ(0, cgtest_remove(&rel[i])) TH_LOG("%s", cgtest_err());
		t0 = now_s();
		do {
			got = NULL;
			err = kabistat_get_cgroup(self->ks, rel[i].id, &got);
			state = err ? -1 : (int)got->state;
			kabistat_cgroup_free(got);
			if (state == KABISTAT_CGROUP_LIVE)
				sleep_ms(10);
		} while (state == KABISTAT_CGROUP_LIVE && now_s() - t0 < 10);
		ASSERT_NE(KABISTAT_CGROUP_LIVE, state)
			TH_LOG("cgroup %d not released in 10 s", i);
	}
	ev0 = evicted_of(_metadata, self->ks, rel, r, tracked);
	expect_oldest_evicted(_metadata, tracked, r, ev0, "released");

	/*
	 * The cap is full: each new cgroup makes room, at the latest when
	 * the periodic maintenance (every 5 s) runs, as for the first; for
	 * the others, setting released_ttl runs it at once.
	 */
	for (k = 0; k < EV_NEW; k++) {
		RUN_WORKLOAD(new_cg(_metadata, self, "evict-new"), wl_getppid,
			     (void *)1L);
		if (k)
			set_ttl(_metadata, self->ks, DEFAULT_RELEASED_TTL);
		t0 = now_s();
		while ((ev = evicted_of(_metadata, self->ks, rel, r,
					tracked)) == ev0 && now_s() - t0 < 10)
			sleep_ms(10);
		EXPECT_LT(ev0, ev) TH_LOG("new cgroup %d evicted nothing", k);
		snprintf(when, sizeof(when), "new cgroup %d", k);
		expect_oldest_evicted(_metadata, tracked, r, ev, when);
		ev0 = ev;
	}
	EXPECT_GT(r, ev0) TH_LOG("all %d released cgroups evicted", r);
	TH_LOG("%d released, %d evicted oldest first", r, ev0);
}

/*
 * released_ttl = 2 (1 would race: a release that crosses a second
 * boundary before its first reading would already be past its TTL).  A
 * workload of 42 getppid (44 calls) in a removed cgroup stays readable,
 * released, for at least 1 s, then is evicted by the periodic maintenance
 * (every 5 s) into the evicted aggregate, which grows by exactly 44.
 */
#define TTL_M	42L

TEST_F_TIMEOUT(lifecycle, released_entries_expire_after_ttl, 60)
{
	struct kabistat_kernel_abi *abi;
	struct kabistat_cgroup *cg;
	struct dump_state d;
	uint64_t evicted0, id, total;
	double t_rm, t_gone = 0;
	struct cgtest *c;
	int err;

	reload_ks(_metadata, self, "released_ttl=2");
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(2, abi->released_ttl);
	EXPECT_EQ(DEFAULT_MAX_CGROUPS, abi->max_cgroups);
	kabistat_abi_free(abi);

	c = new_cg(_metadata, self, "ttl");
	id = c->id;
	RUN_WORKLOAD(c, wl_getppid, (void *)TTL_M);
	do_dump(_metadata, self->ks, &d);
	evicted0 = d.evicted.calls;
	EXPECT_EQ(0, evicted0);

	ASSERT_EQ(0, cgtest_remove(c)) TH_LOG("%s", cgtest_err());
	t_rm = now_s();
	cg = NULL;
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, id, &cg))
		TH_LOG("removed cgroup gone at once: %s",
		       kabistat_errmsg(self->ks));
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, cg->state);
	EXPECT_STREQ(cg_rel_path(c), cg->path ? cg->path : "(null)");
	EXPECT_EQ(TTL_M, counters_of(cg, X64, SYS_getppid)->calls);
	EXPECT_EQ(1, counters_of(cg, X64, SYS_read)->calls);
	EXPECT_EQ(1, counters_of(cg, X64, SYS_exit_group)->calls);
	EXPECT_EQ(TTL_M + 2, cg->totals.calls);
	total = cg->totals.calls;
	kabistat_cgroup_free(cg);

	/* TTL 2 s plus one maintenance period (5 s), with a margin */
	while (now_s() - t_rm < 12) {
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, id, &cg);
		if (err == -ENOENT) {
			t_gone = now_s();
			break;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
		EXPECT_EQ(KABISTAT_CGROUP_RELEASED, cg->state);
		EXPECT_EQ(total, cg->totals.calls);
		kabistat_cgroup_free(cg);
		sleep_ms(100);
	}
	ASSERT_NE(0, t_gone) TH_LOG("released cgroup still there after 12 s");
	TH_LOG("evicted %.1f s after removal", t_gone - t_rm);
	/* boot-time seconds differ by 2 only once more than 1 s passed */
	EXPECT_GE(t_gone - t_rm, 1.0) TH_LOG("evicted before its TTL");

	do_dump(_metadata, self->ks, &d);
	EXPECT_EQ(evicted0 + total, d.evicted.calls);
	EXPECT_EQ(evicted0 + total, d.evicted_x64.calls);
	EXPECT_EQ(0, d.evicted.errors);
}

/* ------------------------------------------------------------------ */

/*
 * Each round unloads and reloads the module under load: about 2 s in a
 * release kernel's guest (twice as long as one unload and one load alone),
 * 13 s in the debug kernel's: 20 rounds on the release kernels, fewer
 * where the tests run slower (5 on the debug kernel).  The other tests of
 * this file and zz_params reload the module too.
 */
#define HAMMER_THREADS	4
#define HAMMER_ROUNDS	20
#define HAMMER_ROUNDS_MIN	5

struct hammer {
	pthread_t t[HAMMER_THREADS];
	pthread_t dumper;
	int stop;
	unsigned long loops[HAMMER_THREADS];
	unsigned long dumps;		/* completed while rounds ran */
};

struct hammer_arg {
	struct hammer *h;
	int i;
};

static int count_nothing(const struct kabistat_cgroup *cg, void *arg)
{
	(void)cg;
	(void)arg;
	return 0;
}

/*
 * Dumps back to back, so that unloads meet one in flight (its module
 * reference makes them wait and retry); between a round's unload and load
 * there is no family, and opening fails until it is back.
 */
static void *dumper_fn(void *arg)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };
	struct hammer *h = arg;
	struct kabistat *ks;

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		if (kabistat_open(&ks, NULL)) {
			sleep_ms(1);
			continue;
		}
		if (!kabistat_dump(ks, &opts, count_nothing, NULL))
			__atomic_add_fetch(&h->dumps, 1, __ATOMIC_RELAXED);
		kabistat_close(ks);
	}
	return NULL;
}

/*
 * The hammering threads run on the last CPU, the test (which unloads and
 * loads) and the dump thread on the first: the probes keep firing on
 * another CPU while the module goes and comes, and the test gets a CPU of
 * its own.  (Nicing the hammer threads instead stretched each unload to
 * seconds on a preemptible kernel: a niced thread preempted inside an RCU
 * read-side section waits long for the CPU, and every grace period of
 * the unload waits for it.)
 */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *hammer_fn(void *arg)
{
	struct hammer_arg *a = arg;
	struct hammer *h = a->h;
	int j;

	pin_to_cpu(sysconf(_SC_NPROCESSORS_ONLN) - 1);
	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		for (j = 0; j < 32; j++)
			syscall(SYS_getppid);
		syscall(SYS_close, -1);
		__atomic_store_n(&h->loops[a->i], h->loops[a->i] + 1,
				 __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST_F_TIMEOUT(lifecycle, unload_under_load_is_clean, 400)
{
	struct hammer_arg args[HAMMER_THREADS];
	struct kabistat_kernel_abi *abi;
	struct hammer h;
	int round, rounds, i, err, ok = 0;
	double t0 = now_s(), t, t_unload = 0, t_load = 0;
	unsigned long dumps = 0;

	ASSERT_TRUE(module_loaded());
	rounds = cgtest_scaled(HAMMER_ROUNDS, HAMMER_ROUNDS_MIN, "rounds");
	pin_to_cpu(0);
	for (round = 0; round < rounds; round++) {
		memset(&h, 0, sizeof(h));
		for (i = 0; i < HAMMER_THREADS; i++) {
			args[i].h = &h;
			args[i].i = i;
			ASSERT_EQ(0, pthread_create(&h.t[i], NULL, hammer_fn,
						    &args[i]));
		}
		ASSERT_EQ(0, pthread_create(&h.dumper, NULL, dumper_fn, &h));
		/* every thread is in its loop, and dumps are going on */
		for (i = 0; i < HAMMER_THREADS; i++)
			while (!__atomic_load_n(&h.loops[i], __ATOMIC_RELAXED))
				sched_yield();
		while (!__atomic_load_n(&h.dumps, __ATOMIC_RELAXED))
			sched_yield();

		t = now_s();
		err = unload_retry(5000);
		t_unload += now_s() - t;
		EXPECT_EQ(0, err) TH_LOG("round %d: unload: %s", round,
					 strerror(-err));
		if (!err) {
			EXPECT_FALSE(module_loaded());
			t = now_s();
			err = load("");
			t_load += now_s() - t;
			EXPECT_EQ(0, err) TH_LOG("round %d: load: %s", round,
						 strerror(-err));
		}
		__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
		for (i = 0; i < HAMMER_THREADS; i++)
			pthread_join(h.t[i], NULL);
		pthread_join(h.dumper, NULL);
		dumps += h.dumps;
		if (err)
			break;
		ok++;
	}
	EXPECT_EQ(rounds, ok);
	EXPECT_LE(rounds, dumps);
	TH_LOG("%d unload/reload rounds in %.1f s (unload %.1f s, load %.1f s), %lu dumps alongside",
	       ok, now_s() - t0, t_unload, t_load, dumps);

	/* the last load works: it answers, and it counts */
	open_ks(_metadata, self);
	abi = get_abi(_metadata, self->ks);
	EXPECT_EQ(1, abi->counting);
	EXPECT_NE(0, abi->observed);
	kabistat_abi_free(abi);
}

/*
 * The open device holds a reference on the module.  delete_module() then
 * fails with EWOULDBLOCK (= EAGAIN): kernel/module/main.c, try_stop_module(),
 * whatever the flags (EBUSY is for a module still loading or unloading).
 */
TEST_F(lifecycle, open_device_blocks_unload)
{
	struct kabistat_abi_info info;
	int fd, err;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", DEV_PATH, strerror(errno));

	err = unload_once();
	EXPECT_EQ(-EWOULDBLOCK, err) TH_LOG("delete_module: %s",
					    strerror(-err));
	ASSERT_TRUE(module_loaded()) TH_LOG("unloaded under an open device");
	/* the device still answers */
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	EXPECT_EQ(0, ioctl(fd, KABISTAT_IOC_ABI_INFO, &info))
		TH_LOG("ABI_INFO: %s", strerror(errno));
	EXPECT_EQ(KABISTAT_UAPI_VERSION, info.uapi_version);

	ASSERT_EQ(0, close(fd));
	/* the reference went with the last close */
	err = unload_once();
	EXPECT_EQ(0, err) TH_LOG("delete_module after close: %s",
				 strerror(-err));
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(0, load(""));
}

/* ------------------------------------------------------------------ */

/*
 * DUMP_CGS cgroups, some 30 to a datagram of a 4 KiB buffer; fewer (not
 * under DUMP_CGS_MIN, still several datagrams) where the tests run slower.
 */
#define DUMP_CGS	200
#define DUMP_CGS_MIN	50

struct dump_scan {
	int cgroups;		/* messages with a non-zero cgroup id */
	int aggregates;
	bool done;
	int error;
};

/* Receive one datagram of the dump and account for it; -errno on error. */
static int dump_recv_one(int fd, uint32_t seq, struct dump_scan *s,
			 uint64_t *ids, int nids, bool *seen)
{
	static char buf[65536];
	struct nlmsghdr *nlh;
	ssize_t n;
	int i;

	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
	     nlh = NLMSG_NEXT(nlh, n)) {
		uint64_t id;

		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			s->done = true;
			continue;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			s->error = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			s->done = true;
			continue;
		}
		if (!nlraw_msg_u64(nlh, KABISTAT_A_CGROUP_ID, &id))
			continue;
		if (!id) {
			s->aggregates++;
			continue;
		}
		s->cgroups++;
		for (i = 0; i < nids; i++)
			if (ids[i] == id)
				seen[i] = true;
	}
	return 0;
}

TEST_F_TIMEOUT(lifecycle, dump_in_progress_blocks_unload, 90)
{
	uint64_t ids[DUMP_CGS];
	bool seen[DUMP_CGS] = { false };
	struct dump_scan s = { 0 };
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlraw nl;
	int fd, i, err, rcvbuf = 4096, msgs = 1;
	int n = cgtest_scaled(DUMP_CGS, DUMP_CGS_MIN, "cgroups");

	/* n tracked cgroups: this process moves through each of them */
	for (i = 0; i < n; i++) {
		struct cgtest *c = new_cg(_metadata, self, "dump");

		ids[i] = c->id;
		ASSERT_EQ(0, cgtest_move(c, getpid()))
			TH_LOG("%s", cgtest_err());
		syscall(SYS_getppid);
		/*
		 * New cgroups come from per-CPU pools a workqueue refills;
		 * a pause per cgroup lets it, as container starts do.
		 */
		usleep(2000);
	}
	ASSERT_EQ(0, cgtest_enter(cgtest_home()));

	ASSERT_EQ(0, nlraw_open(&nl));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = nl.family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.g.cmd = KABISTAT_CMD_GET_CGROUP;
	req.g.version = KABISTAT_GENL_VERSION;
	ASSERT_EQ(sizeof(req), sendto(fd, &req, sizeof(req), 0,
				      (struct sockaddr *)&kernel,
				      sizeof(kernel)));
	nlraw_close(&nl);

	/* the first datagram only: the dump is not over */
	ASSERT_EQ(0, dump_recv_one(fd, 1, &s, ids, n, seen));
	ASSERT_EQ(0, s.error);
	ASSERT_FALSE(s.done) TH_LOG("the dump fit into one datagram");
	ASSERT_LT(0, s.cgroups);

	err = unload_once();
	EXPECT_EQ(-EWOULDBLOCK, err)
		TH_LOG("delete_module during a dump: %s", strerror(-err));
	ASSERT_TRUE(module_loaded()) TH_LOG("unloaded during a dump");

	while (!s.done) {
		ASSERT_EQ(0, dump_recv_one(fd, 1, &s, ids, n, seen));
		msgs++;
	}
	EXPECT_EQ(0, s.error);
	TH_LOG("dump: %d cgroups, %d aggregates in %d datagrams", s.cgroups,
	       s.aggregates, msgs);
	EXPECT_LE(n + 1, s.cgroups);	/* and this test's own */
	EXPECT_EQ(2, s.aggregates);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(seen[i]) TH_LOG("cgroup %d missing from the dump",
					    i);
	close(fd);

	/* the dump is over: its reference is gone */
	err = unload_once();
	EXPECT_EQ(0, err) TH_LOG("delete_module after the dump: %s",
				 strerror(-err));
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(0, load(""));
}

TEST_F(lifecycle, reload_changes_generation)
{
	struct kabistat_kernel_abi *abi;
	uint64_t g1, g2;

	open_ks(_metadata, self);
	abi = get_abi(_metadata, self->ks);
	g1 = abi->generation;
	kabistat_abi_free(abi);

	reload_ks(_metadata, self, "");
	abi = get_abi(_metadata, self->ks);
	g2 = abi->generation;
	EXPECT_EQ(DEFAULT_MAX_CGROUPS, abi->max_cgroups);
	EXPECT_EQ(DEFAULT_RELEASED_TTL, abi->released_ttl);
	kabistat_abi_free(abi);
	EXPECT_NE(g1, g2) TH_LOG("generation %llu before and after a reload",
				 (unsigned long long)g1);
}

TEST_HARNESS_MAIN
