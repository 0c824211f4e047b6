// SPDX-License-Identifier: GPL-2.0
/*
 * Exec and vfork, counted as SPEC.md says, exactly:
 * - execve and execveat are counted when they enter, in the caller's ABI;
 *   a successful one's return (in the new image) is not counted again, a
 *   failed one's error is;
 * - vfork is counted once, in the parent; the child's 0-return is not a
 *   call.
 * (An exec into a 32-bit image and a failed execve are counting.c's.)
 *
 * The 64-bit image run is bin/wl_x64: 7 getppid, then exit_group(0), and
 * nothing else.  Every cgroup also holds the moving read and the final
 * exit_group (cgtest.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
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

#define X64	KABISTAT_ABI_X86_64

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH	0x1000
#endif

#define NO_SUCH_PROGRAM	"/nonexistent-kabistat"

struct exec_arg {
	char path[PATH_MAX];	/* bin/wl_x64 */
	char name[64];		/* its name in its directory */
	int dirfd;		/* its directory */
	int fd;			/* the program itself */
};

static char *const empty_env[] = { NULL };

/* ------------------------------------------------------------------ */
/* Workloads: after the moving read returns, raw syscalls only         */

static int wl_execve(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { ea->path, NULL };

	syscall(SYS_execve, ea->path, argv, empty_env);
	return 10;
}

static int wl_execveat_dirfd(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { ea->name, NULL };

	syscall(SYS_execveat, ea->dirfd, ea->name, argv, empty_env, 0);
	return 10;
}

static int wl_execveat_fd(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { ea->name, NULL };

	syscall(SYS_execveat, ea->fd, "", argv, empty_env, AT_EMPTY_PATH);
	return 10;
}

/* Failing execveats: 4 ENOENT, 3 EINVAL (an unknown flag), then success. */
static int wl_execveat_fail_then_run(void *arg)
{
	struct exec_arg *ea = arg;
	char *const argv[] = { ea->name, NULL };
	int i;

	for (i = 0; i < 4; i++)
		if (syscall(SYS_execveat, AT_FDCWD, NO_SUCH_PROGRAM, argv,
			    empty_env, 0) != -1 || errno != ENOENT)
			return 10;
	for (i = 0; i < 3; i++)
		if (syscall(SYS_execveat, ea->dirfd, ea->name, argv, empty_env,
			    0x80000000) != -1 || errno != EINVAL)
			return 11;
	syscall(SYS_execveat, ea->dirfd, ea->name, argv, empty_env, 0);
	return 12;
}

/*
 * vfork and, in the child, exit_group(0) at once: the child borrows the
 * parent's stack, so nothing between the two may touch memory.
 */
static long vfork_and_exit(void)
{
	long ret;

	__asm__ volatile ("syscall\n\t"
			  "testq %%rax, %%rax\n\t"
			  "jnz 1f\n\t"
			  "movl %[exit_group], %%eax\n\t"
			  "xorl %%edi, %%edi\n\t"
			  "syscall\n\t"
			  "hlt\n"
			  "1:"
			  : "=a" (ret)
			  : "a" ((long)SYS_vfork),
			    [exit_group] "i" (SYS_exit_group)
			  : "rcx", "r11", "rdi", "memory", "cc");
	return ret;
}

static int prep_sigchld_default(void *arg)
{
	(void)arg;
	/* wait4 must see its children: SIGCHLD must not be SIG_IGN */
	return signal(SIGCHLD, SIG_DFL) == SIG_ERR ? 20 : 0;
}

static int wl_vfork(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 6; i++)
		if (vfork_and_exit() <= 0)
			return 10;
	for (i = 0; i < 6; i++)
		if (syscall(SYS_wait4, -1, NULL, 0, NULL) <= 0)
			return 11;
	return 0;
}

/* ------------------------------------------------------------------ */

FIXTURE(exec) {
	struct kabistat *ks;
	struct cgtest cg;
	struct exec_arg ea;
};

