// SPDX-License-Identifier: GPL-2.0
/*
 * Any cgroup name, any output: a cgroup path may hold every byte but '/'
 * and NUL (cgroupfs also refuses a newline), and the CLI's JSON must stay
 * valid JSON in valid UTF-8 -- bytes that are not UTF-8 as U+FFFD, one
 * each, control characters escaped -- and export's label values valid
 * UTF-8, escaped as the exposition format says.  A path the module kept
 * only the beginning of (KABISTAT_CGROUP_F_PATH_TRUNC) says so in text,
 * JSON and export.
 *
 * The JSON is checked by a strict parser of the test's own (jsoncheck.h);
 * promtool, which the guest lacks, checks the same formatter on the host
 * (scripts/host-tests.sh, export/promtool, with such a name).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cli_run.h"
#include "cli_workloads.h"
#include "jsoncheck.h"

/* quotes, a backslash, spaces, two bytes that are no UTF-8, SOH, DEL, é */
#define ODD_TAG		"odd \"q\" \\ sp \xff\xfe \x01\x7f \xc3\xa9"
/* ...as the JSON string must spell it */
#define ODD_JSON	"odd \\\"q\\\" \\\\ sp \xef\xbf\xbd\xef\xbf\xbd \\u0001\\u007f \xc3\xa9"
/* ...and as a Prometheus label value */
#define ODD_PROM	"odd \\\"q\\\" \\\\ sp \xef\xbf\xbd\xef\xbf\xbd \x01\x7f \xc3\xa9"

static struct cli_result res;

FIXTURE(names) {
	struct cgtest odd, parent, cut;
	struct cgtest ctr;	/* list's test: a docker-style child of odd */
};

FIXTURE_SETUP(names)
{
	char path[PATH_MAX], ptag[121], ctag[181];
	int i;

	memset(self, 0, sizeof(*self));
	self->odd.dfd = self->parent.dfd = self->cut.dfd = self->ctr.dfd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload: %s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->odd, NULL, ODD_TAG)) {
		TH_LOG("%s", cgtest_err());
	}
	/* two long names: a path of over 300 bytes, cut among the euros */
	memset(ptag, 'p', sizeof(ptag) - 1);
	ptag[sizeof(ptag) - 1] = '\0';
	for (i = 0; i < 60; i++)
		memcpy(ctag + 3 * i, "\xe2\x82\xac", 3);
	ctag[180] = '\0';
	ASSERT_EQ(0, cgtest_create(&self->parent, NULL, ptag)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, cgtest_create(&self->cut, &self->parent, ctag)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_LT(300, strlen(self->cut.path) - strlen(CGTEST_ROOT));
	ASSERT_EQ(0, cgtest_run(&self->odd, NULL, wl_counts, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, cgtest_run(&self->cut, NULL, wl_counts, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(names)
{
	cgtest_remove(&self->ctr);
	cgtest_remove(&self->cut);
	cgtest_remove(&self->parent);
	cgtest_remove(&self->odd);
}

/* What follows the tag in the odd cgroup's name: "-PID-N". */
static const char *odd_suffix(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT "/kst-" ODD_TAG);
}

#define EXPECT_JSON(text, lines)					\
	do {								\
		size_t _off;						\
		const char *_why = jsoncheck(text, lines, &_off);	\
									\
		EXPECT_EQ(NULL, _why) {					\
			TH_LOG("not JSON at byte %zu: %s: %.80s", _off,	\
			       _why, (text) + _off);			\
		}							\
	} while (0)

TEST_F(names, json_list_and_show_are_strict_json_in_utf8)
{
	char want[512], id[32];

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_JSON(res.out, false);
	snprintf(want, sizeof(want),
		 "{\"id\":%" PRIu64 ",\"path\":\"/kst-" ODD_JSON "%s\","
		 "\"state\":\"live\",\"container_id\":null,\"partial\":false,"
		 "\"path_truncated\":false}", self->odd.id,
		 odd_suffix(&self->odd));
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want), "{\"id\":%" PRIu64 ",\"path\":\"%.100s",
		 self->cut.id, self->cut.path + strlen(CGTEST_ROOT));
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"partial\":false,\"path_truncated\":true}");

	/* -p indents the same text */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-p", "list"));
	EXPECT_JSON(res.out, false);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->odd.path));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_JSON(res.out, false);
	snprintf(want, sizeof(want), "\"path\":\"/kst-" ODD_JSON "%s\"",
		 odd_suffix(&self->odd));
	EXPECT_HAS(res.out, want);

	snprintf(id, sizeof(id), "%" PRIu64, self->cut.id);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", id));
	ASSERT_EQ(0, res.status);
	EXPECT_JSON(res.out, false);
	EXPECT_HAS(res.out, "\"path_truncated\":true}");

	/* check names the cgroups the same way */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "check", "--kernel", "2.6",
			     self->odd.path, id));
	EXPECT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_JSON(res.out, false);
	snprintf(want, sizeof(want), "\"path\":\"/kst-" ODD_JSON "%s\"",
		 odd_suffix(&self->odd));
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"path_truncated\":true}");
}

