// SPDX-License-Identifier: GPL-2.0
/*
 * Dropped events leave a gap in KABISTAT_A_EVENT_SEQ exactly as large as
 * the increase of KABISTAT_A_EVENTS_DROPPED.
 *
 * The drops are forced: first-ENOSYS events are queued per CPU (64 of
 * them, kmod/events.c) by the syscall probes and sent by a work item on
 * that CPU.  A SCHED_FIFO driver pinned to CPU 0 starts NCHILD children
 * straight into NCHILD new cgroups (clone3 CLONE_INTO_CGROUP), each making
 * the same unimplemented 64-bit syscalls: every call is a first ENOSYS of
 * its cgroup, and the work should not run on CPU 0 until the last child
 * has made its calls, so more events are queued than the queue holds.
 * (Each child pins itself to CPU 0 again: before 6.2, joining a cgroup
 * resets a task's affinity to the cgroup's cpuset.  Should the work run
 * in between all the same, the burst is 192 events, three queues' worth.)
 *
 * The cgroups are tracked before the burst, one at a time, by a workload
 * of no calls in each, so that the burst needs no cgroup from the pools;
 * a cgroup whose new keys find no chunk is partial, its calls counted in
 * overflow and not announced: the check counts the first ENOSYS each
 * cgroup was counted.
 *
 * A sentinel cgroup brackets the burst: its first ENOSYS before the burst
 * and another one after it (on CPU 0 too, so queued behind the burst's)
 * are events whose numbers bound the burst's.  Every event in between is
 * received (the group is only this test's at these rates), so the missing
 * numbers are the drops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/kabistat.h>
#include <linux/sched.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"

#define X64		KABISTAT_ABI_X86_64
#define NCHILD		16
#define MAX_NRS		12
#define WAIT_MS		10000

FIXTURE(drops) {
	struct kabistat *ks;	/* requests */
	struct kabistat *ev;	/* events only */
	struct cgtest sentinel;
	struct cgtest cg[NCHILD];
	uint32_t nrs[MAX_NRS + 2];	/* unimplemented x86_64 numbers */
	int nnrs;
};

FIXTURE_SETUP(drops)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_kernel_abi *abi;
	const struct kabistat_syscall_table *t;
	cpu_set_t cpu0;
	uint32_t nr;
	int i;

	self->sentinel.dfd = -1;
	for (i = 0; i < NCHILD; i++)
		self->cg[i].dfd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_open(&self->ev, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	t = &abi->tables[X64];
	for (nr = 0; nr < t->size && self->nnrs < MAX_NRS + 2; nr++)
		if (t->names[nr] && !kabistat_abi_implemented(abi, X64, nr))
			self->nrs[self->nnrs++] = nr;
	kabistat_abi_free(abi);
	/* two for the sentinel, and enough for 3 * 64 events from 16 */
	ASSERT_LE(2 + MAX_NRS, self->nnrs);

	/* this process and all it starts run on CPU 0 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	ASSERT_EQ(0, kabistat_events_subscribe(self->ev))
		TH_LOG("%s", kabistat_errmsg(self->ev));
	ASSERT_EQ(0, cgtest_create(&self->sentinel, NULL, "drops-sentinel"))
		TH_LOG("%s", cgtest_err());
	for (i = 0; i < NCHILD; i++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "drops"))
			TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(drops)
{
	int i;

	for (i = 0; i < NCHILD; i++)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->sentinel))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ev);
	kabistat_close(self->ks);
}

static uint64_t events_dropped(struct __test_metadata *_metadata,
			       struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi = NULL;
	uint64_t n;

	EXPECT_EQ(0, kabistat_get_abi(ks, &abi))
		TH_LOG("%s", kabistat_errmsg(ks));
	if (!abi)
		return 0;
	n = abi->events_dropped;
	kabistat_abi_free(abi);
	return n;
}

struct calls {
	const uint32_t *nrs;
	int n;
};

static int wl_enosys(void *arg)
{
	const struct calls *c = arg;
	int i;

	for (i = 0; i < c->n; i++)
		if (syscall(c->nrs[i]) != -1 || errno != ENOSYS)
			return 10;
	return 0;
}

/*
 * The burst: see the top of the file.  Runs in a child; its exit code.
 * The children run at a higher priority than the driver, which lowers
 * itself once it has started them all: they run back to back, and while
 * one sleeps (exiting, say) the driver spins on @done rather than waiting,
 * so that CPU 0 never runs anything but them until every child has made
 * its calls.
 */
static int driver(const struct cgtest *cg, const struct calls *c, int *done)
{
	struct sched_param high = { .sched_priority = 2 };
	struct sched_param low = { .sched_priority = 1 };
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
	};
	int i, code, status, err = 0;
	cpu_set_t cpu0;
	long pid;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setscheduler(0, SCHED_FIFO, &high))
		return 20;
	for (i = 0; i < NCHILD; i++) {
		args.cgroup = cg[i].dfd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid < 0)
			return 21;
		if (!pid) {
			/*
			 * Joining a cgroup resets the affinity to its cpuset
			 * before 6.2: back to CPU 0 first.
			 */
			if (syscall(SYS_sched_setaffinity, 0, sizeof(cpu0),
				    &cpu0))
				syscall(SYS_exit_group, 24);
			code = wl_enosys((void *)c);
			__atomic_add_fetch(done, 1, __ATOMIC_SEQ_CST);
			syscall(SYS_exit_group, code);
		}
	}
	if (sched_setscheduler(0, SCHED_FIFO, &low))
		err = 23;
	while (__atomic_load_n(done, __ATOMIC_SEQ_CST) < NCHILD)
		;
	for (i = 0; i < NCHILD; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			err = 22;
	return err;
}

