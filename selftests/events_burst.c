// SPDX-License-Identifier: GPL-2.0
/*
 * A burst of release events (BURST cgroups removed while the listener does
 * not read) fits the receive buffer kabistat_open_opts() is asked for, and
 * overflows, with ENOBUFS and a gap in the sequence numbers, the buffer a
 * caller gets by default without CAP_NET_ADMIN (net.core.rmem_max, about
 * 208 KiB).  Asking for more than a caller may have fails and says why.
 *
 * The default buffer (1 MiB for a caller with CAP_NET_ADMIN) holds about
 * a hundred of these events, so the big buffer is what makes the first
 * test pass.  The default one without CAP_NET_ADMIN holds about twenty
 * (some 8 KiB each; more where rmem_max is larger, as in the debug
 * kernel): three times as many as fit overflow it (lossy_burst()), and a
 * listener with the big buffer tells when the last of them was sent, so
 * that the lossy one is not waited for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "wl_varied.h"

#define BURST		200
#define EVENT_MIN_BYTES	8192
#define BIG_RCVBUF	(8U << 20)
#define EVENT_WAIT_MS	10000
/* what the lossy listener may still get once the big one has them all */
#define SETTLE_MS	1000
/*
 * 200 cgroups made, run and removed take a few seconds in a release
 * kernel's guest, about a minute in the debug kernel's and more on a busy
 * host: the default 30 s (times the guest's slowdown) was too short there.
 */
#define BURST_TIMEOUT	90

FIXTURE(burst) {
	struct cgtest cg[BURST];
	int n;
};

FIXTURE_SETUP(burst)
{
	int i;

	for (i = 0; i < BURST; i++) {
		self->cg[i].dfd = -1;
		self->cg[i].created = false;
	}
	self->n = 0;
}

FIXTURE_TEARDOWN(burst)
{
	int i;

	for (i = 0; i < self->n; i++)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
}

/* Whether @id is one of the burst's cgroups. */
static bool ours(const FIXTURE_DATA(burst) *self, uint64_t id)
{
	int i;

	for (i = 0; i < self->n; i++)
		if (self->cg[i].id == id)
			return true;
	return false;
}

/* Run the workload in @n new cgroups, then remove them all at once. */
static void burst(struct __test_metadata *_metadata,
		  FIXTURE_DATA(burst) *self, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "burst"))
			TH_LOG("%s", cgtest_err());
		self->n++;
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_varied, NULL))
			TH_LOG("%s", cgtest_err());
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
}

struct tally {
	int ours;	/* release events of the burst's cgroups */
	int enobufs;	/* -ENOBUFS returns */
	int gaps;	/* sequence numbers skipped */
};

/* Read until all the burst's releases arrived or @wait_ms passed. */
static void drain(struct __test_metadata *_metadata,
		  FIXTURE_DATA(burst) *self, struct kabistat *ev,
		  struct tally *t, int wait_ms)
{
	int64_t deadline = cgtest_now_ms() + wait_ms;
	struct kabistat_event *e;
	uint64_t last = 0;
	int err;

	memset(t, 0, sizeof(*t));
	while (t->ours < self->n) {
		int64_t left = deadline - cgtest_now_ms();

		err = kabistat_event_next(ev, left > 0 ? (int)left : 0, &e);
		if (err == -ETIMEDOUT)
			break;
		if (err == -ENOBUFS) {
			t->enobufs++;
			continue;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(ev));
		if (last && e->seq != last + 1)
			t->gaps++;
		last = e->seq;
		if (e->cmd == KABISTAT_CMD_CGROUP_RELEASED &&
		    ours(self, e->cgroup->id))
			t->ours++;
		kabistat_event_free(e);
	}
}

/* Subscribe a new handle opened with @o: 0, or its error. */
static int listen_with(struct __test_metadata *_metadata,
		       const struct kabistat_open_opts *o,
		       struct kabistat **ev)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int err;

	err = kabistat_open_opts(ev, o, msg);
	if (err) {
		TH_LOG("%s", msg);
		return err;
	}
	err = kabistat_events_subscribe(*ev);
	EXPECT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(*ev));
	return err;
}

TEST_F_TIMEOUT(burst, all_releases_arrive_with_a_big_rcvbuf, BURST_TIMEOUT)
{
	struct kabistat_open_opts o = { .sz = sizeof(o), .rcvbuf = BIG_RCVBUF };
	struct kabistat *ev;
	struct tally t;

	ASSERT_EQ(0, listen_with(_metadata, &o, &ev));
	burst(_metadata, self, BURST);
	drain(_metadata, self, ev, &t, EVENT_WAIT_MS);
	EXPECT_EQ(BURST, t.ours);
	EXPECT_EQ(0, t.enobufs);
	EXPECT_EQ(0, t.gaps);
	kabistat_close(ev);
}

/*
 * How many releases overflow the default buffer three times over, at most
 * BURST: fewer cgroups to make and remove than BURST where it is small.
 */
static int lossy_burst(void)
{
	unsigned long rmem_max = 0;
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "re");
	int n = BURST;

	if (f) {
		if (fscanf(f, "%lu", &rmem_max) == 1 &&
		    rmem_max < (unsigned long)BURST * EVENT_MIN_BYTES / 3)
			n = 3 * rmem_max / EVENT_MIN_BYTES;
		fclose(f);
	}
	if (n < BURST)
		printf("# %d cgroups, not %d: net.core.rmem_max is %lu\n",
		       n, BURST, rmem_max);
	return n;
}

/* Set the effective capabilities to the permitted ones less @drop. */
static int cap_effective_without(int drop)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	if (drop >= 0)
		d[drop / 32].effective &= ~(1U << (drop % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

TEST_F_TIMEOUT(burst, the_default_buffer_without_net_admin_loses_releases,
	       BURST_TIMEOUT)
{
	struct kabistat_open_opts big = {
		.sz = sizeof(big), .rcvbuf = BIG_RCVBUF,
	};
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ev, *ks, *all;
	int err, n = lossy_burst();
	struct tally t;

	/* a DaemonSet agent: CAP_SYS_ADMIN, not CAP_NET_ADMIN */
	ASSERT_EQ(0, cap_effective_without(CAP_NET_ADMIN));
	err = listen_with(_metadata, NULL, &ev);
	EXPECT_EQ(-EPERM, kabistat_open_opts(&ks, &big, msg));
	EXPECT_NE(NULL, strstr(msg, "needs CAP_NET_ADMIN")) TH_LOG("%s", msg);
	ASSERT_EQ(0, cap_effective_without(-1));
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, listen_with(_metadata, &big, &all));

	burst(_metadata, self, n);
	drain(_metadata, self, all, &t, EVENT_WAIT_MS);
	EXPECT_EQ(n, t.ours) TH_LOG("with the big buffer");
	drain(_metadata, self, ev, &t, SETTLE_MS);
	/* what overflowed is never sent: no gap follows the last event */
	EXPECT_LT(t.ours, n);
	EXPECT_EQ(1, t.enobufs);
	TH_LOG("%d of %d releases arrived", t.ours, n);
	kabistat_close(all);
	kabistat_close(ev);
}

TEST_HARNESS_MAIN
