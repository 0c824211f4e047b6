// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat counts exactly: workloads with known system call sequences run
 * in fresh cgroups (see cgtest.h for how the child gets there), and every
 * counter the module reports for that cgroup must equal the true number.
 *
 * Every workload's cgroup also holds the read that moved the child into it
 * and the final exit_group: "+ 1 read + 1 exit_group" below.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <seccomp.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"

/*
 * X64 and IA32 are the native and the compat ABI: x86_64 and ia32, or on
 * arm64 arm64 and arm (AArch32 EABI).  The compat numbers are frozen ABIs
 * (arch/x86/entry/syscalls/syscall_32.tbl, arch/arm/tools/syscall.tbl),
 * and COMPAT_WORKLOAD makes exactly 5 getppid and exit_group(0) in them.
 */
#ifdef __aarch64__
#define IA32_NR_EXECVE		11
#define IA32_NR_GETPPID		64
#define IA32_NR_EXIT_GROUP	248
#define COMPAT_WORKLOAD		"wl_arm"

#define X64	KABISTAT_ABI_ARM64
#define IA32	KABISTAT_ABI_ARM
/* arm64 has no fork(2): fork() is clone(SIGCHLD). */
#define SYS_FORK		SYS_clone
#define raw_fork()		syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)
#else
#define IA32_NR_EXECVE		11
#define IA32_NR_GETPPID		64
#define IA32_NR_EXIT_GROUP	252
#define COMPAT_WORKLOAD		"wl_ia32"

#define X64	KABISTAT_ABI_X86_64
#define IA32	KABISTAT_ABI_IA32
#define SYS_FORK		SYS_fork
#define raw_fork()		syscall(SYS_fork)
#endif
#define X32	KABISTAT_ABI_X32

#define MAX_CGS	4

/* ------------------------------------------------------------------ */
/* Workloads: after the moving read returns, raw syscall() only        */

static int wl_mix(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		if (syscall(SYS_getppid) <= 0)
			return 10;
	for (i = 0; i < 500; i++)
		if (syscall(SYS_close, -1) != -1 || errno != EBADF)
			return 11;
	for (i = 0; i < 300; i++)
		if (syscall(SYS_openat, AT_FDCWD, "/nonexistent-kabistat",
			    O_RDONLY) != -1 || errno != ENOENT)
			return 12;
	return 0;
}

/*
 * openat failing in runs of one errno: @arg says how many ENOENT, EISDIR,
 * ENOENT, ENOTDIR, in that order.  The last run's count is the one the
 * module holds with the call's own counters when the workload ends.
 */
static int wl_errno_runs(void *arg)
{
	static const char *const path[] = {
		"/nonexistent-kabistat", "/", "/nonexistent-kabistat",
		"/proc/self/exe/x",
	};
	static const int flags[] = { O_RDONLY, O_WRONLY, O_RDONLY, O_RDONLY };
	static const int want[] = { ENOENT, EISDIR, ENOENT, ENOTDIR };
	const int *runs = arg;
	int r, i;

	for (r = 0; r < 4; r++)
		for (i = 0; i < runs[r]; i++)
			if (syscall(SYS_openat, AT_FDCWD, path[r],
				    flags[r]) != -1 || errno != want[r])
				return 10 + r;
	return 0;
}

static int wl_out_of_range(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 7; i++)
		if (syscall(100000) != -1 || errno != ENOSYS)
			return 10;
	for (i = 0; i < 3; i++)
		if (syscall(-1) != -1 || errno != ENOSYS)
			return 11;
	return 0;
}

/* getppid's number with bit 32 set: runs as getppid, or is no syscall. */
#define WIDE_GETPPID	(SYS_getppid | 1L << 32)

static int wl_wide_getppid(void *arg)
{
	long ran = (long)arg, r;
	int i;

	for (i = 0; i < 5; i++) {
		r = syscall(WIDE_GETPPID);
		if (ran ? r <= 0 : r != -1 || errno != ENOSYS)
			return 10;
	}
	return 0;
}