FIXTURE_SETUP(exec)
{
	char msg[KABISTAT_ERRMSG_LEN], dir[PATH_MAX];

	self->cg.dfd = -1;
	self->ea.dirfd = -1;
	self->ea.fd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "spec-exec"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_helper_path("wl_x64", self->ea.path,
					sizeof(self->ea.path)))
		TH_LOG("%s", cgtest_err());
	snprintf(self->ea.name, sizeof(self->ea.name), "%s",
		 strrchr(self->ea.path, '/') + 1);
	snprintf(dir, sizeof(dir), "%s", self->ea.path);
	self->ea.dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, self->ea.dirfd) TH_LOG("%s: %s", dir, strerror(errno));
	self->ea.fd = open(self->ea.path, O_RDONLY);
	ASSERT_LE(0, self->ea.fd) TH_LOG("%s: %s", self->ea.path,
					 strerror(errno));
}

FIXTURE_TEARDOWN(exec)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	if (self->ea.dirfd >= 0)
		close(self->ea.dirfd);
	if (self->ea.fd >= 0)
		close(self->ea.fd);
	kabistat_close(self->ks);
}

#define RUN_WORKLOAD(prep, fn) \
	ASSERT_EQ(0, cgtest_run(&self->cg, prep, fn, &self->ea)) \
		TH_LOG("%s", cgtest_err())

/*
 * What a successful exec of wl_x64 leaves: the exec (@nr) once, the
 * image's 7 getppid and its exit_group, and the moving read; the caller's
 * own exit_group never ran.
 */
static void expect_exec_of_wl_x64(struct __test_metadata *_metadata,
				  const struct kabistat_cgroup *cg, long nr)
{
	EXPECT_SYSCALL(cg, X64, nr, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 7, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 0);
	EXPECT_TOTALS(cg, 10, 0, 0, 0, 0);
}

TEST_F(exec, execve_of_a_64bit_image_counts_once_at_entry)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(NULL, wl_execve);
	cg = read_cg(_metadata, self->ks, self->cg.id);
	expect_exec_of_wl_x64(_metadata, cg, SYS_execve);
	kabistat_cgroup_free(cg);
}

TEST_F(exec, execveat_by_directory_and_name_counts_once_at_entry)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(NULL, wl_execveat_dirfd);
	cg = read_cg(_metadata, self->ks, self->cg.id);
	expect_exec_of_wl_x64(_metadata, cg, SYS_execveat);
	EXPECT_FALSE(has_stat(cg, X64, SYS_execve));
	kabistat_cgroup_free(cg);
}

TEST_F(exec, execveat_of_an_fd_counts_once_at_entry)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(NULL, wl_execveat_fd);
	cg = read_cg(_metadata, self->ks, self->cg.id);
	expect_exec_of_wl_x64(_metadata, cg, SYS_execveat);
	kabistat_cgroup_free(cg);
}

TEST_F(exec, failed_execveats_count_calls_and_errors_then_one_succeeds)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(NULL, wl_execveat_fail_then_run);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	/* 7 failed (4 ENOENT, 3 EINVAL) and the successful one */
	EXPECT_SYSCALL(cg, X64, SYS_execveat, 8, 7, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_getppid, 7, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 2, ENOENT, (uint64_t)4,
		      EINVAL, (uint64_t)3);
	EXPECT_TOTALS(cg, 17, 7, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_F(exec, vfork_counts_once_in_the_parent_not_the_child_return)
{
	struct kabistat_cgroup *cg;

	RUN_WORKLOAD(prep_sigchld_default, wl_vfork);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	EXPECT_SYSCALL(cg, X64, SYS_vfork, 6, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_wait4, 6, 0, 0, 0, 0);
	/* the 6 children's and the workload's own */
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 7, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 0);
	EXPECT_TOTALS(cg, 20, 0, 0, 0, 0);
	kabistat_cgroup_free(cg);
}

TEST_HARNESS_MAIN
