// SPDX-License-Identifier: GPL-2.0
/*
 * GET_CGROUP dumps: every tracked cgroup exactly once, however many
 * messages the dump takes and whatever comes and goes meanwhile; the
 * overflow and evicted aggregates last; a subtree dump only the subtree's
 * root and descendants, released ones included, and no aggregates.
 *
 * Workloads run in fresh cgroups (cgtest.h): n getppid, plus the moving
 * read and the exit_group; except for the many cgroups of the first test,
 * see struct tour.
 *
 * A dump's privilege is checked, and its fd attribute resolved, when it
 * starts; its continuations run in whichever task reads the socket
 * (SPEC.md), also one that could not have started it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

#define X64		TEST_ABI_NATIVE
#define MANY		300
/* still several datagrams (some 70 entries each) where fewer are made */
#define MANY_MIN	150
#define STABLE		8
#define DUMPS		20

/* after the moving read: raw syscall() only */


/* What one dump returned, in order. */
struct entry {
	uint64_t id;
	uint32_t state;
	uint32_t flags;
	uint64_t getppid;
	uint64_t calls;		/* totals */
};

struct dump {
	struct entry *e;
	size_t n, cap;
	bool oom;
};

static int collect(const struct kabistat_cgroup *cg, void *arg)
{
	struct dump *d = arg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 1024;
		struct entry *e = realloc(d->e, cap * sizeof(*e));

		if (!e) {
			d->oom = true;
			return -ENOMEM;
		}
		d->e = e;
		d->cap = cap;
	}
	d->e[d->n++] = (struct entry){
		.id = cg->id, .state = cg->state, .flags = cg->flags,
		.getppid = getppid_calls(cg), .calls = cg->totals.calls,
	};
	return 0;
}

static int do_dump(struct kabistat *ks, uint64_t subtree, struct dump *d)
{
	struct kabistat_dump_opts opts = {
		.sz = sizeof(opts), .subtree_id = subtree,
	};

	d->n = 0;
	d->oom = false;
	return kabistat_dump(ks, &opts, collect, d);
}

/* How many entries of @d have @id. */
static int count_id(const struct dump *d, uint64_t id, const struct entry **e)
{
	size_t i;
	int n = 0;

	for (i = 0; i < d->n; i++)
		if (d->e[i].id == id) {
			n++;
			if (e)
				*e = &d->e[i];
		}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The first cgroup id that appears twice in @d, or 0. */
static uint64_t first_duplicate(const struct dump *d)
{
	uint64_t *ids, dup = 0;
	size_t i, n = 0;

	ids = malloc((d->n + 1) * sizeof(*ids));
	if (!ids)
		return UINT64_MAX;
	for (i = 0; i < d->n; i++)
		if (d->e[i].id)
			ids[n++] = d->e[i].id;
	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (i = 1; i < n && !dup; i++)
		if (ids[i] == ids[i - 1])
			dup = ids[i];
	free(ids);
	return dup;
}

/*
 * A full dump ends with exactly the two aggregates, overflow then evicted,
 * both with id 0, and has no id 0 before them.
 */
static void expect_aggregates_last(struct __test_metadata *_metadata,
				   const struct dump *d)
{
	size_t i;

	ASSERT_GE(d->n, 2);
	for (i = 0; i < d->n - 2; i++)
		EXPECT_NE(0, d->e[i].id) TH_LOG("entry %zu of %zu has id 0",
						 i, d->n);
	EXPECT_EQ(0, d->e[d->n - 2].id);
	EXPECT_EQ(KABISTAT_CGROUP_OVERFLOW, d->e[d->n - 2].state);
	EXPECT_EQ(0, d->e[d->n - 1].id);
	EXPECT_EQ(KABISTAT_CGROUP_EVICTED, d->e[d->n - 1].state);
}

FIXTURE(dump) {
	struct kabistat *ks;
	struct cgtest *cgs;
	int ncgs;
	struct dump d;
};

FIXTURE_SETUP(dump)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int i;

	memset(&self->d, 0, sizeof(self->d));
	self->ncgs = MANY;
	self->cgs = calloc(MANY, sizeof(*self->cgs));
	ASSERT_NE(NULL, self->cgs);
	for (i = 0; i < MANY; i++)
		self->cgs[i].dfd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
}

