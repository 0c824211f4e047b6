/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reduced privileges for the selftests, with raw syscalls only (no
 * libcap): a forked child becomes uid/gid 65534 (or stays uid 0) and keeps
 * exactly the capabilities asked for, in its permitted and effective sets,
 * with empty inheritable and ambient sets.
 *
 * Children report through their exit code (0: as expected) and explain a
 * failure on stderr as a KTAP comment line, since the harness's ASSERTs
 * belong to the test's own process.
 */
#ifndef KABISTAT_PRIVDROP_H
#define KABISTAT_PRIVDROP_H

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON		38
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_CLEAR_ALL	4
#endif

#define PRIV_NOBODY		65534
#define PRIV_CAP(c)		(1ULL << (c))
#define PRIV_NONE		0ULL

static inline void priv_say(const char *fmt, ...)
{
	va_list ap;

	fputs("# child: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static inline int priv_capget(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

/*
 * Become @uid (and gid 65534 with no supplementary groups, unless @uid is
 * 0) keeping exactly the capabilities in @keep.  Return 0 or -errno.
 */
static inline int priv_drop(uid_t uid, uint64_t keep)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct d[2];
	uint64_t eff = 0, prm = 0;

	if (uid != 0) {
		if (setgroups(0, NULL) ||
		    setresgid(PRIV_NOBODY, PRIV_NOBODY, PRIV_NOBODY))
			return -errno;
		/* keep the permitted set across the change of uid */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
		    setresuid(uid, uid, uid))
			return -errno;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)keep;
	d[0].permitted = (uint32_t)keep;
	d[1].effective = (uint32_t)(keep >> 32);
	d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	if (priv_capget(&eff, &prm))
		return -EIO;
	if (eff != keep || prm != keep || geteuid() != uid || getuid() != uid)
		return -EPERM;
	return 0;
}

/* What a reduced child runs: 0 when everything was as expected. */
typedef int (*priv_fn)(void *arg);

/*
 * Fork, drop to (@uid, @keep) in the child and run @fn there.  Return the
 * child's exit code (0: pass), 100 when the drop itself failed, 128 + signal
 * when it was killed, or -errno.
 */
static inline int priv_run(uid_t uid, uint64_t keep, priv_fn fn, void *arg)
{
	int status, err;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		err = priv_drop(uid, keep);
		if (err) {
			priv_say("cannot drop to uid %u caps 0x%llx: %s",
				 (unsigned int)uid, (unsigned long long)keep,
				 strerror(-err));
			_exit(100);
		}
		err = fn(arg);
		fflush(NULL);
		_exit(err < 0 ? 101 : err > 99 ? 99 : err);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* In a child: report a mismatch and count it. */
#define PRIV_EXPECT(fails, cond, ...) do {				\
	if (!(cond)) {							\
		priv_say("line %d: %s is false", __LINE__, #cond);	\
		priv_say(__VA_ARGS__);					\
		(fails)++;						\
	}								\
} while (0)

#endif /* KABISTAT_PRIVDROP_H */
