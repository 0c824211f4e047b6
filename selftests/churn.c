// SPDX-License-Identifier: GPL-2.0
/*
 * Churn: thousands of cgroups created, made busy and removed while other
 * threads dump everything, reset random live cgroups, and listen to the
 * events.  Afterwards:
 *
 *  - with counting off, the sum over a full dump equals GET_ABI observed
 *    exactly (live + released + evicted + overflow = observed - reset);
 *  - every gap in the event sequence is one the module counted as dropped
 *    (events_dropped grew by at least the gaps), no sequence number came
 *    twice, and every churned cgroup still listed as released was
 *    announced or counted as dropped;
 *  - once everything is removed and evicted, memory_used is back at its
 *    baseline, give or take what the pools hold (POOL_SLACK a CPU).
 *
 * Why the memory baseline is close, and not exact.  memory_used is the CPU
 * caches (fixed at load) plus every tracked cgroup and slot chunk plus the
 * objects waiting in the per-CPU pools.  Evicting a cgroup frees it and
 * its chunks (after an RCU grace period).  A pool, though, is refilled
 * only when a take leaves it below half, and then to full, so at rest it
 * holds anything from half to full.  pools_full() fills them: pinned to
 * each CPU in turn, this process moves through fresh cgroups (each first
 * event takes one cgroup and one chunk from that CPU's pool) until a
 * refill shows in memory_used.  The cgroups it used are then removed and
 * evicted (released_ttl 0).  Measured that way before and after the churn,
 * with nothing of the churn left, the two figures are the caches plus the
 * cgroups that were tracked before (this binary's own and the like) plus
 * full pools.  Not to the byte: a refill racing with pools_full() can
 * leave a pool a few objects off, and a cgroup tracked throughout (the
 * runner's) may gain a chunk for new keys meanwhile; the check allows
 * POOL_SLACK a CPU.  The churn itself runs in a cgroup of its own (DRV),
 * removed before the second measurement, so that the keys its threads use
 * do not grow its home cgroup's chunks; the few calls this process makes
 * in its home cgroup are the same before and after, and are made once
 * before the baseline so that their keys exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "fuzzutil.h"

#define CHURN_MAX	2000	/* cgroups, on a fast kernel */
/* creation phase budget, divided by the slowdown where the tests run slower */
#define CHURN_SECONDS	30.0
/* Bytes a CPU's pools may differ by, at most: 4 chunks and 4 cgroups. */
#define POOL_SLACK	(4 * 1456 + 4 * 552)
#define BATCH		16
#define DEFAULT_TTL	600
#define NPOOLCG		64

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int get_abi(struct kabistat *ks, struct kabistat_kernel_abi *out)
{
	struct kabistat_kernel_abi *abi = NULL;
	int err = kabistat_get_abi(ks, &abi);

	if (!err) {
		*out = *abi;
		/* tables point into abi: not used by the callers */
		memset(out->tables, 0, sizeof(out->tables));
		kabistat_abi_free(abi);
	}
	return err;
}

static int set_knobs(struct kabistat *ks, int counting, int64_t ttl)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = counting, .released_ttl = ttl,
		.mask = (counting >= 0 ? KABISTAT_SET_COUNTING : 0) |
			(ttl >= 0 ? KABISTAT_SET_RELEASED_TTL : 0),
	};

	return kabistat_set(ks, &s);
}

/*
 * Wait until @target cgroups are tracked and memory_used holds still for
 * three readings 100 ms apart.  Return the memory, or 0 on timeout.
 */
static uint64_t settle(struct kabistat *ks, uint32_t target, int timeout_s,
		       uint32_t *tracked)
{
	struct kabistat_kernel_abi a;
	uint64_t last = 0;
	int same = 0, i;

	for (i = 0; i < timeout_s * 10; i++) {
		if (get_abi(ks, &a))
			return 0;
		*tracked = a.tracked_cgroups;
		if ((target == UINT32_MAX || a.tracked_cgroups == target) &&
		    a.memory_used == last) {
			if (++same == 3)
				return last;
		} else {
			same = 0;
		}
		last = a.memory_used;
		sleep_ms(100);
	}
	return 0;
}

static long long nprocs_conf(void)
{
	return sysconf(_SC_NPROCESSORS_CONF);
}