#ifdef __x86_64__
static int wl_int80(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 100; i++)
		if ((int)test_int80(IA32_NR_GETPPID, 0) <= 0)
			return 10;
	return 0;
}
#endif

static int prep_seccomp(void *arg)
{
	scmp_filter_ctx ctx;

	(void)arg;
	/* Installed before the move: its own syscalls stay out of the counts. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 20;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(getuid), 0))
		return 21;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(getgid), 0))
		return 22;
	if (seccomp_load(ctx))
		return 23;
	seccomp_release(ctx);
	return 0;
}

static int wl_seccomp(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 50; i++)
		if (syscall(SYS_getuid) != -1 || errno != EPERM)
			return 10;
	for (i = 0; i < 40; i++)
		if (syscall(SYS_getgid) != -1 || errno != ENOSYS)
			return 11;
	return 0;
}

static void *thread_yield(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 250; i++)
		syscall(SYS_sched_yield);
	/* raw exit: counted at entry; the kernel still clears the tid */
	syscall(SYS_exit, 0);
	return NULL;
}

static int wl_threads(void *arg)
{
	pthread_t t[4];
	int i;

	(void)arg;
	/* glibc's pthread_create: clone3 (or clone) once per thread */
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_yield, NULL))
			return 10 + i;
	for (i = 0; i < 4; i++)
		if (pthread_join(t[i], NULL))
			return 20 + i;
	return 0;
}

static int prep_sigchld_default(void *arg)
{
	(void)arg;
	/* wait4 must see its children: SIGCHLD must not be SIG_IGN */
	return signal(SIGCHLD, SIG_DFL) == SIG_ERR ? 20 : 0;
}

static int wl_fork(void *arg)
{
	long pid;
	int i;

	(void)arg;
	for (i = 0; i < 10; i++) {
		pid = raw_fork();
		if (pid == 0)
			syscall(SYS_exit_group, 0);
		if (pid < 0)
			return 10;
	}
	for (i = 0; i < 10; i++)
		if (syscall(SYS_wait4, -1, NULL, 0, NULL) <= 0)
			return 11;
	return 0;
}

struct exec_arg {
	const char *path;
	int times;	/* for failing execs */
};

static char *const empty_env[] = { NULL };

static int wl_execve(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { (char *)ea->path, NULL };

	syscall(SYS_execve, ea->path, argv, empty_env);
	return 10;	/* the exec failed */
}

static int wl_execve_fail(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { (char *)ea->path, NULL };
	int i;

	for (i = 0; i < ea->times; i++)
		if (syscall(SYS_execve, ea->path, argv, empty_env) != -1 ||
		    errno != ENOENT)
			return 10;
	return 0;
}

/* shared with the parent: the child's handler ran */
struct restart_arg {
	int pipe[2];
	volatile sig_atomic_t *handled;
};

static volatile sig_atomic_t *restart_handled;

static void on_sigusr1(int sig)
{
	(void)sig;
	*restart_handled = 1;
}

static int prep_restart(void *arg)
{
	struct restart_arg *ra = arg;
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = SA_RESTART };

	restart_handled = ra->handled;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) ? 20 : 0;
}

static int wl_restart(void *arg)
{
	struct restart_arg *ra = arg;
	char c;

	if (syscall(SYS_read, ra->pipe[0], &c, 1) != 1)
		return 10;
	return *ra->handled ? 0 : 11;
}

#define SIGNALS	50

static pid_t signal_self;
static volatile sig_atomic_t signals_handled;

static void on_sigusr2(int sig)
{
	(void)sig;
	signals_handled++;
}

static int prep_signals(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sigusr2 };

	(void)arg;
	signal_self = getpid();
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR2, &sa, NULL) ? 20 : 0;
}

/* Each kill runs the handler on its way out, which returns by rt_sigreturn. */
static int wl_signals(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < SIGNALS; i++)
		if (syscall(SYS_kill, signal_self, SIGUSR2))
			return 10;
	return signals_handled == SIGNALS ? 0 : 11;
}

struct move_arg {
	int pipe[2];
};

