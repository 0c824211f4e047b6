// SPDX-License-Identifier: GPL-2.0
/*
 * Counting on a real host: CPUs going offline and back, and calls that a
 * seccomp filter refuses.
 *
 * - Counts cached on a CPU that goes offline stay exact, and do not keep a
 *   removed cgroup from being evicted.
 * - A call seccomp refuses was still made: execve, execveat and
 *   rt_sigreturn count calls, errors and denied like any other syscall.
 *
 * Should a test die with CPU 1 offline, the harness's parent brings it
 * back when it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/kabistat.h>
#include <linux/seccomp.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "abis.h"
#include "cgtest.h"
#include "expect.h"
#include "realhost.h"

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define EVENT_WAIT_MS	10000

static int write_text(const char *path, const char *text)
{
	ssize_t len = strlen(text), n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n != len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

/* 1 online, 0 offline, -errno when it cannot be told */
static int cpu1_online(void)
{
	char c = 0;
	int fd, n;

	fd = open(CPU1_ONLINE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -EIO;
}

/*
 * Bring CPU 1 online or offline.  Coming back, it is only usable once the
 * scheduler and the cpusets have it, which may lag behind the write: wait
 * until this process could run there, up to 5 s.  0 or -errno.
 */
static int cpu1_set(bool on)
{
	cpu_set_t saved, one;
	int64_t t0;
	int err;

	err = write_text(CPU1_ONLINE, on ? "1" : "0");
	if (err || !on)
		return err;
	if (sched_getaffinity(0, sizeof(saved), &saved))
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	t0 = cgtest_now_ms();
	while (sched_setaffinity(0, sizeof(one), &one)) {
		if (cgtest_now_ms() - t0 > 5000)
			return -errno;
		usleep(10000);
	}
	return sched_setaffinity(0, sizeof(saved), &saved) ? -errno : 0;
}

__attribute__((destructor)) static void restore_cpu1(void)
{
	int err;

	if (!realhost_in_harness() || cpu1_online() != 0)
		return;
	err = cpu1_set(true);
	if (err)
		fprintf(stderr, "# could not bring CPU 1 online: %s\n",
			strerror(-err));
}

/* ------------------------------------------------------------------ */
/* CPU hotplug                                                         */

FIXTURE(hotplug) {
	struct kabistat *ks;
	struct kabistat *ev;	/* events only */
	struct cgtest cg;
	char skip[128];
};

FIXTURE_SETUP(hotplug)
{
	int on = cpu1_online();

	self->cg.dfd = -1;
	if (on < 0) {
		snprintf(self->skip, sizeof(self->skip), "%s: %s", CPU1_ONLINE,
			 strerror(-on));
		return;
	}
	if (on == 0) {
		snprintf(self->skip, sizeof(self->skip), "CPU 1 is offline");
		return;
	}
	ASSERT_EQ(0, cpu1_set(true)) TH_LOG("CPU 1 is online but not usable");
	open_ks(_metadata, &self->ks);
	open_ks(_metadata, &self->ev);
	ASSERT_EQ(0, kabistat_events_subscribe(self->ev))
		TH_LOG("%s", kabistat_errmsg(self->ev));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "hotplug"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(hotplug)
{
	int err;

	if (cpu1_online() == 0) {
		err = cpu1_set(true);
		if (err)
			TH_LOG("bringing CPU 1 online: %s", strerror(-err));
	}
	if (self->ks && set_ttl(self->ks, DEFAULT_TTL))
		TH_LOG("restoring released_ttl: %s", kabistat_errmsg(self->ks));
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	if (self->ev)
		kabistat_close(self->ev);
	if (self->ks)
		kabistat_close(self->ks);
}

struct hp_arg {
	int up;			/* the workload writes a byte: phase done */
	int down;		/* and reads one: go on */
	long n, m, k;
};

/*
 * Before the move, with libc: run on CPU 1 only, so that the moving read
 * returns there too.  Kernels before 6.2 reset the affinity when a task
 * joins a cpuset, so the workloads pin themselves again.
 */
static int prep_cpu1(void *arg)
{
	cpu_set_t one;

	(void)arg;
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? 20 : 0;
}

static int on_cpu(unsigned int want)
{
	unsigned int cpu = ~0U;

	return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 && cpu == want;
}

/* Raw: sched_setaffinity to CPU 1, then getcpu to check; 0 when there. */
static int to_cpu1(void)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	if (syscall(SYS_sched_setaffinity, 0, sizeof(one), &one))
		return -1;
	return on_cpu(1) ? 0 : -1;
}

/*
 * N getppid on CPU 1; CPU 1 goes offline; M on CPU 0; CPU 1 comes back;
 * back to CPU 1 and K more.  Besides: 2 sched_setaffinity, 3 getcpu,
 * 2 write, 2 read.
 */
static int wl_hotplug(void *arg)
{
	struct hp_arg *a = arg;
	char c = 'x';

	if (to_cpu1())
		return 11;
	if (wl_getppid((void *)a->n))
		return 12;
	if (syscall(SYS_write, a->up, &c, 1) != 1 ||
	    syscall(SYS_read, a->down, &c, 1) != 1)
		return 13;
	if (!on_cpu(0))
		return 14;
	if (wl_getppid((void *)a->m))
		return 15;
	if (syscall(SYS_write, a->up, &c, 1) != 1 ||
	    syscall(SYS_read, a->down, &c, 1) != 1)
		return 16;
	if (to_cpu1())
		return 17;
	return wl_getppid((void *)a->k) ? 18 : 0;
}

/* (long)@arg getppid on CPU 1; and 1 sched_setaffinity, 1 getcpu. */
static int wl_cpu1_getppid(void *arg)
{
	if (to_cpu1())
		return 11;
	return wl_getppid(arg);
}

/* Wait up to @ms for the workload's byte; 0 or -errno. */
static int wait_byte(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	int n = poll(&p, 1, ms);

	if (n < 0)
		return -errno;
	if (!n)
		return -ETIMEDOUT;
	return read(fd, &c, 1) == 1 ? 0 : -EIO;
}

TEST_F_TIMEOUT(hotplug, counts_stay_exact_across_cpu_offline_and_online, 120)
{
	struct hp_arg a = { .n = 300, .m = 200, .k = 100 };
	struct kabistat_cgroup *cg = NULL;
	int up[2], down[2], ret;
	pid_t pid;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	a.up = up[1];
	a.down = down[0];
	ASSERT_EQ(0, cgtest_spawn(&self->cg, prep_cpu1, wl_hotplug, &a, &pid))
		TH_LOG("%s", cgtest_err());

	ret = wait_byte(up[0], 20000);
	EXPECT_EQ(0, ret) TH_LOG("workload's first phase: %s", strerror(-ret));
	if (!ret) {
		ret = cpu1_set(false);
		EXPECT_EQ(0, ret) TH_LOG("CPU 1 offline: %s", strerror(-ret));
		EXPECT_EQ(1, write(down[1], "g", 1));
		ret = wait_byte(up[0], 20000);
		EXPECT_EQ(0, ret) TH_LOG("workload's second phase: %s",
					 strerror(-ret));
	}
	if (!ret) {
		ret = cpu1_set(true);
		EXPECT_EQ(0, ret) TH_LOG("CPU 1 online: %s", strerror(-ret));
		EXPECT_EQ(1, write(down[1], "g", 1));
	}
	close(down[1]);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	ret = cgtest_reap(pid);
	ASSERT_EQ(0, ret) TH_LOG("workload exit code %d", ret);

	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(0, cg->flags & KABISTAT_CGROUP_F_PARTIAL);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, a.n + a.m + a.k, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getcpu, 3, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 3, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_write, 2, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_sched_setaffinity, 2, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(6, cg->nr_stats);
	EXPECT_TOTALS(cg, a.n + a.m + a.k + 11, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

/* The CGROUP_RELEASED event of @id, or NULL after EVENT_WAIT_MS. */
static struct kabistat_event *released_event(struct __test_metadata *_metadata,
					     struct kabistat *ev, uint64_t id)
{
	int64_t deadline = cgtest_now_ms() + EVENT_WAIT_MS, left;
	struct kabistat_event *e;
	int err;

	while ((left = deadline - cgtest_now_ms()) > 0) {
		e = NULL;
		err = kabistat_event_next(ev, (int)left, &e);
		if (err == -ETIMEDOUT)
			break;
		EXPECT_EQ(0, err) TH_LOG("kabistat_event_next: %s",
					 kabistat_errmsg(ev));
		if (err)
			return NULL;
		if (e->cmd == KABISTAT_CMD_CGROUP_RELEASED && e->cgroup &&
		    e->cgroup->id == id)
			return e;
		kabistat_event_free(e);
	}
	return NULL;
}

#define HP_CALLS	123L

TEST_F_TIMEOUT(hotplug, cgroup_removed_while_its_cpu_is_offline_is_released_and_evicted, 120)
{
	struct kabistat_cgroup *cg = NULL;
	struct kabistat_event *e;
	struct dump_pick before, after;
	uint64_t id = self->cg.id;
	int64_t t0;
	int err;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	/* evict every released cgroup now, then only this one can be */
	ASSERT_EQ(0, set_ttl(self->ks, 0)) TH_LOG("%s",
						  kabistat_errmsg(self->ks));
	dump_pick(_metadata, self->ks, id, &before);

	/* counts cached on CPU 1 (all but perhaps the moving read) */
	ASSERT_EQ(0, cgtest_run(&self->cg, prep_cpu1, wl_cpu1_getppid,
				(void *)HP_CALLS)) TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(HP_CALLS, getppid_calls(cg));
	kabistat_cgroup_free(cg);

	ASSERT_EQ(0, cpu1_set(false));
	ASSERT_EQ(0, cgtest_remove(&self->cg)) TH_LOG("%s", cgtest_err());
	e = released_event(_metadata, self->ev, id);
	ASSERT_NE(NULL, e) TH_LOG("no CGROUP_RELEASED event for %llu within %d ms",
				  (unsigned long long)id, EVENT_WAIT_MS);
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, e->cgroup->state);
	EXPECT_EQ(0, e->cgroup->flags & KABISTAT_CGROUP_F_PARTIAL);
	EXPECT_SYSCALL(e->cgroup, X64, SYS_getppid, HP_CALLS, 0, 0, 0, 0);
	EXPECT_SYSCALL(e->cgroup, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(e->cgroup, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(e->cgroup, X64, SYS_sched_setaffinity, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(e->cgroup, X64, SYS_getcpu, 1, 0, 0, 0, 0);
	EXPECT_TOTALS(e->cgroup, HP_CALLS + 4, 0, 0, 0, 0);
	kabistat_event_free(e);

	/* released_ttl is 0: evicted, CPU 1 still offline */
	t0 = cgtest_now_ms();
	do {
		ASSERT_EQ(0, set_ttl(self->ks, 0))
			TH_LOG("%s", kabistat_errmsg(self->ks));
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, id, &cg);
		kabistat_cgroup_free(cg);
		if (err != -ENOENT)
			usleep(100000);
	} while (err != -ENOENT && cgtest_now_ms() - t0 < 5000);
	EXPECT_EQ(-ENOENT, err)
		TH_LOG("cgroup %llu not evicted %lld ms after its release (released_ttl 0)",
		       (unsigned long long)id, (long long)(cgtest_now_ms() - t0));
	dump_pick(_metadata, self->ks, id, &after);
	EXPECT_EQ(0, after.found) TH_LOG("removed cgroup %llu still dumped, state %u",
					 (unsigned long long)id, after.state);
	EXPECT_EQ(HP_CALLS + 4,
		  after.evicted_x64.calls - before.evicted_x64.calls)
		TH_LOG("evicted aggregate: x86_64 calls %llu before, %llu after",
		       (unsigned long long)before.evicted_x64.calls,
		       (unsigned long long)after.evicted_x64.calls);
	EXPECT_EQ(0, after.evicted_x64.errors - before.evicted_x64.errors);
}

/* ------------------------------------------------------------------ */
/* Calls seccomp refuses                                               */

FIXTURE(refused) {
	struct kabistat *ks;
	struct cgtest cg;
};

FIXTURE_SETUP(refused)
{
	self->cg.dfd = -1;
	open_ks(_metadata, &self->ks);
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "refused"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(refused)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ks);
}

#define REFUSED_TIMES	3
#define NO_SUCH_PROGRAM	"/kabistat-no-such-program"

/* A workload's argument: refuse native syscall @nr with errno @err. */
#define REFUSE(nr, err)		((void *)(long)((nr) | ((err) << 16)))
#define REFUSED_NR(arg)		((long)(arg) & 0xffff)
#define REFUSED_ERRNO(arg)	((long)(arg) >> 16)

/* Before the move: a filter that refuses the syscall @arg says. */
static int prep_refuse(void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, REFUSED_NR(arg), 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | (uint32_t)REFUSED_ERRNO(arg)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(f), .filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 20;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 21;
	return 0;
}

static char *const no_args[] = { NO_SUCH_PROGRAM, NULL };
static char *const no_env[] = { NULL };

static int wl_refused(void *arg)
{
	long nr = REFUSED_NR(arg), err = REFUSED_ERRNO(arg), ret = 0;
	int i;

	for (i = 0; i < REFUSED_TIMES; i++) {
		if (nr == SYS_execve)
			ret = syscall(SYS_execve, NO_SUCH_PROGRAM, no_args,
				      no_env);
		else if (nr == SYS_execveat)
			ret = syscall(SYS_execveat, AT_FDCWD, NO_SUCH_PROGRAM,
				      no_args, no_env, 0);
		else
			ret = syscall(nr);
		/* SECCOMP_RET_ERRNO 0 makes the call return 0 */
		if (err ? ret != -1 || errno != err : ret != 0)
			return 10;
	}
	return 0;
}

static void check_refused(struct __test_metadata *_metadata,
			  FIXTURE_DATA(refused) *self, long nr, int err)
{
	uint64_t errors = err ? REFUSED_TIMES : 0;
	struct kabistat_cgroup *cg = NULL;

	RUN_WORKLOAD(&self->cg, prep_refuse, wl_refused, REFUSE(nr, err));
	ASSERT_EQ(0, kabistat_get_cgroup(self->ks, self->cg.id, &cg))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	expect_counters(_metadata, "refused syscall", counters_of(cg, X64, nr),
			REFUSED_TIMES, errors, 0, errors, 0);
	EXPECT_EQ(errors, cg->errno_counts[EPERM]);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_TOTALS(cg, REFUSED_TIMES + CGTEST_OVERHEAD_CALLS,
		      errors, 0, errors, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(refused, seccomp_refused_execve_counts_calls_errors_denied)
{
	check_refused(_metadata, self, SYS_execve, EPERM);
}

TEST_F(refused, seccomp_refused_execveat_counts_calls_errors_denied)
{
	check_refused(_metadata, self, SYS_execveat, EPERM);
}

TEST_F(refused, seccomp_refused_rt_sigreturn_counts_calls_errors_denied)
{
	check_refused(_metadata, self, SYS_rt_sigreturn, EPERM);
}

/*
 * SECCOMP_RET_ERRNO 0 makes a refused rt_sigreturn return 0, as a bad
 * signal frame does after entering: it never entered, and is a call.
 */
TEST_F(refused, seccomp_refused_rt_sigreturn_returning_0_counts_one_call_each)
{
	check_refused(_metadata, self, SYS_rt_sigreturn, 0);
}

TEST_HARNESS_MAIN
