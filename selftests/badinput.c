// SPDX-License-Identifier: GPL-2.0
/*
 * Bad netlink input to GET_CGROUP, RESET and SET is refused with a precise
 * errno and an extended ACK message naming the problem, never acted on.
 *
 * Requests that a lax kernel might act on are built so that acting on them
 * is harmless: SET only ever carries "counting 1" (the default), RESET only
 * ever names this test's own fresh cgroup.
 *
 * Errnos: the netlink core refuses a wrongly sized or unknown attribute
 * with EINVAL and an integer above its policy maximum with ERANGE;
 * cgroup_get_from_fd() gives EBADF for any fd that is not a cgroup2
 * directory; an id the module does not track is ENOENT.  A genetlink
 * header with reserved bits set, or netlink flags a request has no use
 * for, is EINVAL: the core checks them from 6.1 (resv_start_op), the module
 * itself before (kmod/compat.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "nlraw.h"
#include "cgtest.h"

/* ids no cgroup has: kernfs ids are small inode numbers in a guest */
#define STALE_ID_1	0xdeadbeefULL
#define STALE_ID_2	0x7fffffff00000042ULL

FIXTURE(bad) {
	struct nlraw nl;
	struct cgtest cg;
	char buf[256];
	size_t len;
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, nlraw_open(&self->nl)) TH_LOG("kabistat family not found");
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "badinput"))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(bad)
{
	nlraw_close(&self->nl);
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
}

/* Append attributes to the request being built. */
static void put(FIXTURE_DATA(bad) *self, uint16_t type, const void *data,
		size_t len)
{
	self->len = nlraw_put(self->buf, self->len, type, data, len);
}

static void put_u64(FIXTURE_DATA(bad) *self, uint16_t type, uint64_t v)
{
	put(self, type, &v, sizeof(v));
}

static void put_u32(FIXTURE_DATA(bad) *self, uint16_t type, uint32_t v)
{
	put(self, type, &v, sizeof(v));
}

static void put_u8(FIXTURE_DATA(bad) *self, uint16_t type, uint8_t v)
{
	put(self, type, &v, sizeof(v));
}

/*
 * Send the request built so far; it must fail with @err and the extack
 * message @msg, or, when @may_lack, no message at all.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(bad) *self, uint8_t cmd,
			   uint16_t flags, int err, const char *msg,
			   bool may_lack)
{
	int ret = nlraw_request(&self->nl, cmd, flags, self->buf, self->len);

	EXPECT_EQ(-err, ret) TH_LOG("cmd %u: got %s, want %s (extack '%s')",
				    cmd, strerror(-ret), strerror(err),
				    self->nl.extack);
	if (!may_lack || self->nl.extack[0])
		EXPECT_STREQ(msg, self->nl.extack)
			TH_LOG("cmd %u flags %#x: %s", cmd, flags,
			       strerror(err));
	self->len = 0;
}

/* Messages of the kernel's strict attribute validation (lib/nlattr.c). */
#define BAD_LEN		"invalid attribute length"
#define UNKNOWN		"Unknown attribute type"
#define UNSUPPORTED	"Unsupported attribute"
/* and of the genetlink header check (the core's, or compat.h's) */
#define RESERVED	"genlmsghdr.reserved field is not 0"
#define BAD_FLAGS	"ambiguous or reserved bits set in nlmsg_flags"
/* the module's own */
#define NOT_CGROUP	"not an open cgroup2 directory"
#define NOT_TRACKED	"cgroup not tracked"

#define REFUSED(cmd, err, msg) \
	expect_refused(_metadata, self, cmd, 0, err, msg, false)
/* attribute validation of a dump request names the attribute */
#define DUMP_REFUSED(cmd, err, msg) \
	expect_refused(_metadata, self, cmd, NLM_F_DUMP, err, msg, false)
/*
 * An error of the dump's .start callback itself: up to at least 6.1,
 * __netlink_dump_start() runs .start with cb->extack NULL (it is only set
 * around ->dump), so the module cannot attach a message there.
 */
#define DUMP_START_REFUSED(cmd, err, msg) \
	expect_refused(_metadata, self, cmd, NLM_F_DUMP, err, msg, true)

#define GET	KABISTAT_CMD_GET_CGROUP
#define RESET	KABISTAT_CMD_RESET
#define SET	KABISTAT_CMD_SET

/* ---- GET_CGROUP (do, and the dump's start) ---- */

TEST_F(bad, get_cgroup_without_id_or_fd_is_einval)
{
	REFUSED(GET, EINVAL, "missing cgroup id or fd");
}

TEST_F(bad, get_cgroup_with_both_id_and_fd_is_einval)
{
	int32_t fd = self->cg.dfd;

	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	put(self, KABISTAT_A_CGROUP_FD, &fd, sizeof(fd));
	REFUSED(GET, EINVAL, "give a cgroup id or a cgroup fd, not both");
}