static int wl_move(void *arg)
{
	struct move_arg *ma = arg;
	char c;

	if (wl_getppid((void *)100L))
		return 10;
	/* the parent moves us while we sleep here */
	if (syscall(SYS_read, ma->pipe[0], &c, 1) != 1)
		return 11;
	return wl_getppid((void *)50L) ? 12 : 0;
}

static int wl_hammer(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_getppid);
	return 0;
}

/* ------------------------------------------------------------------ */

FIXTURE(counting) {
	struct kabistat *ks;
	struct kabistat_kernel_abi *abi;
	struct cgtest cg[MAX_CGS];	/* cg[0]: created by setup */
	int ncg;
	bool counting_off;
};

static struct cgtest *new_cg(struct __test_metadata *_metadata,
			     FIXTURE_DATA(counting) *self,
			     const struct cgtest *parent, const char *tag)
{
	struct cgtest *cg;

	ASSERT_LT(self->ncg, MAX_CGS);
	cg = &self->cg[self->ncg];
	ASSERT_EQ(0, cgtest_create(cg, parent, tag))
		TH_LOG("%s", cgtest_err());
	self->ncg++;
	return cg;
}

FIXTURE_SETUP(counting)
{
	char msg[KABISTAT_ERRMSG_LEN];

	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &self->abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_TRUE(self->abi->counting)
		TH_LOG("counting is off: an earlier test left it off?");
	new_cg(_metadata, self, NULL, "counting");
}

FIXTURE_TEARDOWN(counting)
{
	struct kabistat_settings on = {
		.sz = sizeof(on), .counting = 1, .released_ttl = -1,
	};
	int i;

	if (self->counting_off && kabistat_set(self->ks, &on))
		TH_LOG("could not turn counting back on: %s",
		       kabistat_errmsg(self->ks));
	/* children before parents */
	for (i = self->ncg - 1; i >= 0; i--)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	kabistat_abi_free(self->abi);
	kabistat_close(self->ks);
}

/* Run @fn in @cg and require that it succeeded. */
#define RUN_WORKLOAD(cg, prep, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, prep, fn, arg)) TH_LOG("%s", cgtest_err())

TEST_F(counting, exact_calls_errors_and_errnos_of_a_known_mix)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_mix, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, X64, SYS_getppid, 1000, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_close, 500, 500, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_openat, 300, 300, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(5, cg->nr_stats);
	expect_errnos(_metadata, cg, 2, EBADF, (uint64_t)500,
		      ENOENT, (uint64_t)300);
	EXPECT_TOTALS(cg, 1802, 800, 0, 0, 0);
	EXPECT_EQ(1802, cg->per_abi[X64].calls);
	EXPECT_EQ(0, cg->per_abi[IA32].calls);
	EXPECT_EQ(0, cg->out_of_range[X64].calls);
	EXPECT_EQ(KABISTAT_CGROUP_LIVE, cg->state);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, errno_runs_of_one_syscall_count_exactly_across_a_reset)
{
	static const int before[] = { 7, 3, 2, 0 }, after[] = { 0, 4, 1, 5 };
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_errno_runs, (void *)before);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(cg, X64, SYS_openat, 12, 12, 0, 0, 0);
	expect_errnos(_metadata, cg, 2, ENOENT, (uint64_t)9,
		      EISDIR, (uint64_t)3);
	kabistat_cgroup_free(cg);

	/* the ENOENTs of the last run are taken out with the others */
	ASSERT_EQ(0, kabistat_reset(self->ks, self->cg[0].id))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(cg, X64, SYS_openat, 0, 0, 0, 0, 0);
	expect_errnos(_metadata, cg, 0);
	kabistat_cgroup_free(cg);

	RUN_WORKLOAD(&self->cg[0], NULL, wl_errno_runs, (void *)after);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(cg, X64, SYS_openat, 10, 10, 0, 0, 0);
	expect_errnos(_metadata, cg, 3, EISDIR, (uint64_t)4,
		      ENOENT, (uint64_t)1, ENOTDIR, (uint64_t)5);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, out_of_range_numbers_are_counted_per_abi_not_indexed)
{
	struct kabistat_cgroup *cg;
	size_t i;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_out_of_range, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	/* syscall(100000) x7 and syscall(-1) x3 */
	expect_counters(_metadata, "out_of_range[x86_64]",
			&cg->out_of_range[X64], 10, 10, 10, 0, 0);
	EXPECT_EQ(0, cg->out_of_range[IA32].calls);
	EXPECT_EQ(0, cg->out_of_range[X32].calls);
	/* no per-syscall entry for them: only read and exit_group */
	EXPECT_EQ(2, cg->nr_stats);
	for (i = 0; i < cg->nr_stats; i++)
		EXPECT_TRUE(cg->stats[i].nr == SYS_read ||
			    cg->stats[i].nr == SYS_exit_group)
			TH_LOG("unexpected entry abi %u nr %u",
			       cg->stats[i].abi, cg->stats[i].nr);
	EXPECT_FALSE(has_stat(cg, X64, 100000));
	EXPECT_FALSE(has_stat(cg, X64, (uint32_t)-1));
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	/* the totals include them */
	EXPECT_TOTALS(cg, 12, 10, 10, 0, 0);
	EXPECT_EQ(12, cg->per_abi[X64].calls);
	expect_errnos(_metadata, cg, 1, ENOSYS, (uint64_t)10);
	kabistat_cgroup_free(cg);
}

