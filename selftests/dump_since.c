// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental dumps (KABISTAT_A_CHANGED_SINCE, kabistat_dump_opts.mark):
 * of N cgroups, exactly the k that made syscalls since a dump's mark come
 * back, with their exact counts, however often one asks since that mark;
 * a reset and a release count as changes (the counters' sum does not
 * move for either), and so do counts that moved out of the CPU caches
 * before the dump; a reset of everything and a reload make the mark
 * stale.  And the packed counters of a dump (KABISTAT_A_STATS_PACKED)
 * read the same as the nests of GET_CGROUP, errno counts included.
 *
 * The dumps are of a subtree made here, so that nothing else on the
 * machine (the harness's own cgroup) comes back as changed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "modctl.h"
#include "realhost.h"
#include "wl_varied.h"

#define N	20
#define FLOODS	8		/* cgroups whose calls take the caches */
/*
 * Any eviction makes every mark stale: released cgroups of earlier tests
 * must not expire in the middle of one (a debug kernel's guest passes the
 * default 600 s), so the TTL is this long while the tests run.
 */
#define HOLD_TTL	86400

/* What one dump returned: getppid calls per child index, -1 for none. */
struct seen {
	const struct cgtest *kids;
	int64_t getppid[N];
	uint32_t state[N];
	int n, others;
};

static int collect(const struct kabistat_cgroup *cg, void *arg)
{
	struct seen *s = arg;
	int i;

	for (i = 0; i < N; i++)
		if (cg->id == s->kids[i].id) {
			s->getppid[i] = getppid_calls(cg);
			s->state[i] = cg->state;
			s->n++;
			return 0;
		}
	s->others++;
	return 0;
}

FIXTURE(since) {
	struct kabistat *ks;
	struct cgtest parent;
	struct cgtest kids[N];
	struct cgtest flood[FLOODS];
	struct seen s;
};

FIXTURE_SETUP(since)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int i;

	self->parent.dfd = -1;
	for (i = 0; i < N; i++)
		self->kids[i].dfd = -1;
	for (i = 0; i < FLOODS; i++)
		self->flood[i].dfd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, set_ttl(self->ks, HOLD_TTL))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_EQ(0, cgtest_create(&self->parent, NULL, "since"))
		TH_LOG("%s", cgtest_err());
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, cgtest_create(&self->kids[i], &self->parent, "k"))
			TH_LOG("%s", cgtest_err());
		/* child i: i + 1 getppid */
		ASSERT_EQ(0, cgtest_run(&self->kids[i], NULL, wl_getppid,
					(void *)(long)(i + 1)))
			TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(since)
{
	int i;

	for (i = FLOODS - 1; i >= 0; i--)
		if (cgtest_remove(&self->flood[i]))
			TH_LOG("%s", cgtest_err());
	for (i = N - 1; i >= 0; i--)
		if (cgtest_remove(&self->kids[i]))
			TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->parent))
		TH_LOG("%s", cgtest_err());
	if (set_ttl(self->ks, DEFAULT_TTL))
		TH_LOG("restoring released_ttl: %s", kabistat_errmsg(self->ks));
	kabistat_close(self->ks);
}

/* A dump of the subtree since *@mark (0: all); the error. */
static int dump_since(FIXTURE_DATA(since) *self, uint64_t *mark)
{
	struct kabistat_dump_opts opts = {
		.sz = sizeof(opts), .subtree_id = self->parent.id, .mark = mark,
	};
	int i;

	memset(&self->s, 0, sizeof(self->s));
	self->s.kids = self->kids;
	for (i = 0; i < N; i++)
		self->s.getppid[i] = -1;
	return kabistat_dump(self->ks, &opts, collect, &self->s);
}

#define DUMP_SINCE(mark) \
	ASSERT_EQ(0, dump_since(self, mark)) \
		TH_LOG("%s", kabistat_errmsg(self->ks))

static int run_getppid(const struct cgtest *cg, long n)
{
	return cgtest_run(cg, NULL, wl_getppid, (void *)n);
}

