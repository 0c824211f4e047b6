// SPDX-License-Identifier: GPL-2.0
/*
 * The module's parameters, as SPEC.md and README.rst give them:
 *
 * - read-only in sysfs: exactly the four documented ones, mode 0444, that
 *   even root cannot open for writing, nor write once it made one
 *   writable (runtime changes go through SET);
 * - max_memory bounds the memory for tracked cgroups: once it is spent,
 *   new cgroups are not tracked and their events go to the overflow
 *   aggregate, exactly, and nothing is lost.
 *
 * The max_memory test reloads kabistat.ko; its teardown loads it back with
 * its defaults, and should it die before that, the harness's parent does
 * (modctl.h).  Hence the name: it runs after the other tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "expect.h"
#include "modctl.h"
#include "wl_varied.h"

/* ------------------------------------------------------------------ */
/* Read-only parameters                                                */

static const char *const params[] = {
	"cache_slots", "max_cgroups", "max_memory", "released_ttl",
};

#define NR_PARAMS	(sizeof(params) / sizeof(params[0]))

static int param_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++)
		if (!strcmp(name, params[i]))
			return i;
	return -1;
}

/* The text of a parameter, or "" */
static void param_text(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), SYSFS_MODULE "/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
}

/* 0 when opening @path with @flags fails with EACCES, else what it did */
static int refused_eacces(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return -1;
	}
	return errno == EACCES ? 0 : errno;
}

/*
 * The errno of writing @text to @path, 0 if the write took it all, -1 if
 * it could not be opened.  A parameter without a store method answers
 * EIO (kernel/params.c).
 */
static int write_param(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno;
	close(fd);
	return err;
}

