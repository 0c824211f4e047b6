// SPDX-License-Identifier: GPL-2.0
/*
 * The fields of SPEC's `show --json` schema that cli_json.c leaves out,
 * each with its exact value: generation (the module's, as GET_CGROUP
 * reports it), timestamp_ns (CLOCK_BOOTTIME while the CLI ran), abis with
 * ia32, out_of_range, state "released"; `show --recursive` summing a
 * released descendant; and the commands that change or watch the module,
 * `reset`, `set` and `events`, through the CLI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "kabistat.h"
#include "cli_run.h"
#include "modctl.h"

#define IA32_NR_GETPPID		64
#define IA32_NR_BEYOND		5000	/* no ia32 table is that long */
#define X64_NR_BEYOND		100000
#define NR_USELIB		134	/* x86_64: named, never implemented */

static struct cli_result res;

/*
 * 5 getppid and 2 calls beyond the x86_64 table; 3 ia32 getppid and one
 * call beyond the ia32 table, both through int $0x80.  With the moving
 * read and exit_group: x86_64 7 calls in the table and 2 beyond, ia32 3
 * and 1 beyond; the 3 beyond fail with ENOSYS.
 */
static int wl_two_abis(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 5; i++)
		if (syscall(SYS_getppid) <= 0)
			return 10;
	for (i = 0; i < 2; i++)
		if (syscall(X64_NR_BEYOND) != -1 || errno != ENOSYS)
			return 11;
	for (i = 0; i < 3; i++)
		if ((int)test_int80(IA32_NR_GETPPID, 0) <= 0)
			return 12;
	if (test_int80(IA32_NR_BEYOND, 0) != -ENOSYS)
		return 13;
	return 0;
}

/* @arg getppid calls */
static int wl_getppid_n(void *arg)
{
	long i;

	for (i = 0; i < (long)arg; i++)
		if (syscall(SYS_getppid) <= 0)
			return 10;
	return 0;
}

static int wl_uselib(void *arg)
{
	(void)arg;
	return syscall(NR_USELIB, NULL) == -1 && errno == ENOSYS ? 0 : 10;
}

/* The number after "@key": in @json, or UINT64_MAX. */
static uint64_t json_u64(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return UINT64_MAX;
	return strtoull(p + strlen(pat), NULL, 10);
}

FIXTURE(schema) {
	struct kabistat *ks;
	struct cgtest parent, cg[3];
};

FIXTURE_SETUP(schema)
{
	char msg[KABISTAT_ERRMSG_LEN], path[PATH_MAX];
	int i;

	self->parent.dfd = -1;
	for (i = 0; i < 3; i++)
		self->cg[i].dfd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload: %s",
		     cgtest_err());
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&self->parent, NULL, "schema"))
		TH_LOG("%s", cgtest_err());
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], &self->parent, "c"))
			TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(schema)
{
	struct kabistat_settings back = {
		.sz = sizeof(back), .counting = 1,
		.released_ttl = DEFAULT_RELEASED_TTL,
	};
	int i;

	/* what `set` may have changed, whatever happened */
	if (self->ks && kabistat_set(self->ks, &back))
		TH_LOG("restoring the settings: %s",
		       kabistat_errmsg(self->ks));
	for (i = 2; i >= 0; i--)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->parent))
		TH_LOG("%s", cgtest_err());
	if (self->ks)
		kabistat_close(self->ks);
}

#define RUN(cg, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, NULL, fn, arg)) TH_LOG("%s", cgtest_err())

static const char *rel_path(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT);
}

/* The generation GET_CGROUP reports for @id now. */
static uint64_t generation_of(struct __test_metadata *_metadata,
			      struct kabistat *ks, uint64_t id)
{
	struct kabistat_cgroup *cg = NULL;
	uint64_t gen;

	EXPECT_EQ(0, kabistat_get_cgroup(ks, id, &cg))
		TH_LOG("%s", kabistat_errmsg(ks));
	if (!cg)
		return 0;
	gen = cg->generation;
	kabistat_cgroup_free(cg);
	return gen;
}

