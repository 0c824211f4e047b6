// SPDX-License-Identifier: GPL-2.0
/*
 * The events multicast group: a removed cgroup is announced once with its
 * final counters, a (cgroup, ABI, syscall) that first returns ENOSYS is
 * announced once, events are numbered without gaps, and only
 * CAP_SYS_ADMIN may listen.
 *
 * Each test listens on a handle of its own (subscribed before any workload
 * runs) and makes requests on another one.  That no further event comes
 * is shown by a sentinel, not by a quiet while: the event of another
 * cgroup made after the workload, by the same path of the module (the
 * same CPU's queue for a first ENOSYS, this process and its children all
 * running on CPU 0; the one release work for a release), comes after
 * anything the workload could still cause.  Other processes' events may
 * arrive in between; tests pick theirs by cgroup id, except the sequence
 * test, which checks every event it receives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "privdrop.h"

#define X64			TEST_ABI_NATIVE
/* named in the table but never implemented (uselib on x86_64) */
#define NR_USELIB		TEST_NR_NOT_IMPLEMENTED
#define NR_BEYOND_TABLE		100000
#define EVENT_WAIT_MS		10000

FIXTURE(events) {
	struct kabistat *ks;	/* requests */
	struct kabistat *ev;	/* events only */
	struct cgtest cg;
};

FIXTURE_SETUP(events)
{
	char msg[KABISTAT_ERRMSG_LEN];
	cpu_set_t cpu0;

	self->cg.dfd = -1;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	self->cg.created = false;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_open(&self->ev, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_events_subscribe(self->ev))
		TH_LOG("%s", kabistat_errmsg(self->ev));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "events"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(events)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ev);
	kabistat_close(self->ks);
}

/*
 * The next event before @deadline (cgtest_now_ms() time): 0 and *@out, or
 * -ETIMEDOUT.  Any other failure fails the test.
 */
static int next_event(struct __test_metadata *_metadata, struct kabistat *ev,
		      int64_t deadline, struct kabistat_event **out)
{
	int64_t left = deadline - cgtest_now_ms();
	int err;

	*out = NULL;
	if (left < 0)
		left = 0;
	err = kabistat_event_next(ev, (int)left, out);
	if (err == -ETIMEDOUT)
		return err;
	/* -ENOBUFS would mean lost events: never at these rates */
	EXPECT_EQ(0, err) TH_LOG("kabistat_event_next: %s",
				 kabistat_errmsg(ev));
	if (err)
		return err;
	EXPECT_NE(NULL, *out);
	EXPECT_NE(NULL, (*out)->cgroup);
	if (!*out || !(*out)->cgroup) {
		kabistat_event_free(*out);
		*out = NULL;
		return -EPROTO;
	}
	return 0;
}




#define RUN_WORKLOAD(cg, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, NULL, fn, arg)) TH_LOG("%s", cgtest_err())

struct enosys_arg {
	int uselib;	/* syscall(SYS_uselib, NULL) this many times */
	int beyond;	/* syscall(100000) this many times */
};

static int wl_enosys(void *arg)
{
	const struct enosys_arg *a = arg;
	int i;

	for (i = 0; i < a->uselib; i++)
		if (syscall(NR_USELIB, NULL) != -1 || errno != ENOSYS)
			return 10;
	for (i = 0; i < a->beyond; i++)
		if (syscall(NR_BEYOND_TABLE) != -1 || errno != ENOSYS)
			return 11;
	return 0;
}

/*
 * The sentinel: a fresh cgroup that makes one first ENOSYS (uselib) and is
 * removed, both now: its id, whose FIRST_ENOSYS or CGROUP_RELEASED event
 * marks the end of what came before on that path.
 */
