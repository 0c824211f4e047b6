// SPDX-License-Identifier: GPL-2.0
/*
 * `kabistat show <container id prefix>` on cgroup trees laid out like each
 * runtime's, with fake ids and one workload in each container's cgroup
 * (podman's libpod-<id>.scope/container: in the cgroup below): the prefix
 * finds the right cgroup, container_id is filled in, an ambiguous prefix
 * is an error, conmon cgroups are never taken for the container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cli_run.h"

#define TOP	CGTEST_ROOT "/kabistat-cli-ct"

/* Fake 64-hex ids: the first two share the prefix "a1b2". */
#define ID_DOCKER	"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define ID_DOCKERFS	"a1b2f00d0000000000000000000000000000000000000000000000000000000b"
#define ID_PODMAN	"b0b0b0b0c1c1c1c1d2d2d2d2e3e3e3e3f4f4f4f405050505161616162727272a"
#define ID_CONTAINERD	"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee01"
#define ID_CRIO		"d00dfeedd00dfeedd00dfeedd00dfeedd00dfeedd00dfeedd00dfeedd00dfee2"
#define ID_KUBEFS	"9876543210987654321098765432109876543210987654321098765432109876"
/* podman's layout: its processes only in libpod-<id>.scope/container */
#define ID_PODNEST	"f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d"
/* only a monitor cgroup has this one */
#define ID_CONMON_ONLY	"e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"

struct layout {
	const char *path;	/* under TOP */
	const char *id;		/* the container it belongs to; NULL: none */
	int calls;		/* getppid calls of its workload */
};

static const struct layout layouts[] = {
	{ "/system.slice/docker-" ID_DOCKER ".scope", ID_DOCKER, 11 },
	{ "/docker/" ID_DOCKERFS, ID_DOCKERFS, 12 },
	{ "/machine.slice/libpod-conmon-" ID_PODMAN ".scope", NULL, 13 },
	{ "/machine.slice/libpod-" ID_PODMAN ".scope", ID_PODMAN, 14 },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f0f.slice/cri-containerd-" ID_CONTAINERD ".scope",
	  ID_CONTAINERD, 15 },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1e1e.slice/crio-conmon-" ID_CRIO ".scope",
	  NULL, 16 },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1e1e.slice/crio-" ID_CRIO ".scope",
	  ID_CRIO, 17 },
	{ "/kubepods/burstable/pod2d2d/" ID_KUBEFS, ID_KUBEFS, 18 },
	{ "/system.slice/crio-conmon-" ID_CONMON_ONLY ".scope", NULL, 19 },
	{ "/machine.slice/libpod-" ID_PODNEST ".scope/container", ID_PODNEST, 20 },
};
#define NR_LAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))

static struct cli_result res;

