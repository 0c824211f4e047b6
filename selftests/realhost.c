// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroups on a real host: v1 hierarchies next to cgroup2, and cgroups
 * removed while a program still holds their fd.
 *
 * - Every cgroup hierarchy numbers its cgroups on its own: a v1 cgroup can
 *   have the id of a tracked v2 cgroup, and its removal must leave that
 *   v2 cgroup alone.
 * - The fd of a removed cgroup names no cgroup: every request with it
 *   fails with ENOENT, none falls back to "every cgroup".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/genetlink.h>
#include <linux/kabistat.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "nlraw.h"
#include "realhost.h"

#define DEV_PATH	"/dev/kabistat"

/*
 * The module resolves paths and finishes releases in a work queue; a
 * subtree dump waits for it.  @id must be a live cgroup.
 */
static int count_cb(const struct kabistat_cgroup *cg, void *arg)
{
	(void)cg;
	++*(int *)arg;
	return 0;
}

static void sync_module(struct __test_metadata *_metadata, struct kabistat *ks,
			uint64_t id)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts), .subtree_id = id };
	int n = 0;

	ASSERT_EQ(0, kabistat_dump(ks, &opts, count_cb, &n))
		TH_LOG("subtree dump of %llu: %s", (unsigned long long)id,
		       kabistat_errmsg(ks));
}

/* ------------------------------------------------------------------ */
/* cgroup v1 ids                                                       */

/*
 * Each cgroup hierarchy numbers its kernfs nodes (directories and files)
 * from 1, and a cgroup's id is its directory's node id, which is also its
 * st_ino on 64-bit.  A fresh v1 hierarchy starts far behind cgroup2, so
 * directories are made and removed there until one gets the id of a v2
 * cgroup this test made.  Each mkdir takes the directory's id and those of
 * its files: the ids go up in steps, S1 per v1 cgroup, and per v2 cgroup
 * as many as the parent's controllers give it files.  A v2 cgroup under a
 * parent without controllers gives another step, so that some step is
 * prime to S1 and the v2 ids walk through every residue modulo S1.
 */
#define V2_MAX		20
/*
 * The v1 ids catch up at a few thousand steps a second in a TCG guest; a
 * host that made very many cgroups since boot would take too long.
 */
#define V1_BUDGET_MS	90000
#define V1_PROBE_STEPS	2000

FIXTURE(v1ids) {
	struct kabistat *ks;
	char mnt[64];
	char name[64];		/* of the named hierarchy */
	char skip[128];		/* why the test cannot run, or "" */
	int mfd;		/* the v1 root, or -1 */
	bool mounted;
	bool hit_made;		/* v1 directory HIT_DIR exists */
	struct cgtest parent;	/* v2, without controllers for its children */
	struct cgtest v2[V2_MAX];
	int nv2;
};

#define HIT_DIR		"kst-v1-hit"
#define STEP_DIR	"kst-v1-step"

FIXTURE_SETUP(v1ids)
{
	char opts[96];
	int i;

	self->mfd = -1;
	self->parent.dfd = -1;
	for (i = 0; i < V2_MAX; i++)
		self->v2[i].dfd = -1;
	open_ks(_metadata, &self->ks);
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/kst-v1-%d", (int)getpid());
	snprintf(self->name, sizeof(self->name), "kst_v1_%d", (int)getpid());
	ASSERT_EQ(0, mkdir(self->mnt, 0755)) TH_LOG("mkdir %s: %s", self->mnt,
						    strerror(errno));
	snprintf(opts, sizeof(opts), "none,name=%s", self->name);
	if (mount("cgroup", self->mnt, "cgroup", 0, opts)) {
		snprintf(self->skip, sizeof(self->skip),
			 "cannot mount a named cgroup v1 hierarchy: %s",
			 strerror(errno));
		return;
	}
	self->mounted = true;
	self->mfd = open(self->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->mfd) TH_LOG("open %s: %s", self->mnt,
				       strerror(errno));
}

