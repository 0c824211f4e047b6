// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what: every check runs in a forked child that is uid 65534
 * (or uid 0, where the device's owner is needed) with exactly the
 * capabilities named, see privdrop.h.
 *
 *   GET_ABI                  anyone
 *   GET_CGROUP do and dump   CAP_PERFMON or CAP_SYS_ADMIN
 *   RESET, SET               CAP_SYS_ADMIN
 *   /dev/kabistat            mode 0600 root; CGROUP_STATS and RESET check
 *                            both the opener's and the caller's capabilities
 *   the genl family          the initial network namespace only
 *   a user namespace         capabilities count only in the initial one:
 *                            its root (mapped to uid 0) is anyone there
 *
 * The cgroup the children ask about is the fixture's, which ran a workload
 * of GETPPID_CALLS getppid (plus the moving read and the exit_group) and is
 * quiescent.  Refused requests must not have acted: the parent checks the
 * counters and generation afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "nlraw.h"
#include "privdrop.h"

#define DEV_PATH	"/dev/kabistat"
#define X64		TEST_ABI_NATIVE
#define GETPPID_CALLS	10
#define MAX_STATS	64

#define PERFMON		PRIV_CAP(CAP_PERFMON)
#define SYS_ADMIN	PRIV_CAP(CAP_SYS_ADMIN)



/* What the children get; filled by the fixture. */
struct target {
	uint64_t id;		/* the fixture's cgroup */
	int cgfd;		/* its directory, for the ioctls */
	int devfd;		/* /dev/kabistat opened by the parent, or -1 */
	int sock;		/* for passing an fd to the parent, or -1 */
	bool expect_ok;		/* whether the child's requests must succeed */
};

FIXTURE(priv) {
	struct kabistat *ks;
	struct cgtest cg;
	struct target t;
	uint64_t generation;
};

FIXTURE_SETUP(priv)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_cgroup *cg;

	self->cg.dfd = -1;
	self->cg.created = false;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "priv"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_getppid,
				(void *)(long)GETPPID_CALLS))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_EQ(GETPPID_CALLS, getppid_calls(cg));
	self->generation = cg->generation;
	kabistat_cgroup_free(cg);
	self->t = (struct target){ .id = self->cg.id, .cgfd = self->cg.dfd,
				   .devfd = -1, .sock = -1 };
}

FIXTURE_TEARDOWN(priv)
{
	if (self->t.devfd >= 0)
		close(self->t.devfd);
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ks);
}

/* The fixture's cgroup as root sees it now: untouched, or reset. */
static void expect_untouched(struct __test_metadata *_metadata,
			     FIXTURE_DATA(priv) *self)
{
	struct kabistat_cgroup *cg;

	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(GETPPID_CALLS, getppid_calls(cg));
	EXPECT_EQ(GETPPID_CALLS + CGTEST_OVERHEAD_CALLS, cg->totals.calls);
	EXPECT_EQ(self->generation, cg->generation);
	kabistat_cgroup_free(cg);
}

static void expect_reset(struct __test_metadata *_metadata,
			 FIXTURE_DATA(priv) *self)
{
	struct kabistat_cgroup *cg;

	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(0, getppid_calls(cg));
	EXPECT_EQ(0, cg->totals.calls);
	EXPECT_NE(self->generation, cg->generation);
	kabistat_cgroup_free(cg);
}

/* ---- requests a child makes ---- */

static size_t put_id(char *buf, uint64_t id)
{
	return nlraw_put(buf, 0, KABISTAT_A_CGROUP_ID, &id, sizeof(id));
}

/*
 * In a child: a raw request must give @want, and when that is EPERM an
 * extack message naming @cap (or, where the kernel cannot carry one, no
 * message at all: see dump_start_extack()).
 */
static int raw_expect(struct nlraw *nl, const char *what, uint8_t cmd,
		      uint16_t flags, const void *attrs, size_t len, int want,
		      const char *cap, bool may_lack_extack)
{
	int ret = nlraw_request(nl, cmd, flags, attrs, len), fails = 0;

	PRIV_EXPECT(fails, ret == want, "%s: got %d (%s), want %d (extack '%s')",
		    what, ret, strerror(-ret), want, nl->extack);
	if (ret == -EPERM && cap) {
		if (may_lack_extack && !nl->extack[0])
			return fails;
		PRIV_EXPECT(fails, strstr(nl->extack, cap) != NULL,
			    "%s: extack '%s' does not name %s", what,
			    nl->extack, cap);
	}
	return fails;
}

