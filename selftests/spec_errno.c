// SPDX-License-Identifier: GPL-2.0
/*
 * How a syscall's end is classified, as SPEC.md says, exactly:
 * - EACCES counts as denied (with EPERM), both from the kernel's own
 *   permission check and from a seccomp filter;
 * - errno values above KABISTAT_ERRNO_MAX (133) go to the histogram's
 *   "other" bucket (value 0), 133 itself to its own;
 * - an out-of-range number made through int $0x80 counts in ia32's
 *   out-of-range counters, from 64-bit code and from a 32-bit binary;
 * - a call SECCOMP_RET_KILL_* refuses counts at most once, as the kernel
 *   lets it return or not (see above the kill tests), and nothing of the
 *   killed task counts after it.
 *
 * Every cgroup also holds the moving read and the final exit_group
 * (cgtest.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <seccomp.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"

#define X64	KABISTAT_ABI_X86_64
#define IA32	KABISTAT_ABI_IA32

/* ia32 numbers are a frozen ABI (arch/x86/entry/syscalls/syscall_32.tbl). */
#define IA32_NR_EXIT_GROUP	252

#define NO_EXEC_FILE	"/tmp/kabistat-spec-errno-noexec"

/* ------------------------------------------------------------------ */
/* Workloads: after the moving read returns, raw syscalls only         */

/* access(X_OK) of a file without any execute bit: EACCES even for root */
static int wl_access_noexec(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 30; i++)
		if (syscall(SYS_access, NO_EXEC_FILE, X_OK) != -1 ||
		    errno != EACCES)
			return 10;
	return 0;
}

/* Filter rules: each syscall answered with its own errno. */
struct errno_rule {
	int nr;
	int err;
	int times;
};

static const struct errno_rule errno_rules[] = {
	{ SYS_getuid, EACCES, 20 },
	{ SYS_getgid, KABISTAT_ERRNO_MAX, 11 },		/* the last bucket */
	{ SYS_geteuid, KABISTAT_ERRNO_MAX + 1, 7 },	/* the first "other" */
	{ SYS_getegid, 4094, 5 },	/* libseccomp refuses 4095 */
};

#define NR_ERRNO_RULES	(sizeof(errno_rules) / sizeof(errno_rules[0]))

static int prep_errno_filter(void *arg)
{
	scmp_filter_ctx ctx;
	size_t i;

	(void)arg;
	/* Installed before the move: its own syscalls stay out of the counts. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 20;
	for (i = 0; i < NR_ERRNO_RULES; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(errno_rules[i].err),
				     errno_rules[i].nr, 0))
			return 21;
	if (seccomp_load(ctx))
		return 22;
	seccomp_release(ctx);
	return 0;
}

static int wl_errno_filter(void *arg)
{
	size_t i;
	int n;

	(void)arg;
	for (i = 0; i < NR_ERRNO_RULES; i++)
		for (n = 0; n < errno_rules[i].times; n++)
			if (syscall(errno_rules[i].nr) != -1 ||
			    errno != errno_rules[i].err)
				return 10 + i;
	return 0;
}

static int wl_int80_out_of_range(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 7; i++)
		if ((int)test_int80(100000, 0) != -ENOSYS)
			return 10;
	for (i = 0; i < 3; i++)
		if ((int)test_int80(0xffffffffL, 0) != -ENOSYS)
			return 11;
	return 0;
}

static char *const empty_env[] = { NULL };

static int wl_exec(void *arg)
{
	char *const argv[] = { arg, NULL };

	syscall(SYS_execve, arg, argv, empty_env);
	return 10;	/* the exec failed */
}

/* SECCOMP_RET_KILL_*: which action, and whether a second thread lives */
struct kill_arg {
	uint32_t action;
	int go[2];		/* wakes the second thread */
	int done[2];		/* wakes the main thread once it is gone */
	volatile int ctid;	/* the second thread's tid, 0 once it exited */
	char *stack;
};

static int kill_filter(uint32_t action)
{
	scmp_filter_ctx ctx;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 20;
	if (seccomp_rule_add(ctx, action, SCMP_SYS(getppid), 0))
		return 21;
	if (seccomp_load(ctx))
		return 22;
	seccomp_release(ctx);
	return 0;
}

static int prep_kill(void *arg)
{
	struct kill_arg *ka = arg;

	return kill_filter(ka->action);
}

static int wl_kill(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);	/* killed here */
	syscall(SYS_getppid);
	return 10;
}

/* The second thread: woken after the move, then killed in getppid. */
static int kill_thread(void *arg)
{
	struct kill_arg *ka = arg;
	char c;

	syscall(SYS_read, ka->go[0], &c, 1);
	syscall(SYS_getppid);	/* killed here */
	syscall(SYS_getppid);
	syscall(SYS_exit, 10);
	return 0;
}