TEST_F(names, export_labels_are_utf8_and_escaped)
{
	char want[512];

	ASSERT_EQ(0, CLI_RUN(&res, 0, "export"));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_TRUE(utf8check(res.out)) {
		TH_LOG("export printed bytes that are not UTF-8");
	}
	snprintf(want, sizeof(want),
		 "kabistat_syscalls_total{cgroup_id=\"%" PRIu64 "\",cgroup=\"/kst-"
		 ODD_PROM "%s\",container_id=\"\",syscall=\"getppid\","
		 "abi=\"x86_64\"} %d\n", self->odd.id, odd_suffix(&self->odd),
		 NR_GETPPID);
	EXPECT_HAS(res.out, want);
	/* errors by errno, per cgroup: wl_counts' bad closes */
	snprintf(want, sizeof(want),
		 "kabistat_syscall_errno_total{cgroup_id=\"%" PRIu64 "\",cgroup=\"/kst-"
		 ODD_PROM "%s\",container_id=\"\",errno=\"EBADF\"} %d\n",
		 self->odd.id, odd_suffix(&self->odd), NR_BADCLOSE);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "kabistat_cgroup_path_truncated{cgroup_id=\"%" PRIu64 "\",",
		 self->cut.id);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "kabistat_cgroup_path_truncated{cgroup_id=\"%" PRIu64 "\",",
		 self->odd.id);
	EXPECT_LACKS(res.out, want);
}

TEST_F(names, text_marks_a_truncated_path)
{
	char id[32];
	const char *line;

	snprintf(id, sizeof(id), "%" PRIu64, self->cut.id);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "list"));
	ASSERT_EQ(0, res.status);
	line = cli_line(res.out, id);
	ASSERT_NE(NULL, line) {
		TH_LOG("no line for %s in:\n%s", id, res.out);
	}
	EXPECT_NE(NULL, strstr(line, " (truncated)\n")) {
		TH_LOG("line: %.400s", line);
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", id));
	ASSERT_EQ(0, res.status);
	EXPECT_HAS(res.out, "  path truncated: the module kept only its beginning\n");
}

#define DOCKER_ID	"3f2a0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"

static int wl_few(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 10; i++)
		syscall(SYS_getppid);
	return 0;
}

/* The offset in @out of the line of cgroup @id, or -1. */
static long list_pos(const char *out, uint64_t id)
{
	char key[32];
	const char *line;

	snprintf(key, sizeof(key), "%" PRIu64 " ", id);
	line = cli_line(out, key);
	return line ? line - out : -1;
}

/* That line, without its newline, into @buf ("" when there is none). */
static const char *list_line_of(const char *out, uint64_t id, char *buf,
				size_t len)
{
	long pos = list_pos(out, id);

	buf[0] = '\0';
	if (pos >= 0)
		snprintf(buf, len, "%.*s", (int)strcspn(out + pos, "\n"),
			 out + pos);
	return buf;
}