/*
 * Whether an error of a dump's .start callback can carry an extack
 * message: the netlink core sets cb->extack around .start only from 6.7
 * (before, .start runs with it NULL, as badinput.c notes).
 */
static bool dump_start_extack(void)
{
	return cgtest_kernel_at_least(6, 7);
}

static int count_id_cb(const struct kabistat_cgroup *cg, void *arg)
{
	uint64_t *want_and_count = arg;

	if (cg->id == want_and_count[0]) {
		want_and_count[1]++;
		want_and_count[2] = getppid_calls(cg);
	}
	if (!cg->id)
		want_and_count[3]++;
	want_and_count[4]++;
	return 0;
}

static int child_get_abi(void *arg)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_kernel_abi *abi;
	struct kabistat *ks;
	struct nlraw nl;
	int err, fails = 0;

	(void)arg;
	err = nlraw_open(&nl);
	PRIV_EXPECT(fails, err == 0, "nlraw_open: %d", err);
	if (!err) {
		fails += raw_expect(&nl, "GET_ABI", KABISTAT_CMD_GET_ABI, 0,
				    NULL, 0, 0, NULL, false);
		nlraw_close(&nl);
	}
	err = kabistat_open(&ks, msg);
	PRIV_EXPECT(fails, err == 0, "kabistat_open: %d %s", err, msg);
	if (err)
		return fails;
	err = kabistat_get_abi(ks, &abi);
	PRIV_EXPECT(fails, err == 0, "get_abi: %s", kabistat_errmsg(ks));
	if (!err) {
		PRIV_EXPECT(fails, abi->uapi_version == KABISTAT_UAPI_VERSION,
			    "uapi version %u", abi->uapi_version);
		PRIV_EXPECT(fails, abi->tables[X64].present &&
				   abi->tables[X64].size > SYS_getppid,
			    "x86_64 table of %u", abi->tables[X64].size);
		kabistat_abi_free(abi);
	}
	kabistat_close(ks);
	return fails;
}

