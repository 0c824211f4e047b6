// SPDX-License-Identifier: GPL-2.0
/*
 * `kabistat events` says when each event came and which cgroup, by path,
 * it is about: a first ENOSYS (whose message carries only the cgroup's
 * id) and a release, in JSON Lines (each line strict JSON, jsoncheck.h)
 * and as text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "cli_run.h"
#include "jsoncheck.h"

#define NR_USELIB	134	/* x86_64; ENOSYS without CONFIG_USELIB */

static int wl_uselib(void *arg)
{
	(void)arg;
	if (syscall(NR_USELIB, NULL) != -1 || errno != ENOSYS)
		return 10;
	return 0;
}

/*
 * Whether @pid waits in poll(): `kabistat events` polls for the next
 * event only once it has joined the events group.  (/proc/net/netlink
 * cannot tell: it shows only a socket's groups below 32.)
 */
static bool subscribed(pid_t pid)
{
	char name[64], line[256];
	long nr = -1;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/syscall", (int)pid);
	f = fopen(name, "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_poll;
}

FIXTURE(events) {
	struct cgtest cg;
	char out[64];
	int fd;
};

FIXTURE_SETUP(events)
{
	char path[PATH_MAX];

	memset(&self->cg, 0, sizeof(self->cg));
	self->cg.dfd = -1;
	self->fd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload: %s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "cliev")) {
		TH_LOG("%s", cgtest_err());
	}
	strcpy(self->out, "/tmp/cli-events-XXXXXX");
	self->fd = mkstemp(self->out);
	ASSERT_LE(0, self->fd);
	unlink(self->out);
}

FIXTURE_TEARDOWN(events)
{
	cgtest_remove(&self->cg);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Run `kabistat [-j] events -n 2`, once subscribed a workload that makes
 * one ENOSYS call, then remove the cgroup; the output into @buf.
 */
static void two_events(struct __test_metadata *_metadata,
		       FIXTURE_DATA(events) *self, bool json, char *buf,
		       size_t len)
{
	char cli[PATH_MAX];
	int i, status;
	pid_t pid;

	ASSERT_EQ(0, cgtest_helper_path("kabistat", cli, sizeof(cli)));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(self->fd, 1);
		if (json)
			execl(cli, cli, "-j", "events", "-n", "2",
			      "--timeout", "120", (char *)NULL);
		else
			execl(cli, cli, "events", "-n", "2", "--timeout",
			      "120", (char *)NULL);
		_exit(126);
	}
	for (i = 0; i < 600 && !subscribed(pid); i++)
		usleep(100 * 1000);
	EXPECT_TRUE(subscribed(pid)) {
		TH_LOG("kabistat events never subscribed");
	}
	EXPECT_EQ(0, cgtest_run(&self->cg, NULL, wl_uselib, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	EXPECT_EQ(0, cgtest_remove(&self->cg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("events status %#x", status);
	}
	cli_slurp(self->fd, buf, len);
	ftruncate(self->fd, 0);
}

/* "2026-12-04T20:30:01.123Z" at @s */
static bool is_time(const char *s)
{
	int y, mo, d, h, mi, sec, ms, n = 0;

	return sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h,
		      &mi, &sec, &ms, &n) == 7 && n == 24 && y >= 2000;
}

TEST_F_TIMEOUT(events, json_events_have_time_and_path, 180)
{
	static char out[65536];
	char want[PATH_MAX + 64];
	const char *p, *rel = self->cg.path + strlen(CGTEST_ROOT);
	size_t off;

	two_events(_metadata, self, true, out, sizeof(out));
	EXPECT_EQ(NULL, jsoncheck(out, true, &off)) {
		TH_LOG("not JSON Lines at %zu: %s", off, out);
	}
	p = strstr(out, "\"event\":\"first_enosys\",\"time\":\"");
	ASSERT_NE(NULL, p) {
		TH_LOG("%s", out);
	}
	EXPECT_TRUE(is_time(p + strlen("\"event\":\"first_enosys\",\"time\":\"")));
	snprintf(want, sizeof(want), "\"cgroup_id\":%" PRIu64 ",\"path\":\"%s\","
		 "\"abi\":\"x86_64\",\"nr\":%d,\"name\":\"uselib\"}",
		 self->cg.id, rel, NR_USELIB);
	EXPECT_HAS(out, want);
	p = strstr(out, "\"event\":\"released\",\"time\":\"");
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(is_time(p + strlen("\"event\":\"released\",\"time\":\"")));
	snprintf(want, sizeof(want), "\"final\":{\"cgroup\":{\"id\":%" PRIu64
		 ",\"path\":\"%s\",\"state\":\"released\"", self->cg.id, rel);
	EXPECT_HAS(out, want);
}

TEST_F_TIMEOUT(events, text_events_have_time_and_path, 180)
{
	static char out[65536];
	char want[PATH_MAX + 64];
	const char *rel = self->cg.path + strlen(CGTEST_ROOT), *line;

	two_events(_metadata, self, false, out, sizeof(out));
	line = out;
	EXPECT_TRUE(is_time(line)) {
		TH_LOG("%s", out);
	}
	snprintf(want, sizeof(want), " first_enosys id %-8" PRIu64
		 " x86_64 uselib (%d)  %s\n", self->cg.id, NR_USELIB, rel);
	EXPECT_HAS(out, want);
	line = strchr(out, '\n');
	ASSERT_NE(NULL, line);
	EXPECT_TRUE(is_time(line + 1));
	snprintf(want, sizeof(want), " released     id %-8" PRIu64, self->cg.id);
	EXPECT_HAS(out, want);
	snprintf(want, sizeof(want), "  %s\n", rel);
	EXPECT_HAS(line, want);
}

TEST_HARNESS_MAIN