FIXTURE_TEARDOWN(dump)
{
	int i;

	/* children first: the fixtures' arrays are filled parents first */
	for (i = self->ncgs - 1; i >= 0; i--)
		if (cgtest_remove(&self->cgs[i]))
			TH_LOG("%s", cgtest_err());
	free(self->cgs);
	free(self->d.e);
	kabistat_close(self->ks);
}

#define CREATE(i, parent, tag) \
	ASSERT_EQ(0, cgtest_create(&self->cgs[i], parent, tag)) \
		TH_LOG("%s", cgtest_err())
#define RUN_GETPPID(i, n) \
	ASSERT_EQ(0, cgtest_run(&self->cgs[i], NULL, wl_getppid, \
				(void *)(long)(n))) TH_LOG("%s", cgtest_err())

/*
 * A raw dump: how many datagrams carried cgroup messages, and how often
 * @want (@nwant ids) each appeared.  Return 0 or -errno.
 */
static int raw_dump(const uint64_t *want, int nwant,
		    int *seen, int *datagrams)
{
	static char buf[65536];
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req;
	struct nlraw nl;
	bool done = false;
	int err, i;
	ssize_t n;

	err = nlraw_open(&nl);
	if (err)
		return err;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = nl.family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 4242;
	req.g.cmd = KABISTAT_CMD_GET_CGROUP;
	req.g.version = KABISTAT_GENL_VERSION;
	if (send(nl.fd, &req, sizeof(req), 0) < 0) {
		err = -errno;
		goto out;
	}
	*datagrams = 0;
	while (!done) {
		struct nlmsghdr *nlh;
		bool any = false;

		n = recv(nl.fd, buf, sizeof(buf), 0);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			uint64_t id;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				goto out;
			}
			if (nlh->nlmsg_type != nl.family)
				continue;
			any = true;
			if (nlraw_msg_u64(nlh, KABISTAT_A_CGROUP_ID, &id))
				for (i = 0; i < nwant; i++)
					if (want[i] == id)
						seen[i]++;
		}
		if (any)
			++*datagrams;
	}
	err = 0;
out:
	nlraw_close(&nl);
	return err;
}

/*
 * One process visits the n cgroups in turn, moving itself with a
 * write of "0" to each one's cgroup.procs (opened beforehand), and makes
 * i % 7 + 1 getppid in cgroup i: far quicker than a workload process per
 * cgroup.  A write that moves its caller enters in the old cgroup and
 * returns in the new one.  In each cgroup it first reads a byte from a
 * pipe, which the parent writes once the pools hold a cgroup and a chunk
 * for the next cgroup's first event (GET_ABI's POOL_CGROUPS and
 * POOL_CHUNKS): never waiting, the tour would empty the pools and the
 * cgroups after that go to overflow (untracked), as designed.  The pipes
 * alternate, so that the parent can tell the child's read in one cgroup
 * from its read in the next.  Cgroup i holds exactly 1 write, 1 read and
 * its getppid; the last write takes the process home, where it exits.
 */
struct tour {
	int n;			/* cgroups to visit */
	int procs[MANY];	/* cgroup.procs of each cgroup */
	int home;		/* cgroup.procs of where we started */
	int go[2][2];		/* the two pipes: cgroup i reads go[i % 2] */
};

static int many_calls(int i)
{
	return i % 7 + 1;
}

