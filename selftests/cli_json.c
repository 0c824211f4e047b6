// SPDX-License-Identifier: GPL-2.0
/*
 * The kabistat CLI reports exact numbers: workloads with known syscalls run
 * in fresh cgroups (cgtest.h), and `kabistat -j show` must print each
 * counter as it is, the human table the same numbers, and min_kernel the
 * newest syscall used (ENOSYS-only syscalls do not count).  Also: the CLI
 * against a module that adds unknown attributes, and under valgrind.
 *
 * The JSON is compact and its field order fixed (cli/cgroup.c), so each
 * syscall object is checked as one exact substring.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "cli_run.h"
#include "cli_workloads.h"
#include "modctl.h"


/* ------------------------------------------------------------------ */

static struct cli_result res;

/* The exact JSON object of one x86_64 syscall in `show -j`. */
static void syscall_json(char *buf, size_t len, const char *name, int nr,
			 int calls, int errors, int enosys, const char *since)
{
	snprintf(buf, len,
		 "{\"abi\":\"" TEST_ABI_NATIVE_NAME "\",\"nr\":%d,\"name\":\"%s\",\"calls\":%d,"
		 "\"errors\":%d,\"enosys\":%d,\"denied\":0,\"interrupted\":0,"
		 "\"since\":\"%s\"}", nr, name, calls, errors, enosys, since);
}

/* A row of the human table: SYSCALL ABI CALLS ERRORS ENOSYS DENIED INTR */
static int table_row(const char *out, const char *name, char *calls,
		     char *errors, char *enosys)
{
	char key[64], rname[64], abi[16];
	const char *line;

	snprintf(key, sizeof(key), "%s ", name);
	line = cli_line(out, key);
	if (!line)
		return -1;
	return sscanf(line, "%63s %15s %31s %31s %31s", rname, abi, calls,
		      errors, enosys) == 5 ? 0 : -1;
}

FIXTURE(cli) {
	struct cgtest cg;
};

FIXTURE_SETUP(cli)
{
	char path[PATH_MAX];

	memset(&self->cg, 0, sizeof(self->cg));
	self->cg.dfd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload: %s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "cli")) {
		TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(cli)
{
	cgtest_remove(&self->cg);
}

/* @cgpath relative to the cgroup2 root, as the module reports it */
static const char *rel_path(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT);
}

static void check_exact_counts(struct __test_metadata *_metadata,
			       const struct cgtest *cg)
{
	char want[512], calls[32], errors[32], enosys[32];

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", (char *)cg->path));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	snprintf(want, sizeof(want), "[{\"cgroup\":{\"id\":%" PRIu64
		 ",\"path\":\"%s\",\"state\":\"live\",\"container_id\":null,"
		 "\"partial\":false,\"path_truncated\":false}", cg->id,
		 rel_path(cg));
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"abis\":[\"" TEST_ABI_NATIVE_NAME "\"]");
	snprintf(want, sizeof(want),
		 "\"totals\":{\"calls\":%d,\"errors\":%d,\"enosys\":0,"
		 "\"denied\":0,\"interrupted\":0}",
		 NR_GETPPID + NR_BADCLOSE + CGTEST_OVERHEAD_CALLS, NR_BADCLOSE);
	EXPECT_HAS(res.out, want);
	syscall_json(want, sizeof(want), "getppid", SYS_getppid, NR_GETPPID,
		     0, 0, TEST_SINCE("1.0"));
	EXPECT_HAS(res.out, want);
	syscall_json(want, sizeof(want), "close", SYS_close, NR_BADCLOSE,
		     NR_BADCLOSE, 0, TEST_SINCE("1.0"));
	EXPECT_HAS(res.out, want);
	syscall_json(want, sizeof(want), "read", SYS_read, 1, 0, 0,
		     TEST_SINCE("1.0"));
	EXPECT_HAS(res.out, want);
	syscall_json(want, sizeof(want), "exit_group", SYS_exit_group, 1, 0,
		     0, TEST_SINCE("2.6"));
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want), "\"errno\":{\"EBADF\":%d}}]",
		 NR_BADCLOSE);
	EXPECT_HAS(res.out, want);
#ifdef __aarch64__
	/* all four began with arm64, in 3.7 */
	EXPECT_HAS(res.out, "\"min_kernel\":{\"version\":\"3.7\",\"syscalls\":[");
#else
	/* exit_group (2.6) is the newest of read, close, getppid (1.0) */
	EXPECT_HAS(res.out,
		   "\"min_kernel\":{\"version\":\"2.6\",\"syscalls\":[\"exit_group\"]}");
