// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat_cgroup_delta(): between two readings of one cgroup, exactly what
 * ran in between; nothing across a reset (the generation changed) or
 * between two different cgroups.  `kabistat top` computes its rates with
 * it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"

#define X64	TEST_ABI_NATIVE

FIXTURE(delta) {
	struct kabistat *ks;
	struct cgtest a, b;
};

FIXTURE_SETUP(delta)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->a.dfd = self->b.dfd = -1;
	self->a.created = self->b.created = false;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->a, NULL, "delta"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->b, NULL, "delta"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(delta)
{
	if (cgtest_remove(&self->b) || cgtest_remove(&self->a))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ks);
}

static struct kabistat_cgroup *reading(struct __test_metadata *_metadata,
				       struct kabistat *ks, uint64_t id)
{
	struct kabistat_cgroup *cg = NULL;

	EXPECT_EQ(0, kabistat_get_cgroup(ks, id, &cg))
		TH_LOG("%s", kabistat_errmsg(ks));
	return cg;
}

TEST_F(delta, between_two_readings_exactly_what_ran)
{
	struct kabistat_cgroup *r1, *r2, *d = NULL;

	ASSERT_EQ(0, cgtest_run(&self->a, NULL, wl_getppid, (void *)40L))
		TH_LOG("%s", cgtest_err());
	r1 = reading(_metadata, self->ks, self->a.id);
	ASSERT_EQ(0, cgtest_run(&self->a, NULL, wl_getppid, (void *)25L))
		TH_LOG("%s", cgtest_err());
	r2 = reading(_metadata, self->ks, self->a.id);
	ASSERT_TRUE(r1 && r2);

	ASSERT_EQ(0, kabistat_cgroup_delta(r1, r2, &d));
	EXPECT_EQ(self->a.id, d->id);
	EXPECT_EQ(r2->generation, d->generation);
	EXPECT_EQ(r2->timestamp_ns, d->timestamp_ns);
	EXPECT_SYSCALL(d, X64, SYS_getppid, 25, 0, 0, 0, 0);
	EXPECT_SYSCALL(d, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(d, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(r2->nr_stats, d->nr_stats);
	EXPECT_EQ(25 + CGTEST_OVERHEAD_CALLS, d->per_abi[X64].calls);
	EXPECT_TOTALS(d, 25 + CGTEST_OVERHEAD_CALLS, 0, 0, 0, 0);
	kabistat_cgroup_free(d);

	/* no older reading: everything is new */
	ASSERT_EQ(0, kabistat_cgroup_delta(NULL, r2, &d));
	EXPECT_TOTALS(d, 65 + 2 * CGTEST_OVERHEAD_CALLS, 0, 0, 0, 0);
	kabistat_cgroup_free(d);
	kabistat_cgroup_free(r1);
	kabistat_cgroup_free(r2);
}

TEST_F(delta, a_reset_between_readings_has_no_delta)
{
	struct kabistat_cgroup *r1, *r2, *rb, *d = NULL;

	ASSERT_EQ(0, cgtest_run(&self->a, NULL, wl_getppid, (void *)40L))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&self->b, NULL, wl_getppid, (void *)10L))
		TH_LOG("%s", cgtest_err());
	r1 = reading(_metadata, self->ks, self->a.id);
	rb = reading(_metadata, self->ks, self->b.id);
	/*
	 * reset, then more calls than before: every counter grew, and only
	 * the generation tells that 60 - 40 is not what ran in between
	 */
	ASSERT_EQ(0, kabistat_reset(self->ks, self->a.id))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_EQ(0, cgtest_run(&self->a, NULL, wl_getppid, (void *)60L))
		TH_LOG("%s", cgtest_err());
	r2 = reading(_metadata, self->ks, self->a.id);
	ASSERT_TRUE(r1 && r2 && rb);
	ASSERT_NE(r1->generation, r2->generation);

	EXPECT_EQ(-ESTALE, kabistat_cgroup_delta(r1, r2, &d));
	EXPECT_EQ(NULL, d);
	EXPECT_EQ(-EINVAL, kabistat_cgroup_delta(rb, r2, &d));
	EXPECT_EQ(NULL, d);
	kabistat_cgroup_free(rb);
	kabistat_cgroup_free(r1);
	kabistat_cgroup_free(r2);
}

TEST_HARNESS_MAIN