static int wl_getppid(void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/* mkdir -p, remembering what was made so that teardown removes it */
static char made[64][PATH_MAX];
static int nr_made;

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + strlen(CGTEST_ROOT) + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (!mkdir(buf, 0755)) {
			if (nr_made < 64)
				snprintf(made[nr_made++], PATH_MAX, "%s", buf);
		} else if (errno != EEXIST) {
			return -errno;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

FIXTURE(containers) {
	struct cgtest cg[NR_LAYOUTS];
};

FIXTURE_SETUP(containers)
{
	char cli[PATH_MAX];
	size_t i;

	if (cgtest_helper_path("kabistat", cli, sizeof(cli)))
		SKIP(return, "no kabistat CLI in the payload");
	memset(self->cg, 0, sizeof(self->cg));
	for (i = 0; i < NR_LAYOUTS; i++)
		self->cg[i].dfd = -1;
	nr_made = 0;
	for (i = 0; i < NR_LAYOUTS; i++) {
		struct cgtest *cg = &self->cg[i];
		int calls = layouts[i].calls;

		snprintf(cg->path, sizeof(cg->path), "%s%s", TOP,
			 layouts[i].path);
		ASSERT_EQ(0, mkdir_p(cg->path)) {
			TH_LOG("mkdir %s: %s", cg->path, strerror(errno));
		}
		cg->dfd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, cg->dfd);
		ASSERT_EQ(0, cgtest_id_of_fd(cg->dfd, &cg->id));
		/* the leaf was made by mkdir_p; teardown removes it */
		ASSERT_EQ(0, cgtest_run(cg, NULL, wl_getppid, &calls)) {
			TH_LOG("%s", cgtest_err());
		}
	}
}

FIXTURE_TEARDOWN(containers)
{
	size_t i;

	for (i = 0; i < NR_LAYOUTS; i++)
		if (self->cg[i].dfd >= 0)
			close(self->cg[i].dfd);
	/* deepest first */
	while (nr_made > 0)
		rmdir(made[--nr_made]);
}

static void expect_found(struct __test_metadata *_metadata, const char *spec,
			 size_t want)
{
	char needle[PATH_MAX + 64];

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", (char *)spec));
	ASSERT_EQ(0, res.status) {
		TH_LOG("show %s: %s", spec, res.err);
	}
	snprintf(needle, sizeof(needle), "\"path\":\"/kabistat-cli-ct%s\"",
		 layouts[want].path);
	EXPECT_NE(NULL, strstr(res.out, needle)) {
		TH_LOG("show %s: want %s in %.400s", spec, needle, res.out);
	}
	snprintf(needle, sizeof(needle), "\"container_id\":\"%s\"",
		 layouts[want].id);
	EXPECT_NE(NULL, strstr(res.out, needle)) {
		TH_LOG("show %s: want %s", spec, needle);
	}
	snprintf(needle, sizeof(needle),
		 "\"name\":\"getppid\",\"calls\":%d,", layouts[want].calls);
	EXPECT_NE(NULL, strstr(res.out, needle)) {
		TH_LOG("show %s: want %s", spec, needle);
	}
}

TEST_F(containers, prefix_finds_each_runtimes_container)
{
	expect_found(_metadata, "a1b2c", 0);		/* docker, systemd */
	expect_found(_metadata, ID_DOCKER, 0);		/* the whole id */
	expect_found(_metadata, "a1b2f0", 1);		/* docker, cgroupfs */
	expect_found(_metadata, "b0b0", 3);		/* podman, not conmon */
	expect_found(_metadata, "c0ffee", 4);		/* containerd, kubepods */
	expect_found(_metadata, "d00d", 6);		/* cri-o, not conmon */
	/* decimal digits only, and no cgroup has that id */
	expect_found(_metadata, "98765432", 7);		/* kubepods, cgroupfs */
}

TEST_F(containers, container_id_is_filled_from_the_path)
{
	char needle[PATH_MAX];

	/* a monitor cgroup belongs to no container */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg[2].path));
	ASSERT_EQ(0, res.status);
	EXPECT_NE(NULL, strstr(res.out, "\"container_id\":null"));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg[5].path));
	EXPECT_NE(NULL, strstr(res.out, "\"container_id\":null"));
	/* list fills it in too */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	ASSERT_EQ(0, res.status);
	snprintf(needle, sizeof(needle), "\"container_id\":\"%s\"", ID_CRIO);
	EXPECT_NE(NULL, strstr(res.out, needle));
	/* and the human header names it */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "c0ffee"));
	snprintf(needle, sizeof(needle), "\n  container %s\n", ID_CONTAINERD);
	EXPECT_NE(NULL, strstr(res.out, needle)) {
		TH_LOG("%s", res.out);
	}
}

/*
 * The scope podman names after the container holds no process and makes no
 * call, so the module does not track it; the container is the sum of what
 * is below, shown under the scope's path.
 */
TEST_F(containers, container_with_processes_only_below_its_cgroup_is_found)
{
	char needle[PATH_MAX];

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", "f00d"));
	ASSERT_EQ(0, res.status) TH_LOG("show f00d: %s", res.err);
	snprintf(needle, sizeof(needle),
		 "\"path\":\"/kabistat-cli-ct/machine.slice/libpod-%s.scope\","
		 "\"state\":\"live\",\"container_id\":\"%s\"",
		 ID_PODNEST, ID_PODNEST);
	EXPECT_HAS(res.out, needle);
	EXPECT_HAS(res.out, "\"subtree_cgroups\":1,");
	EXPECT_HAS(res.out, "\"name\":\"getppid\",\"calls\":20,");
}