FIXTURE_TEARDOWN(v1ids)
{
	int i;

	if (set_ttl(self->ks, DEFAULT_TTL))
		TH_LOG("restoring released_ttl: %s", kabistat_errmsg(self->ks));
	for (i = self->nv2 - 1; i >= 0; i--)
		if (cgtest_remove(&self->v2[i]))
			TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->parent))
		TH_LOG("%s", cgtest_err());
	if (self->hit_made && unlinkat(self->mfd, HIT_DIR, AT_REMOVEDIR))
		TH_LOG("rmdir %s/%s: %s", self->mnt, HIT_DIR, strerror(errno));
	if (self->mfd >= 0) {
		/* whatever an interrupted search left */
		unlinkat(self->mfd, STEP_DIR, AT_REMOVEDIR);
		unlinkat(self->mfd, "kst-s0", AT_REMOVEDIR);
		unlinkat(self->mfd, "kst-s1", AT_REMOVEDIR);
	}
	if (self->mfd >= 0)
		close(self->mfd);
	if (self->mounted && umount(self->mnt))
		TH_LOG("umount %s: %s", self->mnt, strerror(errno));
	if (rmdir(self->mnt))
		TH_LOG("rmdir %s: %s", self->mnt, strerror(errno));
	kabistat_close(self->ks);
}

/* Make a v1 directory and read its id; 0 on failure (errno set). */
static uint64_t v1_mkdir(int mfd, const char *name)
{
	struct stat st;

	if (mkdirat(mfd, name, 0755))
		return 0;
	if (fstatat(mfd, name, &st, 0))
		return 0;
	return st.st_ino;
}