static __attribute__((noreturn)) void tour_child(const struct tour *t)
{
	int i, k, code = 0;
	char c;

	for (i = 0; i < t->n && !code; i++) {
		if (syscall(SYS_write, t->procs[i], "0", 1) != 1)
			code = 10;
		if (syscall(SYS_read, t->go[i % 2][0], &c, 1) != 1)
			code = 13;
		for (k = 0; k < many_calls(i) && !code; k++)
			if (syscall(SYS_getppid) <= 0)
				code = 11;
	}
	if (syscall(SYS_write, t->home, "0", 1) != 1 && !code)
		code = 12;
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

/* Until every online CPU's pools hold a cgroup and a chunk; -ETIMEDOUT. */
static int wait_pools(struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi;
	int i, ready = 0;

	for (i = 0; i < 10000 && !ready; i++) {
		if (kabistat_get_abi(ks, &abi))
			return -EIO;
		ready = abi->has_pool && abi->pool_cgroups && abi->pool_chunks;
		kabistat_abi_free(abi);
		if (!ready)
			usleep(1000);
	}
	return ready ? 0 : -ETIMEDOUT;
}

/* cgroup.procs of @dir (absolute), for writing; -errno on failure */
static int open_procs(const char *dir)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The cgroup2 directory this process is in. */
static int own_cgroup_dir(char *buf, size_t len)
{
	char line[PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			if ((size_t)snprintf(buf, len, "%s%s", CGTEST_ROOT,
					     strcmp(line + 3, "/") ?
					     line + 3 : "") >= len)
				err = -ENAMETOOLONG;
			else
				err = 0;
		}
	fclose(f);
	return err;
}

/*
 * MANY cgroups, toured one by one: fewer (not under MANY_MIN) where the
 * tests run slower, as each costs a second in the debug kernel's guest.
 */
static int many_cgroups(void)
{
	return cgtest_scaled(MANY, MANY_MIN, "cgroups");
}

TEST_F_TIMEOUT(dump, dump_of_many_cgroups_spans_messages_and_misses_none, 200)
{
	uint64_t want[MANY], dup;
	int seen[MANY] = { 0 };
	char home[PATH_MAX];
	const struct entry *e;
	struct tour *t;
	int i, datagrams = 0, err = 0, status, many = many_cgroups();
	pid_t pid;

	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	t->n = many;
	ASSERT_EQ(0, own_cgroup_dir(home, sizeof(home)));
	t->home = open_procs(home);
	ASSERT_LE(0, t->home) TH_LOG("%s: %s", home, strerror(-t->home));
	for (i = 0; i < many; i++) {
		CREATE(i, NULL, "many");
		/* fds are not needed: 300 of them would only add up */
		close(self->cgs[i].dfd);
		self->cgs[i].dfd = -1;
		t->procs[i] = open_procs(self->cgs[i].path);
		ASSERT_LE(0, t->procs[i]) TH_LOG("%s: %s", self->cgs[i].path,
						 strerror(-t->procs[i]));
		want[i] = self->cgs[i].id;
	}
	ASSERT_EQ(0, pipe2(t->go[0], O_CLOEXEC));
	ASSERT_EQ(0, pipe2(t->go[1], O_CLOEXEC));
	ASSERT_EQ(0, wait_pools(self->ks)) TH_LOG("the pools never refilled");
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		tour_child(t);
	for (i = 0; i < many; i++) {
		/* in cgroup i: its first event took from the pools */
		err = cgtest_wait_blocked(pid, SYS_read, t->go[i % 2][0],
					  10000);
		if (err)
			break;
		err = wait_pools(self->ks);
		if (err)
			break;
		if (write(t->go[i % 2][1], "g", 1) != 1)
			err = -errno;
		if (err)
			break;
	}
	if (err)
		kill(pid, SIGKILL);
	EXPECT_EQ(0, err) TH_LOG("cgroup %d of the tour: %s", i,
				 strerror(-err));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < many; i++)
		close(t->procs[i]);
	close(t->home);
	for (i = 0; i < 4; i++)
		close(t->go[i / 2][i % 2]);
	free(t);

	err = do_dump(self->ks, 0, &self->d);
	ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_FALSE(self->d.oom);
	EXPECT_LE(many + 2, self->d.n);
	dup = first_duplicate(&self->d);
	EXPECT_EQ(0, dup) TH_LOG("cgroup %llu returned twice",
				 (unsigned long long)dup);
	for (i = 0; i < many; i++) {
		e = NULL;
		EXPECT_EQ(1, count_id(&self->d, want[i], &e))
			TH_LOG("cgroup %d (%s, id %llu)", i, self->cgs[i].path,
			       (unsigned long long)want[i]);
		if (!e)
			continue;
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, e->state);
		EXPECT_EQ(0, e->flags & KABISTAT_CGROUP_F_PARTIAL);
		EXPECT_EQ(many_calls(i), e->getppid) TH_LOG("cgroup %d", i);
		/* and the write that moved the process in, the read */
		EXPECT_EQ(many_calls(i) + 2, e->calls) TH_LOG("cgroup %d", i);
	}
	expect_aggregates_last(_metadata, &self->d);

	/* the same on the wire, and it took several messages */
	ASSERT_EQ(0, raw_dump(want, many, seen, &datagrams));
	EXPECT_LT(1, datagrams);
	for (i = 0; i < many; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("raw dump: cgroup %d", i);
	TH_LOG("%zu entries in %d datagrams", self->d.n, datagrams);

	for (i = many - 1; i >= 0; i--)
		EXPECT_EQ(0, cgtest_remove(&self->cgs[i]))
			TH_LOG("%s", cgtest_err());
}

