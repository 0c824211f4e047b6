// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat_set() changes exactly the fields its mask names.  A caller that
 * names only released_ttl in a designated initializer leaves counting 0,
 * which must not turn counting off host-wide; a program built before the
 * mask existed (a smaller sz) keeps its old meaning.
 *
 * Every test restores counting on and the released TTL it found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"

FIXTURE(settings) {
	struct kabistat *ks;
	uint32_t ttl;		/* as found */
};

static void state(struct __test_metadata *_metadata, struct kabistat *ks,
		  int *counting, uint32_t *ttl)
{
	struct kabistat_kernel_abi *abi;

	ASSERT_EQ(0, kabistat_get_abi(ks, &abi)) TH_LOG("%s", kabistat_errmsg(ks));
	*counting = abi->counting;
	*ttl = abi->released_ttl;
	kabistat_abi_free(abi);
}

FIXTURE_SETUP(settings)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int counting;

	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	state(_metadata, self->ks, &counting, &self->ttl);
	ASSERT_EQ(1, counting) TH_LOG("counting is off: an earlier test left it off?");
}

FIXTURE_TEARDOWN(settings)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = 1, .released_ttl = self->ttl,
		.mask = KABISTAT_SET_COUNTING | KABISTAT_SET_RELEASED_TTL,
	};

	if (kabistat_set(self->ks, &s))
		TH_LOG("could not restore the settings: %s",
		       kabistat_errmsg(self->ks));
	kabistat_close(self->ks);
}

TEST_F(settings, naming_only_the_ttl_leaves_counting_on)
{
	struct kabistat_settings s = { .sz = sizeof(s), .released_ttl = 61 };
	uint32_t ttl;
	int counting;

	/* no mask: refused, nothing changed */
	EXPECT_EQ(-EINVAL, kabistat_set(self->ks, &s));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(self->ks), "KABISTAT_SET_COUNTING"))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	state(_metadata, self->ks, &counting, &ttl);
	EXPECT_EQ(1, counting);
	EXPECT_EQ(self->ttl, ttl);

	/* with the mask: the TTL only */
	s.mask = KABISTAT_SET_RELEASED_TTL;
	ASSERT_EQ(0, kabistat_set(self->ks, &s)) TH_LOG("%s", kabistat_errmsg(self->ks));
	state(_metadata, self->ks, &counting, &ttl);
	EXPECT_EQ(1, counting);
	EXPECT_EQ(61, ttl);
}

TEST_F(settings, mask_sets_counting_off_and_on_explicitly)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = 0, .released_ttl = -5,
		.mask = KABISTAT_SET_COUNTING,
	};
	uint32_t ttl;
	int counting;

	/* released_ttl is not in the mask: its -5 is not looked at */
	ASSERT_EQ(0, kabistat_set(self->ks, &s)) TH_LOG("%s", kabistat_errmsg(self->ks));
	state(_metadata, self->ks, &counting, &ttl);
	EXPECT_EQ(0, counting);
	EXPECT_EQ(self->ttl, ttl);
	s.counting = 1;
	ASSERT_EQ(0, kabistat_set(self->ks, &s)) TH_LOG("%s", kabistat_errmsg(self->ks));
	state(_metadata, self->ks, &counting, &ttl);
	EXPECT_EQ(1, counting);

	s.mask = KABISTAT_SET_RELEASED_TTL;
	EXPECT_EQ(-ERANGE, kabistat_set(self->ks, &s));
	s.mask = 1U << 7;
	EXPECT_EQ(-EINVAL, kabistat_set(self->ks, &s));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(self->ks), "unknown bits"))
		TH_LOG("%s", kabistat_errmsg(self->ks));
}

TEST_F(settings, callers_built_before_the_mask_keep_their_meaning)
{
	struct kabistat_settings s = {
		.sz = offsetof(struct kabistat_settings, mask),
		.counting = -1, .released_ttl = 62,
	};
	uint32_t ttl;
	int counting;

	ASSERT_EQ(0, kabistat_set(self->ks, &s)) TH_LOG("%s", kabistat_errmsg(self->ks));
	state(_metadata, self->ks, &counting, &ttl);
	EXPECT_EQ(1, counting);
	EXPECT_EQ(62, ttl);
}

/* A caller built against a newer header: known fields, then more. */
struct newer_settings {
	struct kabistat_settings known;
	uint64_t future;
};

TEST_F(settings, newer_callers_tail_must_be_zero)
{
	struct newer_settings n = {
		.known = { .sz = sizeof(n), .counting = 1,
			   .mask = KABISTAT_SET_COUNTING },
	};

	EXPECT_EQ(0, kabistat_set(self->ks, &n.known))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	n.future = 3;
	EXPECT_EQ(-EINVAL, kabistat_set(self->ks, &n.known));
	EXPECT_NE(NULL, strstr(kabistat_errmsg(self->ks), "newer library"))
		TH_LOG("%s", kabistat_errmsg(self->ks));
}

TEST_HARNESS_MAIN