/* A new v2 cgroup: under the root, or (@bare) under the bare parent. */
static uint64_t new_v2(struct __test_metadata *_metadata,
		       FIXTURE_DATA(v1ids) *self, bool bare)
{
	struct cgtest *cg;
	struct stat st;

	ASSERT_LT(self->nv2, V2_MAX) TH_LOG("no v2 id matched a v1 id");
	cg = &self->v2[self->nv2];
	ASSERT_EQ(0, cgtest_create(cg, bare ? &self->parent : NULL, "v2id"))
		TH_LOG("%s", cgtest_err());
	self->nv2++;
	/* the id the module uses is the inode number the v1 side shows */
	ASSERT_EQ(0, fstat(cg->dfd, &st));
	ASSERT_EQ(cg->id, (uint64_t)st.st_ino)
		TH_LOG("cgroup id %llu, st_ino %llu",
		       (unsigned long long)cg->id,
		       (unsigned long long)st.st_ino);
	return cg->id;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The index of the v2 cgroup with id @id, or -1. */
static int v2_with_id(FIXTURE_DATA(v1ids) *self, uint64_t id)
{
	int i;

	for (i = 0; i < self->nv2; i++)
		if (self->v2[i].id == id)
			return i;
	return -1;
}

/*
 * Make v1 directory HIT_DIR with the id of one of our v2 cgroups; return
 * that cgroup's index.
 */
static int v1_hit(struct __test_metadata *_metadata, FIXTURE_DATA(v1ids) *self)
{
	uint64_t s1, a0, a1, na, nb, next1, max2, id, todo;
	bool bare;
	int64_t steps = 0;
	int64_t t0 = cgtest_now_ms();
	int i;

	/* the v1 step */
	a0 = v1_mkdir(self->mfd, "kst-s0");
	a1 = v1_mkdir(self->mfd, "kst-s1");
	unlinkat(self->mfd, "kst-s0", AT_REMOVEDIR);
	unlinkat(self->mfd, "kst-s1", AT_REMOVEDIR);
	ASSERT_TRUE(a0 && a1 > a0) TH_LOG("v1 ids %llu, %llu",
					  (unsigned long long)a0,
					  (unsigned long long)a1);
	s1 = a1 - a0;
	next1 = a1 + s1;

	/* the two v2 steps */
	a0 = new_v2(_metadata, self, false);
	na = new_v2(_metadata, self, false) - a0;
	ASSERT_EQ(0, cgtest_create(&self->parent, NULL, "v2bare"))
		TH_LOG("%s", cgtest_err());
	a0 = new_v2(_metadata, self, true);
	nb = new_v2(_metadata, self, true) - a0;
	if (gcd64(na, s1) == 1) {
		bare = false;
	} else if (gcd64(nb, s1) == 1) {
		bare = true;
	} else {
		SKIP(return -1, "v1 step %llu, v2 steps %llu and %llu: no way to align",
		     (unsigned long long)s1, (unsigned long long)na,
		     (unsigned long long)nb);
	}
	max2 = self->v2[self->nv2 - 1].id;
	TH_LOG("v1 ids at %llu, step %llu; v2 ids at %llu, steps %llu and %llu",
	       (unsigned long long)next1, (unsigned long long)s1,
	       (unsigned long long)max2, (unsigned long long)na,
	       (unsigned long long)nb);
	todo = (max2 - next1) / s1;

	for (;;) {
		if (steps == V1_PROBE_STEPS &&
		    (cgtest_now_ms() - t0) * todo / steps >
		    (uint64_t)V1_BUDGET_MS * cgtest_slowdown())
			SKIP(return -1, "cgroup2 ids are %llu ahead: catching up would take %lld s",
			     (unsigned long long)(max2 - next1),
			     (long long)((cgtest_now_ms() - t0) * todo / steps / 1000));
		if (next1 > max2) {
			max2 = new_v2(_metadata, self, bare);
			continue;
		}
		i = v2_with_id(self, next1);
		if (i >= 0) {
			id = v1_mkdir(self->mfd, HIT_DIR);
			ASSERT_NE(0, id) TH_LOG("mkdir %s: %s", HIT_DIR,
						strerror(errno));
			self->hit_made = true;
			ASSERT_EQ(next1, id) TH_LOG("v1 ids did not go up by %llu",
						    (unsigned long long)s1);
			TH_LOG("v1 cgroup %llu after %lld steps in %lld ms",
			       (unsigned long long)id, (long long)steps,
			       (long long)(cgtest_now_ms() - t0));
			return i;
		}
		/* far from the v2 ids, trust the step; near them, check */
		ASSERT_EQ(0, mkdirat(self->mfd, STEP_DIR, 0755))
			TH_LOG("mkdir %s: %s", STEP_DIR, strerror(errno));
		if (next1 + 64 * s1 >= max2) {
			struct stat st;

			ASSERT_EQ(0, fstatat(self->mfd, STEP_DIR, &st, 0));
			ASSERT_EQ(next1, (uint64_t)st.st_ino)
				TH_LOG("v1 ids did not go up by %llu",
				       (unsigned long long)s1);
		}
		ASSERT_EQ(0, unlinkat(self->mfd, STEP_DIR, AT_REMOVEDIR))
			TH_LOG("rmdir %s: %s", STEP_DIR, strerror(errno));
		next1 += s1;
		steps++;
	}
}

static void expect_live_own_path(struct __test_metadata *_metadata,
				 struct kabistat *ks, const struct cgtest *cg,
				 long calls, const char *when)
{
	struct kabistat_cgroup *got = NULL;
	struct dump_pick p;
	int err;

	err = kabistat_get_cgroup(ks, cg->id, &got);
	EXPECT_EQ(0, err) TH_LOG("%s: cgroup %llu: %s", when,
				 (unsigned long long)cg->id,
				 kabistat_errmsg(ks));
	if (!err) {
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, got->state)
			TH_LOG("%s: state %u, path '%s'", when, got->state,
			       got->path ? got->path : "(none)");
		ASSERT_NE(NULL, got->path);
		EXPECT_STREQ(rel_path(cg), got->path) TH_LOG("%s", when);
		EXPECT_EQ(calls, getppid_calls(got)) TH_LOG("%s", when);
		EXPECT_EQ(calls + CGTEST_OVERHEAD_CALLS, got->totals.calls)
			TH_LOG("%s", when);
		kabistat_cgroup_free(got);
	}
	dump_pick(_metadata, ks, cg->id, &p);
	EXPECT_EQ(1, p.found) TH_LOG("%s: cgroup %llu in the dump %d times",
				     when, (unsigned long long)cg->id, p.found);
	if (p.found) {
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, p.state)
			TH_LOG("%s: dump: state %u, path '%s'", when, p.state,
			       p.path);
		EXPECT_STREQ(rel_path(cg), p.path) TH_LOG("%s: dump", when);
	}
}