/* Wait until the module has @id as released; fails the test otherwise. */
static void wait_released(struct __test_metadata *_metadata,
			  struct kabistat *ks, uint64_t id)
{
	struct kabistat_cgroup *cg;
	uint32_t state = KABISTAT_CGROUP_LIVE;
	int i;

	for (i = 0; i < 1000 && state != KABISTAT_CGROUP_RELEASED; i++) {
		ASSERT_EQ(0, kabistat_get_cgroup(ks, id, &cg))
			TH_LOG("%s", kabistat_errmsg(ks));
		state = cg->state;
		kabistat_cgroup_free(cg);
		if (state != KABISTAT_CGROUP_RELEASED)
			usleep(10000);
	}
	ASSERT_EQ(KABISTAT_CGROUP_RELEASED, state)
		TH_LOG("cgroup %llu not released after 10 s",
		       (unsigned long long)id);
}

enum { P, A, B, C, Q, NSUB };

TEST_F(dump, subtree_dump_returns_only_descendants)
{
	static const int calls[NSUB] = { [P] = 11, [A] = 12, [B] = 13,
					 [C] = 0, [Q] = 14 };
	const struct entry *e;
	int i, round;

	self->ncgs = NSUB;
	CREATE(P, NULL, "p");
	CREATE(A, &self->cgs[P], "a");
	CREATE(B, &self->cgs[A], "b");
	CREATE(C, &self->cgs[P], "c");	/* never runs anything */
	CREATE(Q, NULL, "q");
	for (i = 0; i < NSUB; i++)
		if (calls[i])
			RUN_GETPPID(i, calls[i]);

	for (round = 0; round < 2; round++) {
		/* round 1: with b removed, so released */
		if (round == 1) {
			ASSERT_EQ(0, cgtest_remove(&self->cgs[B]))
				TH_LOG("%s", cgtest_err());
			wait_released(_metadata, self->ks, self->cgs[B].id);
		}
		ASSERT_EQ(0, do_dump(self->ks, self->cgs[P].id, &self->d))
			TH_LOG("%s", kabistat_errmsg(self->ks));
		for (i = 0; i < NSUB; i++) {
			if (i == Q || i == C)
				continue;
			e = NULL;
			EXPECT_EQ(1, count_id(&self->d, self->cgs[i].id, &e))
				TH_LOG("round %d: cgroup %d", round, i);
			if (!e)
				continue;
			EXPECT_EQ(calls[i], e->getppid);
			EXPECT_EQ(calls[i] + CGTEST_OVERHEAD_CALLS, e->calls);
			EXPECT_EQ(round && i == B ? KABISTAT_CGROUP_RELEASED :
				  KABISTAT_CGROUP_LIVE, e->state)
				TH_LOG("round %d: cgroup %d", round, i);
		}
		EXPECT_EQ(0, count_id(&self->d, self->cgs[Q].id, NULL));
		EXPECT_EQ(0, count_id(&self->d, 0, NULL))
			TH_LOG("round %d: aggregates in a subtree dump", round);
		/* c made no syscalls: not there, or there without counts */
		e = NULL;
		if (count_id(&self->d, self->cgs[C].id, &e)) {
			EXPECT_EQ(0, e->calls);
			EXPECT_EQ(4, self->d.n);
		} else {
			EXPECT_EQ(3, self->d.n) TH_LOG("round %d", round);
		}
	}
}

