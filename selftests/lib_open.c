// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat_open_opts(): the size rules of its options, and the transports.
 * The module's netlink family serves the initial network namespace only; a
 * process in another one (a pod without host networking) reaches the
 * module through /dev/kabistat, which reads the same counters but cannot
 * dump, change settings or send events, and says so.  Without the device,
 * opening says that the namespace, not a missing module, is the problem.
 *
 * The namespace tests unshare the network namespace of the test's own
 * process (the harness runs every test in a process of its own).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"

#define X64		KABISTAT_ABI_X86_64
#define NO_DEVICE	"/dev/kabistat-absent"

/* A caller built against a newer header: known fields, then more. */
struct newer_opts {
	struct kabistat_open_opts known;
	uint64_t future;
};

static void expect_open_fails(struct __test_metadata *_metadata,
			      const struct kabistat_open_opts *o, int err,
			      const char *says)
{
	char msg[KABISTAT_ERRMSG_LEN] = "";
	struct kabistat *ks = NULL;

	EXPECT_EQ(err, kabistat_open_opts(&ks, o, msg)) TH_LOG("%s", msg);
	EXPECT_NE(NULL, strstr(msg, says)) TH_LOG("message: '%s'", msg);
	kabistat_close(ks);
}

TEST(opts_size_is_checked_and_newer_tails_must_be_zero)
{
	struct newer_opts n = { .known.sz = sizeof(n) };
	struct kabistat_open_opts o = { .sz = 4 };
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ks;

	expect_open_fails(_metadata, &o, -EINVAL, "too small");

	/* a newer caller that leaves its new field alone is served */
	ASSERT_EQ(0, kabistat_open_opts(&ks, &n.known, msg)) TH_LOG("%s", msg);
	EXPECT_EQ(KABISTAT_TRANSPORT_NETLINK, kabistat_transport(ks));
	kabistat_close(ks);

	n.future = 1;
	expect_open_fails(_metadata, &n.known, -EINVAL, "newer library");

	o.sz = sizeof(o);
	o.transport = 77;
	expect_open_fails(_metadata, &o, -EINVAL, "unknown transport 77");

	/* no options: kabistat_open() */
	ASSERT_EQ(0, kabistat_open_opts(&ks, NULL, msg)) TH_LOG("%s", msg);
	EXPECT_EQ(KABISTAT_TRANSPORT_NETLINK, kabistat_transport(ks));
	kabistat_close(ks);
}

FIXTURE(netns) {
	struct kabistat *nl;	/* opened before leaving the namespace */
	struct cgtest cg;
};

FIXTURE_SETUP(netns)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->cg.dfd = -1;
	self->cg.created = false;
	if (access("/dev/kabistat", F_OK))
		SKIP(return, "no /dev/kabistat in this guest");
	ASSERT_EQ(0, kabistat_open(&self->nl, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "libopen"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %m");
}

FIXTURE_TEARDOWN(netns)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->nl);
}

TEST_F(netns, netlink_outside_the_initial_namespace_says_why)
{
	struct kabistat_open_opts o = {
		.sz = sizeof(o), .transport = KABISTAT_TRANSPORT_NETLINK,
	};

	expect_open_fails(_metadata, &o, -ENETUNREACH,
			  "only the initial network namespace");
	/* without the device there is nothing else to try: both said */
	o.transport = KABISTAT_TRANSPORT_AUTO;
	o.device = NO_DEVICE;
	expect_open_fails(_metadata, &o, -ENETUNREACH,
			  NO_DEVICE ", the device that serves any namespace, is not there");
}