TEST_F_TIMEOUT(v1ids, removing_a_v1_cgroup_leaves_the_v2_cgroup_of_its_id, 280)
{
	struct cgtest *cg;
	int i;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	i = v1_hit(_metadata, self);
	if (i < 0)
		return;
	cg = &self->v2[i];
	RUN_WORKLOAD(cg, NULL, wl_getppid, (void *)50L);
	sync_module(_metadata, self->ks, cg->id);
	expect_live_own_path(_metadata, self->ks, cg, 50, "tracked");

	ASSERT_EQ(0, unlinkat(self->mfd, HIT_DIR, AT_REMOVEDIR))
		TH_LOG("rmdir %s/%s: %s", self->mnt, HIT_DIR, strerror(errno));
	self->hit_made = false;
	sync_module(_metadata, self->ks, cg->id);
	expect_live_own_path(_metadata, self->ks, cg, 50,
			     "after the v1 rmdir");

	/* a maintenance pass that evicts every released cgroup */
	ASSERT_EQ(0, set_ttl(self->ks, 0)) TH_LOG("%s",
						  kabistat_errmsg(self->ks));
	expect_live_own_path(_metadata, self->ks, cg, 50,
			     "after released_ttl 0");
}

/* ------------------------------------------------------------------ */
/* The fd of a removed cgroup                                          */

FIXTURE(gone) {
	struct kabistat *ks;
	struct nlraw nl;
	struct cgtest cg;	/* removed while its fd is open */
	struct cgtest other;	/* tracked, must be left alone */
	int fd;
	int dev;
};

FIXTURE_SETUP(gone)
{
	self->fd = -1;
	self->dev = -1;
	self->nl.fd = -1;
	self->cg.dfd = -1;
	self->other.dfd = -1;
	open_ks(_metadata, &self->ks);
	ASSERT_EQ(0, nlraw_open(&self->nl));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "gone"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->other, NULL, "other"))
		TH_LOG("%s", cgtest_err());
	self->dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", DEV_PATH,
				       strerror(errno));
}

FIXTURE_TEARDOWN(gone)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->other))
		TH_LOG("%s", cgtest_err());
	nlraw_close(&self->nl);
	kabistat_close(self->ks);
}

/* A reading of a cgroup that must not change: its calls, its generation. */
struct unchanged {
	uint64_t calls;
	uint64_t generation;
};

static void note(struct __test_metadata *_metadata, struct kabistat *ks,
		 uint64_t id, struct unchanged *u)
{
	struct kabistat_cgroup *cg = NULL;

	ASSERT_EQ(0, kabistat_get_cgroup(ks, id, &cg))
		TH_LOG("cgroup %llu: %s", (unsigned long long)id,
		       kabistat_errmsg(ks));
	u->calls = cg->totals.calls;
	u->generation = cg->generation;
	kabistat_cgroup_free(cg);
}

static void expect_unchanged(struct __test_metadata *_metadata,
			     struct kabistat *ks, uint64_t id,
			     const struct unchanged *before, const char *after)
{
	struct unchanged now;

	note(_metadata, ks, id, &now);
	EXPECT_EQ(before->calls, now.calls)
		TH_LOG("after %s, cgroup %llu reads %llu calls instead of %llu",
		       after, (unsigned long long)id,
		       (unsigned long long)now.calls,
		       (unsigned long long)before->calls);
	EXPECT_EQ(before->generation, now.generation)
		TH_LOG("after %s, cgroup %llu has a new generation", after,
		       (unsigned long long)id);
}