TEST_F(bad, get_cgroup_id_of_wrong_size_or_type_is_einval)
{
	static const char short_string[] = "42";

	put_u32(self, KABISTAT_A_CGROUP_ID, (uint32_t)self->cg.id);
	REFUSED(GET, EINVAL, BAD_LEN);
	put(self, KABISTAT_A_CGROUP_ID, short_string, sizeof(short_string));
	REFUSED(GET, EINVAL, BAD_LEN);
	put(self, KABISTAT_A_CGROUP_ID, "", 0);
	REFUSED(GET, EINVAL, BAD_LEN);
	put_u8(self, KABISTAT_A_CGROUP_ID, 1);
	REFUSED(GET, EINVAL, BAD_LEN);
}

TEST_F(bad, get_cgroup_fd_of_wrong_size_is_einval)
{
	put_u64(self, KABISTAT_A_CGROUP_FD, (uint64_t)self->cg.dfd);
	REFUSED(GET, EINVAL, BAD_LEN);
}

TEST_F(bad, get_cgroup_id_marked_nested_is_einval)
{
	put_u64(self, KABISTAT_A_CGROUP_ID | NLA_F_NESTED, self->cg.id);
	REFUSED(GET, EINVAL, "NLA_F_NESTED not expected");
}

TEST_F(bad, get_cgroup_unknown_attribute_is_einval)
{
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	put_u32(self, KABISTAT_A_MAX + 1, 1);
	REFUSED(GET, EINVAL, UNKNOWN);
}

TEST_F(bad, get_cgroup_reply_only_attribute_is_einval)
{
	static const char path[] = "/";

	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	put(self, KABISTAT_A_CGROUP_PATH, path, sizeof(path));
	REFUSED(GET, EINVAL, UNSUPPORTED);
}

TEST_F(bad, get_cgroup_stale_id_is_enoent)
{
	put_u64(self, KABISTAT_A_CGROUP_ID, STALE_ID_1);
	REFUSED(GET, ENOENT, NOT_TRACKED);
	put_u64(self, KABISTAT_A_CGROUP_ID, STALE_ID_2);
	REFUSED(GET, ENOENT, NOT_TRACKED);
}

TEST_F(bad, get_cgroup_fd_that_is_not_a_cgroup_is_ebadf)
{
	char procs[PATH_MAX + 16];
	int32_t dir, file;

	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->cg.path);
	file = open(procs, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, file);

	put(self, KABISTAT_A_CGROUP_FD, &dir, sizeof(dir));
	REFUSED(GET, EBADF, NOT_CGROUP);
	put(self, KABISTAT_A_CGROUP_FD, &file, sizeof(file));
	REFUSED(GET, EBADF, NOT_CGROUP);
	close(dir);
	close(file);
}

TEST_F(bad, get_cgroup_closed_or_negative_fd_is_ebadf)
{
	int32_t fd = dup(self->cg.dfd), neg = -1;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	put(self, KABISTAT_A_CGROUP_FD, &fd, sizeof(fd));
	REFUSED(GET, EBADF, NOT_CGROUP);
	put(self, KABISTAT_A_CGROUP_FD, &neg, sizeof(neg));
	REFUSED(GET, EBADF, NOT_CGROUP);
}

TEST_F(bad, get_cgroup_dump_with_bad_attributes_is_refused)
{
	int32_t dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, dir);
	put_u32(self, KABISTAT_A_CGROUP_ID, (uint32_t)self->cg.id);
	DUMP_REFUSED(GET, EINVAL, BAD_LEN);
	put_u32(self, KABISTAT_A_MAX + 1, 1);
	DUMP_REFUSED(GET, EINVAL, UNKNOWN);
	put(self, KABISTAT_A_CGROUP_FD, &dir, sizeof(dir));
	DUMP_START_REFUSED(GET, EBADF, NOT_CGROUP);
	close(dir);
}

/* ---- RESET ---- */

TEST_F(bad, reset_without_target_or_reset_all_is_einval)
{
	REFUSED(RESET, EINVAL, "missing cgroup id, cgroup fd or RESET_ALL");
}

TEST_F(bad, reset_id_of_wrong_size_is_einval)
{
	put_u32(self, KABISTAT_A_CGROUP_ID, (uint32_t)self->cg.id);
	REFUSED(RESET, EINVAL, BAD_LEN);
	put_u64(self, KABISTAT_A_CGROUP_FD, (uint64_t)self->cg.dfd);
	REFUSED(RESET, EINVAL, BAD_LEN);
}

