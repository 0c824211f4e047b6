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
 * test pass.
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

#define BURST		200
#define BIG_RCVBUF	(8U << 20)
#define EVENT_WAIT_MS	10000
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

/* Calls whose first argument is an fd: -1 makes each fail, EBADF. */
static const long fd_calls[] = {
	SYS_read, SYS_write, SYS_close, SYS_fstat, SYS_lseek, SYS_ioctl,
	SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_dup, SYS_dup2,
	SYS_connect, SYS_accept, SYS_sendto, SYS_recvfrom, SYS_sendmsg,
	SYS_recvmsg, SYS_shutdown, SYS_bind, SYS_listen, SYS_getsockname,
	SYS_getpeername, SYS_setsockopt, SYS_getsockopt, SYS_fcntl,
	SYS_flock, SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_getdents,
	SYS_fchdir, SYS_fchmod, SYS_fchown, SYS_fstatfs, SYS_readahead,
	SYS_fsetxattr, SYS_fgetxattr, SYS_flistxattr, SYS_fremovexattr,
	SYS_getdents64, SYS_fadvise64, SYS_epoll_wait, SYS_epoll_ctl,
	SYS_inotify_rm_watch, SYS_splice, SYS_tee, SYS_sync_file_range,
	SYS_vmsplice, SYS_epoll_pwait, SYS_timerfd_settime,
	SYS_timerfd_gettime, SYS_accept4, SYS_dup3, SYS_preadv, SYS_pwritev,
	SYS_recvmmsg, SYS_sendmmsg, SYS_syncfs, SYS_setns,
	SYS_copy_file_range, SYS_preadv2, SYS_pwritev2,
	SYS_pidfd_send_signal, SYS_pidfd_getfd, SYS_process_madvise,
	SYS_fsmount,
};

/* Calls relative to a directory fd: -1 with a relative path, EBADF. */
static const long at_calls[] = {
	SYS_openat, SYS_mkdirat, SYS_mknodat, SYS_fchownat, SYS_futimesat,
	SYS_newfstatat, SYS_unlinkat, SYS_renameat, SYS_linkat,
	SYS_readlinkat, SYS_fchmodat, SYS_faccessat, SYS_utimensat,
	SYS_name_to_handle_at, SYS_renameat2, SYS_statx, SYS_faccessat2,
	SYS_open_tree, SYS_fspick,
};

/* Calls that only read the caller's own state. */
static const long get_calls[] = {
	SYS_getpid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid,
	SYS_getegid, SYS_gettid, SYS_getpgrp, SYS_sched_yield,
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * About a hundred distinct calls, none with an effect (every one exists
 * since 5.10, so no first-ENOSYS events compete with the releases): each
 * release event is some 10 KiB, a real process's worth.
 */
static int wl_varied(void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_LEN(fd_calls); i++)
		syscall(fd_calls[i], -1L, 0L, 0L, 0L, 0L, 0L);
	for (i = 0; i < ARRAY_LEN(at_calls); i++)
		syscall(at_calls[i], -1L, "x", -1L, "x", 0L, 0L);
	for (i = 0; i < ARRAY_LEN(get_calls); i++)
		syscall(get_calls[i]);
	return 0;
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

/* Run the workload in BURST new cgroups, then remove them all at once. */
static void burst(struct __test_metadata *_metadata,
		  FIXTURE_DATA(burst) *self)
{
	int i;

	for (i = 0; i < BURST; i++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "burst"))
			TH_LOG("%s", cgtest_err());
		self->n++;
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_varied, NULL))
			TH_LOG("%s", cgtest_err());
	}
	for (i = 0; i < BURST; i++)
		ASSERT_EQ(0, cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
}

struct tally {
	int ours;	/* release events of the burst's cgroups */
	int enobufs;	/* -ENOBUFS returns */
	int gaps;	/* sequence numbers skipped */
};

/* Read until BURST of ours arrived or nothing came for a while. */
static void drain(struct __test_metadata *_metadata,
		  FIXTURE_DATA(burst) *self, struct kabistat *ev,
		  struct tally *t)
{
	int64_t deadline = cgtest_now_ms() + EVENT_WAIT_MS;
	struct kabistat_event *e;
	uint64_t last = 0;
	int err;

	memset(t, 0, sizeof(*t));
	while (t->ours < BURST) {
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
	burst(_metadata, self);
	drain(_metadata, self, ev, &t);
	EXPECT_EQ(BURST, t.ours);
	EXPECT_EQ(0, t.enobufs);
	EXPECT_EQ(0, t.gaps);
	kabistat_close(ev);
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
	struct kabistat *ev, *ks;
	struct tally t;
	int err;

	/* a DaemonSet agent: CAP_SYS_ADMIN, not CAP_NET_ADMIN */
	ASSERT_EQ(0, cap_effective_without(CAP_NET_ADMIN));
	err = listen_with(_metadata, NULL, &ev);
	EXPECT_EQ(-EPERM, kabistat_open_opts(&ks, &big, msg));
	EXPECT_NE(NULL, strstr(msg, "needs CAP_NET_ADMIN")) TH_LOG("%s", msg);
	ASSERT_EQ(0, cap_effective_without(-1));
	ASSERT_EQ(0, err);

	burst(_metadata, self);
	drain(_metadata, self, ev, &t);
	/* what overflowed is never sent: no gap follows the last event */
	EXPECT_LT(t.ours, BURST);
	EXPECT_EQ(1, t.enobufs);
	TH_LOG("%d of %d releases arrived", t.ours, BURST);
	kabistat_close(ev);
}

TEST_HARNESS_MAIN