static int count_msgs(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	++*(int *)arg;
	return 0;
}

TEST_F(gone, removed_cgroup_fd_names_no_cgroup)
{
	struct kabistat_stat stats[64];
	struct kabistat_cgroup_stats q;
	struct kabistat_reset r;
	struct kabistat_cgroup *cg = NULL;
	struct unchanged other, self_cg;
	char attrs[16];
	size_t len;
	int err, msgs = 0;

	RUN_WORKLOAD(&self->cg, NULL, wl_getppid, (void *)10L);
	RUN_WORKLOAD(&self->other, NULL, wl_getppid, (void *)40L);
	self->fd = open(self->cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", self->cg.path,
				      strerror(errno));
	note(_metadata, self->ks, self->other.id, &other);
	EXPECT_EQ(42, other.calls);
	note(_metadata, self->ks, self->cg.id, &self_cg);
	EXPECT_EQ(12, self_cg.calls);
	ASSERT_EQ(0, cgtest_remove(&self->cg)) TH_LOG("%s", cgtest_err());

	len = nlraw_put(attrs, 0, KABISTAT_A_CGROUP_FD, &self->fd,
			sizeof(self->fd));

	/* GET_CGROUP do */
	err = nlraw_request(&self->nl, KABISTAT_CMD_GET_CGROUP, 0, attrs, len);
	EXPECT_EQ(-ENOENT, err) TH_LOG("GET_CGROUP: %s (%s)", strerror(-err),
				       self->nl.extack);
	EXPECT_NE(NULL, strstr(self->nl.extack, "cgroup removed"))
		TH_LOG("GET_CGROUP extack '%s'", self->nl.extack);
	err = kabistat_get_cgroup_fd(self->ks, self->fd, &cg);
	EXPECT_EQ(-ENOENT, err) TH_LOG("kabistat_get_cgroup_fd: %s",
				       kabistat_errmsg(self->ks));
	kabistat_cgroup_free(cg);

	/* GET_CGROUP subtree dump */
	err = nlraw_request_cb(&self->nl, KABISTAT_CMD_GET_CGROUP, NLM_F_DUMP,
			       attrs, len, count_msgs, &msgs);
	EXPECT_EQ(-ENOENT, err) TH_LOG("subtree dump: %s (%s)",
				       strerror(-err), self->nl.extack);
	EXPECT_EQ(0, msgs) TH_LOG("the subtree dump of a removed cgroup sent %d messages",
				  msgs);

	/* RESET */
	err = nlraw_request(&self->nl, KABISTAT_CMD_RESET, 0, attrs, len);
	EXPECT_EQ(-ENOENT, err) TH_LOG("RESET: %s (%s)", strerror(-err),
				       self->nl.extack);
	expect_unchanged(_metadata, self->ks, self->other.id, &other,
			 "RESET with the fd");
	expect_unchanged(_metadata, self->ks, self->cg.id, &self_cg,
			 "RESET with the fd");

	/* the ioctls */
	memset(&q, 0, sizeof(q));
	q.argsz = sizeof(q);
	q.cgroup_fd = self->fd;
	q.stats = (uintptr_t)stats;
	q.stats_len = ARRAY_SIZE(stats);
	q.stat_size = sizeof(stats[0]);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, &q));
	EXPECT_EQ(ENOENT, errno) TH_LOG("CGROUP_STATS: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	r.argsz = sizeof(r);
	r.cgroup_fd = self->fd;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->dev, KABISTAT_IOC_RESET, &r));
	EXPECT_EQ(ENOENT, errno) TH_LOG("ioctl RESET: %s", strerror(errno));
	expect_unchanged(_metadata, self->ks, self->other.id, &other,
			 "the RESET ioctl with the fd");
	expect_unchanged(_metadata, self->ks, self->cg.id, &self_cg,
			 "the RESET ioctl with the fd");
}

TEST_HARNESS_MAIN