TEST(parameters_are_the_documented_four_and_read_only_even_for_root)
{
	char path[512], before[64], after[64];
	int seen[NR_PARAMS] = { 0 }, i;
	struct dirent *de;
	struct stat st;
	DIR *dir;

	dir = opendir(SYSFS_MODULE "/parameters");
	ASSERT_NE(NULL, dir) TH_LOG("%s", strerror(errno));
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		i = param_index(de->d_name);
		EXPECT_LE(0, i) TH_LOG("undocumented parameter %s", de->d_name);
		if (i < 0)
			continue;
		seen[i]++;
		snprintf(path, sizeof(path), SYSFS_MODULE "/parameters/%s",
			 de->d_name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", strerror(errno));
		EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("%s", de->d_name);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", de->d_name);
		EXPECT_EQ(0, st.st_uid) TH_LOG("%s", de->d_name);

		/* root, with every capability, still cannot write it */
		param_text(de->d_name, before, sizeof(before));
		EXPECT_NE(0, before[0]) TH_LOG("%s reads as nothing",
					       de->d_name);
		EXPECT_EQ(0, refused_eacces(path, O_WRONLY))
			TH_LOG("open(%s, O_WRONLY)", de->d_name);
		EXPECT_EQ(0, refused_eacces(path, O_RDWR))
			TH_LOG("open(%s, O_RDWR)", de->d_name);
		/* once root made the file writable, a write still fails */
		ASSERT_EQ(0, chmod(path, 0644)) TH_LOG("%s", strerror(errno));
		EXPECT_EQ(EIO, write_param(path, before))
			TH_LOG("write to %s after chmod 0644", de->d_name);
		ASSERT_EQ(0, chmod(path, 0444)) TH_LOG("%s", strerror(errno));
		param_text(de->d_name, after, sizeof(after));
		EXPECT_STREQ(before, after) TH_LOG("%s", de->d_name);
	}
	closedir(dir);
	for (i = 0; i < (int)NR_PARAMS; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("parameter %s", params[i]);
}

/* ------------------------------------------------------------------ */
/* max_memory                                                          */

/*
 * The smallest max_memory there is, and a small cache, so that the
 * charged memory runs out after about a hundred cgroups.  From README:
 * the CPU caches (cache_slots entries of 128 bytes per possible CPU) are
 * reported in the memory used but not charged; a tracked cgroup takes 552
 * bytes and one 1,456-byte chunk per 15 keys.  The workload's hundred
 * keys (wl_varied.h) take some seven chunks, so that few cgroups spend the
 * memory (each costs seconds in the debug kernel's guest) and the last
 * tracked one is likely partial.
 */
#define MEM_LIMIT	1048576UL
#define MEM_SLOTS	16
#define CSLOT_BYTES	128
#define CHUNK_BYTES	1456
#define MEM_PARAMS	"max_memory=1048576 cache_slots=16"
#define MEM_MAX_CGS	1000
#define MEM_UNTRACKED	3	/* in a row: the memory is spent */

FIXTURE(memory) {
	struct kabistat *ks;
	struct cgtest *cg;
	int ncg;
	char modprobe[256];	/* the kernel's helper, to put back */
};

FIXTURE_SETUP(memory)
{
	int i;

	self->cg = calloc(MEM_MAX_CGS, sizeof(*self->cg));
	ASSERT_NE(NULL, self->cg);
	for (i = 0; i < MEM_MAX_CGS; i++)
		self->cg[i].dfd = -1;
	/* nothing may load the module behind the test's back */
	ASSERT_EQ(0, modprobe_helper_swap("", self->modprobe,
					  sizeof(self->modprobe)));
}

FIXTURE_TEARDOWN(memory)
{
	const char *what = NULL;
	int i, err;

	if (self->ks)
		kabistat_close(self->ks);
	for (i = self->ncg - 1; i >= 0; i--)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	free(self->cg);
	err = modctl_restore(self->modprobe, &what);
	if (err)
		TH_LOG("%s: %s", what, strerror(-err));
}

/* The number of possible CPUs, from "0-N" or a list of ranges. */
static int possible_cpus(void)
{
	char buf[256], *p;
	int n = 0, a, b;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");

	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	while (p && *p && *p != '\n') {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else if (sscanf(p, "%d", &a) == 1)
			n++;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return n;
}

struct mem_dump {
	uint64_t sum;		/* calls over everything */
	uint64_t overflow;	/* the overflow aggregate's calls */
	uint32_t tracked;	/* entries with an id */
};

static int mem_dump_cb(const struct kabistat_cgroup *cg, void *arg)
{
	struct mem_dump *d = arg;

	d->sum += cg->totals.calls;
	if (cg->id)
		d->tracked++;
	else if (cg->state == KABISTAT_CGROUP_OVERFLOW)
		d->overflow = cg->totals.calls;
	return 0;
}

static void mem_dump(struct __test_metadata *_metadata, struct kabistat *ks,
		     struct mem_dump *d)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };

	memset(d, 0, sizeof(*d));
	ASSERT_EQ(0, kabistat_dump(ks, &opts, mem_dump_cb, d))
		TH_LOG("dump: %s", kabistat_errmsg(ks));
}

static void set_counting(struct __test_metadata *_metadata,
			 struct kabistat *ks, int on)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = on, .mask = KABISTAT_SET_COUNTING,
	};

	ASSERT_EQ(0, kabistat_set(ks, &s)) TH_LOG("%s", kabistat_errmsg(ks));
}

/*
 * Each workload cgroup runs wl_varied() (its calls, each of a syscall of
 * its own, and the moving read and the exit_group).  Cgroups are added until
 * MEM_UNTRACKED in a row are not tracked.  Then, with counting off:
 * - the memory charged is within a chunk of max_memory, never above;
 * - every cgroup tracked and not partial has exactly its calls;
 * - the overflow aggregate grew by exactly the calls the others lack;
 * - the dump adds up to "observed".
 */
