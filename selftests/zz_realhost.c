// SPDX-License-Identifier: GPL-2.0
/*
 * The module's parameters and state as a real host sees them:
 *
 * - out-of-range parameters fail the load with EINVAL and say why in the
 *   kernel log, instead of loading with something else or failing later;
 * - resetting one cgroup changes that cgroup's generation only, not the
 *   global one that GET_ABI and the aggregates carry;
 * - GET_ABI gives "observed" (a count of everyone's syscalls) only to
 *   readers of counters;
 * - a cgroup is "partial" when its own events went to overflow, not when
 *   some other cgroup's did.
 *
 * The tests that reload kabistat.ko put it back with its default
 * parameters in their teardown; should a test die before it, the harness's
 * parent does (modctl.h).  Hence the name: it runs after the other tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/kabistat.h>
#include "abis.h"
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "cli_run.h"
#include "expect.h"
#include "modctl.h"
#include "nlraw.h"
#include "privdrop.h"

#define X64	TEST_ABI_NATIVE

static struct kabistat_kernel_abi *get_abi(struct __test_metadata *_metadata,
					   struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi = NULL;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi))
		TH_LOG("GET_ABI: %s", kabistat_errmsg(ks));
	return abi;
}

static uint64_t global_generation(struct __test_metadata *_metadata,
				  struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi = get_abi(_metadata, ks);
	uint64_t gen = abi->generation;

	kabistat_abi_free(abi);
	return gen;
}

static uint32_t tracked(struct __test_metadata *_metadata, struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi = get_abi(_metadata, ks);
	uint32_t n = abi->tracked_cgroups;

	kabistat_abi_free(abi);
	return n;
}

static int set_ttl(struct kabistat *ks, int64_t ttl)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = -1, .released_ttl = ttl,
	};

	return kabistat_set(ks, &s);
}

#define RUN_WORKLOAD(cg, prep, fn, arg) \
	ASSERT_EQ(0, cgtest_run(cg, prep, fn, arg)) TH_LOG("%s", cgtest_err())

/* ------------------------------------------------------------------ */
/* Module parameters                                                   */

FIXTURE(params) {
	char modprobe[256];	/* the kernel's helper, to put back */
};

FIXTURE_SETUP(params)
{
	/* nothing may load the module behind the test's back */
	ASSERT_EQ(0, modprobe_helper_swap("", self->modprobe,
					  sizeof(self->modprobe)));
}

FIXTURE_TEARDOWN(params)
{
	char none[sizeof(self->modprobe)];
	int err;

	err = reload("");
	if (err)
		TH_LOG("reloading %s with defaults: %s", KO_NAME,
		       strerror(-err));
	err = modprobe_helper_swap(self->modprobe, none, sizeof(none));
	if (err)
		TH_LOG("putting back the kernel's modprobe: %s",
		       strerror(-err));
}

/* Whether a kernel log record from @fd on names "kabistat:" and @word. */
static bool kmsg_names(int fd, const char *word)
{
	char rec[2048];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, "kabistat:") && strstr(rec, word))
			found = true;
	}
	return found;
}

/* Load with @params: EINVAL, and the kernel log names @name. */
static void expect_refused(struct __test_metadata *_metadata,
			   const char *params, const char *name)
{
	int err, kfd;

	ASSERT_EQ(0, unload());
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END));
	err = load(params);
	EXPECT_EQ(-EINVAL, err)
		TH_LOG("load '%s': %s", params, err ? strerror(-err) : "loaded");
	EXPECT_TRUE(kmsg_names(kfd, name))
		TH_LOG("load '%s': no \"kabistat: ...%s...\" in the kernel log",
		       params, name);
	close(kfd);
}

TEST_F_TIMEOUT(params, zero_max_cgroups_and_odd_cache_slots_fail_the_load, 60)
{
	expect_refused(_metadata, "max_cgroups=0", "max_cgroups");
	expect_refused(_metadata, "cache_slots=3", "cache_slots");
	ASSERT_EQ(0, reload(""));
	EXPECT_TRUE(module_has_defaults());
}

/* ------------------------------------------------------------------ */
/* Generations                                                         */

static int overflow_gen_cb(const struct kabistat_cgroup *cg, void *arg)
{
	if (!cg->id && cg->state == KABISTAT_CGROUP_OVERFLOW)
		*(uint64_t *)arg = cg->generation;
	return 0;
}