/* GET_CGROUP do and dump, raw and through the library. */
static int child_get_cgroup(void *arg)
{
	const struct target *t = arg;
	struct kabistat_dump_opts all = { .sz = sizeof(all) };
	struct kabistat_dump_opts sub = { .sz = sizeof(sub),
					  .subtree_id = t->id };
	char msg[KABISTAT_ERRMSG_LEN], attrs[64];
	uint64_t seen[5];
	struct kabistat_cgroup *cg;
	struct kabistat *ks;
	struct nlraw nl;
	int err, want = t->expect_ok ? 0 : -EPERM, fails = 0;
	size_t len = put_id(attrs, t->id);

	err = nlraw_open(&nl);
	PRIV_EXPECT(fails, err == 0, "nlraw_open: %d", err);
	if (!err) {
		fails += raw_expect(&nl, "GET_CGROUP do", KABISTAT_CMD_GET_CGROUP,
				    0, attrs, len, want, "CAP_PERFMON", false);
		if (want)
			fails += raw_expect(&nl, "GET_CGROUP do",
					    KABISTAT_CMD_GET_CGROUP, 0, attrs,
					    len, want, "CAP_SYS_ADMIN", false);
		fails += raw_expect(&nl, "GET_CGROUP dump",
				    KABISTAT_CMD_GET_CGROUP, NLM_F_DUMP, NULL,
				    0, want, "CAP_PERFMON", !dump_start_extack());
		fails += raw_expect(&nl, "GET_CGROUP subtree dump",
				    KABISTAT_CMD_GET_CGROUP, NLM_F_DUMP, attrs,
				    len, want, "CAP_PERFMON", !dump_start_extack());
		nlraw_close(&nl);
	}

	err = kabistat_open(&ks, msg);
	PRIV_EXPECT(fails, err == 0, "kabistat_open: %d %s", err, msg);
	if (err)
		return fails;
	cg = NULL;
	err = kabistat_get_cgroup(ks, t->id, &cg);
	PRIV_EXPECT(fails, err == want, "kabistat_get_cgroup: %d (%s)", err,
		    kabistat_errmsg(ks));
	if (!err && cg) {
		PRIV_EXPECT(fails, getppid_calls(cg) == GETPPID_CALLS,
			    "getppid %llu",
			    (unsigned long long)getppid_calls(cg));
		PRIV_EXPECT(fails, cg->totals.calls == GETPPID_CALLS +
						       CGTEST_OVERHEAD_CALLS,
			    "totals %llu",
			    (unsigned long long)cg->totals.calls);
	}
	kabistat_cgroup_free(cg);

	memset(seen, 0, sizeof(seen));
	seen[0] = t->id;
	err = kabistat_dump(ks, &all, count_id_cb, seen);
	PRIV_EXPECT(fails, err == want, "full dump: %d (%s)", err,
		    kabistat_errmsg(ks));
	if (!err) {
		PRIV_EXPECT(fails, seen[1] == 1 && seen[2] == GETPPID_CALLS,
			    "full dump: cgroup seen %llu times, getppid %llu",
			    (unsigned long long)seen[1],
			    (unsigned long long)seen[2]);
		PRIV_EXPECT(fails, seen[3] == 2, "full dump: %llu aggregates",
			    (unsigned long long)seen[3]);
	}
	memset(seen, 0, sizeof(seen));
	seen[0] = t->id;
	err = kabistat_dump(ks, &sub, count_id_cb, seen);
	PRIV_EXPECT(fails, err == want, "subtree dump: %d (%s)", err,
		    kabistat_errmsg(ks));
	if (!err)
		PRIV_EXPECT(fails, seen[1] == 1 && seen[2] == GETPPID_CALLS &&
				   seen[4] == 1,
			    "subtree dump: %llu entries, cgroup seen %llu times, getppid %llu",
			    (unsigned long long)seen[4],
			    (unsigned long long)seen[1],
			    (unsigned long long)seen[2]);
	kabistat_close(ks);
	return fails;
}

/* RESET of the target cgroup and SET of counting 1 (the default). */
static int child_reset_set(void *arg)
{
	const struct target *t = arg;
	struct kabistat_settings set = { .sz = sizeof(set), .counting = 1,
					 .released_ttl = -1 };
	char msg[KABISTAT_ERRMSG_LEN], attrs[64];
	int err, want = t->expect_ok ? 0 : -EPERM, fails = 0;
	struct kabistat *ks;
	struct nlraw nl;
	uint8_t one = 1;
	size_t len;

	err = nlraw_open(&nl);
	PRIV_EXPECT(fails, err == 0, "nlraw_open: %d", err);
	if (!err) {
		len = put_id(attrs, t->id);
		fails += raw_expect(&nl, "RESET", KABISTAT_CMD_RESET, 0, attrs,
				    len, want, "CAP_SYS_ADMIN", false);
		len = nlraw_put(attrs, 0, KABISTAT_A_COUNTING, &one,
				sizeof(one));
		fails += raw_expect(&nl, "SET", KABISTAT_CMD_SET, 0, attrs,
				    len, want, "CAP_SYS_ADMIN", false);
		nlraw_close(&nl);
	}
	err = kabistat_open(&ks, msg);
	PRIV_EXPECT(fails, err == 0, "kabistat_open: %d %s", err, msg);
	if (err)
		return fails;
	err = kabistat_reset(ks, t->id);
	PRIV_EXPECT(fails, err == want, "kabistat_reset: %d (%s)", err,
		    kabistat_errmsg(ks));
	err = kabistat_set(ks, &set);
	PRIV_EXPECT(fails, err == want, "kabistat_set: %d (%s)", err,
		    kabistat_errmsg(ks));
	kabistat_close(ks);
	return fails;
}

TEST_F(priv, get_abi_is_allowed_for_everyone)
{
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, child_get_abi, NULL));
}