TEST_F_TIMEOUT(memory, max_memory_limits_tracking_and_the_rest_overflows, 300)
{
	const uint64_t per_wl = WL_VARIED_CALLS + CGTEST_OVERHEAD_CALLS;
	uint64_t lacking = 0, charged, observed;
	int i, err, in_a_row = 0, untracked = 0, partial = 0, cpus;
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_kernel_abi *abi;
	struct kabistat_cgroup *cg;
	struct mem_dump d0, d1;

	cpus = possible_cpus();
	ASSERT_LT(0, cpus);
	err = reload(MEM_PARAMS);
	ASSERT_EQ(0, err) TH_LOG("reload '%s': %s", MEM_PARAMS,
				 strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	EXPECT_EQ(MEM_LIMIT, abi->max_memory);
	kabistat_abi_free(abi);

	/* one workload first: this process's own keys are all tracked */
	ASSERT_EQ(0, cgtest_create(&self->cg[0], NULL, "mem"))
		TH_LOG("%s", cgtest_err());
	self->ncg = 1;
	ASSERT_EQ(0, cgtest_run(&self->cg[0], NULL, wl_varied, NULL))
		TH_LOG("%s", cgtest_err());
	cg = read_cg(_metadata, self->ks, self->cg[0].id);
	kabistat_cgroup_free(cg);
	mem_dump(_metadata, self->ks, &d0);

	for (i = 1; i < MEM_MAX_CGS && in_a_row < MEM_UNTRACKED; i++) {
		ASSERT_EQ(0, cgtest_create(&self->cg[i], NULL, "mem"))
			TH_LOG("%s", cgtest_err());
		self->ncg = i + 1;
		ASSERT_EQ(0, cgtest_run(&self->cg[i], NULL, wl_varied, NULL))
			TH_LOG("%s", cgtest_err());
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, self->cg[i].id, &cg);
		ASSERT_TRUE(!err || err == -ENOENT)
			TH_LOG("%s", kabistat_errmsg(self->ks));
		in_a_row = err ? in_a_row + 1 : 0;
		kabistat_cgroup_free(cg);
	}
	ASSERT_EQ(MEM_UNTRACKED, in_a_row)
		TH_LOG("%d cgroups tracked within max_memory %lu", i,
		       MEM_LIMIT);

	set_counting(_metadata, self->ks, 0);
	/* refills under way end; with counting off nothing new comes */
	sleep_ms(200);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	charged = abi->memory_used - (uint64_t)cpus * MEM_SLOTS * CSLOT_BYTES;
	observed = abi->observed;
	EXPECT_LE(charged, MEM_LIMIT);
	EXPECT_LT(MEM_LIMIT - CHUNK_BYTES, charged)
		TH_LOG("memory left unspent while cgroups went untracked");
	mem_dump(_metadata, self->ks, &d1);
	EXPECT_EQ(abi->tracked_cgroups, d1.tracked);
	kabistat_abi_free(abi);
	EXPECT_EQ(observed, d1.sum) TH_LOG("the dump does not add up");

	for (i = 1; i < self->ncg; i++) {
		cg = NULL;
		err = kabistat_get_cgroup(self->ks, self->cg[i].id, &cg);
		if (err == -ENOENT) {
			untracked++;
			lacking += per_wl;
			continue;
		}
		ASSERT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(self->ks));
		if (cg->flags & KABISTAT_CGROUP_F_PARTIAL) {
			partial++;
			EXPECT_GT(per_wl, cg->totals.calls);
			lacking += per_wl - cg->totals.calls;
		} else {
			EXPECT_EQ(1, getppid_calls(cg)) TH_LOG("cgroup %d", i);
			EXPECT_EQ(per_wl, cg->totals.calls) TH_LOG("cgroup %d", i);
		}
		kabistat_cgroup_free(cg);
	}
	TH_LOG("%d cgroups: %d untracked, %d partial; %llu of %lu bytes charged",
	       self->ncg - 1, untracked, partial,
	       (unsigned long long)charged, MEM_LIMIT);
	EXPECT_LE(MEM_UNTRACKED, untracked);
	EXPECT_EQ(lacking, d1.overflow - d0.overflow)
		TH_LOG("overflow grew by %llu, the cgroups lack %llu",
		       (unsigned long long)(d1.overflow - d0.overflow),
		       (unsigned long long)lacking);
	set_counting(_metadata, self->ks, 1);
}

TEST_HARNESS_MAIN