/* Fill every CPU's pools; see the comment at the top.  0 or -errno. */
static int pools_full(struct kabistat *ks, int *refills)
{
	struct cgtest cgs[NPOOLCG];
	struct kabistat_kernel_abi a;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, i, n = 0, err = 0;
	uint64_t m0;
	cpu_set_t set;

	*refills = 0;
	for (cpu = 0; cpu < ncpu && !err; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return -errno;
		for (i = 0; i < 12 && n < NPOOLCG; i++) {
			err = get_abi(ks, &a);
			if (err)
				break;
			m0 = a.memory_used;
			err = cgtest_create(&cgs[n], NULL, "churn-pool");
			if (err)
				break;
			n++;
			/* the write returns in the new cgroup: its first event */
			err = cgtest_enter(cgs[n - 1].path);
			syscall(SYS_getppid);
			if (!err)
				err = cgtest_enter(cgtest_home());
			if (err)
				break;
			sleep_ms(30);	/* the refill work, on this CPU */
			err = get_abi(ks, &a);
			if (err)
				break;
			if (a.memory_used > m0) {
				(*refills)++;
				break;
			}
		}
	}
	CPU_ZERO(&set);
	for (cpu = 0; cpu < ncpu; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = 0; i < n; i++)
		cgtest_remove(&cgs[i]);
	return err;
}

/* ------------------------------------------------------------------ */
/* The churn: runs in DRV, in threads                                  */

struct shared {
	volatile int stop;
	/* ids of recent cgroups, for the resetter */
	uint64_t ids[256];
	volatile unsigned int nids;
	unsigned long dumps, dump_entries, resets, resets_enoent;
	int dump_err, reset_err;
	char why[256];
};

static int count_cb(const struct kabistat_cgroup *cg, void *arg)
{
	(void)cg;
	(*(unsigned long *)arg)++;
	return 0;
}

static void *dumper_fn(void *arg)
{
	struct shared *s = arg;
	struct kabistat_dump_opts o = { .sz = sizeof(o) };
	struct kabistat *ks;
	unsigned long entries;
	int err;

	if (kabistat_open(&ks, NULL)) {
		s->dump_err = -1;
		return NULL;
	}
	while (!s->stop) {
		entries = 0;
		err = kabistat_dump(ks, &o, count_cb, &entries);
		if (err) {
			s->dump_err = err;
			snprintf(s->why, sizeof(s->why), "dump: %s",
				 kabistat_errmsg(ks));
			break;
		}
		s->dumps++;
		s->dump_entries += entries;
		sleep_ms(10);	/* a monitor's pace, not a busy loop */
	}
	kabistat_close(ks);
	return NULL;
}

static void *resetter_fn(void *arg)
{
	struct shared *s = arg;
	struct fuzz_rng g;
	struct kabistat *ks;
	unsigned int n;
	int err;

	fuzz_seed(&g, fuzz_run_seed(), 0x20);
	if (kabistat_open(&ks, NULL)) {
		s->reset_err = -1;
		return NULL;
	}
	while (!s->stop) {
		n = s->nids;
		if (!n) {
			sleep_ms(1);
			continue;
		}
		err = kabistat_reset(ks, s->ids[fuzz_below(&g, n < 256 ? n :
							     256)]);
		if (!err) {
			s->resets++;
		} else if (err == -ENOENT) {
			s->resets_enoent++;	/* not tracked yet, or gone */
		} else {
			s->reset_err = err;
			break;
		}
		sleep_ms(2);
	}
	kabistat_close(ks);
	return NULL;
}

struct listener {
	struct kabistat *ks;
	volatile int stop;
	uint64_t *seqs;
	size_t nseqs, cap;
	unsigned long released_churn, enosys, enobufs, other_err;
	uint64_t *rel_ids;
	size_t nrel;
};