static uint64_t overflow_generation(struct __test_metadata *_metadata,
				    struct kabistat *ks)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };
	uint64_t gen = 0;

	ASSERT_EQ(0, kabistat_dump(ks, &opts, overflow_gen_cb, &gen))
		TH_LOG("dump: %s", kabistat_errmsg(ks));
	ASSERT_NE(0, gen) TH_LOG("no overflow aggregate in the dump");
	return gen;
}

TEST(reset_of_one_cgroup_keeps_the_global_generation)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_cgroup *got = NULL;
	struct kabistat *ks;
	struct cgtest cg = { .dfd = -1 };
	uint64_t g0, o0, c0;

	ASSERT_EQ(0, kabistat_open(&ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, cgtest_create(&cg, NULL, "gen")) TH_LOG("%s", cgtest_err());
	EXPECT_EQ(0, cgtest_run(&cg, NULL, wl_getppid, (void *)20L))
		TH_LOG("%s", cgtest_err());
	EXPECT_EQ(0, kabistat_get_cgroup(ks, cg.id, &got))
		TH_LOG("%s", kabistat_errmsg(ks));
	c0 = got ? got->generation : 0;
	kabistat_cgroup_free(got);
	g0 = global_generation(_metadata, ks);
	o0 = overflow_generation(_metadata, ks);

	EXPECT_EQ(0, kabistat_reset(ks, cg.id))
		TH_LOG("%s", kabistat_errmsg(ks));
	got = NULL;
	EXPECT_EQ(0, kabistat_get_cgroup(ks, cg.id, &got))
		TH_LOG("%s", kabistat_errmsg(ks));
	if (got) {
		EXPECT_NE(c0, got->generation)
			TH_LOG("the reset cgroup kept its generation");
		EXPECT_EQ(0, got->totals.calls);
	}
	kabistat_cgroup_free(got);
	EXPECT_EQ(g0, global_generation(_metadata, ks))
		TH_LOG("GET_ABI's generation changed at the reset of one cgroup");
	EXPECT_EQ(o0, overflow_generation(_metadata, ks))
		TH_LOG("the overflow aggregate's generation changed at the reset of one cgroup");

	EXPECT_EQ(0, kabistat_reset(ks, 0)) TH_LOG("%s", kabistat_errmsg(ks));
	EXPECT_NE(g0, global_generation(_metadata, ks))
		TH_LOG("RESET_ALL left GET_ABI's generation as it was");
	EXPECT_NE(o0, overflow_generation(_metadata, ks))
		TH_LOG("RESET_ALL left the overflow aggregate's generation as it was");

	if (cgtest_remove(&cg))
		TH_LOG("%s", cgtest_err());
	kabistat_close(ks);
}

/* ------------------------------------------------------------------ */
/* GET_ABI's "observed"                                                */

struct abi_reply {
	int replies;
	int observed;		/* KABISTAT_A_OBSERVED attributes seen */
};

static int abi_reply_cb(struct nlmsghdr *nlh, void *arg)
{
	struct abi_reply *r = arg;
	const struct nlattr *a;
	int rem;

	r->replies++;
	nlraw_for_each_msg_attr(a, nlh, rem)
		if (nlraw_attr_type(a) == KABISTAT_A_OBSERVED)
			r->observed++;
	return 0;
}

/* GET_ABI's reply, raw; 0 or -errno. */
static int raw_get_abi(struct abi_reply *r)
{
	struct nlraw nl;
	int err;

	memset(r, 0, sizeof(*r));
	err = nlraw_open(&nl);
	if (err)
		return err;
	err = nlraw_request_cb(&nl, KABISTAT_CMD_GET_ABI, 0, NULL, 0,
			       abi_reply_cb, r);
	nlraw_close(&nl);
	return err;
}

/* In a reduced child: (long)@arg KABISTAT_A_OBSERVED expected. */
static int check_observed(void *arg)
{
	struct abi_reply r;
	int err, fails = 0;

	err = raw_get_abi(&r);
	PRIV_EXPECT(fails, err == 0, "GET_ABI: %s", strerror(-err));
	PRIV_EXPECT(fails, r.replies == 1, "GET_ABI: %d replies", r.replies);
	PRIV_EXPECT(fails, r.observed == (long)arg,
		    "GET_ABI: %d KABISTAT_A_OBSERVED, expected %ld",
		    r.observed, (long)arg);
	return fails;
}