/*
 * A number beyond 32 bits: the kernel runs the syscall of its low half
 * (its entry code makes the number an int; a kernel that took all 64
 * bits would refuse it with ENOSYS).  It counts as what the kernel did,
 * whichever that is, never as the other.
 */
TEST_F(counting, numbers_beyond_32_bits_count_as_what_the_kernel_ran)
{
	long ran = syscall(WIDE_GETPPID) > 0;
	struct kabistat_cgroup *cg;

	TH_LOG("this kernel %s getppid's number with bit 32 set",
	       ran ? "runs" : "refuses");
	RUN_WORKLOAD(&self->cg[0], NULL, wl_wide_getppid, (void *)ran);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	if (ran) {
		EXPECT_SYSCALL(cg, X64, SYS_getppid, 5, 0, 0, 0, 0);
		EXPECT_EQ(0, cg->out_of_range[X64].calls);
	} else {
		EXPECT_FALSE(has_stat(cg, X64, SYS_getppid));
		expect_counters(_metadata, "out_of_range[native]",
				&cg->out_of_range[X64], 5, 5, 5, 0, 0);
	}
	kabistat_cgroup_free(cg);
}

TEST_F(counting, int80_from_64bit_code_is_counted_as_ia32)
{
	struct kabistat_cgroup *cg;

#ifdef __x86_64__
	if (!self->abi->tables[IA32].present)
		SKIP(return, "the kernel offers no ia32 ABI");
	RUN_WORKLOAD(&self->cg[0], NULL, wl_int80, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, IA32, IA32_NR_GETPPID, 100, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 0, 0, 0, 0, 0);
	EXPECT_FALSE(has_stat(cg, X64, SYS_getppid));
	EXPECT_EQ(100, cg->per_abi[IA32].calls);
	EXPECT_EQ(2, cg->per_abi[X64].calls);	/* read, exit_group */
	EXPECT_TOTALS(cg, 102, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
#else
	(void)cg;
	SKIP(return, "not x86: 64-bit code has no gate to the compat ABI");
#endif
}

TEST_F(counting, seccomp_errno_returns_count_as_errors_denied_and_enosys)
{
	struct kabistat_cgroup *cg;
	char avail[256] = "";
	FILE *f;

	f = fopen("/proc/sys/kernel/seccomp/actions_avail", "r");
	if (f) {
		if (!fgets(avail, sizeof(avail), f))
			avail[0] = '\0';
		fclose(f);
	}
	if (!strstr(avail, "errno"))
		SKIP(return, "seccomp filters with SECCOMP_RET_ERRNO unavailable");

	/* the filter is loaded before the move, so its setup is not here */
	RUN_WORKLOAD(&self->cg[0], prep_seccomp, wl_seccomp, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, X64, SYS_getuid, 50, 50, 0, 50, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getgid, 40, 40, 40, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 2, EPERM, (uint64_t)50,
		      ENOSYS, (uint64_t)40);
	EXPECT_TOTALS(cg, 92, 90, 40, 50, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, threads_count_their_calls_and_clone_only_in_the_parent)
{
	const struct kabistat_counters *clone, *clone3;
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_threads, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, X64, SYS_sched_yield, 1000, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit, 4, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	/*
	 * glibc >= 2.34 creates threads with clone3 and falls back to clone
	 * only on ENOSYS.  Either way 4 successful calls, each counted once
	 * in the creating thread; the new threads' 0-returns are not counted.
	 */
	clone = counters_of(cg, X64, SYS_clone);
	clone3 = counters_of(cg, X64, SYS_clone3);
	EXPECT_EQ(4, clone->calls - clone->errors +
		     clone3->calls - clone3->errors)
		TH_LOG("clone %llu (errors %llu), clone3 %llu (errors %llu)",
		       (unsigned long long)clone->calls,
		       (unsigned long long)clone->errors,
		       (unsigned long long)clone3->calls,
		       (unsigned long long)clone3->errors);
	EXPECT_EQ(0, clone->errors);
	EXPECT_EQ(clone3->errors, clone3->enosys);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, fork_counts_once_in_the_parent_not_the_child_return)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], prep_sigchld_default, wl_fork, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, X64, SYS_FORK, 10, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_wait4, 10, 0, 0, 0, 0);
	/* the 10 children's and the workload's own */
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 11, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	EXPECT_TOTALS(cg, 32, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, execve_of_ia32_binary_counts_once_under_the_caller_abi)
{
	struct exec_arg ea = { 0 };
	struct kabistat_cgroup *cg;
	char path[PATH_MAX];

	if (!self->abi->tables[IA32].present)
		SKIP(return, "the kernel offers no ia32 ABI");
	ASSERT_EQ(0, cgtest_helper_path(COMPAT_WORKLOAD, path, sizeof(path)))
		TH_LOG("%s", cgtest_err());
	ea.path = path;
	/* 5 compat getppid, then compat exit_group(0); nothing else */
	RUN_WORKLOAD(&self->cg[0], NULL, wl_execve, &ea);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	/* counted at entry, as x86_64; the successful return is not */
	EXPECT_SYSCALL(cg, X64, SYS_execve, 1, 0, 0, 0, 0);
	EXPECT_FALSE(has_stat(cg, IA32, IA32_NR_EXECVE));
	EXPECT_SYSCALL(cg, IA32, IA32_NR_GETPPID, 5, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, IA32, IA32_NR_EXIT_GROUP, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	/* no 64-bit exit_group: the ia32 image exited */
	EXPECT_FALSE(has_stat(cg, X64, SYS_exit_group));
	EXPECT_EQ(2, cg->per_abi[X64].calls);
	EXPECT_EQ(6, cg->per_abi[IA32].calls);
	EXPECT_EQ(4, cg->nr_stats);
	EXPECT_TOTALS(cg, 8, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, failed_execve_counts_call_and_error)
{
	struct exec_arg ea = { .path = "/nonexistent-kabistat", .times = 3 };
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_execve_fail, &ea);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);

	EXPECT_SYSCALL(cg, X64, SYS_execve, 3, 3, 0, 0, 0);
	expect_errnos(_metadata, cg, 1, ENOENT, (uint64_t)3);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(3, cg->nr_stats);
	EXPECT_TOTALS(cg, 5, 3, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, sa_restart_read_counts_interrupted_then_restarted_return)
{
	struct restart_arg ra;
	struct kabistat_cgroup *cg;
	pid_t pid;
	int i;

	ra.handled = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ra.handled);
	*ra.handled = 0;
	ASSERT_EQ(0, pipe(ra.pipe));

	ASSERT_EQ(0, cgtest_spawn(&self->cg[0], prep_restart, wl_restart,
				  &ra, &pid)) TH_LOG("%s", cgtest_err());
	/* 1. the child sleeps in read(pipe) */
	ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_read, ra.pipe[0], 10000))
		TH_LOG("%s", cgtest_err());
	/* 2. a signal with an SA_RESTART handler interrupts it */
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	for (i = 0; i < 10000 && !*ra.handled; i++)
		usleep(1000);
	ASSERT_TRUE(*ra.handled) TH_LOG("the handler never ran");
	/* 3. after the handler, the restarted read sleeps again */
	ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_read, ra.pipe[0], 10000))
		TH_LOG("%s", cgtest_err());
	/* 4. and returns with data */
	ASSERT_EQ(1, write(ra.pipe[1], "x", 1));
	ASSERT_EQ(0, cgtest_reap(pid)) TH_LOG("%s", cgtest_err());

	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	/*
	 * The moving read, the interrupted return (-ERESTARTSYS: not an
	 * error, user space never sees it) and the restarted return.
	 * rt_sigreturn is not checked: at its exit orig_ax is -1.
	 */
	EXPECT_SYSCALL(cg, X64, SYS_read, 3, 0, 0, 0, 1);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(0, cg->totals.errors);
	EXPECT_EQ(1, cg->totals.interrupted);
	expect_errnos(_metadata, cg, 0);
	kabistat_cgroup_free(cg);
	close(ra.pipe[0]);
	close(ra.pipe[1]);
}

