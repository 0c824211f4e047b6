/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the fuzzers: a seeded, reproducible PRNG and a wall-clock
 * budget.  Header only, so that each fuzzer stays one file.
 *
 * The seed comes from KABISTAT_FUZZ_SEED (any strtoull base; the VM runner
 * sets one per run) or from the clock.  It is printed as the binary starts,
 * before any test can hang or crash, and again at exit if a test failed, as
 * "KABISTAT_FUZZ_SEED=<seed>", so that a failing run can be replayed and
 * the VM runner names it in each failure of the binary.  A run is
 * bounded both by a number of iterations and by a time budget: on a slow
 * (debug, TCG) kernel the budget ends it first, and the count printed is
 * what was actually sent.  The messages are a function of the seed alone,
 * so a replay with the same seed sends the same prefix.
 */
#ifndef KABISTAT_FUZZUTIL_H
#define KABISTAT_FUZZUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

struct fuzz_rng {
	uint64_t s;
};

static inline uint64_t fuzz_next(struct fuzz_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static inline uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n)
{
	return n ? (uint32_t)(fuzz_next(r) % n) : 0;
}

static inline int fuzz_chance(struct fuzz_rng *r, uint32_t one_in)
{
	return fuzz_below(r, one_in) == 0;
}

static inline void fuzz_fill(struct fuzz_rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)fuzz_next(r);
}

/* Derive an independent stream for sub-test @tag from @seed. */
static inline void fuzz_seed(struct fuzz_rng *r, uint64_t seed, uint64_t tag)
{
	r->s = (seed ^ (tag * 0x9E3779B97F4A7C15ULL)) | 1;
	fuzz_next(r);
	fuzz_next(r);
}

/* The run's seed: KABISTAT_FUZZ_SEED, or a fresh one. */
static inline uint64_t fuzz_run_seed(void)
{
	static uint64_t seed;
	struct timespec ts;
	const char *env;

	if (seed)
		return seed;
	env = getenv("KABISTAT_FUZZ_SEED");
	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		       ((uint64_t)getpid() << 16);
	}
	if (!seed)
		seed = 1;
	return seed;
}

static pid_t fuzz_harness_pid;

/* In the harness's parent, before it forks the tests: one seed a run. */
__attribute__((constructor)) static void fuzz_seed_early(void)
{
	fuzz_harness_pid = getpid();
	printf("# KABISTAT_FUZZ_SEED=0x%llx: this run's seed, to replay it\n",
	       (unsigned long long)fuzz_run_seed());
}

/* The harness's parent, at exit: a failure says how to replay it. */
__attribute__((destructor)) static void fuzz_seed_on_failure(void)
{
	if (getpid() == fuzz_harness_pid && ksft_get_fail_cnt())
		printf("# failed with KABISTAT_FUZZ_SEED=0x%llx: set it to replay\n",
		       (unsigned long long)fuzz_run_seed());
}

static inline double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A time budget in seconds, KABISTAT_FUZZ_SECONDS overriding @dflt for
 * every phase (a longer soak by hand, or a shorter one).
 */
static inline double fuzz_budget(double dflt)
{
	const char *env = getenv("KABISTAT_FUZZ_SECONDS");

	if (env && *env && strtod(env, NULL) > 0)
		return strtod(env, NULL);
	return dflt;
}

#endif /* KABISTAT_FUZZUTIL_H */