static void *listener_fn(void *arg)
{
	struct listener *l = arg;
	struct kabistat_event *ev;
	int err, quiet = 0;

	/* after stop, read until 1 s without events */
	while (!l->stop || quiet < 10) {
		err = kabistat_event_next(l->ks, 100, &ev);
		if (err == -ETIMEDOUT) {
			if (l->stop)
				quiet++;
			continue;
		}
		quiet = 0;
		if (err == -ENOBUFS) {
			l->enobufs++;
			continue;
		}
		if (err) {
			l->other_err++;
			if (l->other_err > 100)
				break;
			continue;
		}
		if (l->nseqs == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 4096;
			l->seqs = realloc(l->seqs, l->cap * sizeof(*l->seqs));
			l->rel_ids = realloc(l->rel_ids,
					     l->cap * sizeof(*l->rel_ids));
		}
		l->seqs[l->nseqs++] = ev->seq;
		if (ev->cmd == KABISTAT_CMD_CGROUP_RELEASED && ev->cgroup &&
		    ev->cgroup->path && strstr(ev->cgroup->path, "/kst-churn-c")) {
			l->released_churn++;
			l->rel_ids[l->nrel++] = ev->cgroup->id;
		} else if (ev->cmd == KABISTAT_CMD_FIRST_ENOSYS) {
			l->enosys++;
		}
		kabistat_event_free(ev);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A child in @dfd's cgroup from its first instruction: a few calls. */
static pid_t spawn_busy(int dfd)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)dfd,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_close, -1);
		syscall(100000);	/* out of range: a FIRST_ENOSYS event */
		syscall(SYS_exit_group, 0);
	}
	return pid;
}

struct churn_result {
	unsigned long churned, spawn_fail;
	double seconds;
};

/* Create, busy, remove @max cgroups in batches, within @budget seconds. */
static int churn(struct shared *s, int max, double budget,
		 struct churn_result *r)
{
	struct cgtest cg[BATCH];
	pid_t pids[BATCH];
	double t0 = fuzz_now();
	int i, b, err;

	memset(r, 0, sizeof(*r));
	while ((int)r->churned < max) {
		b = max - r->churned < BATCH ? max - r->churned : BATCH;
		for (i = 0; i < b; i++) {
			err = cgtest_create(&cg[i], NULL, "churn-c");
			if (err)
				return err;
			pids[i] = spawn_busy(cg[i].dfd);
			if (pids[i] < 0)
				r->spawn_fail++;
			s->ids[s->nids % 256] = cg[i].id;
			__atomic_store_n(&s->nids, s->nids + 1,
					 __ATOMIC_RELEASE);
		}
		for (i = 0; i < b; i++)
			if (pids[i] > 0)
				waitpid(pids[i], NULL, 0);
		for (i = 0; i < b; i++) {
			err = cgtest_remove(&cg[i]);
			if (err)
				return err;
		}
		r->churned += b;
		if (fuzz_now() - t0 > budget)
			break;
	}
	r->seconds = fuzz_now() - t0;
	return 0;
}

static int sum_cb(const struct kabistat_cgroup *cg, void *arg)
{
	uint64_t *sum = arg;

	sum[0] += cg->totals.calls;
	if (cg->state == KABISTAT_CGROUP_RELEASED && cg->path &&
	    strstr(cg->path, "/kst-churn-c"))
		sum[1]++;
	return 0;
}

/* ------------------------------------------------------------------ */

FIXTURE(churn) {
	struct kabistat *ks;
	struct listener l;
	struct cgtest drv;
	bool in_drv;
};

FIXTURE_SETUP(churn)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->drv.dfd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
}

FIXTURE_TEARDOWN(churn)
{
	int err;

	if (self->in_drv)
		cgtest_enter(cgtest_home());
	cgtest_remove(&self->drv);
	err = set_knobs(self->ks, 1, DEFAULT_TTL);
	EXPECT_EQ(0, err) TH_LOG("restoring counting 1, ttl 600: %s",
				 kabistat_errmsg(self->ks));
	kabistat_close(self->ks);
	if (self->l.ks)
		kabistat_close(self->l.ks);
	free(self->l.seqs);
	free(self->l.rel_ids);
}

