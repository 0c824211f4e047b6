/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fresh cgroups and workloads with exactly known system calls, for the
 * counting selftests.
 *
 * How a workload's counts are made exact: the parent forks a child, which
 * runs @prep (libc allowed; still in the parent's cgroup) and then blocks in
 * read() on a pipe.  Once the parent sees the child asleep in that read
 * (/proc/PID/syscall), it writes the child's pid to the cgroup's
 * cgroup.procs and a byte to the pipe.  The read entered in the old cgroup
 * and returns in the new one, so it is counted there: "read" 1.  The child
 * then runs @fn, which must make raw syscall()s only, and ends with
 * syscall(SYS_exit_group, code), counted at entry: "exit_group" 1.
 *
 * So a cgroup that ran one workload holds exactly: the workload's own calls,
 * plus 1 read and 1 exit_group (x86_64).
 */
#ifndef KABISTAT_CGTEST_H
#define KABISTAT_CGTEST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifndef CGTEST_ROOT
#define CGTEST_ROOT	"/sys/fs/cgroup"
#endif

/* Everything a workload's cgroup adds besides the workload itself. */
#define CGTEST_OVERHEAD_CALLS	2	/* the moving read, the exit_group */

/* CLOCK_MONOTONIC in milliseconds, for the tests' deadlines. */
static inline int64_t cgtest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_BOOTTIME in nanoseconds, the module's timestamps' clock; 0 on error. */
static inline uint64_t cgtest_boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct cgtest {
	char path[PATH_MAX];	/* absolute path of the cgroup directory */
	int dfd;		/* O_DIRECTORY fd of it, -1 once removed */
	uint64_t id;		/* cgroup id (the kernfs file handle) */
	bool created;
};

/* The message of the last failed cgtest_* call. */
const char *cgtest_err(void);

/* The cgroup id of an open cgroup2 directory fd. */
int cgtest_id_of_fd(int fd, uint64_t *id);

/*
 * Create a new cgroup under @parent (NULL: the cgroup2 root) named after
 * @tag, the pid and a counter, and read its id.  Return 0 or -errno.
 */
int cgtest_create(struct cgtest *cg, const struct cgtest *parent,
		  const char *tag);

/*
 * Kill whatever is still inside (cgroup.kill), then rmdir.  Safe to call
 * twice and on a struct that was never created.
 */
int cgtest_remove(struct cgtest *cg);

/* Write @pid to the cgroup's cgroup.procs. */
int cgtest_move(const struct cgtest *cg, pid_t pid);

/* Move the calling process into the cgroup directory @dir (absolute). */
int cgtest_enter(const char *dir);

/*
 * The cgroup directory the test binary started in (absolute): where a test
 * that moved itself into its cgroups goes back to before removing them.
 * The VM runner starts each binary in a cgroup of its own, so that nothing
 * the binary started can outlive it; CGTEST_ROOT elsewhere.
 */
const char *cgtest_home(void);

/*
 * Wait until @pid sleeps inside syscall @nr whose first argument is @arg0
 * (as /proc/PID/syscall shows it).  Return 0, -ETIMEDOUT, or -ECHILD if the
 * child exited meanwhile (it is then reaped).
 */
int cgtest_wait_blocked(pid_t pid, long nr, long arg0, int timeout_ms);

/* A workload step; returns 0 or a small non-zero code naming what failed. */
typedef int (*cgtest_fn)(void *arg);

/*
 * Fork a child, let it run @prep (may be NULL) where it is, move it into
 * @cg as described above and let it run @fn.  On success *@pid is the
 * running child, which the caller must reap with cgtest_reap().
 */
int cgtest_spawn(const struct cgtest *cg, cgtest_fn prep, cgtest_fn fn,
		 void *arg, pid_t *pid);

/*
 * Reap @pid.  Return its exit code (0: the workload succeeded), 128 + signal
 * if it was killed, or -errno.
 */
int cgtest_reap(pid_t pid);

/* cgtest_spawn() then cgtest_reap(). */
int cgtest_run(const struct cgtest *cg, cgtest_fn prep, cgtest_fn fn,
	       void *arg);

/*
 * The path of a helper binary of the payload: <dir of this test>/../bin/NAME
 * (the VM runner's /opt/kabistat/bin).  Return 0, or -ENOENT if it is not
 * there.
 */
int cgtest_helper_path(const char *name, char *buf, size_t len);

/*
 * How many times slower than the 6.x kernels the guest's kernel runs the
 * tests (KABISTAT_TIMEOUT_SCALE, which the harness sets for the debug
 * kernel): budgets grow with it, and the heaviest loops shrink, saying so.
 */
int cgtest_slowdown(void);

/*
 * @full divided by cgtest_slowdown(), not under @min; when less than
 * @full, a comment line says so ("# N @what, not FULL: ...").
 */
int cgtest_scaled(int full, int min, const char *what);

/*
 * Whether the running kernel's release is @major.@minor or later: only for
 * what the kernel itself does differently (an expectation that follows the
 * kernel), never for what the module should do.
 */
bool cgtest_kernel_at_least(unsigned int major, unsigned int minor);

#endif /* KABISTAT_CGTEST_H */