/*
 * list fits 100 columns: a docker container's id in 12 hex digits, a
 * long path elided in the middle; --wide prints both whole; --sort
 * orders by calls (most first) or path.
 */
TEST_F(names, list_fits_100_columns_and_sorts)
{
	struct cgtest *ctr = &self->ctr;
	char want[PATH_MAX + 128], buf[512];
	const char *p, *line;
	size_t n;

	/* a docker-style cgroup under the odd one, with a few calls */
	ASSERT_GT(sizeof(ctr->path),
		  (size_t)snprintf(ctr->path, sizeof(ctr->path),
				   "%s/docker-" DOCKER_ID ".scope",
				   self->odd.path));
	ASSERT_EQ(0, mkdir(ctr->path, 0755));
	ctr->created = true;
	ctr->dfd = open(ctr->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ctr->dfd);
	ASSERT_EQ(0, cgtest_id_of_fd(ctr->dfd, &ctr->id));
	ASSERT_EQ(0, cgtest_run(ctr, NULL, wl_few, NULL)) {
		TH_LOG("%s", cgtest_err());
	}

	ASSERT_EQ(0, CLI_RUN(&res, 0, "list"));
	ASSERT_EQ(0, res.status);
	/* a column a character (UTF-8 continuation bytes take none) */
	for (p = res.out; *p; p += n + 1) {
		size_t cols = 0, i;

		n = strcspn(p, "\n");
		for (i = 0; i < n; i++)
			cols += ((unsigned char)p[i] & 0xc0) != 0x80;
		EXPECT_GE(100, cols) {
			TH_LOG("%zu columns: %.*s", cols, (int)n, p);
		}
		if (!p[n])
			break;
	}
	EXPECT_HAS(res.out, " CONTAINER ");
	line = list_line_of(res.out, ctr->id, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(line, " 3f2a01234567 /kst-odd ")) {
		TH_LOG("%s", line);
	}
	EXPECT_NE(NULL, strstr(line, "...")) {
		TH_LOG("%s", line);
	}
	n = strlen(line);
	EXPECT_TRUE(n > 6 && !strcmp(line + n - 6, ".scope")) {
		TH_LOG("%s", line);
	}
	line = list_line_of(res.out, self->cut.id, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(line, " /kst-")) {
		TH_LOG("%s", line);
	}
	EXPECT_NE(NULL, strstr(line, "...")) {
		TH_LOG("%s", line);
	}
	n = strlen(line);
	EXPECT_TRUE(n > 12 && !strcmp(line + n - 12, " (truncated)")) {
		TH_LOG("%s", line);
	}

	/* --wide: whole */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "list", "--wide"));
	ASSERT_EQ(0, res.status);
	snprintf(want, sizeof(want), " " DOCKER_ID " %s\n",
		 ctr->path + strlen(CGTEST_ROOT));
	EXPECT_HAS(res.out, want);

	/* by calls: the odd one's 1,011 before the container's 12 */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "list", "--sort", "calls"));
	ASSERT_EQ(0, res.status);
	EXPECT_LT(list_pos(res.out, self->cut.id), list_pos(res.out, ctr->id));
	EXPECT_LT(list_pos(res.out, self->odd.id), list_pos(res.out, ctr->id));
	/* by path: /kst-odd.../docker-... before /kst-ppp... */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list", "--sort", "path"));
	ASSERT_EQ(0, res.status);
	snprintf(want, sizeof(want), "{\"id\":%" PRIu64 ",", ctr->id);
	p = strstr(res.out, want);
	snprintf(want, sizeof(want), "{\"id\":%" PRIu64 ",", self->cut.id);
	EXPECT_TRUE(p && strstr(res.out, want) && p < strstr(res.out, want));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "list", "--sort", "bogus"));
	EXPECT_EQ(2, res.status);
	}

TEST_HARNESS_MAIN