static int prep_kill_thread(void *arg)
{
	struct kill_arg *ka = arg;
	int err;

	err = kill_filter(ka->action);
	if (err)
		return err;
	/* a bare thread that makes raw syscalls only; cleared tid at exit */
	if (clone(kill_thread, ka->stack + 65536,
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		  CLONE_CHILD_CLEARTID, ka, &ka->ctid, NULL, &ka->ctid) < 0)
		return 23;
	return 0;
}

static int wl_kill_thread(void *arg)
{
	struct kill_arg *ka = arg;
	char c;

	if (syscall(SYS_write, ka->go[1], "g", 1) != 1)
		return 10;
	/* the parent writes once only this thread is left */
	if (syscall(SYS_read, ka->done[0], &c, 1) != 1)
		return 11;
	return ka->ctid ? 12 : 0;
}

/* ------------------------------------------------------------------ */

FIXTURE(spec) {
	struct kabistat *ks;
	struct kabistat_kernel_abi *abi;
	struct cgtest cg;
};

FIXTURE_SETUP(spec)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->cg.dfd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &self->abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "spec-errno"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(spec)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	unlink(NO_EXEC_FILE);
	kabistat_abi_free(self->abi);
	kabistat_close(self->ks);
}

#define RUN_WORKLOAD(prep, fn, arg) \
	ASSERT_EQ(0, cgtest_run(&self->cg, prep, fn, arg)) \
		TH_LOG("%s", cgtest_err())

