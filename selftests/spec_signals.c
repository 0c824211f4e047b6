// SPDX-License-Identifier: GPL-2.0
/*
 * Calls a signal interrupts end with a kernel-internal restart code, which
 * SPEC.md counts as "interrupted", never as an error nor in the errno
 * histogram; a restarted call counts again when it returns:
 * - nanosleep stopped by SIGSTOP and continued by SIGCONT returns
 *   -ERESTART_RESTARTBLOCK, and the kernel restarts it as restart_syscall;
 * - pause interrupted by a signal with a handler returns -ERESTARTNOHAND,
 *   which user space sees as EINTR, after the handler's rt_sigreturn;
 * - pause stopped and continued returns -ERESTARTNOHAND and, with no
 *   handler run, is restarted as pause itself.
 * (-ERESTARTSYS of an SA_RESTART read is counting.c's.)
 *
 * Every cgroup also holds the moving read and the final exit_group
 * (cgtest.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"

#define X64	KABISTAT_ABI_X86_64

/* Shared with the child: how far it got. */
struct sig_state {
	volatile sig_atomic_t handled;
	volatile long ret;		/* what the interrupted call returned */
	volatile int err;
};

static struct sig_state *state;

/* 1.5 s: long enough to be stopped and continued inside */
static const struct timespec long_sleep = { 1, 500000000 };

static int wl_nanosleep(void *arg)
{
	(void)arg;
	state->ret = syscall(SYS_nanosleep, &long_sleep, NULL);
	return state->ret ? 10 : 0;
}

static void on_sigusr1(int sig)
{
	(void)sig;
	state->handled = 1;
}

static int prep_handler(void *arg)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	(void)arg;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) ? 20 : 0;
}

static int wl_pause(void *arg)
{
	(void)arg;
	/* arg0 0, as the parent looks for it in /proc/PID/syscall */
	state->ret = syscall(SYS_pause, 0L);
	state->err = errno;
	return state->ret == -1 && state->err == EINTR && state->handled ?
	       0 : 10;
}

/* The task's state letter in /proc/PID/stat, or 0. */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static int wait_state(pid_t pid, char want)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (task_state(pid) == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* ------------------------------------------------------------------ */

FIXTURE(signals) {
	struct kabistat *ks;
	struct cgtest cg;
};

FIXTURE_SETUP(signals)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->cg.dfd = -1;
	state = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, state);
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "spec-signals"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(signals)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(self->ks);
	munmap(state, 4096);
}

/* Stop @pid, see it stopped, and continue it. */
static void stop_and_continue(struct __test_metadata *_metadata, pid_t pid)
{
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(0, wait_state(pid, 'T')) TH_LOG("%d never stopped", pid);
	ASSERT_EQ(0, kill(pid, SIGCONT));
}

TEST_F(signals, nanosleep_stopped_and_continued_is_interrupted_then_restarted)
{
	struct kabistat_cgroup *cg;
	pid_t pid;

	ASSERT_EQ(0, cgtest_spawn(&self->cg, NULL, wl_nanosleep, NULL, &pid))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_nanosleep,
					 (long)&long_sleep, 10000))
		TH_LOG("%s", cgtest_err());
	stop_and_continue(_metadata, pid);
	ASSERT_EQ(0, cgtest_reap(pid))
		TH_LOG("nanosleep returned %ld", state->ret);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	/* -ERESTART_RESTARTBLOCK: interrupted, not an error */
	EXPECT_SYSCALL(cg, X64, SYS_nanosleep, 1, 0, 0, 0, 1);
	/* how the kernel resumed it, returning 0 */
	EXPECT_SYSCALL(cg, X64, SYS_restart_syscall, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 0);
	EXPECT_TOTALS(cg, 4, 0, 0, 0, 1);
	kabistat_cgroup_free(cg);
}

/*
 * pause, first stopped and continued @stops times (each a return of
 * -ERESTARTNOHAND and a restart as pause), then ended by SIGUSR1, whose
 * handler runs: one more -ERESTARTNOHAND, which user space sees as EINTR,
 * and the handler's rt_sigreturn, counted when it entered.
 */
static void check_pause(struct __test_metadata *_metadata,
			FIXTURE_DATA(signals) *self, int stops)
{
	struct kabistat_cgroup *cg;
	pid_t pid;
	int i;

	ASSERT_EQ(0, cgtest_spawn(&self->cg, prep_handler, wl_pause, NULL,
				  &pid)) TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_pause, 0, 10000))
		TH_LOG("%s", cgtest_err());
	for (i = 0; i < stops; i++) {
		stop_and_continue(_metadata, pid);
		/* asleep in pause again: the restarted call */
		ASSERT_EQ(0, wait_state(pid, 'S'))
			TH_LOG("%d never slept again", pid);
		ASSERT_EQ(0, cgtest_wait_blocked(pid, SYS_pause, 0, 10000))
			TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, cgtest_reap(pid))
		TH_LOG("pause returned %ld, errno %d, handled %d", state->ret,
		       state->err, state->handled);
	cg = read_cg(_metadata, self->ks, self->cg.id);

	/* not errors, not in the errno histogram: interrupted */
	EXPECT_SYSCALL(cg, X64, SYS_pause, stops + 1, 0, 0, 0, stops + 1);
	EXPECT_SYSCALL(cg, X64, SYS_rt_sigreturn, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_read, 1, 0, 0, 0, 0);
	EXPECT_SYSCALL(cg, X64, SYS_exit_group, 1, 0, 0, 0, 0);
	EXPECT_EQ(4, cg->nr_stats);
	expect_errnos(_metadata, cg, 0);
	EXPECT_TOTALS(cg, stops + 4, 0, 0, 0, stops + 1);
	kabistat_cgroup_free(cg);
}

TEST_F(signals, pause_ended_by_a_handled_signal_is_interrupted_not_eintr)
{
	check_pause(_metadata, self, 0);
}

TEST_F(signals, pause_stopped_and_continued_is_restarted_as_pause)
{
	check_pause(_metadata, self, 2);
}

TEST_HARNESS_MAIN