TEST(get_abi_tells_observed_only_to_counter_readers)
{
	struct abi_reply r;

	ASSERT_EQ(0, raw_get_abi(&r));
	EXPECT_EQ(1, r.replies);
	EXPECT_EQ(1, r.observed) TH_LOG("root's GET_ABI lacks KABISTAT_A_OBSERVED");
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_NONE, check_observed,
			      (void *)0L))
		TH_LOG("uid %d without capabilities", PRIV_NOBODY);
	EXPECT_EQ(0, priv_run(PRIV_NOBODY, PRIV_CAP(CAP_PERFMON),
			      check_observed, (void *)1L))
		TH_LOG("uid %d with CAP_PERFMON", PRIV_NOBODY);
}

/* ------------------------------------------------------------------ */
/* The partial flag                                                    */

/*
 * Reloaded with max_cgroups PART_CAP, the cap is filled with live cgroups;
 * then PART_OVER more cgroups make syscalls, which go to overflow.  Once
 * the fillers are removed and evicted, there is room again.  A cgroup
 * whose events went to overflow is partial when it is tracked later; a
 * cgroup that never made a syscall before is not, whatever its id.
 *
 * A module that remembers overflowed cgroups as one bit of 4096 per
 * hashed id (hash_64(id, 12), as kabistat did before issue 12) takes a
 * fresh cgroup whose id hashes to the bit of an overflowed one for
 * overflowed too.  The ids of new cgroups are known before they make any
 * syscall, so such a cgroup is found among a few fresh ones without
 * running anything in them.  Where the tests run N times slower, PART_OVER
 * / N overflow (each a workload).
 *
 * A fresh id lands on an overflowed one's bit only once it is
 * some thousands past it (Fibonacci hashing spreads nearby ids apart),
 * and a cgroup's files take ids too, so how many candidates that takes
 * depends on the kernel: over a thousand in an arm64 guest, a minute when
 * made where the overflowed ones were.  The candidates are made in a
 * cgroup without controllers (bare), whose children come and go several
 * times faster.
 */
#define PART_CAP	48
#define PART_CAP_PARAM	"max_cgroups=48"
#define PART_OVER	300
#define PART_OVER_MIN	50
#define PART_FRESH	4	/* never overflowed, hashing elsewhere */
#define PART_MAX_CGS	(PART_CAP + PART_OVER + 64)
#define PART_CANDIDATES	10000
#define OVERFLOW_BITS	4096
#define GOLDEN_RATIO_64	0x61C8864680B583EBULL

static unsigned int overflow_bit(uint64_t id)
{
	/* kmod/cgroup.c: hash_64(id, ilog2(KS_OVERFLOW_BITS)) */
	return (id * GOLDEN_RATIO_64) >> (64 - 12);
}

FIXTURE(partial) {
	struct kabistat *ks;
	struct cgtest bare;	/* where the fresh ones are made */
	struct cgtest *cg;	/* every cgroup made, PART_MAX_CGS */
	int ncg;
	int nfill, nover;	/* cg[0..nfill) fillers, then nover overflowed */
	unsigned char bits[OVERFLOW_BITS];
	char modprobe[256];
	bool swapped;
};

FIXTURE_SETUP(partial)
{
	self->bare.dfd = -1;
	self->cg = calloc(PART_MAX_CGS, sizeof(*self->cg));
	ASSERT_NE(NULL, self->cg);
	ASSERT_EQ(0, modprobe_helper_swap("", self->modprobe,
					  sizeof(self->modprobe)));
	self->swapped = true;
}