/*
 * A handler's return is one rt_sigreturn call, and the number -1 that its
 * sys_exit reports (the restored context's orig_ax) is no call at all.
 */
TEST_F(counting, signal_handler_returns_count_rt_sigreturn_and_no_number_minus_1)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], prep_signals, wl_signals, NULL);
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(cg, X64, SYS_kill, SIGNALS, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_rt_sigreturn, SIGNALS, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_counters(_metadata, "out_of_range[x86_64]",
			&cg->out_of_range[X64], 0, 0, 0, 0, 0);
	EXPECT_TOTALS(cg, 2 * SIGNALS + 2, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, nested_cgroup_calls_are_attributed_to_the_leaf_only)
{
	struct cgtest *a = &self->cg[0], *b;
	struct kabistat_cgroup *cg;
	int err;

	b = new_cg(_metadata, self, a, "leaf");
	RUN_WORKLOAD(b, NULL, wl_getppid, (void *)100L);

	cg = read_cg(_metadata, self->ks, b->id);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 100, 0, 0, 0, 0);
	EXPECT_TOTALS(cg, 102, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);

	/* the parent ran nothing: untracked, or tracked with no counts */
	cg = NULL;
	err = kabistat_get_cgroup(self->ks, a->id, &cg);
	if (err == -ENOENT)
		return;
	ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(0, cg->totals.calls);
	EXPECT_EQ(0, cg->nr_stats);
	kabistat_cgroup_free(cg);
}