/* stop and rounds are shared between the threads: __atomic accesses */
struct churn {
	bool stop;
	int rounds;
	int err;
	char msg[512];
};

/* Create, run in and remove cgroups until told to stop. */
static void *churn_fn(void *arg)
{
	struct churn *ch = arg;
	struct cgtest cg;
	int err;

	while (!__atomic_load_n(&ch->stop, __ATOMIC_ACQUIRE)) {
		err = cgtest_create(&cg, NULL, "churn");
		if (!err)
			err = cgtest_run(&cg, NULL, wl_getppid, (void *)3L);
		if (cg.created && cgtest_remove(&cg) && !err)
			err = -EBUSY;
		if (err) {
			ch->err = err;
			snprintf(ch->msg, sizeof(ch->msg), "%s", cgtest_err());
			break;
		}
		__atomic_fetch_add(&ch->rounds, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int rounds(struct churn *ch)
{
	return __atomic_load_n(&ch->rounds, __ATOMIC_ACQUIRE);
}

TEST_F_TIMEOUT(dump, dump_while_cgroups_come_and_go, 200)
{
	struct churn ch = { 0 };
	const struct entry *e;
	pthread_t thread;
	int i, k, rounds_before;
	uint64_t dup;

	/* these stay throughout: every dump must have each exactly once */
	self->ncgs = STABLE;
	for (i = 0; i < STABLE; i++) {
		CREATE(i, NULL, "stable");
		RUN_GETPPID(i, i + 1);
	}

	ASSERT_EQ(0, pthread_create(&thread, NULL, churn_fn, &ch));
	for (i = 0; i < 1000 && !rounds(&ch); i++)
		usleep(10000);
	rounds_before = rounds(&ch);
	for (k = 0; k < DUMPS; k++) {
		int err = do_dump(self->ks, 0, &self->d);

		EXPECT_EQ(0, err) TH_LOG("dump %d: %s", k,
					 kabistat_errmsg(self->ks));
		if (err)
			continue;
		dup = first_duplicate(&self->d);
		EXPECT_EQ(0, dup) TH_LOG("dump %d: cgroup %llu returned twice",
					 k, (unsigned long long)dup);
		for (i = 0; i < STABLE; i++) {
			e = NULL;
			EXPECT_EQ(1, count_id(&self->d, self->cgs[i].id, &e))
				TH_LOG("dump %d: stable cgroup %d", k, i);
			if (e)
				EXPECT_EQ(i + 1, e->getppid);
		}
		expect_aggregates_last(_metadata, &self->d);
	}
	__atomic_store_n(&ch.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	EXPECT_EQ(0, ch.err) TH_LOG("churn: %s", ch.msg);
	/* the dumps really ran while cgroups came and went */
	EXPECT_LT(rounds_before, ch.rounds);
	TH_LOG("%d cgroups came and went during %d dumps",
	       ch.rounds - rounds_before, DUMPS);
}

/*
 * The dump handed over: a subtree of a root with CONT_ROOT_CALLS getppid
 * and CONT_KIDS children, each with cont_calls(i) getppid, so that its messages take several
 * page-sized datagrams.
 */
#define CONT_KIDS	40
#define CONT_BUF	4096	/* a page: the kernel sizes messages to it */
#define CONT_ROOT_CALLS	3

static int cont_calls(int i)
{
	return i % 5 + 1;
}

/* What the readers of the dump saw, in memory both processes share. */
struct cont_seen {
	uint64_t ids[CONT_KIDS + 1];	/* the root's, then the children's */
	int count[CONT_KIDS + 1];	/* messages about each */
	uint64_t getppid[CONT_KIDS + 1];
	int others;		/* messages about any other cgroup */
	int datagrams[2];	/* by the first and by the second reader */
	int error;		/* what NLMSG_ERROR or NLMSG_DONE carried */
	bool done;
};

/* The getppid calls of one KABISTAT_A_STAT nest, or 0. */
static uint64_t stat_getppid(const struct nlattr *nest)
{
	uint32_t abi = ~0U, nr = ~0U;
	const struct nlattr *a;
	uint64_t calls = 0;
	int rem;

	nlraw_for_each_nested(a, nest, rem) {
		switch (nlraw_attr_type(a)) {
		case KABISTAT_STAT_A_ABI:
			nlraw_get_u32(a, &abi);
			break;
		case KABISTAT_STAT_A_NR:
			nlraw_get_u32(a, &nr);
			break;
		case KABISTAT_STAT_A_CALLS:
			nlraw_get_u64(a, &calls);
			break;
		}
	}
	return abi == X64 && nr == SYS_getppid ? calls : 0;
}

/* One cgroup message: which cgroup, and its getppid calls. */
static void cont_message(struct cont_seen *s, const struct nlmsghdr *nlh)
{
	uint64_t id = 0, getppid = 0;
	const struct nlattr *a;
	int rem, i;

	nlraw_for_each_msg_attr(a, nlh, rem) {
		if (nlraw_attr_type(a) == KABISTAT_A_CGROUP_ID)
			nlraw_get_u64(a, &id);
		else if (nlraw_attr_type(a) == KABISTAT_A_STAT)
			getppid += stat_getppid(a);
	}
	for (i = 0; i <= CONT_KIDS; i++)
		if (s->ids[i] == id) {
			s->count[i]++;
			s->getppid[i] += getppid;
			return;
		}
	s->others++;
}

/*
 * Read one datagram of the dump on @fd as reader @who.  Return 1 once the
 * dump ended, 0 when there is more, or -errno.
 */
static int cont_read(int fd, uint16_t family, struct cont_seen *s, int who)
{
	static char buf[CONT_BUF];
	struct nlmsghdr *nlh;
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (ssize_t)sizeof(buf))
		return -EMSGSIZE;
	s->datagrams[who]++;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
	     nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR) {
			memcpy(&s->error, NLMSG_DATA(nlh), sizeof(int));
			s->done = true;
			return 1;
		}
		if (nlh->nlmsg_type == family)
			cont_message(s, nlh);
	}
	return 0;
}

struct cont_reader {
	struct nlraw *nl;
	struct cont_seen *s;
};

/* The second reader, uid 65534 without capabilities: the rest. */
static int cont_second_reader(void *arg)
{
	struct cont_reader *r = arg;
	int ret, fails = 0;

	while (!(ret = cont_read(r->nl->fd, r->nl->family, r->s, 1)))
		;
	PRIV_EXPECT(fails, ret == 1, "reading the rest: %s", strerror(-ret));
	return fails;
}

TEST_F(dump, dump_continued_by_another_task_without_privilege_returns_the_rest)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		char attrs[16];
	} req;
	struct cont_reader r;
	struct cont_seen *s;
	struct nlraw nl;
	int i, fd;

	self->ncgs = CONT_KIDS + 1;
	CREATE(0, NULL, "cont");
	RUN_GETPPID(0, CONT_ROOT_CALLS);
	for (i = 1; i <= CONT_KIDS; i++) {
		CREATE(i, &self->cgs[0], "k");
		RUN_GETPPID(i, cont_calls(i));
	}
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s);
	memset(s, 0, sizeof(*s));
	for (i = 0; i <= CONT_KIDS; i++)
		s->ids[i] = self->cgs[i].id;

	/*
	 * A subtree dump by fd, started by root, of which it reads one part;
	 * on a socket of its own, which never offered more than a page.
	 */
	ASSERT_EQ(0, nlraw_open(&nl));
	close(nl.fd);
	nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, nl.fd);
	fd = open(self->cgs[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN +
			    nlraw_put(req.attrs, 0, KABISTAT_A_CGROUP_FD, &fd,
				      sizeof(fd));
	req.nlh.nlmsg_type = nl.family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 4343;
	req.g.cmd = KABISTAT_CMD_GET_CGROUP;
	req.g.version = KABISTAT_GENL_VERSION;
	ASSERT_EQ((ssize_t)req.nlh.nlmsg_len,
		  send(nl.fd, &req, req.nlh.nlmsg_len, 0));
	ASSERT_EQ(0, cont_read(nl.fd, nl.family, s, 0))
		TH_LOG("the first part: error %d, or the whole dump", s->error);
	/* the fd the dump started with is gone before the rest is read */
	close(fd);

	/* the rest, read by a task that could not have started it */
	r = (struct cont_reader){ .nl = &nl, .s = s };
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, cont_second_reader, &r));
	nlraw_close(&nl);

	EXPECT_TRUE(s->done);
	EXPECT_EQ(0, s->error) TH_LOG("the dump ended with %s",
				      strerror(-s->error));
	EXPECT_EQ(1, s->datagrams[0]);
	/* the first reader's read made the second part: more came after */
	EXPECT_LE(3, s->datagrams[1]) TH_LOG("a dump of %d datagrams",
					     s->datagrams[0] + s->datagrams[1]);
	/* exactly the subtree, each cgroup once, with its counts */
	EXPECT_EQ(0, s->others);
	EXPECT_EQ(1, s->count[0]) TH_LOG("the subtree's root");
	EXPECT_EQ(CONT_ROOT_CALLS, s->getppid[0]);
	for (i = 1; i <= CONT_KIDS; i++) {
		EXPECT_EQ(1, s->count[i]) TH_LOG("child %d", i);
		EXPECT_EQ(cont_calls(i), s->getppid[i]) TH_LOG("child %d", i);
	}
	munmap(s, sizeof(*s));
}