static uint64_t sentinel(struct __test_metadata *_metadata)
{
	struct enosys_arg a = { .uselib = 1, .beyond = 0 };
	struct cgtest s = { .dfd = -1 };
	uint64_t id;

	EXPECT_EQ(0, cgtest_create(&s, NULL, "sentinel"))
		TH_LOG("%s", cgtest_err());
	EXPECT_EQ(0, cgtest_run(&s, NULL, wl_enosys, &a))
		TH_LOG("%s", cgtest_err());
	id = s.id;
	EXPECT_EQ(0, cgtest_remove(&s)) TH_LOG("%s", cgtest_err());
	return id;
}

/* Whether @ev is the sentinel @id's event of kind @cmd. */
static bool is_sentinel(const struct kabistat_event *ev, uint64_t id,
			uint32_t cmd)
{
	return ev->cmd == cmd && ev->cgroup->id == id;
}

static uint32_t x64_table_size(struct __test_metadata *_metadata,
			       struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi;
	uint32_t size;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi))
		TH_LOG("%s", kabistat_errmsg(ks));
	size = abi->tables[X64].size;
	kabistat_abi_free(abi);
	EXPECT_GT(size, NR_USELIB);
	EXPECT_LT(size, NR_BEYOND_TABLE);
	return size;
}