TEST_F(counting, moved_process_counts_in_each_cgroup_while_there)
{
	struct cgtest *x = &self->cg[0], *y;
	struct kabistat_cgroup *cg;
	struct move_arg ma;
	pid_t pid;

	y = new_cg(_metadata, self, NULL, "moved-to");
	ASSERT_EQ(0, pipe(ma.pipe));
	ASSERT_EQ(0, cgtest_spawn(x, NULL, wl_move, &ma, &pid))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_read, ma.pipe[0], 10000))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_move(y, pid)) TH_LOG("%s", cgtest_err());
	ASSERT_EQ(1, write(ma.pipe[1], "m", 1));
	ASSERT_EQ(0, cgtest_reap(pid)) TH_LOG("%s", cgtest_err());

	/* X: moving read, 100 getppid; the second read returned in Y */
	cg = read_cg(_metadata, self->ks, x->id);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 100, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_FALSE(has_stat(cg, X64, SYS_exit_group));
	EXPECT_TOTALS(cg, 101, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);

	cg = read_cg(_metadata, self->ks, y->id);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 50, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_TOTALS(cg, 52, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
	close(ma.pipe[0]);
	close(ma.pipe[1]);
}

TEST_F(counting, removed_cgroup_keeps_its_counts_as_released)
{
	struct kabistat_cgroup *live, *gone = NULL;
	uint64_t id = self->cg[0].id;
	int i;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)42L);
	live = read_cg(_metadata, self->ks, id);
	EXPECT_EQ(KABISTAT_CGROUP_LIVE, live->state);
	EXPECT_SYSCALL(live, X64, SYS_getppid, 42, 0, 0, 0, 0);

	ASSERT_EQ(0, cgtest_remove(&self->cg[0])) TH_LOG("%s", cgtest_err());
	/* the module may learn of the removal asynchronously (release) */
	for (i = 0; i < 1000; i++) {
		gone = read_cg(_metadata, self->ks, id);
		if (gone->state == KABISTAT_CGROUP_RELEASED)
			break;
		kabistat_cgroup_free(gone);
		gone = NULL;
		usleep(10000);
	}
	ASSERT_NE(NULL, gone) TH_LOG("not marked released after 10 s");
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, gone->state);
	EXPECT_SYSCALL(gone, X64, SYS_getppid, 42, 0, 0, 0, 0);
	EXPECT_TOTALS(gone, 44, 0, 0, 0, 0);
	EXPECT_EQ(live->nr_stats, gone->nr_stats);
	EXPECT_EQ(live->totals.calls, gone->totals.calls);
	EXPECT_EQ(live->generation, gone->generation);
	kabistat_cgroup_free(live);
	kabistat_cgroup_free(gone);
}