#define ITER_KIDS	40

/*
 * Read a dump through the iterator from a poll loop into @d, as collect()
 * does: 0, or the error of kabistat_dump_iter_next().  @stop_after > 0
 * abandons the dump after that many cgroups.
 */
static int iter_dump(struct __test_metadata *_metadata, struct kabistat *ks,
		     uint64_t subtree, struct dump *d, size_t stop_after)
{
	struct kabistat_dump_opts o = { .sz = sizeof(o), .subtree_id = subtree };
	struct kabistat_dump_iter *it;
	struct kabistat_cgroup *cg;
	struct pollfd pfd = { .events = POLLIN };
	int ret, waits = 0;

	d->n = 0;
	ret = kabistat_dump_iter_start(ks, &o, &it);
	if (ret)
		return ret;
	pfd.fd = kabistat_dump_iter_fd(it);
	/* the handle is the dump's until the iterator is freed */
	EXPECT_EQ(-EBUSY, kabistat_reset(ks, subtree));
	for (;;) {
		ret = kabistat_dump_iter_next(it, &cg);
		if (ret == -EAGAIN) {
			waits++;
			if (poll(&pfd, 1, 5000) != 1) {
				ret = -ETIMEDOUT;
				break;
			}
			continue;
		}
		if (ret <= 0)
			break;
		ret = collect(cg, d);
		kabistat_cgroup_free(cg);
		if (ret || (stop_after && d->n == stop_after))
			break;
	}
	TH_LOG("%zu cgroups, %d waits for the socket", d->n, waits);
	kabistat_dump_iter_free(it);
	return ret;
}