TEST_F(since, returns_exactly_the_changed_cgroups)
{
	static const int changed[] = { 2, 11, 19 };
	uint64_t first = 0, mark, again;
	int i, j;

	DUMP_SINCE(&first);
	ASSERT_NE(0, first);
	ASSERT_EQ(N, self->s.n);
	for (i = 0; i < N; i++)
		EXPECT_EQ(i + 1, self->s.getppid[i]) TH_LOG("child %d", i);

	mark = first;
	DUMP_SINCE(&mark);
	EXPECT_EQ(0, self->s.n) TH_LOG("nothing ran, yet %d came back",
				       self->s.n);
	EXPECT_EQ(0, self->s.others);
	EXPECT_GT(mark, first);

	for (j = 0; j < 3; j++)
		ASSERT_EQ(0, run_getppid(&self->kids[changed[j]], 5))
			TH_LOG("%s", cgtest_err());
	/* The same answer however often, since the same mark. */
	for (i = 0; i < 2; i++) {
		again = first;
		DUMP_SINCE(&again);
		EXPECT_EQ(3, self->s.n);
		for (j = 0; j < 3; j++)
			EXPECT_EQ(changed[j] + 1 + 5,
				  self->s.getppid[changed[j]])
				TH_LOG("child %d", changed[j]);
	}
	/* The dump just made read them: nothing since its mark. */
	DUMP_SINCE(&again);
	EXPECT_EQ(0, self->s.n);
	/* Since the mark of the empty dump: the three. */
	DUMP_SINCE(&mark);
	EXPECT_EQ(3, self->s.n);
}

TEST_F(since, reset_is_a_change)
{
	uint64_t mark = 0, next;

	DUMP_SINCE(&mark);
	ASSERT_EQ(0, kabistat_reset(self->ks, self->kids[7].id))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	/* the counters' sum did not move: the generation did */
	next = mark;
	DUMP_SINCE(&next);
	EXPECT_EQ(1, self->s.n);
	EXPECT_EQ(0, self->s.getppid[7]);
	/* and as many calls as before the reset read as a change too */
	ASSERT_EQ(0, run_getppid(&self->kids[7], 8));
	mark = next;
	DUMP_SINCE(&mark);
	EXPECT_EQ(1, self->s.n);
	EXPECT_EQ(8, self->s.getppid[7]);
}

TEST_F(since, release_is_a_change)
{
	struct kabistat_cgroup *cg;
	uint64_t mark = 0;
	uint32_t state = KABISTAT_CGROUP_LIVE;
	int i;

	DUMP_SINCE(&mark);
	ASSERT_EQ(0, cgtest_remove(&self->kids[4])) TH_LOG("%s", cgtest_err());
	for (i = 0; i < 1000 && state != KABISTAT_CGROUP_RELEASED; i++) {
		ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->kids[4].id,
						 &cg))
			TH_LOG("%s", kabistat_errmsg(self->ks));
		state = cg->state;
		kabistat_cgroup_free(cg);
		if (state != KABISTAT_CGROUP_RELEASED)
			usleep(10000);
	}
	ASSERT_EQ(KABISTAT_CGROUP_RELEASED, state);
	DUMP_SINCE(&mark);
	EXPECT_EQ(1, self->s.n);
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, self->s.state[4]);
	EXPECT_EQ(5, self->s.getppid[4]);
}

TEST_F(since, reset_of_everything_makes_marks_stale)
{
	uint64_t mark = 0, stale;

	DUMP_SINCE(&mark);
	ASSERT_EQ(0, kabistat_reset(self->ks, 0))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	stale = mark;
	EXPECT_EQ(-ESTALE, dump_since(self, &stale));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(self->ks), "reset"))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(mark, stale) TH_LOG("a failed dump changed the mark");
	EXPECT_EQ(0, self->s.n);
	mark = 0;
	DUMP_SINCE(&mark);
	EXPECT_EQ(N, self->s.n);
}

TEST_F(since, mark_of_another_module_instance_is_stale)
{
	char msg[KABISTAT_ERRMSG_LEN];
	uint64_t mark = 0;
	int err;

	DUMP_SINCE(&mark);
	kabistat_close(self->ks);
	self->ks = NULL;
	err = reload("");
	ASSERT_EQ(0, err) TH_LOG("reload: %s", strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	/* the new instance tracks the cgroups again once they run */
	ASSERT_EQ(0, run_getppid(&self->kids[0], 1));
	EXPECT_EQ(-ESTALE, dump_since(self, &mark));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(self->ks), "reloaded"))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	mark = 0;
	DUMP_SINCE(&mark);
	EXPECT_EQ(1, self->s.n);
	EXPECT_EQ(1, self->s.getppid[0]);
}