TEST_F_TIMEOUT(counting, counter_never_decreases_under_concurrent_calls, 120)
{
	uint64_t first, prev, cur;
	struct kabistat_cgroup *cg;
	pid_t pid;
	int i;

	ASSERT_EQ(0, cgtest_spawn(&self->cg[0], NULL, wl_hammer, NULL, &pid))
		TH_LOG("%s", cgtest_err());
	/* wait for the first getppid to be counted (the entry may not exist) */
	for (prev = 0, i = 0; i < 1000 && !prev; i++) {
		int err = kabistat_get_cgroup(self->ks, self->cg[0].id, &cg);

		ASSERT_TRUE(!err || err == -ENOENT)
			TH_LOG("%s", kabistat_errmsg(self->ks));
		if (!err) {
			prev = counters_of(cg, X64, SYS_getppid)->calls;
			kabistat_cgroup_free(cg);
		}
		if (!prev)
			usleep(10000);
	}
	first = prev;
	EXPECT_NE(0, first) TH_LOG("no getppid counted after 10 s");
	for (i = 0; i < 200; i++) {
		cg = read_cg(_metadata, self->ks, self->cg[0].id);
		cur = counters_of(cg, X64, SYS_getppid)->calls;
		kabistat_cgroup_free(cg);
		ASSERT_GE(cur, prev) TH_LOG("read %d went down", i);
		prev = cur;
	}
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, cgtest_reap(pid));
	/* the workload really ran between the reads */
	EXPECT_GT(prev, first);
}

TEST_F(counting, reset_zeroes_counts_and_changes_generation)
{
	struct kabistat_cgroup *before, *after, *again;
	size_t i;
	int e;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)100L);
	before = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(before, X64, SYS_getppid, 100, 0, 0, 0, 0);
	EXPECT_TOTALS(before, 102, 0, 0, 0, 0);

	ASSERT_EQ(0, kabistat_reset(self->ks, self->cg[0].id))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	after = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_NE(before->generation, after->generation);
	EXPECT_TOTALS(after, 0, 0, 0, 0, 0);
	for (i = 0; i < after->nr_stats; i++)
		EXPECT_EQ(0, after->stats[i].c.calls)
			TH_LOG("abi %u nr %u", after->stats[i].abi,
			       after->stats[i].nr);
	for (e = 0; e < KABISTAT_MAX_ABIS; e++)
		EXPECT_EQ(0, after->per_abi[e].calls + after->out_of_range[e].calls);
	expect_errnos(_metadata, after, 0);

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)10L);
	again = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(again, X64, SYS_getppid, 10, 0, 0, 0, 0);
	EXPECT_SYSCALL(again, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(again, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_TOTALS(again, 12, 0, 0, 0, 0);
	EXPECT_EQ(after->generation, again->generation);
	kabistat_cgroup_free(before);
	kabistat_cgroup_free(after);
	kabistat_cgroup_free(again);
}

static int sum_calls(const struct kabistat_cgroup *cg, void *arg)
{
	*(uint64_t *)arg += cg->totals.calls;
	return 0;
}

static uint64_t observed_now(struct __test_metadata *_metadata,
			     struct kabistat *ks, int *counting)
{
	struct kabistat_kernel_abi *abi;
	uint64_t observed;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi))
		TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_TRUE(abi->has_observed) TH_LOG("GET_ABI as root without observed");
	observed = abi->observed;
	if (counting)
		*counting = abi->counting;
	kabistat_abi_free(abi);
	return observed;
}