TEST_F(dump, iterator_in_a_poll_loop_returns_what_dump_returns)
{
	struct dump cb = { 0 };
	size_t i;

	self->ncgs = ITER_KIDS + 1;
	CREATE(0, NULL, "iter");
	RUN_GETPPID(0, 100);
	for (i = 1; i <= ITER_KIDS; i++) {
		CREATE(i, &self->cgs[0], "kid");
		RUN_GETPPID(i, i);
	}
	ASSERT_EQ(0, do_dump(self->ks, self->cgs[0].id, &cb))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_EQ(0, iter_dump(_metadata, self->ks, self->cgs[0].id, &self->d, 0))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	/* the parent and its kids, in the same order with the same counts */
	ASSERT_EQ(ITER_KIDS + 1, cb.n);
	ASSERT_EQ(cb.n, self->d.n);
	for (i = 0; i < cb.n; i++) {
		EXPECT_EQ(cb.e[i].id, self->d.e[i].id);
		EXPECT_EQ(cb.e[i].getppid, self->d.e[i].getppid);
		EXPECT_EQ(cb.e[i].calls, self->d.e[i].calls);
	}

	/* abandoned after 3: the rest is skipped, the handle works again */
	EXPECT_EQ(0, iter_dump(_metadata, self->ks, self->cgs[0].id, &self->d, 3));
	EXPECT_EQ(3, self->d.n);
	ASSERT_EQ(0, do_dump(self->ks, self->cgs[0].id, &self->d))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(ITER_KIDS + 1, self->d.n);
	free(cb.e);
}