/*
 * An exited container whose id prefix is all decimal digits: the prefix
 * names its released cgroup, not a cgroup of that number.
 */
TEST_F(containers, exited_container_with_a_decimal_prefix_is_found)
{
	struct cgtest *cg = &self->cg[7];	/* ID_KUBEFS */

	close(cg->dfd);
	cg->dfd = -1;
	ASSERT_EQ(0, rmdir(cg->path)) TH_LOG("rmdir %s: %s", cg->path,
					     strerror(errno));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", "98765432"));
	ASSERT_EQ(0, res.status) TH_LOG("show 98765432: %s", res.err);
	EXPECT_HAS(res.out, "\"state\":\"released\",\"container_id\":\""
		   ID_KUBEFS "\"");
	EXPECT_HAS(res.out, "\"name\":\"getppid\",\"calls\":18,");
}

/*
 * A number that is both a removed cgroup's id and the id prefix of an
 * exited container: the cgroup of that id, as ids are what list prints.
 */
TEST_F(containers, decimal_spec_is_a_tracked_cgroups_id_before_a_prefix)
{
	char spec[24], id[65], path[PATH_MAX], needle[128];
	struct cgtest plain = { .dfd = -1 }, ct = { .dfd = -1 };
	int seven = 7, nine = 9;

	ASSERT_EQ(0, cgtest_create(&plain, NULL, "ct-number"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&plain, NULL, wl_getppid, &seven))
		TH_LOG("%s", cgtest_err());
	/* an exited container whose id starts with that number */
	snprintf(spec, sizeof(spec), "%04" PRIu64, plain.id);
	snprintf(id, sizeof(id), "%s%0*d", spec, (int)(64 - strlen(spec)), 0);
	snprintf(ct.path, sizeof(ct.path), "%s/kubepods/burstable/pod3e3e/%s",
		 TOP, id);
	ASSERT_EQ(0, mkdir_p(ct.path));
	ct.dfd = open(ct.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ct.dfd);
	ASSERT_EQ(0, cgtest_id_of_fd(ct.dfd, &ct.id));
	ASSERT_EQ(0, cgtest_run(&ct, NULL, wl_getppid, &nine))
		TH_LOG("%s", cgtest_err());
	close(ct.dfd);
	snprintf(path, sizeof(path), "%s", ct.path);
	ASSERT_EQ(0, rmdir(path));
	ASSERT_EQ(0, cgtest_remove(&plain)) TH_LOG("%s", cgtest_err());

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", spec));
	ASSERT_EQ(0, res.status) TH_LOG("show %s: %s", spec, res.err);
	snprintf(needle, sizeof(needle), "{\"cgroup\":{\"id\":%" PRIu64 ",",
		 plain.id);
	EXPECT_HAS(res.out, needle);
	EXPECT_HAS(res.out, "\"name\":\"getppid\",\"calls\":7,");
}

#define AMBIGUOUS \
	"kabistat: container id prefix a1b2 is ambiguous: it matches "

TEST_F(containers, ambiguous_prefix_is_an_error)
{
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "a1b2"));
	EXPECT_EQ(1, res.status);
	EXPECT_STREQ("", res.out);
	EXPECT_EQ(0, strncmp(res.err, AMBIGUOUS, strlen(AMBIGUOUS))) {
		TH_LOG("stderr: %s", res.err);
	}
	/* one line */
	EXPECT_EQ(strlen(res.err) - 1, (size_t)(strchr(res.err, '\n') - res.err));
}

TEST_F(containers, conmon_only_and_short_prefixes_find_nothing)
{
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "e1e1e1"));
	EXPECT_EQ(1, res.status);
	EXPECT_STREQ("kabistat: no such cgroup: e1e1e1\n", res.err);
	/* below the minimum prefix length: not even looked up */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "d00"));
	EXPECT_EQ(1, res.status);
	EXPECT_STREQ("kabistat: no such cgroup: d00\n", res.err);
}

TEST_HARNESS_MAIN
