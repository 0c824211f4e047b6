/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the realhost tests.  Include after kselftest_harness.h.
 *
 * Tests that change released_ttl put it back in their teardown; should one
 * die before, the harness's parent puts it back when it exits.
 */
#ifndef KABISTAT_REALHOST_H
#define KABISTAT_REALHOST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kabistat.h"
#include "abis.h"
#include "cgtest.h"

#define X64		TEST_ABI_NATIVE
#define DEFAULT_TTL	600

static inline void open_ks(struct __test_metadata *_metadata,
			   struct kabistat **ks)
{
	char msg[KABISTAT_ERRMSG_LEN];

	ASSERT_EQ(0, kabistat_open(ks, msg)) TH_LOG("%s", msg);
}

static inline int set_ttl(struct kabistat *ks, int64_t ttl)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = -1, .released_ttl = ttl,
	};

	return kabistat_set(ks, &s);
}

/* The path the module reports for a cgroup: from the cgroup2 root. */
static inline const char *rel_path(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT);
}

#define RUN_WORKLOAD(cg, prep, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, prep, fn, arg)) TH_LOG("%s", cgtest_err())

/* What a full dump says about one cgroup, and the evicted aggregate. */
struct dump_pick {
	uint64_t id;
	int found;
	uint32_t state;
	char path[PATH_MAX];
	struct kabistat_counters totals;
	struct kabistat_counters evicted_x64;
	bool seen_evicted;
};

static inline int dump_pick_cb(const struct kabistat_cgroup *cg, void *arg)
{
	struct dump_pick *p = arg;

	if (cg->id && cg->id == p->id) {
		p->found++;
		p->state = cg->state;
		snprintf(p->path, sizeof(p->path), "%s",
			 cg->path ? cg->path : "");
		p->totals = cg->totals;
	} else if (!cg->id && cg->state == KABISTAT_CGROUP_EVICTED) {
		p->seen_evicted = true;
		p->evicted_x64 = cg->per_abi[X64];
	}
	return 0;
}

static inline void dump_pick(struct __test_metadata *_metadata,
			     struct kabistat *ks, uint64_t id,
			     struct dump_pick *p)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };

	memset(p, 0, sizeof(*p));
	p->id = id;
	ASSERT_EQ(0, kabistat_dump(ks, &opts, dump_pick_cb, p))
		TH_LOG("dump: %s", kabistat_errmsg(ks));
	ASSERT_TRUE(p->seen_evicted) TH_LOG("no evicted aggregate in the dump");
}

static pid_t realhost_harness_pid;

__attribute__((constructor)) static void realhost_note_harness_pid(void)
{
	realhost_harness_pid = getpid();
}

static inline bool realhost_in_harness(void)
{
	return getpid() == realhost_harness_pid;
}

/* The last resort, when a test died before its teardown. */
__attribute__((destructor)) static void realhost_restore_ttl(void)
{
	struct kabistat_kernel_abi *abi;
	struct kabistat *ks;

	if (!realhost_in_harness() || kabistat_open(&ks, NULL))
		return;
	if (!kabistat_get_abi(ks, &abi)) {
		if (abi->released_ttl != DEFAULT_TTL &&
		    set_ttl(ks, DEFAULT_TTL))
			fprintf(stderr, "# could not restore released_ttl: %s\n",
				kabistat_errmsg(ks));
		kabistat_abi_free(abi);
	}
	kabistat_close(ks);
}

#endif /* KABISTAT_REALHOST_H */