TEST_F(netns, open_falls_back_to_the_device_and_reads_the_same_counts)
{
	struct kabistat_cgroup *viadev = NULL, *vianl = NULL;
	struct kabistat_kernel_abi *abi = NULL;
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ks;
	size_t i;

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_getppid, (void *)321L))
		TH_LOG("%s", cgtest_err());

	ASSERT_EQ(0, kabistat_open(&ks, msg)) TH_LOG("%s", msg);
	EXPECT_EQ(KABISTAT_TRANSPORT_DEVICE, kabistat_transport(ks));

	ASSERT_EQ(0, kabistat_get_cgroup_fd(ks, self->cg.dfd, &viadev))
		TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_EQ(self->cg.id, viadev->id);
	EXPECT_EQ(KABISTAT_CGROUP_LIVE, viadev->state);
	EXPECT_SYSCALL(viadev, X64, SYS_getppid, 321, 0, 0, 0, 0);
	EXPECT_TOTALS(viadev, 321 + CGTEST_OVERHEAD_CALLS, 0, 0, 0, 0);

	/* by id too: the library opens the directory for the device */
	kabistat_cgroup_free(viadev);
	ASSERT_EQ(0, kabistat_get_cgroup(ks, self->cg.id, &viadev))
		TH_LOG("%s", kabistat_errmsg(ks));
	ASSERT_EQ(0, kabistat_get_cgroup(self->nl, self->cg.id, &vianl))
		TH_LOG("%s", kabistat_errmsg(self->nl));
	EXPECT_EQ(vianl->generation, viadev->generation);
	ASSERT_EQ(vianl->nr_stats, viadev->nr_stats);
	for (i = 0; i < vianl->nr_stats; i++)
		EXPECT_EQ(0, memcmp(&vianl->stats[i], &viadev->stats[i],
				    sizeof(vianl->stats[i])))
			TH_LOG("stat %zu differs", i);
	EXPECT_EQ(0, memcmp(&vianl->totals, &viadev->totals,
			    sizeof(vianl->totals)));

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi)) TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_EQ(KABISTAT_UAPI_VERSION, abi->uapi_version);
	EXPECT_EQ(1, abi->counting);
	EXPECT_EQ(1, abi->tables[X64].present);
	EXPECT_STREQ("x86_64", abi->tables[X64].name);
	EXPECT_EQ(0, abi->tables[X64].size);	/* no tables over the device */

	/* reset works through the device */
	EXPECT_EQ(0, kabistat_reset(ks, self->cg.id))
		TH_LOG("%s", kabistat_errmsg(ks));
	kabistat_cgroup_free(viadev);
	ASSERT_EQ(0, kabistat_get_cgroup_fd(ks, self->cg.dfd, &viadev))
		TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_EQ(0, viadev->totals.calls);
	EXPECT_NE(vianl->generation, viadev->generation);

	kabistat_abi_free(abi);
	kabistat_cgroup_free(vianl);
	kabistat_cgroup_free(viadev);
	kabistat_close(ks);
}

static int count_one(const struct kabistat_cgroup *cg, void *arg)
{
	(void)cg;
	++*(int *)arg;
	return 0;
}

TEST_F(netns, device_refuses_what_it_cannot_do_by_name)
{
	struct kabistat_open_opts o = {
		.sz = sizeof(o), .transport = KABISTAT_TRANSPORT_DEVICE,
	};
	struct kabistat_settings set = {
		.sz = sizeof(set), .released_ttl = 60,
		.mask = KABISTAT_SET_RELEASED_TTL,
	};
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ks;
	int seen = 0;

	ASSERT_EQ(0, kabistat_open_opts(&ks, &o, msg)) TH_LOG("%s", msg);
	EXPECT_EQ(-EOPNOTSUPP, kabistat_dump(ks, NULL, count_one, &seen));
	EXPECT_STREQ("/dev/kabistat offers no dumps (GET_CGROUP dump); only netlink, from the initial network namespace, does",
		     kabistat_errmsg(ks));
	EXPECT_EQ(0, seen);
	EXPECT_EQ(-EOPNOTSUPP, kabistat_set(ks, &set));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(ks), "offers no settings"))
		TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_EQ(-EOPNOTSUPP, kabistat_events_subscribe(ks));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(ks), "offers no events"))
		TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_EQ(-1, kabistat_events_fd(ks));
	kabistat_close(ks);

	o.device = NO_DEVICE;
	expect_open_fails(_metadata, &o, -ENOENT,
			  "cannot open " NO_DEVICE);
}

TEST_HARNESS_MAIN