TEST_F(schema, show_json_has_generation_timestamp_abis_and_out_of_range)
{
	char want[512], id[32];
	uint64_t before, after, ts;

	RUN(&self->cg[0], wl_two_abis, NULL);
	before = cgtest_boottime_ns();
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg[0].path));
	after = cgtest_boottime_ns();
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);

	snprintf(want, sizeof(want), "\"generation\":%" PRIu64 ",",
		 generation_of(_metadata, self->ks, self->cg[0].id));
	EXPECT_HAS(res.out, want);
	ts = json_u64(res.out, "timestamp_ns");
	EXPECT_LE(before, ts);
	EXPECT_GE(after, ts);
	EXPECT_HAS(res.out, "\"abis\":[\"x86_64\",\"ia32\"]");
	/* ia32 getppid 3 times; totals hold the out-of-range calls too */
	EXPECT_HAS(res.out,
		   "{\"abi\":\"ia32\",\"nr\":64,\"name\":\"getppid\",\"calls\":3,\"errors\":0,\"enosys\":0,\"denied\":0,\"interrupted\":0,");
	EXPECT_HAS(res.out,
		   "\"totals\":{\"calls\":13,\"errors\":3,\"enosys\":3,\"denied\":0,\"interrupted\":0}");
	EXPECT_HAS(res.out,
		   "\"out_of_range\":{\"x86_64\":2,\"ia32\":1},\"errno\":{\"ENOSYS\":3}}]");
	snprintf(want, sizeof(want), "\"state\":\"live\",\"container_id\":null,\"partial\":false,\"path_truncated\":false}");
	EXPECT_HAS(res.out, want);

	/* removed: released, by its id, with the same counts */
	ASSERT_EQ(0, cgtest_remove(&self->cg[0])) TH_LOG("%s", cgtest_err());
	snprintf(id, sizeof(id), "%" PRIu64, self->cg[0].id);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", id));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	snprintf(want, sizeof(want),
		 "[{\"cgroup\":{\"id\":%s,\"path\":\"%s\",\"state\":\"released\",\"container_id\":null,\"partial\":false,\"path_truncated\":false}",
		 id, rel_path(&self->cg[0]));
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"out_of_range\":{\"x86_64\":2,\"ia32\":1");
	EXPECT_HAS(res.out, "\"totals\":{\"calls\":13,\"errors\":3,");
}

/*
 * --recursive sums the subtree, released descendants included: c0 live
 * with 5 getppid, c1 removed with 7, c2 never ran (not tracked).
 */
TEST_F(schema, show_recursive_includes_released_descendants)
{
	RUN(&self->cg[0], wl_getppid_n, (void *)5L);
	RUN(&self->cg[1], wl_getppid_n, (void *)7L);
	ASSERT_EQ(0, cgtest_remove(&self->cg[1])) TH_LOG("%s", cgtest_err());

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", "--recursive",
			     self->parent.path));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_HAS(res.out, "\"subtree_cgroups\":2,");
	EXPECT_HAS(res.out,
		   "{\"abi\":\"x86_64\",\"nr\":110,\"name\":\"getppid\",\"calls\":12,");
	EXPECT_HAS(res.out, "\"totals\":{\"calls\":16,\"errors\":0,");

	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "--recursive",
			     self->parent.path));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_HAS(res.out, ", 2 cgroups summed");
}