#endif

	/* the human table: the same numbers, thousands separated */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", (char *)cg->path));
	ASSERT_EQ(0, res.status);
	ASSERT_EQ(0, table_row(res.out, "getppid", calls, errors, enosys)) {
		TH_LOG("no getppid row in:\n%s", res.out);
	}
	EXPECT_STREQ("1,000", calls);
	EXPECT_STREQ("0", errors);
	ASSERT_EQ(0, table_row(res.out, "close", calls, errors, enosys));
	EXPECT_STREQ("7", calls);
	EXPECT_STREQ("7", errors);
	/* the total row leaves the ABI column empty */
	ASSERT_NE(NULL, cli_line(res.out, "total "));
	ASSERT_EQ(3, sscanf(cli_line(res.out, "total "), "%*s %31s %31s %31s",
			    calls, errors, enosys));
	EXPECT_STREQ("1,009", calls);
	EXPECT_STREQ("7", errors);
	EXPECT_STREQ("0", enosys);
#ifdef __aarch64__
	EXPECT_HAS(res.out, " (Linux 3.7)\n");
#else
	EXPECT_HAS(res.out, "  newest syscall used: exit_group (Linux 2.6)\n");
#endif
	EXPECT_HAS(res.out, "  errno: EBADF 7\n");
}

TEST_F(cli, show_json_and_table_report_exact_counts)
{
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	check_exact_counts(_metadata, &self->cg);
}

TEST_F(cli, min_kernel_is_the_newest_used_syscall)
{
	char want[512], idstr[32];

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_modern, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", (char *)self->cg.path));
	ASSERT_EQ(0, res.status);
	EXPECT_HAS(res.out,
		   "\"min_kernel\":{\"version\":\"5.6\",\"syscalls\":[\"openat2\"]}");
	syscall_json(want, sizeof(want), "openat2", SYS_openat2, 2, 0, 0, "5.6");
	EXPECT_HAS(res.out, want);
	syscall_json(want, sizeof(want), "clone3", SYS_clone3, 1, 0, 0, "5.3");
	EXPECT_HAS(res.out, want);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", (char *)self->cg.path));
	EXPECT_HAS(res.out, "  newest syscall used: openat2 (Linux 5.6)\n");

	/* list: the KERNEL column of this cgroup's line */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "list"));
	ASSERT_EQ(0, res.status);
	EXPECT_HAS(res.out, " KERNEL ");
	snprintf(idstr, sizeof(idstr), "%" PRIu64 " ", self->cg.id);
	{
		const char *line = cli_line(res.out, idstr);
		char f[9][64];

		ASSERT_NE(NULL, line) {
			TH_LOG("no line for id %s in:\n%s", idstr, res.out);
		}
		ASSERT_EQ(9, sscanf(line, "%63s %63s %63s %63s %63s %63s %63s %63s %63s",
				    f[0], f[1], f[2], f[3], f[4], f[5], f[6],
				    f[7], f[8]));
		EXPECT_STREQ("live", f[1]);
		EXPECT_STREQ("5.6", f[6]);
		EXPECT_STREQ("-", f[7]);	/* no container */
		EXPECT_STREQ(rel_path(&self->cg), f[8]);
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	EXPECT_HAS(res.out,
		   "\"min_kernel\":{\"version\":\"5.6\",\"syscalls\":[\"openat2\"]}");
}

TEST_F(cli, enosys_only_syscall_does_not_count_as_used)
{
	char want[512];

	ASSERT_EQ(0, cgtest_run(&self->cg, prep_openat2_enosys, wl_modern,
				(void *)1)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", (char *)self->cg.path));
	ASSERT_EQ(0, res.status);
	/* counted, with its version, but not what the cgroup needs */
	syscall_json(want, sizeof(want), "openat2", SYS_openat2, 2, 2, 2, "5.6");
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out,
		   "\"min_kernel\":{\"version\":\"5.3\",\"syscalls\":[\"clone3\"]}");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", (char *)self->cg.path));
	EXPECT_HAS(res.out, "  newest syscall used: clone3 (Linux 5.3)\n");
}

/*
 * A module that adds attributes this library does not know, top-level and
 * inside every STAT nest: abi, show, show --recursive (a dump) and list
 * work and report the same exact numbers.
 */