FIXTURE_TEARDOWN(partial)
{
	char none[sizeof(self->modprobe)];
	int i, err;

	if (self->ks)
		kabistat_close(self->ks);
	for (i = self->ncg - 1; i >= 0; i--)
		if (cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	if (cgtest_remove(&self->bare))
		TH_LOG("%s", cgtest_err());
	free(self->cg);
	err = reload("");
	if (err)
		TH_LOG("reloading %s with defaults: %s", KO_NAME,
		       strerror(-err));
	if (self->swapped) {
		err = modprobe_helper_swap(self->modprobe, none, sizeof(none));
		if (err)
			TH_LOG("putting back the kernel's modprobe: %s",
			       strerror(-err));
	}
}

static struct cgtest *part_new(struct __test_metadata *_metadata,
			       FIXTURE_DATA(partial) *self,
			       const struct cgtest *parent, const char *tag)
{
	struct cgtest *cg;

	ASSERT_LT(self->ncg, PART_MAX_CGS);
	cg = &self->cg[self->ncg];
	ASSERT_EQ(0, cgtest_create(cg, parent, tag))
		TH_LOG("%s", cgtest_err());
	self->ncg++;
	return cg;
}

/*
 * A child process that moves itself through cgroups cg[from..to): in each
 * it makes a few syscalls (the write that moved it returns there), then
 * it goes back to its home cgroup.  0 or the child's exit code.
 */
static int tour(FIXTURE_DATA(partial) *self, int from, int to)
{
	pid_t pid;
	int i;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (i = from; i < to; i++)
			if (cgtest_enter(self->cg[i].path))
				_exit(10);
		_exit(cgtest_enter(cgtest_home()) ? 11 : 0);
	}
	return cgtest_reap(pid);
}

static uint32_t partial_flag(struct __test_metadata *_metadata,
			     struct kabistat *ks, const struct cgtest *cg)
{
	struct kabistat_cgroup *got = NULL;
	uint32_t flags;

	ASSERT_EQ(0, kabistat_get_cgroup(ks, cg->id, &got))
		TH_LOG("cgroup %llu: %s", (unsigned long long)cg->id,
		       kabistat_errmsg(ks));
	flags = got->flags & KABISTAT_CGROUP_F_PARTIAL;
	kabistat_cgroup_free(got);
	return flags;
}

/*
 * Reload with max_cgroups PART_CAP, fill the cap, make PART_OVER cgroups
 * overflow, then make room again:
 * cg[0..nfill) are gone, cg[nfill..nfill + nover) overflowed and are not
 * tracked; bits[] marks the hashed ids of the overflowed ones.
 */
static void overflow_then_room(struct __test_metadata *_metadata,
			       FIXTURE_DATA(partial) *self)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_cgroup *got;
	uint32_t n, before;
	int64_t t0;
	int i, err;

	err = reload(PART_CAP_PARAM);
	ASSERT_EQ(0, err) TH_LOG("reload: %s", strerror(-err));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	before = tracked(_metadata, self->ks);
	ASSERT_LT(before + 8, PART_CAP)
		TH_LOG("%u tracked after the load", before);
	for (i = before; i < PART_CAP; i++)
		part_new(_metadata, self, NULL, "fill");
	self->nfill = self->ncg;
	ASSERT_EQ(0, tour(self, 0, self->nfill));
	ASSERT_EQ(PART_CAP, tracked(_metadata, self->ks));

	self->nover = cgtest_scaled(PART_OVER, PART_OVER_MIN,
				    "overflowing cgroups");
	for (i = 0; i < self->nover; i++)
		part_new(_metadata, self, NULL, "over");
	ASSERT_EQ(0, tour(self, self->nfill, self->ncg));
	ASSERT_EQ(PART_CAP, tracked(_metadata, self->ks));
	for (i = self->nfill; i < self->ncg; i++) {
		got = NULL;
		ASSERT_EQ(-ENOENT, kabistat_get_cgroup(self->ks,
						       self->cg[i].id, &got))
			TH_LOG("overflowed cgroup %d is tracked", i);
		self->bits[overflow_bit(self->cg[i].id)] = 1;
	}

	/* room: the fillers go, and are evicted at once */
	ASSERT_EQ(0, set_ttl(self->ks, 0)) TH_LOG("%s",
						  kabistat_errmsg(self->ks));
	for (i = 0; i < self->nfill; i++)
		ASSERT_EQ(0, cgtest_remove(&self->cg[i]))
			TH_LOG("%s", cgtest_err());
	t0 = cgtest_now_ms();
	while ((n = tracked(_metadata, self->ks)) > before &&
	       cgtest_now_ms() - t0 < 15000) {
		usleep(50000);
		ASSERT_EQ(0, set_ttl(self->ks, 0));
	}
	ASSERT_GE(before, n) TH_LOG("%u tracked 15 s after the fillers went",
				    n);
}