TEST_F(schema, reset_through_the_cli_zeroes_one_cgroup)
{
	char want[128];
	uint64_t gen0;

	RUN(&self->cg[0], wl_getppid_n, (void *)5L);
	RUN(&self->cg[1], wl_getppid_n, (void *)7L);
	gen0 = generation_of(_metadata, self->ks, self->cg[0].id);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "reset", self->cg[0].path));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	snprintf(want, sizeof(want), "{\"all\":false,\"id\":%" PRIu64 "}",
		 self->cg[0].id);
	EXPECT_HAS(res.out, want);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg[0].path));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_HAS(res.out, "\"totals\":{\"calls\":0,\"errors\":0,");
	EXPECT_NE(gen0, json_u64(res.out, "generation"));
	EXPECT_EQ(generation_of(_metadata, self->ks, self->cg[0].id),
		  json_u64(res.out, "generation"));
	/* the other cgroup keeps its counts */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg[1].path));
	EXPECT_HAS(res.out, "\"totals\":{\"calls\":9,\"errors\":0,");
}

TEST_F(schema, set_through_the_cli_changes_the_module)
{
	struct kabistat_kernel_abi *abi;

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "set", "released-ttl", "77",
			     "counting", "off"));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_HAS(res.out, "{\"counting\":false,\"released_ttl\":77}");
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi));
	EXPECT_EQ(0, abi->counting);
	EXPECT_EQ(77, abi->released_ttl);
	kabistat_abi_free(abi);
	/* nothing counted while off */
	RUN(&self->cg[0], wl_getppid_n, (void *)5L);
	EXPECT_EQ(-ENOENT, kabistat_get_cgroup(self->ks, self->cg[0].id,
					       &(struct kabistat_cgroup *){ NULL }));

	ASSERT_EQ(0, CLI_RUN(&res, 0, "set", "counting", "on"));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_STREQ("", res.out);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi));
	EXPECT_EQ(1, abi->counting);
	EXPECT_EQ(77, abi->released_ttl);
	kabistat_abi_free(abi);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

struct cli_thread {
	struct cli_result res;
	int err;
	volatile int done;
};

static void *events_cli(void *arg)
{
	struct cli_thread *t = arg;

	t->err = CLI_RUN(&t->res, 0, "-j", "events", "-n", "3", "--timeout",
			 "30");
	t->done = 1;
	return NULL;
}

/*
 * `events -n 3` prints the first three events it receives and exits.  It
 * cannot say when it has subscribed, so fresh cgroups make first-ENOSYS
 * events until it is done; one of its lines must be one of theirs,
 * exactly (another may be a release of an earlier test's cgroup).
 */
TEST_F_TIMEOUT(schema, events_through_the_cli_print_first_enosys_events, 60)
{
	static struct cli_thread t;
	struct cgtest extra[16];
	char want[256];
	pthread_t th;
	int i, n = 0, found = -1;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(0, pthread_create(&th, NULL, events_cli, &t));
	while (!t.done && n < 16) {
		extra[n].dfd = -1;
		ASSERT_EQ(0, cgtest_create(&extra[n], &self->parent, "ev"))
			TH_LOG("%s", cgtest_err());
		RUN(&extra[n++], wl_uselib, NULL);
		usleep(200 * 1000);	/* the pace of new cgroups */
	}
	pthread_join(th, NULL);
	ASSERT_EQ(0, t.err);
	EXPECT_EQ(0, t.res.status) TH_LOG("stderr: %s", t.res.err);
	for (i = 0; i < n && found < 0; i++) {
		snprintf(want, sizeof(want),
			 "\"lost\":0,\"cgroup_id\":%" PRIu64 ",\"path\":\"%s\",\"abi\":\"x86_64\",\"nr\":134,\"name\":\"uselib\"}\n",
			 extra[i].id, rel_path(&extra[i]));
		if (strstr(t.res.out, want))
			found = i;
	}
	EXPECT_LE(0, found) TH_LOG("not an event of ours: %s", t.res.out);
	EXPECT_EQ(0, strncmp(t.res.out, "{\"seq\":", 7));
	EXPECT_HAS(t.res.out, "\"event\":\"first_enosys\",\"time\":\"");
	EXPECT_EQ(3, count_lines(t.res.out));
	for (i = n - 1; i >= 0; i--)
		if (cgtest_remove(&extra[i]))
			TH_LOG("%s", cgtest_err());
}

TEST_HARNESS_MAIN