TEST_F(cli, unknown_attributes_are_ignored)
{
	char want[512];
	int err;

	if (!test_build_present())
		SKIP(return, "no test build of the module at %s", KO_TEST_PATH);
	err = reload_test("test_unknown_attr=1");
	if (err) {
		reload("");
		ASSERT_EQ(0, err);
	}
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "abi"));
	EXPECT_EQ(0, res.status);
	snprintf(want, sizeof(want), "\"uapi_version\":%d,",
		 KABISTAT_UAPI_VERSION);
	EXPECT_HAS(res.out, want);
	check_exact_counts(_metadata, &self->cg);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", "--recursive",
			     (char *)self->cg.path));
	EXPECT_EQ(0, res.status);
	syscall_json(want, sizeof(want), "getppid", SYS_getppid, NR_GETPPID,
		     0, 0, TEST_SINCE("1.0"));
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"subtree_cgroups\":1,");

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	EXPECT_EQ(0, res.status);
	snprintf(want, sizeof(want), "{\"cgroup\":{\"id\":%" PRIu64 ",",
		 self->cg.id);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "\"totals\":{\"calls\":%d,\"errors\":%d,\"enosys\":0,",
		 NR_GETPPID + NR_BADCLOSE + CGTEST_OVERHEAD_CALLS, NR_BADCLOSE);
	EXPECT_HAS(res.out, want);

	cgtest_remove(&self->cg);
	ASSERT_EQ(0, reload(""));
}

/*
 * memcheck on the CLI: show (one cgroup), list (JSON), abi.  No
 * leaks of any kind but "still reachable", no errors.
 */
TEST_F_TIMEOUT(cli, valgrind_memcheck_is_clean, 180)
{
	/*
	 * Under TCG each run takes several seconds: one per command.  The
	 * list first: where the tests run several times slower (the debug
	 * kernel), only it runs (the dump and the JSON writer).
	 */
	static const char *const cmds[][3] = {
		{ "-j", "list", NULL }, { "show", NULL, NULL },
		{ "abi", NULL, NULL },
	};
	size_t i, ncmds = sizeof(cmds) / sizeof(cmds[0]);
	struct timespec t0, t1;
	char vg[PATH_MAX], lib[PATH_MAX], cli[PATH_MAX], env[PATH_MAX + 16];
	char debug[PATH_MAX + 32];

	ASSERT_EQ(0, cgtest_helper_path("kabistat", cli, sizeof(cli)));
	/* the payload's valgrind/, next to bin/ */
	if (cgtest_helper_path("../valgrind/valgrind", vg, sizeof(vg)))
		SKIP(return, "no valgrind in the payload");
	snprintf(lib, sizeof(lib), "%.*s/lib", (int)(strlen(vg) - 9), vg);
	/*
	 * ld.so's symbols (libc6-dbg), which valgrind looks up by build id
	 * in /usr/lib/debug only: link the payload's there (the guest's
	 * root is its own initramfs).
	 */
	snprintf(debug, sizeof(debug), "%.*s/debug/.build-id",
		 (int)(strlen(vg) - 9), vg);
	if (access("/usr/lib/debug/.build-id", F_OK)) {
		mkdir("/usr/lib", 0755);
		mkdir("/usr/lib/debug", 0755);
		ASSERT_EQ(0, symlink(debug, "/usr/lib/debug/.build-id"));
	}
	snprintf(env, sizeof(env), "VALGRIND_LIB=%s", lib);
	putenv(env);
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));

	if (cgtest_slowdown() > 2) {
		ncmds = 1;
		printf("# valgrind on 1 command, not %zu: this kernel runs the tests %d times slower\n",
		       sizeof(cmds) / sizeof(cmds[0]), cgtest_slowdown());
	}
	for (i = 0; i < ncmds; i++) {
		char *argv[12];
		int n = 0, k;

		argv[n++] = vg;
		argv[n++] = "--quiet";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=definite,indirect,possible";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect,possible";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = cli;
		for (k = 0; k < 3 && cmds[i][k]; k++)
			argv[n++] = (char *)cmds[i][k];
		if (!strcmp(argv[n - 1], "show"))
			argv[n++] = self->cg.path;
		argv[n] = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_EQ(0, cli_exec(argv, 0, &res));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		TH_LOG("valgrind kabistat %s %s: %.1f s", cmds[i][0],
		       cmds[i][1] ? cmds[i][1] : "",
		       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		EXPECT_EQ(0, res.status) {
			TH_LOG("%s %s: %s", cmds[i][0],
			       cmds[i][1] ? cmds[i][1] : "", res.err);
		}
		EXPECT_STREQ("", res.err);
	}
}

TEST_HARNESS_MAIN