TEST_F(priv, get_cgroup_do_and_dump_refused_without_perfmon_or_sys_admin)
{
	self->t.expect_ok = false;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, child_get_cgroup,
			      &self->t));
	/* neither capability counts for anything else here */
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_CAP(CAP_NET_ADMIN) |
			      PRIV_CAP(CAP_SYS_PTRACE), child_get_cgroup,
			      &self->t));
}

TEST_F(priv, get_cgroup_do_and_dump_allowed_with_cap_perfmon_only)
{
	self->t.expect_ok = true;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PERFMON, child_get_cgroup,
			      &self->t));
}

TEST_F(priv, get_cgroup_do_and_dump_allowed_with_cap_sys_admin_only)
{
	self->t.expect_ok = true;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, SYS_ADMIN, child_get_cgroup,
			      &self->t));
}

TEST_F(priv, reset_and_set_refused_with_cap_perfmon_only_or_none)
{
	self->t.expect_ok = false;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PERFMON, child_reset_set,
			      &self->t));
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, child_reset_set,
			      &self->t));
	expect_untouched(_metadata, self);
}

TEST_F(priv, reset_and_set_allowed_with_cap_sys_admin_only)
{
	self->t.expect_ok = true;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, SYS_ADMIN, child_reset_set,
			      &self->t));
	expect_reset(_metadata, self);
}

/* ---- /dev/kabistat ---- */

/* 0 or the errno of the ioctl */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

struct dev_expect {
	int abi_info;		/* errno each ioctl must give */
	int stats;
	int reset;
};

/* The three ioctls on @devfd; 0 or how many gave the wrong errno. */
static int dev_ioctls(int devfd, int cgfd, const struct dev_expect *want)
{
	struct kabistat_abi_info info = { .argsz = sizeof(info) };
	struct kabistat_stat st[MAX_STATS];
	struct kabistat_cgroup_stats cs;
	struct kabistat_reset rs;
	uint64_t getppid = 0;
	int err, fails = 0;
	uint32_t i;

	err = xioctl(devfd, KABISTAT_IOC_ABI_INFO, &info);
	PRIV_EXPECT(fails, err == want->abi_info, "ABI_INFO: %s",
		    strerror(err));

	memset(&cs, 0, sizeof(cs));
	cs.argsz = sizeof(cs);
	cs.cgroup_fd = cgfd;
	cs.stats = (uintptr_t)st;
	cs.stats_len = MAX_STATS;
	cs.stat_size = sizeof(st[0]);
	err = xioctl(devfd, KABISTAT_IOC_CGROUP_STATS, &cs);
	PRIV_EXPECT(fails, err == want->stats, "CGROUP_STATS: %s",
		    strerror(err));
	if (!err) {
		for (i = 0; i < cs.stats_len && i < MAX_STATS; i++)
			if (st[i].abi == X64 && st[i].nr == SYS_getppid)
				getppid = st[i].calls;
		PRIV_EXPECT(fails, getppid == GETPPID_CALLS,
			    "CGROUP_STATS: getppid %llu",
			    (unsigned long long)getppid);
	}

	memset(&rs, 0, sizeof(rs));
	rs.argsz = sizeof(rs);
	rs.cgroup_fd = cgfd;
	err = xioctl(devfd, KABISTAT_IOC_RESET, &rs);
	PRIV_EXPECT(fails, err == want->reset, "RESET: %s", strerror(err));
	return fails;
}

static const struct dev_expect dev_none = { 0, EPERM, EPERM };
static const struct dev_expect dev_perfmon = { 0, 0, EPERM };
static const struct dev_expect dev_admin = { 0, 0, 0 };

struct dev_child {
	const struct target *t;
	const struct dev_expect *want;
};

/* The ioctls on the device the parent (root) opened. */
static int child_dev_ioctls(void *arg)
{
	const struct dev_child *dc = arg;

	return dev_ioctls(dc->t->devfd, dc->t->cgfd, dc->want);
}

TEST_F(priv, dev_opened_by_root_still_checks_the_caller)
{
	struct dev_child dc = { .t = &self->t };

	self->t.devfd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->t.devfd) TH_LOG("open: %s", strerror(errno));

	dc.want = &dev_none;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, child_dev_ioctls, &dc));
	dc.want = &dev_perfmon;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PERFMON, child_dev_ioctls, &dc));
	expect_untouched(_metadata, self);
	dc.want = &dev_admin;
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, SYS_ADMIN, child_dev_ioctls, &dc));
	expect_reset(_metadata, self);
}