TEST_F(events, released_event_carries_final_counters)
{
	struct kabistat_event *ev = NULL, *got = NULL;
	uint64_t id = self->cg.id, mark;
	char name[PATH_MAX + 1];
	int64_t deadline;
	int released = 0;
	size_t plen, nlen;

	RUN_WORKLOAD(&self->cg, wl_getppid, (void *)77L);
	snprintf(name, sizeof(name), "/%s", strrchr(self->cg.path, '/') + 1);
	ASSERT_EQ(0, cgtest_remove(&self->cg)) TH_LOG("%s", cgtest_err());

	deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	while (!got && !next_event(_metadata, self->ev, deadline, &ev)) {
		if (ev->cmd == KABISTAT_CMD_CGROUP_RELEASED &&
		    ev->cgroup->id == id) {
			got = ev;
			released++;
		} else {
			kabistat_event_free(ev);
		}
	}
	ASSERT_NE(NULL, got) TH_LOG("no CGROUP_RELEASED event for %llu within %d ms",
				    (unsigned long long)id, EVENT_WAIT_MS);
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, got->cgroup->state);
	EXPECT_EQ(0, got->cgroup->flags & KABISTAT_CGROUP_F_PARTIAL);
	EXPECT_SYSCALL(got->cgroup, X64, SYS_getppid, 77, 0, 0, 0, 0);
	EXPECT_SYSCALL(got->cgroup, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(got->cgroup, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(3, got->cgroup->nr_stats);
	EXPECT_EQ(79, got->cgroup->per_abi[X64].calls);
	EXPECT_TOTALS(got->cgroup, 79, 0, 0, 0, 0);
	ASSERT_NE(NULL, got->cgroup->path);
	plen = strlen(got->cgroup->path);
	nlen = strlen(name);
	EXPECT_TRUE(plen >= nlen &&
		    !strcmp(got->cgroup->path + plen - nlen, name))
		TH_LOG("path '%s' does not end with '%s'", got->cgroup->path,
		       name);
	kabistat_event_free(got);

	/* announced once: nothing more of it before the sentinel's release */
	mark = sentinel(_metadata);
	deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	for (;;) {
		ASSERT_EQ(0, next_event(_metadata, self->ev, deadline, &ev))
			TH_LOG("no CGROUP_RELEASED of the sentinel");
		if (is_sentinel(ev, mark, KABISTAT_CMD_CGROUP_RELEASED)) {
			kabistat_event_free(ev);
			break;
		}
		if (ev->cmd == KABISTAT_CMD_CGROUP_RELEASED &&
		    ev->cgroup->id == id)
			released++;
		kabistat_event_free(ev);
	}
	EXPECT_EQ(1, released);
}

/* The FIRST_ENOSYS events of one cgroup, as they arrive. */
struct enosys_seen {
	int uselib;		/* (x86_64, 134) */
	int beyond;		/* x86_64, a number beyond the table */
	int other;		/* anything else */
	uint32_t beyond_nr;	/* the number the out-of-range one carried */
	int bad_stats;		/* events without exactly one stat */
};

/*
 * The FIRST_ENOSYS events of @id: until both expected ones came
 * (@expect), then until a sentinel's, made after them on the same CPU;
 * or, expecting none, until a sentinel's made now.
 */
static void collect_enosys(struct __test_metadata *_metadata,
			   struct kabistat *evh, uint64_t id,
			   uint32_t table_size, bool expect,
			   struct enosys_seen *seen)
{
	struct kabistat_event *ev;
	int64_t deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	uint64_t mark = expect ? 0 : sentinel(_metadata);

	memset(seen, 0, sizeof(*seen));
	for (;;) {
		if (next_event(_metadata, evh, deadline, &ev)) {
			/* expected ones missing; the counts will show it */
			TH_LOG("waited %d ms: uselib %d, beyond %d%s",
			       EVENT_WAIT_MS, seen->uselib, seen->beyond,
			       mark ? ", no sentinel" : "");
			EXPECT_EQ(0, mark) TH_LOG("the sentinel's event is lost");
			break;
		}
		if (mark && is_sentinel(ev, mark,
					KABISTAT_CMD_FIRST_ENOSYS)) {
			kabistat_event_free(ev);
			break;
		}
		if (ev->cmd == KABISTAT_CMD_FIRST_ENOSYS &&
		    ev->cgroup->id == id) {
			const struct kabistat_syscall_stat *st =
				ev->cgroup->stats;

			if (ev->cgroup->nr_stats != 1) {
				seen->bad_stats++;
			} else if (st->abi == X64 && st->nr == NR_USELIB) {
				seen->uselib++;
			} else if (st->abi == X64 && st->nr >= table_size) {
				seen->beyond++;
				seen->beyond_nr = st->nr;
			} else {
				seen->other++;
				TH_LOG("unexpected FIRST_ENOSYS abi %u nr %u",
				       st->abi, st->nr);
			}
		}
		kabistat_event_free(ev);
		if (!mark && seen->uselib && seen->beyond) {
			/* all expected ones here: now none more may come */
			mark = sentinel(_metadata);
			deadline = cgtest_now_ms() + EVENT_WAIT_MS;
		}
	}
}

TEST_F(events, first_enosys_event_once_per_syscall)
{
	struct enosys_arg a = { .uselib = 5, .beyond = 3 };
	struct kabistat_cgroup *cg;
	struct enosys_seen seen;
	uint32_t size = x64_table_size(_metadata, self->ks);

	RUN_WORKLOAD(&self->cg, wl_enosys, &a);
	collect_enosys(_metadata, self->ev, self->cg.id, size, true, &seen);
	EXPECT_EQ(1, seen.uselib);
	EXPECT_EQ(1, seen.beyond);
	EXPECT_EQ(0, seen.other);
	EXPECT_EQ(0, seen.bad_stats);

	/* and the counters behind them */
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_SYSCALL(cg, X64, NR_USELIB, 5, 5, 5, 0, 0);
	expect_counters(_metadata, "out of range", &cg->out_of_range[X64],
			3, 3, 3, 0, 0);
	EXPECT_TOTALS(cg, 10, 8, 8, 0, 0);
	kabistat_cgroup_free(cg);

	/* a second workload in the same cgroup: no new first */
	RUN_WORKLOAD(&self->cg, wl_enosys, &a);
	collect_enosys(_metadata, self->ev, self->cg.id, size, false, &seen);
	EXPECT_EQ(0, seen.uselib + seen.beyond + seen.other + seen.bad_stats);
}

/*
 * The uapi has one way to name "a number outside the ABI's table" in a
 * number field: KABISTAT_NR_OUT_OF_RANGE (struct kabistat_stat.nr).  The
 * FIRST_ENOSYS event's KABISTAT_STAT_A_NR must use it, not a value private
 * to the module.
 */
TEST_F(events, first_enosys_event_names_out_of_range_with_uapi_sentinel)
{
	struct enosys_arg a = { .uselib = 0, .beyond = 2 };
	struct kabistat_event *ev;
	int64_t deadline;
	int n = 0;

	RUN_WORKLOAD(&self->cg, wl_enosys, &a);
	deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	while (!n && !next_event(_metadata, self->ev, deadline, &ev)) {
		if (ev->cmd == KABISTAT_CMD_FIRST_ENOSYS &&
		    ev->cgroup->id == self->cg.id) {
			n++;
			ASSERT_EQ(1, ev->cgroup->nr_stats);
			EXPECT_EQ(X64, ev->cgroup->stats[0].abi);
			EXPECT_EQ(KABISTAT_NR_OUT_OF_RANGE,
				  ev->cgroup->stats[0].nr)
				TH_LOG("out-of-range FIRST_ENOSYS carries nr 0x%x",
				       ev->cgroup->stats[0].nr);
		}
		kabistat_event_free(ev);
	}
	EXPECT_EQ(1, n);
}

TEST_F(events, event_sequence_numbers_increase_by_one)
{
	struct enosys_arg a = { .uselib = 1, .beyond = 0 };
	struct kabistat_event *ev;
	struct cgtest cgs[3];
	uint64_t prev = 0;
	int64_t deadline;
	int i, received = 0, mine = 0;

	memset(cgs, 0, sizeof(cgs));
	for (i = 0; i < 3; i++)
		cgs[i].dfd = -1;
	/* per cgroup: one FIRST_ENOSYS, then one CGROUP_RELEASED */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, cgtest_create(&cgs[i], NULL, "seq"))
			TH_LOG("%s", cgtest_err());
		EXPECT_EQ(0, cgtest_run(&cgs[i], NULL, wl_enosys, &a))
			TH_LOG("%s", cgtest_err());
		usleep(100000);
		EXPECT_EQ(0, cgtest_remove(&cgs[i])) TH_LOG("%s", cgtest_err());
		usleep(100000);
	}

	deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	while (mine < 6 && !next_event(_metadata, self->ev, deadline, &ev)) {
		if (received++)
			EXPECT_EQ(prev + 1, ev->seq)
				TH_LOG("event %d (cmd %u, cgroup %llu): seq %llu after %llu",
				       received, ev->cmd,
				       (unsigned long long)ev->cgroup->id,
				       (unsigned long long)ev->seq,
				       (unsigned long long)prev);
		EXPECT_NE(0, ev->seq);
		prev = ev->seq;
		for (i = 0; i < 3; i++)
			if (ev->cgroup->id == cgs[i].id)
				mine++;
		kabistat_event_free(ev);
	}
	EXPECT_EQ(6, mine);
	EXPECT_LE(6, received);
	for (i = 0; i < 3; i++)
		cgtest_remove(&cgs[i]);
}

static int try_subscribe(void *arg)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ks;
	int err, fails = 0;

	(void)arg;
	/* GET_ABI, which open does, is anyone's */
	err = kabistat_open(&ks, msg);
	PRIV_EXPECT(fails, err == 0, "kabistat_open: %d %s", err, msg);
	if (err)
		return fails;
	err = kabistat_events_subscribe(ks);
	PRIV_EXPECT(fails, err == -EPERM, "subscribe: %d (%s)", err,
		    kabistat_errmsg(ks));
	kabistat_close(ks);
	return fails;
}

TEST_F(events, unprivileged_cannot_join_events)
{
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, try_subscribe, NULL));
	/* CAP_PERFMON reads counters, but events are CAP_SYS_ADMIN's */
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_CAP(CAP_PERFMON),
			      try_subscribe, NULL));
}

TEST_HARNESS_MAIN