TEST_F(spec, eacces_from_a_permission_check_counts_as_denied)
{
	struct kabistat_cgroup *cg;
	int fd;

	fd = open(NO_EXEC_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", NO_EXEC_FILE, strerror(errno));
	close(fd);
	RUN_WORKLOAD(NULL, wl_access_noexec, NULL);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	EXPECT_SYSCALL(cg, X64, SYS_access, 30, 30, 0, 30, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(3, cg->nr_stats);
	expect_errnos(_metadata, cg, 1, EACCES, (uint64_t)30);
	EXPECT_TOTALS(cg, 32, 30, 0, 30, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(spec, seccomp_errnos_eacces_is_denied_and_above_133_is_other)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(prep_errno_filter, wl_errno_filter, NULL);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	EXPECT_SYSCALL(cg, X64, SYS_getuid, 20, 20, 0, 20, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getgid, 11, 11, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_geteuid, 7, 7, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getegid, 5, 5, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(6, cg->nr_stats);
	/* 134 and 4094 share the "other" bucket, value 0 */
	expect_errnos(_metadata, cg, 3, EACCES, (uint64_t)20,
		      KABISTAT_ERRNO_MAX, (uint64_t)11, 0, (uint64_t)12);
	EXPECT_TOTALS(cg, 45, 43, 0, 20, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(spec, int80_out_of_range_from_64bit_code_counts_in_ia32)
{
	struct kabistat_cgroup *cg;

	if (!self->abi->tables[IA32].present)
		SKIP(return, "the kernel offers no ia32 ABI");
	RUN_WORKLOAD(NULL, wl_int80_out_of_range, NULL);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	/* int $0x80 with 100000 x7 and with -1 x3 */
	expect_counters(_metadata, "out_of_range[ia32]",
			&cg->out_of_range[IA32], 10, 10, 10, 0, 0);
	EXPECT_EQ(0, cg->out_of_range[X64].calls);
	EXPECT_EQ(10, cg->per_abi[IA32].calls);
	EXPECT_EQ(2, cg->per_abi[X64].calls);	/* read, exit_group */
	EXPECT_EQ(2, cg->nr_stats);		/* no entry for them */
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	expect_errnos(_metadata, cg, 1, ENOSYS, (uint64_t)10);
	EXPECT_TOTALS(cg, 12, 10, 10, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(spec, int80_out_of_range_from_a_32bit_binary_counts_in_ia32)
{
	struct kabistat_cgroup *cg;
	char path[PATH_MAX];

	if (!self->abi->tables[IA32].present)
		SKIP(return, "the kernel offers no ia32 ABI");
	ASSERT_EQ(0, cgtest_helper_path("wl_ia32_oor", path, sizeof(path)))
		TH_LOG("%s", cgtest_err());
	/* wl_ia32_oor: 100000 x7 and -1 x3, then ia32 exit_group(0) */
	RUN_WORKLOAD(NULL, wl_exec, path);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	expect_counters(_metadata, "out_of_range[ia32]",
			&cg->out_of_range[IA32], 10, 10, 10, 0, 0);
	EXPECT_EQ(0, cg->out_of_range[X64].calls);
	EXPECT_SYSCALL(cg, IA32, IA32_NR_EXIT_GROUP, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_execve, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_EQ(3, cg->nr_stats);
	EXPECT_EQ(11, cg->per_abi[IA32].calls);
	EXPECT_EQ(2, cg->per_abi[X64].calls);
	expect_errnos(_metadata, cg, 1, ENOSYS, (uint64_t)10);
	EXPECT_TOTALS(cg, 13, 10, 10, 0, 0);
	kabistat_cgroup_free(cg);
}

/*
 * A call SECCOMP_RET_KILL_* refuses never reaches sys_enter.  When the
 * whole process dies (KILL_PROCESS, or KILL_THREAD of its last thread),
 * kernels since 5.15 roll the registers back and deliver SIGSYS on the
 * way out, so sys_exit fires once with the call's number and that number
 * as return value: one call, no error.  5.10 ends the process inside the
 * filter (do_group_exit()): no tracepoint fires, nothing is counted.
 * Either way nothing of the dying task counts after the call.
 */
static bool kill_returns_through_sys_exit(void)
{
	return cgtest_kernel_at_least(5, 15);
}

static void check_killed_process(struct __test_metadata *_metadata,
				 FIXTURE_DATA(spec) *self, uint32_t action)
{
	struct kill_arg ka = { .action = action };
	uint64_t once = kill_returns_through_sys_exit();
	struct kabistat_cgroup *cg;

	ASSERT_EQ(128 + SIGSYS, cgtest_run(&self->cg, prep_kill, wl_kill, &ka))
		TH_LOG("%s", cgtest_err());
	cg = read_cg(_metadata, self->ks, self->cg.id);

	EXPECT_SYSCALL(cg, X64, SYS_getppid, once, 0, 0, 0, 0);
	EXPECT_EQ(once, has_stat(cg, X64, SYS_getppid));
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_FALSE(has_stat(cg, X64, SYS_exit_group));
	EXPECT_EQ(1 + once, cg->nr_stats);
	expect_errnos(_metadata, cg, 0);
	EXPECT_TOTALS(cg, 1 + once, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(spec, seccomp_kill_process_counts_the_call_at_most_once_and_nothing_after)
{
	check_killed_process(_metadata, self, SCMP_ACT_KILL_PROCESS);
}

TEST_F(spec, seccomp_kill_thread_of_the_last_thread_counts_as_kill_process)
{
	check_killed_process(_metadata, self, SCMP_ACT_KILL_THREAD);
}

/*
 * KILL_THREAD of one thread among others: the kernel ends that thread at
 * once (do_exit), and no syscall tracepoint fires: the call is not
 * counted, and nothing else of that thread either.
 */
TEST_F(spec, seccomp_kill_thread_among_others_counts_nothing_of_it)
{
	struct kill_arg ka = { .action = SCMP_ACT_KILL_THREAD };
	struct kabistat_cgroup *cg;
	char path[64];
	pid_t pid;
	int i, n = 0;

	ka.stack = malloc(65536);
	ASSERT_NE(NULL, ka.stack);
	ASSERT_EQ(0, pipe(ka.go));
	ASSERT_EQ(0, pipe(ka.done));
	ASSERT_EQ(0, cgtest_spawn(&self->cg, prep_kill_thread, wl_kill_thread,
				  &ka, &pid)) TH_LOG("%s", cgtest_err());
	/* the second thread is gone when the process has one task left */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (i = 0; i < 10000; i++) {
		char line[128];
		FILE *f = fopen(path, "r");

		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Threads: %d", &n) == 1)
				break;
		fclose(f);
		if (n == 1)
			break;
		usleep(1000);
	}
	ASSERT_EQ(1, n) TH_LOG("the second thread never died");
	ASSERT_EQ(1, write(ka.done[1], "d", 1));
	ASSERT_EQ(0, cgtest_reap(pid)) TH_LOG("%s", cgtest_err());
	cg = read_cg(_metadata, self->ks, self->cg.id);

	EXPECT_FALSE(has_stat(cg, X64, SYS_getppid));
	EXPECT_FALSE(has_stat(cg, X64, SYS_exit));
	/* the moving read, the thread's read, the main thread's second */
	EXPECT_SYSCALL(cg, X64, SYS_read, 3, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_write, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(3, cg->nr_stats);
	EXPECT_TOTALS(cg, 5, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
	free(ka.stack);
	close(ka.go[0]);
	close(ka.go[1]);
	close(ka.done[0]);
	close(ka.done[1]);
}

TEST_HARNESS_MAIN
