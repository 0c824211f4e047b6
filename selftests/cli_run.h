/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the kabistat CLI from the CLI selftests: its stdout and stderr
 * captured whole, its exit status, optionally as an unprivileged user or
 * under valgrind; and checks of what it printed.  Reloading the module
 * with test parameters is modctl.h's.
 */
#ifndef KABISTAT_CLI_RUN_H
#define KABISTAT_CLI_RUN_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgtest.h"

/* `kabistat export` of a cgroup with every syscall: over 500 KiB */
#define CLI_OUT_MAX	(2 * 1024 * 1024)

struct cli_result {
	int status;		/* exit code; 128 + signal when killed */
	char out[CLI_OUT_MAX];
	char err[8192];
};

/* Read what a child wrote into @fd (a file it shared), from the start. */
static inline void cli_slurp(int fd, char *buf, size_t len)
{
	ssize_t n, total = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)total < len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
}

/*
 * Run @argv (argv[0] a path) with the environment given; @uid non-zero:
 * as that uid (and gid) with no capabilities, which changing every uid
 * from 0 clears.  Return 0, or -errno when it could not run.
 */
static inline int cli_exec(char *const argv[], uid_t uid,
			   struct cli_result *r)
{
	char name_out[] = "/tmp/cli-out-XXXXXX", name_err[] = "/tmp/cli-err-XXXXXX";
	int fo = mkstemp(name_out), fe = mkstemp(name_err), ws;
	pid_t pid;

	if (fo < 0 || fe < 0)
		return -errno;
	unlink(name_out);
	unlink(name_err);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(fo, 1);
		dup2(fe, 2);
		if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			    setresuid(uid, uid, uid)))
			_exit(125);
		execv(argv[0], argv);
		_exit(126);
	}
	if (waitpid(pid, &ws, 0) < 0)
		return -errno;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	cli_slurp(fo, r->out, sizeof(r->out));
	cli_slurp(fe, r->err, sizeof(r->err));
	close(fo);
	close(fe);
	return 0;
}

/* The payload's kabistat, with up to 6 arguments (NULL-terminated). */
#define CLI_RUN(r, uid, ...) ({						\
	char _cli[PATH_MAX];						\
	char *_argv[] = { _cli, __VA_ARGS__, NULL };			\
	cgtest_helper_path("kabistat", _cli, sizeof(_cli)) ? -ENOENT :	\
		cli_exec(_argv, uid, r);				\
})

/* The line of @text that starts with @start (after blanks), or NULL. */
static inline const char *cli_line(const char *text, const char *start)
{
	const char *p = text;

	while (p && *p) {
		const char *q = p + strspn(p, " ");

		if (!strncmp(q, start, strlen(start)))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Checks of a CLI's output; for files that include kselftest_harness.h. */
#define EXPECT_HAS(text, needle)					\
	do {								\
		if (!strstr(text, needle)) {				\
			TH_LOG("missing: %s", needle);			\
			TH_LOG("in: %.3000s", text);			\
			EXPECT_TRUE(0);					\
		}							\
	} while (0)

#define EXPECT_LACKS(text, needle)					\
	do {								\
		if (strstr(text, needle)) {				\
			TH_LOG("unexpected: %s", needle);		\
			TH_LOG("in: %.3000s", text);			\
			EXPECT_TRUE(0);					\
		}							\
	} while (0)

#endif /* KABISTAT_CLI_RUN_H */