/* A fresh cgroup (no syscall made in it yet) that @want_bit or not. */
static struct cgtest *fresh_cg(struct __test_metadata *_metadata,
			       FIXTURE_DATA(partial) *self, bool want_bit)
{
	struct cgtest *cg;
	int tries;

	/* braces: ASSERT_*() TH_LOG() is two statements */
	if (!self->bare.created) {
		ASSERT_EQ(0, cgtest_create(&self->bare, NULL, "bare"))
			TH_LOG("%s", cgtest_err());
	}
	for (tries = 0; tries < PART_CANDIDATES; tries++) {
		cg = part_new(_metadata, self, &self->bare, "fresh");
		if (self->bits[overflow_bit(cg->id)] == want_bit) {
			if (want_bit)
				TH_LOG("a fresh cgroup on an overflowed bit after %d candidates",
				       tries + 1);
			return cg;
		}
		ASSERT_EQ(0, cgtest_remove(cg)) TH_LOG("%s", cgtest_err());
		self->ncg--;
	}
	ASSERT_TRUE(false) TH_LOG("no fresh cgroup %s an overflowed bit in %d",
				  want_bit ? "on" : "off", PART_CANDIDATES);
	return NULL;
}

/* What kabistat -j show says of @cg's partial flag: its JSON field. */
static void expect_cli_partial(struct __test_metadata *_metadata,
			       const struct cgtest *cg, const char *want)
{
	static struct cli_result res;
	char id[32];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)cg->id);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", id));
	EXPECT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_HAS(res.out, want);
}

TEST_F_TIMEOUT(partial, only_cgroups_whose_events_overflowed_are_partial, 120)
{
	struct cgtest *over, *fresh[PART_FRESH + 1];
	int i, nbits = 0;

	overflow_then_room(_metadata, self);
	for (i = 0; i < OVERFLOW_BITS; i++)
		nbits += self->bits[i];
	TH_LOG("%d overflowed cgroups, %d distinct hashed ids", self->nover,
	       nbits);

	/* one that did overflow, tracked now */
	over = &self->cg[self->nfill];
	RUN_WORKLOAD(over, NULL, wl_getppid, (void *)5L);
	EXPECT_NE(0, partial_flag(_metadata, self->ks, over))
		TH_LOG("cgroup %llu overflowed before it was tracked, yet is not partial",
		       (unsigned long long)over->id);
	expect_cli_partial(_metadata, over, "\"partial\":true,");

	/* fresh ones: the first with the hashed id of an overflowed one */
	fresh[0] = fresh_cg(_metadata, self, true);
	for (i = 1; i <= PART_FRESH; i++)
		fresh[i] = fresh_cg(_metadata, self, false);
	for (i = 0; i <= PART_FRESH; i++) {
		RUN_WORKLOAD(fresh[i], NULL, wl_getppid, (void *)5L);
		EXPECT_EQ(0, partial_flag(_metadata, self->ks, fresh[i]))
			TH_LOG("fresh cgroup %llu (hashed %u%s) never overflowed, yet is partial",
			       (unsigned long long)fresh[i]->id,
			       overflow_bit(fresh[i]->id),
			       i ? "" : ", the bit of an overflowed cgroup");
	}
	expect_cli_partial(_metadata, fresh[0], "\"partial\":false,");
}

/*
 * Last (fixtures run in the order they are declared): where the table size
 * is computed from max_cgroups without a bound, this one can load a module
 * that writes outside its table.
 */
FIXTURE(huge) {
	char modprobe[256];
};

FIXTURE_SETUP(huge)
{
	ASSERT_EQ(0, modprobe_helper_swap("", self->modprobe,
					  sizeof(self->modprobe)));
}

FIXTURE_TEARDOWN(huge)
{
	char none[sizeof(self->modprobe)];
	int err;

	err = reload("");
	if (err)
		TH_LOG("reloading %s with defaults: %s", KO_NAME,
		       strerror(-err));
	err = modprobe_helper_swap(self->modprobe, none, sizeof(none));
	if (err)
		TH_LOG("putting back the kernel's modprobe: %s",
		       strerror(-err));
}

TEST_F_TIMEOUT(huge, max_cgroups_beyond_the_limit_fails_the_load, 60)
{
	expect_refused(_metadata, "max_cgroups=4294967295", "max_cgroups");
	ASSERT_EQ(0, reload(""));
	EXPECT_TRUE(module_has_defaults());
}

TEST_HARNESS_MAIN