static uint64_t dump_sum(struct __test_metadata *_metadata,
			 struct kabistat *ks)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };
	uint64_t sum = 0;

	ASSERT_EQ(0, kabistat_dump(ks, &opts, sum_calls, &sum))
		TH_LOG("%s", kabistat_errmsg(ks));
	return sum;
}

/*
 * live + released + evicted + overflow (+ out of range, which each entry's
 * totals include) = observed - reset.
 *
 * The system keeps making syscalls while we read (this process's own
 * netlink traffic at the least), and a dump is not one atomic snapshot.
 * But every counter only grows, and an event is added to "observed" and to
 * its cgroup in the same probe.  So with O1 read before the dump and O2
 * after it: every event in O1 was already in its cgroup when that cgroup's
 * message was built (sum >= O1), and every event summed was already in
 * "observed" when O2 was read (sum <= O2).  Equality is checked exactly in
 * conservation_is_exact_while_counting_is_off.
 */
TEST_F(counting, dump_sum_is_bracketed_by_observed)
{
	uint64_t o1, o2, sum;
	int round;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)100L);
	for (round = 0; round < 2; round++) {
		o1 = observed_now(_metadata, self->ks, NULL);
		sum = dump_sum(_metadata, self->ks);
		o2 = observed_now(_metadata, self->ks, NULL);
		EXPECT_LE(o1, sum) TH_LOG("round %d: events missing", round);
		EXPECT_GE(o2, sum) TH_LOG("round %d: events counted twice",
					  round);
		EXPECT_LE(o1, o2);
	}
}

/*
 * Counting off detaches the counting probe and on attaches it again: the
 * calls made in between are not counted, those after are, exactly.
 */
TEST_F(counting, counting_turned_back_on_counts_exactly_again)
{
	struct kabistat_settings set = {
		.sz = sizeof(set), .counting = 0,
		.mask = KABISTAT_SET_COUNTING,
	};
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)100L);
	ASSERT_EQ(0, kabistat_set(self->ks, &set))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	self->counting_off = true;
	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)10L);
	set.counting = 1;
	ASSERT_EQ(0, kabistat_set(self->ks, &set))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	self->counting_off = false;
	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)50L);

	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 150, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

/*
 * With counting off nothing moves, so the invariant must hold with
 * equality.  Kept last: it turns counting off (the teardown turns it back
 * on even when an assertion fails).
 */
TEST_F(counting, conservation_is_exact_while_counting_is_off)
{
	struct kabistat_settings off = {
		.sz = sizeof(off), .counting = 0, .mask = KABISTAT_SET_COUNTING,
	};
	uint64_t o1, o2, sum;
	int counting = 1;

	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)100L);
	ASSERT_EQ(0, kabistat_set(self->ks, &off))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	self->counting_off = true;

	o1 = observed_now(_metadata, self->ks, &counting);
	EXPECT_EQ(0, counting);
	sum = dump_sum(_metadata, self->ks);
	o2 = observed_now(_metadata, self->ks, NULL);
	EXPECT_EQ(o1, o2) TH_LOG("observed moved while counting was off");
	EXPECT_EQ(o1, sum);

	/* and workloads are not counted meanwhile */
	RUN_WORKLOAD(&self->cg[0], NULL, wl_getppid, (void *)10L);
	EXPECT_EQ(o1, observed_now(_metadata, self->ks, NULL));
}

TEST_HARNESS_MAIN