static int child_open_dev(void *arg)
{
	int fd, fails = 0;

	(void)arg;
	fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	PRIV_EXPECT(fails, fd < 0 && errno == EACCES, "open O_RDONLY: %d %s",
		    fd, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	PRIV_EXPECT(fails, fd < 0 && errno == EACCES, "open O_RDWR: %d %s",
		    fd, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
	return fails;
}

TEST_F(priv, dev_is_root_only_and_refuses_other_uids_with_eacces)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV_PATH, &st)) TH_LOG("%s", strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, child_open_dev, NULL));
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PERFMON | SYS_ADMIN,
			      child_open_dev, NULL));
}

/* Open the device (as its owner, uid 0) and hand it to the parent. */
static int child_open_and_pass(void *arg)
{
	const struct target *t = arg;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { 0 };
	struct iovec iov;
	struct cmsghdr *c;
	int fd, fails = 0;
	char byte = 'd';

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	PRIV_EXPECT(fails, fd >= 0, "open: %s", strerror(errno));
	if (fd < 0)
		return fails;
	iov.iov_base = &byte;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	PRIV_EXPECT(fails, sendmsg(t->sock, &mh, 0) == 1, "sendmsg: %s",
		    strerror(errno));
	close(fd);
	return fails;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	int fd = -1;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The other half: a device opened by uid 0 holding no capability (or only
 * CAP_PERFMON) refuses what its opener could not do, even to a fully
 * privileged caller.
 */
TEST_F(priv, dev_opened_without_capability_refuses_even_a_root_caller)
{
	static const struct {
		uint64_t caps;
		const struct dev_expect *want;
	} openers[] = {
		{ PRIV_NONE, &dev_none },
		{ PERFMON, &dev_perfmon },
	};
	unsigned int i;
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	self->t.sock = sv[1];
	for (i = 0; i < sizeof(openers) / sizeof(openers[0]); i++) {
		EXPECT_EQ(0, priv_run(0, openers[i].caps, child_open_and_pass,
				      &self->t));
		fd = recv_fd(sv[0]);
		ASSERT_LE(0, fd) TH_LOG("no fd from opener %u", i);
		EXPECT_EQ(0, dev_ioctls(fd, self->cg.dfd, openers[i].want))
			TH_LOG("opener %u (caps 0x%llx), root caller", i,
			       (unsigned long long)openers[i].caps);
		close(fd);
	}
	close(sv[0]);
	close(sv[1]);
	expect_untouched(_metadata, self);
}

/* ---- network namespaces ---- */

TEST_F(priv, other_netns_cannot_see_the_family)
{
	const struct kabistat_open_opts nl_only = {
		.sz = sizeof(nl_only), .transport = KABISTAT_TRANSPORT_NETLINK,
	};
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat *ks;
	struct nlraw nl;
	int status, fails = 0, err;
	pid_t pid;

	/* here, in the initial namespace, it works */
	ASSERT_EQ(0, nlraw_open(&nl));
	nlraw_close(&nl);

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET)) {
			priv_say("unshare(CLONE_NEWNET): %s", strerror(errno));
			_exit(100);
		}
		err = nlraw_open(&nl);
		PRIV_EXPECT(fails, err == -ENOENT, "nlraw_open: %d", err);
		if (!err)
			nlraw_close(&nl);
		/* the library says why, and opens the device instead */
		err = kabistat_open_opts(&ks, &nl_only, msg);
		PRIV_EXPECT(fails, err == -ENETUNREACH,
			    "kabistat_open_opts(netlink): %d (%s)", err, msg);
		if (!err)
			kabistat_close(ks);
		err = kabistat_open(&ks, msg);
		PRIV_EXPECT(fails, !err, "kabistat_open: %d (%s)", err, msg);
		if (!err) {
			PRIV_EXPECT(fails, kabistat_transport(ks) ==
					   KABISTAT_TRANSPORT_DEVICE,
				    "transport %d", kabistat_transport(ks));
			kabistat_close(ks);
		}
		_exit(fails);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ---- user namespaces ---- */