TEST_F(bad, reset_unknown_attribute_is_einval)
{
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	put_u32(self, KABISTAT_A_MAX + 1, 1);
	REFUSED(RESET, EINVAL, UNKNOWN);
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	put_u8(self, KABISTAT_A_COUNTING, 1);	/* SET's, not RESET's */
	REFUSED(RESET, EINVAL, UNSUPPORTED);
}

TEST_F(bad, reset_stale_id_is_enoent)
{
	put_u64(self, KABISTAT_A_CGROUP_ID, STALE_ID_1);
	REFUSED(RESET, ENOENT, NOT_TRACKED);
}

TEST_F(bad, reset_fd_that_is_not_a_cgroup_is_ebadf)
{
	int32_t dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, dir);
	put(self, KABISTAT_A_CGROUP_FD, &dir, sizeof(dir));
	REFUSED(RESET, EBADF, NOT_CGROUP);
	close(dir);
}

/* ---- SET ---- */

TEST_F(bad, set_without_any_setting_is_einval)
{
	REFUSED(SET, EINVAL, "nothing to set");
}

TEST_F(bad, set_counting_of_wrong_size_is_einval)
{
	put_u32(self, KABISTAT_A_COUNTING, 1);
	REFUSED(SET, EINVAL, BAD_LEN);
	put(self, KABISTAT_A_COUNTING, "", 0);
	REFUSED(SET, EINVAL, BAD_LEN);
}

TEST_F(bad, set_counting_above_one_is_erange)
{
	put_u8(self, KABISTAT_A_COUNTING, 2);
	REFUSED(SET, ERANGE, "integer out of range");
}

TEST_F(bad, set_released_ttl_of_wrong_size_is_einval)
{
	put_u64(self, KABISTAT_A_RELEASED_TTL, 3600);
	REFUSED(SET, EINVAL, BAD_LEN);
	put_u8(self, KABISTAT_A_RELEASED_TTL, 60);
	REFUSED(SET, EINVAL, BAD_LEN);
}

TEST_F(bad, set_unknown_attribute_is_einval)
{
	put_u8(self, KABISTAT_A_COUNTING, 1);
	put_u32(self, KABISTAT_A_MAX + 1, 1);
	REFUSED(SET, EINVAL, UNKNOWN);
	put_u8(self, KABISTAT_A_COUNTING, 1);
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id); /* GET's, not SET's */
	REFUSED(SET, EINVAL, UNSUPPORTED);
}

/* ---- the genetlink header and the netlink flags, for every command ---- */

TEST_F(bad, reserved_bits_in_the_genetlink_header_are_einval)
{
	self->nl.reserved = 1;
	REFUSED(KABISTAT_CMD_GET_ABI, EINVAL, RESERVED);
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	REFUSED(GET, EINVAL, RESERVED);
	DUMP_START_REFUSED(GET, EINVAL, RESERVED);
	put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
	REFUSED(RESET, EINVAL, RESERVED);
	put_u8(self, KABISTAT_A_COUNTING, 1);
	REFUSED(SET, EINVAL, RESERVED);
	self->nl.reserved = 0x8000;
	REFUSED(KABISTAT_CMD_GET_ABI, EINVAL, RESERVED);
	self->nl.reserved = 0;
	EXPECT_EQ(0, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0, NULL, 0))
		TH_LOG("the same request without reserved bits: %s",
		       self->nl.extack);
}

/*
 * Only REQUEST, ACK, ECHO and the two bits of DUMP together mean anything
 * to a request: MULTI, and ROOT or MATCH alone, or the NEW request flags
 * (ATOMIC is CREATE, APPEND), are refused, in a do or next to DUMP.
 */
TEST_F(bad, netlink_flags_a_request_has_no_use_for_are_einval)
{
	static const uint16_t odd[] = {
		NLM_F_MULTI, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
		NLM_F_APPEND,
	};
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		expect_refused(_metadata, self, KABISTAT_CMD_GET_ABI, odd[i],
			       EINVAL, BAD_FLAGS, false);
		put_u64(self, KABISTAT_A_CGROUP_ID, self->cg.id);
		expect_refused(_metadata, self, GET, odd[i], EINVAL,
			       BAD_FLAGS, false);
		put_u8(self, KABISTAT_A_COUNTING, 1);
		expect_refused(_metadata, self, SET, odd[i], EINVAL,
			       BAD_FLAGS, false);
		if (odd[i] & NLM_F_DUMP)
			continue;
		expect_refused(_metadata, self, GET, NLM_F_DUMP | odd[i],
			       EINVAL, BAD_FLAGS, true);
	}
	EXPECT_EQ(0, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, NLM_F_ECHO,
				   NULL, 0))
		TH_LOG("GET_ABI with ECHO: %s", self->nl.extack);
}

TEST_HARNESS_MAIN