/* kabistat_cgroup_dup() of the one cgroup a subtree dump returns. */
static int keep_copy(const struct kabistat_cgroup *cg, void *arg)
{
	struct kabistat_cgroup **copy = arg;

	if (*copy)
		return -EEXIST;
	*copy = kabistat_cgroup_dup(cg);
	return *copy ? 0 : -ENOMEM;
}

TEST_F(dump, cgroup_dup_outlives_the_callback_intact)
{
	struct kabistat_cgroup *copy = NULL, *now = NULL;
	struct kabistat_dump_opts o = { .sz = sizeof(o) };

	self->ncgs = 1;
	CREATE(0, NULL, "dup");
	RUN_GETPPID(0, 23);
	o.subtree_id = self->cgs[0].id;
	ASSERT_EQ(0, kabistat_dump(self->ks, &o, keep_copy, &copy))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_NE(NULL, copy);
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cgs[0].id, &now))
		TH_LOG("%s", kabistat_errmsg(self->ks));

	EXPECT_EQ(now->id, copy->id);
	EXPECT_EQ(now->generation, copy->generation);
	EXPECT_EQ(now->state, copy->state);
	EXPECT_EQ(now->flags, copy->flags);
	ASSERT_NE(NULL, copy->path);
	EXPECT_STREQ(now->path, copy->path);
	ASSERT_EQ(now->nr_stats, copy->nr_stats);
	EXPECT_EQ(0, memcmp(now->stats, copy->stats,
			    now->nr_stats * sizeof(*now->stats)));
	EXPECT_EQ(0, memcmp(now->per_abi, copy->per_abi, sizeof(now->per_abi)));
	EXPECT_EQ(0, memcmp(&now->totals, &copy->totals, sizeof(now->totals)));
	EXPECT_EQ(0, memcmp(now->errno_counts, copy->errno_counts,
			    sizeof(now->errno_counts)));
	EXPECT_EQ(23 + CGTEST_OVERHEAD_CALLS, copy->totals.calls);
	kabistat_cgroup_free(now);
	kabistat_cgroup_free(copy);
}

TEST_HARNESS_MAIN