/*
 * Events until the sentinel's FIRST_ENOSYS of @nr: its sequence number in
 * *@seq; how many other events came, and how many of them are the burst's
 * cgroups', in *@others and *@ours.
 */
static void until_sentinel(struct __test_metadata *_metadata,
			   FIXTURE_DATA(drops) *self, uint32_t nr,
			   uint64_t *seq, uint64_t *others, uint64_t *ours)
{
	int64_t deadline = cgtest_now_ms() + WAIT_MS;
	struct kabistat_event *ev;
	int i, err;

	*seq = 0;
	for (;;) {
		int64_t left = deadline - cgtest_now_ms();

		err = kabistat_event_next(self->ev, left > 0 ? (int)left : 0,
					  &ev);
		ASSERT_EQ(0, err) TH_LOG("waiting for the sentinel's event: %s",
					 kabistat_errmsg(self->ev));
		ASSERT_NE(NULL, ev->cgroup);
		if (ev->cmd == KABISTAT_CMD_FIRST_ENOSYS &&
		    ev->cgroup->id == self->sentinel.id &&
		    ev->cgroup->nr_stats == 1 &&
		    ev->cgroup->stats[0].nr == nr) {
			*seq = ev->seq;
			kabistat_event_free(ev);
			return;
		}
		(*others)++;
		for (i = 0; i < NCHILD; i++)
			if (ev->cgroup->id == self->cg[i].id)
				(*ours)++;
		kabistat_event_free(ev);
	}
}

TEST_F_TIMEOUT(drops, forced_drops_are_the_gap_in_the_sequence, 120)
{
	struct calls none = { .n = 0 };
	struct calls before = { .nrs = &self->nrs[0], .n = 1 };
	struct calls after = { .nrs = &self->nrs[1], .n = 1 };
	struct calls burst = { .nrs = &self->nrs[2], .n = self->nnrs - 2 };
	uint64_t seq0, seq1, skipped = 0, between = 0, ours = 0, keys = 0;
	uint64_t dropped0, dropped1;
	int64_t deadline;
	struct kabistat_cgroup *cg;
	pid_t pid;
	int i, status, tracked = 0, *done;

	/*
	 * The burst's cgroups tracked beforehand, one at a time (the pools
	 * refill while each waits), so that the burst takes nothing from
	 * the pools.
	 */
	for (i = 0; i < NCHILD; i++) {
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_enosys,
					&none))
			TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, cgtest_run(&self->sentinel, NULL, wl_enosys, &before))
		TH_LOG("%s", cgtest_err());
	until_sentinel(_metadata, self, before.nrs[0], &seq0, &skipped,
		       &ours);
	dropped0 = events_dropped(_metadata, self->ks);

	done = mmap(NULL, sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, done);
	*done = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(driver(self->cg, &burst, done));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the burst's driver failed");
	munmap(done, sizeof(*done));

	/*
	 * The work counts the queue's drops as it takes the queue: once the
	 * count moved, the queue is empty again and the sentinel's second
	 * event has room behind the burst's.
	 */
	deadline = cgtest_now_ms() + WAIT_MS;
	while ((dropped1 = events_dropped(_metadata, self->ks)) == dropped0 &&
	       cgtest_now_ms() < deadline)
		usleep(1000);
	ASSERT_LT(dropped0, dropped1) TH_LOG("the burst dropped no event");

	ASSERT_EQ(0, cgtest_run(&self->sentinel, NULL, wl_enosys, &after))
		TH_LOG("%s", cgtest_err());
	ours = 0;
	until_sentinel(_metadata, self, after.nrs[0], &seq1, &between, &ours);
	dropped1 = events_dropped(_metadata, self->ks);

	/* what the burst's cgroups were counted: their first ENOSYS keys */
	for (i = 0; i < NCHILD; i++) {
		cg = NULL;
		if (kabistat_get_cgroup(self->ks, self->cg[i].id, &cg))
			continue;	/* the pool ran dry: not tracked */
		tracked++;
		keys += cg->totals.enosys;
		kabistat_cgroup_free(cg);
	}
	TH_LOG("%d cgroups tracked, %llu first ENOSYS, %llu events received, %llu dropped, seq %llu..%llu",
	       tracked, (unsigned long long)keys, (unsigned long long)ours,
	       (unsigned long long)(dropped1 - dropped0),
	       (unsigned long long)seq0, (unsigned long long)seq1);
	EXPECT_LT(0, tracked);
	/* every first ENOSYS was either sent or counted as dropped */
	EXPECT_EQ(keys, ours + (dropped1 - dropped0));
	/* and the numbers the drops took are missing, no more, no less */
	EXPECT_EQ(dropped1 - dropped0, seq1 - seq0 - 1 - between)
		TH_LOG("seq %llu..%llu with %llu events between",
		       (unsigned long long)seq0, (unsigned long long)seq1,
		       (unsigned long long)between);
}

TEST_HARNESS_MAIN