TEST_F_TIMEOUT(churn, thousands_of_cgroups_add_up, 280)
{
	struct kabistat_dump_opts o = { .sz = sizeof(o) };
	struct kabistat_kernel_abi a0, a1;
	struct churn_result r, probe;
	struct shared *s;
	pthread_t td, tr, tl;
	uint64_t mem_warm, mem_base, mem_after, sum[2];
	uint64_t dropped0, dropped1, gaps, dups, obs0, obs1;
	uint32_t tracked_base, tracked = 0;
	int refills, big = 16 << 20, max, first;
	double per_cg, budget;
	size_t i, uniq;

	s = calloc(1, sizeof(*s));
	ASSERT_NE(NULL, s);

	/* ---- baseline ---- */
	ASSERT_EQ(0, set_knobs(self->ks, 1, 0));	/* evict what is released */
	mem_warm = settle(self->ks, UINT32_MAX, 20, &tracked);
	ASSERT_NE(0, mem_warm) TH_LOG("memory does not settle");
	tracked_base = tracked;
	/* once to create the keys of what we do here, once to measure */
	ASSERT_EQ(0, pools_full(self->ks, &refills));
	ASSERT_EQ(0, kabistat_dump(self->ks, &o, sum_cb, memset(sum, 0, 16)));
	mem_warm = settle(self->ks, tracked_base, 20, &tracked);
	ASSERT_NE(0, mem_warm) TH_LOG("tracked %u, want %u", tracked,
				      tracked_base);
	ASSERT_EQ(0, pools_full(self->ks, &refills));
	mem_base = settle(self->ks, tracked_base, 20, &tracked);
	ASSERT_NE(0, mem_base) TH_LOG("tracked %u, want %u", tracked,
				      tracked_base);
	TH_LOG("baseline: %llu bytes, %u cgroups tracked, %d CPU pools refilled",
	       (unsigned long long)mem_base, tracked_base, refills);
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN), refills)
		TH_LOG("not every CPU's pool could be filled");
	ASSERT_EQ(0, set_knobs(self->ks, 1, DEFAULT_TTL));

	/* ---- the churn, from DRV ---- */
	ASSERT_EQ(0, cgtest_create(&self->drv, NULL, "churn-drv"));
	ASSERT_EQ(0, cgtest_enter(self->drv.path));
	self->in_drv = true;

	ASSERT_EQ(0, kabistat_open(&self->l.ks, NULL));
	ASSERT_EQ(0, kabistat_events_subscribe(self->l.ks));
	setsockopt(kabistat_events_fd(self->l.ks), SOL_SOCKET, SO_RCVBUFFORCE,
		   &big, sizeof(big));
	ASSERT_EQ(0, get_abi(self->ks, &a0));
	dropped0 = a0.events_dropped;
	ASSERT_EQ(0, pthread_create(&tl, NULL, listener_fn, &self->l));
	ASSERT_EQ(0, pthread_create(&td, NULL, dumper_fn, s));
	ASSERT_EQ(0, pthread_create(&tr, NULL, resetter_fn, s));

	/*
	 * scale: time a first batch (one, not two, where the tests run
	 * slower), then as many as the budget allows
	 */
	first = cgtest_slowdown() > 1 ? BATCH : BATCH * 2;
	ASSERT_EQ(0, churn(s, first, 1e9, &probe)) TH_LOG("%s",
							  cgtest_err());
	per_cg = probe.seconds / probe.churned;
	max = CHURN_MAX - probe.churned;
	budget = fuzz_budget(CHURN_SECONDS / cgtest_slowdown());
	if (budget < fuzz_budget(CHURN_SECONDS))
		printf("# a %.1f s budget, not %.1f: this kernel runs the tests %d times slower\n",
		       budget, fuzz_budget(CHURN_SECONDS), cgtest_slowdown());
	if (per_cg * max > budget)
		max = budget / per_cg;
	ASSERT_EQ(0, churn(s, max, budget, &r))
		TH_LOG("%s", cgtest_err());
	r.churned += probe.churned;
	r.seconds += probe.seconds;
	r.spawn_fail += probe.spawn_fail;

	s->stop = 1;
	pthread_join(td, NULL);
	pthread_join(tr, NULL);
	ASSERT_EQ(0, cgtest_enter(cgtest_home()));
	self->in_drv = false;
	ASSERT_EQ(0, cgtest_remove(&self->drv)) TH_LOG("%s", cgtest_err());
	self->l.stop = 1;
	pthread_join(tl, NULL);
	ASSERT_EQ(0, get_abi(self->ks, &a1));
	dropped1 = a1.events_dropped;

	printf("# churn: %lu cgroups churned in %.1f s (%.1f ms each), %lu full dumps (%lu entries), %lu resets (%lu of untracked/evicted ids), %zu events (%lu released of ours, %lu first-ENOSYS)\n",
	       r.churned, r.seconds, 1000 * r.seconds / r.churned, s->dumps,
	       s->dump_entries, s->resets, s->resets_enoent, self->l.nseqs,
	       self->l.released_churn, self->l.enosys);
	EXPECT_EQ(0, r.spawn_fail);
	EXPECT_EQ(0, s->dump_err) TH_LOG("%s", s->why);
	EXPECT_EQ(0, s->reset_err) TH_LOG("reset: %s", strerror(-s->reset_err));
	EXPECT_LT(0, s->dumps);
	EXPECT_LT(0, s->resets);
	EXPECT_LE(first, r.churned);	/* the timing batch at least */

	/* ---- conservation, with counting off ---- */
	ASSERT_EQ(0, set_knobs(self->ks, 0, -1));
	ASSERT_EQ(0, get_abi(self->ks, &a0));
	EXPECT_TRUE(a0.has_observed) TH_LOG("GET_ABI as root without observed");
	obs0 = a0.observed;
	memset(sum, 0, sizeof(sum));
	ASSERT_EQ(0, kabistat_dump(self->ks, &o, sum_cb, sum));
	ASSERT_EQ(0, get_abi(self->ks, &a1));
	obs1 = a1.observed;
	EXPECT_EQ(obs0, obs1) TH_LOG("observed moved with counting off");
	EXPECT_EQ(obs0, sum[0]) TH_LOG("sum over the dump %llu, observed %llu",
				       (unsigned long long)sum[0],
				       (unsigned long long)obs0);

	/* ---- events ---- */
	qsort(self->l.seqs, self->l.nseqs, sizeof(uint64_t), cmp_u64);
	for (i = 0, uniq = 0; i < self->l.nseqs; i++)
		if (!i || self->l.seqs[i] != self->l.seqs[i - 1])
			uniq++;
	dups = self->l.nseqs - uniq;
	gaps = self->l.nseqs ? self->l.seqs[self->l.nseqs - 1] -
			       self->l.seqs[0] + 1 - uniq : 0;
	TH_LOG("events: %zu received, seq %llu..%llu, %llu gaps, %llu dropped by the module, %lu ENOBUFS",
	       self->l.nseqs,
	       (unsigned long long)(self->l.nseqs ? self->l.seqs[0] : 0),
	       (unsigned long long)(self->l.nseqs ?
				    self->l.seqs[self->l.nseqs - 1] : 0),
	       (unsigned long long)gaps,
	       (unsigned long long)(dropped1 - dropped0), self->l.enobufs);
	EXPECT_EQ(0, dups) TH_LOG("a sequence number came twice");
	EXPECT_EQ(0, self->l.enobufs) TH_LOG("the listener's socket overflowed");
	EXPECT_EQ(0, self->l.other_err);
	EXPECT_LE(gaps, dropped1 - dropped0)
		TH_LOG("gaps the module did not count as dropped");
	/* every churned cgroup still listed as released was announced */
	EXPECT_LE(sum[1], self->l.released_churn + (dropped1 - dropped0))
		TH_LOG("%llu released cgroups of ours listed, %lu announced",
		       (unsigned long long)sum[1], self->l.released_churn);
	EXPECT_LE(self->l.released_churn, r.churned);
	EXPECT_LT(0, self->l.released_churn);

	/* ---- memory, once everything is gone ---- */
	ASSERT_EQ(0, set_knobs(self->ks, 1, 0));
	mem_after = settle(self->ks, tracked_base, 30, &tracked);
	EXPECT_NE(0, mem_after) TH_LOG("tracked %u after eviction, %u before",
				       tracked, tracked_base);
	ASSERT_EQ(0, pools_full(self->ks, &refills));
	mem_after = settle(self->ks, tracked_base, 30, &tracked);
	EXPECT_EQ(tracked_base, tracked);
	/*
	 * pools_full() usually makes this exact, but a refill racing with
	 * it can leave a pool a few objects off; that is pool slack, not a
	 * leak: the churned cgroups alone held at least a chunk each.
	 */
	EXPECT_GE(mem_after, mem_base - POOL_SLACK * nprocs_conf())
		TH_LOG("memory_used %llu after the churn, %llu before",
		       (unsigned long long)mem_after,
		       (unsigned long long)mem_base);
	EXPECT_LE(mem_after, mem_base + POOL_SLACK * nprocs_conf())
		TH_LOG("memory_used %llu after the churn, %llu before (%+lld), %d cgroups churned",
		       (unsigned long long)mem_after,
		       (unsigned long long)mem_base,
		       (long long)(mem_after - mem_base), r.churned);
	TH_LOG("memory_used %llu after, %llu before (%+lld)",
	       (unsigned long long)mem_after, (unsigned long long)mem_base,
	       (long long)(mem_after - mem_base));
	ASSERT_EQ(0, set_knobs(self->ks, 1, DEFAULT_TTL));
	free(s);
}

TEST_HARNESS_MAIN