#define SMALL_CACHE	"cache_slots=16"

/*
 * Counts a dump reads from a cgroup's shared slots alone (no CPU cache
 * holds its keys any more: other cgroups' calls took their entries) are
 * a change all the same.  The module is loaded with a cache of 16
 * entries, and everything runs on one CPU, where the other cgroups make
 * hundreds of distinct calls after the counted ones (the harness runs
 * each test in a process of its own: the affinity ends with it).
 */
TEST_F(since, counts_moved_out_of_the_caches_are_a_change)
{
	char msg[KABISTAT_ERRMSG_LEN];
	uint64_t mark = 0, since;
	cpu_set_t one;
	int i, err;

	kabistat_close(self->ks);
	self->ks = NULL;
	err = reload(SMALL_CACHE);
	ASSERT_EQ(0, err) TH_LOG("reload: %s", strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));

	ASSERT_EQ(0, run_getppid(&self->kids[0], 5));
	DUMP_SINCE(&mark);
	EXPECT_EQ(1, self->s.n);
	ASSERT_EQ(0, run_getppid(&self->kids[0], 5));
	for (i = 0; i < FLOODS; i++) {
		ASSERT_EQ(0, cgtest_create(&self->flood[i], NULL, "flood"))
			TH_LOG("%s", cgtest_err());
		ASSERT_EQ(0, cgtest_run(&self->flood[i], NULL, wl_varied,
					NULL))
			TH_LOG("%s", cgtest_err());
	}
	since = mark;
	DUMP_SINCE(&since);
	EXPECT_EQ(1, self->s.n) TH_LOG("the counted cgroup is not back");
	EXPECT_EQ(10, self->s.getppid[0]);

	kabistat_close(self->ks);
	self->ks = NULL;
	err = reload("");
	ASSERT_EQ(0, err) TH_LOG("reload: %s", strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
}

/* A workload: @arg failing close(-1), then as many getppid. */
static int wl_close_fail(void *arg)
{
	long i, n = (long)arg;

	for (i = 0; i < n; i++)
		if (syscall(SYS_close, -1) != -1 || errno != EBADF)
			return 10;
	return wl_getppid(arg);
}

/* Keeps a copy of the dumped cgroup *@arg names by its id. */
static int keep_copy(const struct kabistat_cgroup *cg, void *arg)
{
	struct kabistat_cgroup **copy = arg;

	if (cg->id != (*copy)->id)
		return 0;
	kabistat_cgroup_free(*copy);
	*copy = kabistat_cgroup_dup(cg);
	return *copy ? 0 : -ENOMEM;
}

TEST_F(since, packed_counters_read_as_the_nests)
{
	struct kabistat_dump_opts opts = {
		.sz = sizeof(opts), .subtree_id = self->parent.id,
	};
	struct kabistat_cgroup *dumped, *one;

	ASSERT_EQ(0, cgtest_run(&self->kids[3], NULL, wl_close_fail,
				(void *)6L));
	/* a placeholder that holds the id until the copy replaces it */
	dumped = calloc(1, sizeof(*dumped));
	ASSERT_NE(NULL, dumped);
	dumped->id = self->kids[3].id;
	ASSERT_EQ(0, kabistat_dump(self->ks, &opts, keep_copy, &dumped))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	one = read_cg(_metadata, self->ks, self->kids[3].id);
	ASSERT_EQ(one->nr_stats, dumped->nr_stats);
	EXPECT_EQ(0, memcmp(one->stats, dumped->stats,
			    one->nr_stats * sizeof(*one->stats)));
	EXPECT_EQ(6, dumped->errno_counts[EBADF]);
	EXPECT_EQ(0, memcmp(one->errno_counts, dumped->errno_counts,
			    sizeof(one->errno_counts)));
	EXPECT_EQ(0, memcmp(&one->totals, &dumped->totals,
			    sizeof(one->totals)));
	EXPECT_EQ(0, memcmp(one->out_of_range, dumped->out_of_range,
			    sizeof(one->out_of_range)));
	EXPECT_EQ(4 + 6, getppid_calls(dumped));
	EXPECT_SYSCALL(dumped, TEST_ABI_NATIVE, SYS_close, 6, 6, 0, 0, 0);
	kabistat_cgroup_free(one);
	kabistat_cgroup_free(dumped);
}

TEST_HARNESS_MAIN