/* Write @text to /proc/self/@file; 0 or -errno. */
static int write_self(const char *file, const char *text)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/*
 * Enter a new user namespace whose root is mapped to uid and gid 0 (as
 * unshare -U --map-root-user does for root), holding every capability in
 * it and none in the initial one.
 */
static int enter_userns_as_root(void)
{
	uint64_t eff, prm;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	if (write_self("uid_map", "0 0 1") || write_self("setgroups", "deny") ||
	    write_self("gid_map", "0 0 1"))
		return -EIO;
	if (priv_capget(&eff, &prm) || !(eff & SYS_ADMIN) ||
	    !(eff & PERFMON) || geteuid() != 0)
		return -EPERM;
	return 0;
}

struct userns_child {
	struct target *t;
	struct nlraw nl;	/* opened before entering the namespace */
	int devfd;		/* opened before entering it */
};

/* What root of a user namespace may do: only what anyone may. */
static int child_in_userns(void *arg)
{
	struct userns_child *uc = arg;
	char msg[KABISTAT_ERRMSG_LEN], attrs[64];
	struct kabistat_abi_info info = { .argsz = sizeof(info) };
	struct kabistat_kernel_abi *abi;
	struct kabistat *ks;
	int err, fd, fails = 0;
	size_t len = put_id(attrs, uc->t->id);

	err = enter_userns_as_root();
	if (err) {
		priv_say("cannot enter a user namespace as root: %s",
			 strerror(-err));
		return 100;
	}
	uc->t->expect_ok = false;
	fails += child_get_abi(NULL);
	fails += child_get_cgroup(uc->t);
	fails += child_reset_set(uc->t);

	/* GET_ABI without the host-wide count of calls */
	err = kabistat_open(&ks, msg);
	PRIV_EXPECT(fails, err == 0, "kabistat_open: %d %s", err, msg);
	if (!err) {
		err = kabistat_get_abi(ks, &abi);
		PRIV_EXPECT(fails, err == 0, "get_abi: %s",
			    kabistat_errmsg(ks));
		if (!err) {
			PRIV_EXPECT(fails, !abi->has_observed,
				    "GET_ABI told observed %llu",
				    (unsigned long long)abi->observed);
			kabistat_abi_free(abi);
		}
		kabistat_close(ks);
	}

	/* a socket opened by root outside is checked against this caller */
	fails += raw_expect(&uc->nl, "GET_CGROUP do, socket from outside",
			    KABISTAT_CMD_GET_CGROUP, 0, attrs, len, -EPERM,
			    "CAP_PERFMON", false);
	fails += raw_expect(&uc->nl, "RESET, socket from outside",
			    KABISTAT_CMD_RESET, 0, attrs, len, -EPERM,
			    "CAP_SYS_ADMIN", false);

	/* the device: its owner may open it, but holds no capability */
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	PRIV_EXPECT(fails, fd >= 0, "open %s: %s", DEV_PATH, strerror(errno));
	if (fd >= 0) {
		fails += dev_ioctls(fd, uc->t->cgfd, &dev_none);
		PRIV_EXPECT(fails, ioctl(fd, KABISTAT_IOC_ABI_INFO, &info) == 0 &&
				   info.observed == 0,
			    "ABI_INFO: observed %llu",
			    (unsigned long long)info.observed);
		close(fd);
	}
	/* nor does a device opened by root outside help */
	fails += dev_ioctls(uc->devfd, uc->t->cgfd, &dev_none);
	return fails;
}

TEST_F(priv, root_of_a_user_namespace_may_only_what_anyone_may)
{
	struct userns_child uc = { .t = &self->t };

	ASSERT_EQ(0, nlraw_open(&uc.nl));
	uc.devfd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, uc.devfd) TH_LOG("open: %s", strerror(errno));
	EXPECT_EQ(0, priv_run(0, ~0ULL >> (63 - CAP_LAST_CAP),
			      child_in_userns, &uc));
	close(uc.devfd);
	nlraw_close(&uc.nl);
	expect_untouched(_metadata, self);
}

TEST_HARNESS_MAIN
