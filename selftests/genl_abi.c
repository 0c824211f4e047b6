// SPDX-License-Identifier: GPL-2.0
/*
 * The kabistat generic netlink family exists, answers GET_ABI with the
 * running kernel's identity and syscall tables, and refuses what it does
 * not know.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"
#include "nlraw.h"
#include "abis.h"

#define NATIVE		TEST_ABI_NATIVE
#define COMPAT		TEST_ABI_COMPAT

/* The compat numbers are frozen ABIs, the same two on ia32 and arm. */
#define COMPAT_NR_GETPPID	64
#define COMPAT_NR_RESTART	0

FIXTURE(abi) {
	struct kabistat *ks;
	struct kabistat_kernel_abi *abi;
};

FIXTURE_SETUP(abi)
{
	char msg[KABISTAT_ERRMSG_LEN];

	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &self->abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
}

FIXTURE_TEARDOWN(abi)
{
	kabistat_abi_free(self->abi);
	kabistat_close(self->ks);
}

TEST_F(abi, reports_running_kernel_identity)
{
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, self->abi->kernel_release);
	EXPECT_STREQ(u.version, self->abi->kernel_version);
	EXPECT_STREQ(u.machine, self->abi->kernel_machine);
}

TEST_F(abi, reports_module_versions)
{
	EXPECT_STREQ(KABISTAT_VERSION, self->abi->module_version);
	EXPECT_EQ(KABISTAT_UAPI_VERSION, self->abi->uapi_version);
	EXPECT_EQ(KABISTAT_GENL_VERSION, self->abi->family_version);
	EXPECT_EQ(KABISTAT_CGROUP_MODE_UNIFIED, self->abi->cgroup_mode);
}

TEST_F(abi, native_table_names_and_implements_known_syscalls)
{
	const struct kabistat_syscall_table *t = &self->abi->tables[NATIVE];

	ASSERT_TRUE(t->present);
	EXPECT_STREQ(TEST_ABI_NATIVE_NAME, t->name);
	ASSERT_GT(t->size, __NR_process_madvise);
	EXPECT_STREQ("read", t->names[__NR_read]);
	EXPECT_STREQ("getppid", t->names[__NR_getppid]);
	EXPECT_STREQ("openat2", t->names[__NR_openat2]);
	/* 5.10, the oldest kernel supported, ends its table with it */
	EXPECT_STREQ("process_madvise", t->names[__NR_process_madvise]);
	EXPECT_TRUE(kabistat_abi_implemented(self->abi, NATIVE, __NR_getppid));
	EXPECT_STREQ(TEST_NOT_IMPLEMENTED_NAME,
		     t->names[TEST_NR_NOT_IMPLEMENTED]);
	EXPECT_FALSE(kabistat_abi_implemented(self->abi, NATIVE,
					      TEST_NR_NOT_IMPLEMENTED));
	EXPECT_FALSE(kabistat_abi_implemented(self->abi, NATIVE, t->size));
	EXPECT_GT(t->nr_implemented, 300);
	EXPECT_LT(t->nr_implemented, t->size);
}

TEST_F(abi, compat_table_uses_compat_numbers)
{
	const struct kabistat_syscall_table *t = &self->abi->tables[COMPAT];

	ASSERT_TRUE(t->present);
	EXPECT_STREQ(TEST_ABI_COMPAT_NAME, t->name);
	EXPECT_STREQ("getppid", t->names[COMPAT_NR_GETPPID]);
	EXPECT_STREQ("restart_syscall", t->names[COMPAT_NR_RESTART]);
	EXPECT_TRUE(kabistat_abi_implemented(self->abi, COMPAT,
					     COMPAT_NR_GETPPID));
}

/*
 * Each table ends with the kernel's last syscall: the numbers after it, and
 * the names of what is not a syscall (the "syscall_max" of old uapi
 * headers), are no syscalls of the ABI.
 */
TEST_F(abi, tables_end_at_the_last_syscall)
{
	int i;

	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *t =
			&self->abi->tables[i];
		uint32_t nr;

		if (!t->present)
			continue;
		ASSERT_LT(0, t->size) TH_LOG("ABI %s", t->name);
		EXPECT_NE(NULL, t->names[t->size - 1])
			TH_LOG("ABI %s: number %u has no name", t->name,
			       t->size - 1);
		EXPECT_TRUE(kabistat_abi_implemented(self->abi, i,
						     t->size - 1))
			TH_LOG("ABI %s: number %u", t->name, t->size - 1);
		/* braces: EXPECT_*() TH_LOG() is two statements */
		for (nr = 0; nr < t->size; nr++) {
			if (!t->names[nr])
				continue;
			EXPECT_EQ(NULL, strstr(t->names[nr], "syscall_max"))
				TH_LOG("ABI %s: number %u", t->name, nr);
		}
	}
}

TEST_F(abi, table_hash_matches_names_and_bitmap)
{
	int i;

	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *t =
			&self->abi->tables[i];

		if (!t->present)
			continue;
		EXPECT_EQ(t->hash, kabistat_syscall_hash(t))
			TH_LOG("ABI %s", t->name);
	}
}

/*
 * The reply's timestamp is CLOCK_BOOTTIME read while the request was
 * served: between the clock read before the request and after the reply.
 */
TEST(timestamp_is_boottime_read_during_the_request)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_kernel_abi *abi;
	struct kabistat *ks;
	uint64_t before, after;
	int i;

	ASSERT_EQ(0, kabistat_open(&ks, msg)) TH_LOG("%s", msg);
	for (i = 0; i < 3; i++) {
		before = cgtest_boottime_ns();
		ASSERT_EQ(0, kabistat_get_abi(ks, &abi))
			TH_LOG("%s", kabistat_errmsg(ks));
		after = cgtest_boottime_ns();
		ASSERT_NE(0, before);
		EXPECT_LE(before, abi->timestamp_ns)
			TH_LOG("timestamp %llu before the request (%llu)",
			       (unsigned long long)abi->timestamp_ns,
			       (unsigned long long)before);
		EXPECT_GE(after, abi->timestamp_ns)
			TH_LOG("timestamp %llu after the reply (%llu)",
			       (unsigned long long)abi->timestamp_ns,
			       (unsigned long long)after);
		kabistat_abi_free(abi);
	}
	kabistat_close(ks);
}

/*
 * The handle keeps the tables of its last GET_ABI and the module leaves
 * them out while its generation stays (KABISTAT_A_ABI_KNOWN): later calls
 * still return whole, equal tables, also after a reset of every cgroup
 * changed the generation.
 */
TEST_F(abi, tables_kept_between_calls_stay_whole)
{
	struct kabistat_kernel_abi *again[3];
	int i, k;

	for (i = 0; i < 3; i++) {
		if (i == 2)
			ASSERT_EQ(0, kabistat_reset(self->ks, 0))
				TH_LOG("%s", kabistat_errmsg(self->ks));
		ASSERT_EQ(0, kabistat_get_abi(self->ks, &again[i]))
			TH_LOG("%s", kabistat_errmsg(self->ks));
	}
	EXPECT_EQ(self->abi->generation, again[1]->generation);
	EXPECT_NE(self->abi->generation, again[2]->generation);
	for (i = 0; i < 3; i++)
		for (k = 0; k < KABISTAT_MAX_ABIS; k++) {
			const struct kabistat_syscall_table *a =
				&self->abi->tables[k], *b = &again[i]->tables[k];
			uint32_t nr;

			ASSERT_EQ(a->present, b->present);
			if (!a->present)
				continue;
			EXPECT_STREQ(a->name, b->name);
			ASSERT_EQ(a->size, b->size);
			EXPECT_EQ(a->hash, b->hash);
			EXPECT_EQ(a->hash, kabistat_syscall_hash(b));
			EXPECT_NE(a->names, b->names);	/* copies of their own */
			for (nr = 0; nr < a->size; nr++)
				EXPECT_TRUE((!a->names[nr] && !b->names[nr]) ||
					    (a->names[nr] && b->names[nr] &&
					     !strcmp(a->names[nr], b->names[nr])))
					TH_LOG("ABI %d nr %u", k, nr);
		}
	for (i = 0; i < 3; i++)
		kabistat_abi_free(again[i]);
}

/* How many KABISTAT_A_ABI nests and which generation a GET_ABI reply had. */
struct abi_reply {
	int nests;
	uint64_t generation;
};

static int count_nests(struct nlmsghdr *nlh, void *arg)
{
	struct abi_reply *r = arg;
	const struct nlattr *a;
	int rem;

	nlraw_for_each_msg_attr(a, nlh, rem) {
		if (nlraw_attr_type(a) == KABISTAT_A_ABI)
			r->nests++;
		if (nlraw_attr_type(a) == KABISTAT_A_GENERATION)
			nlraw_get_u64(a, &r->generation);
	}
	return 0;
}

FIXTURE(raw) {
	struct nlraw nl;
};

FIXTURE_SETUP(raw)
{
	ASSERT_EQ(0, nlraw_open(&self->nl));
}

FIXTURE_TEARDOWN(raw)
{
	nlraw_close(&self->nl);
}

TEST_F(raw, get_abi_without_attributes_is_acked)
{
	EXPECT_EQ(0, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0,
				   NULL, 0));
}

TEST_F(raw, get_abi_leaves_out_tables_the_requester_knows)
{
	struct abi_reply first = { 0 }, same = { 0 }, other = { 0 };
	char buf[64];
	uint64_t gen;
	size_t len;

	ASSERT_EQ(0, nlraw_request_cb(&self->nl, KABISTAT_CMD_GET_ABI, 0,
				      NULL, 0, count_nests, &first));
	EXPECT_LE(2, first.nests);	/* x86_64, ia32 at least */

	gen = first.generation;
	len = nlraw_put(buf, 0, KABISTAT_A_ABI_KNOWN, &gen, sizeof(gen));
	ASSERT_EQ(0, nlraw_request_cb(&self->nl, KABISTAT_CMD_GET_ABI, 0,
				      buf, len, count_nests, &same))
		TH_LOG("extack: %s", self->nl.extack);
	EXPECT_EQ(first.generation, same.generation);
	EXPECT_EQ(0, same.nests);

	gen = first.generation + 1;
	len = nlraw_put(buf, 0, KABISTAT_A_ABI_KNOWN, &gen, sizeof(gen));
	ASSERT_EQ(0, nlraw_request_cb(&self->nl, KABISTAT_CMD_GET_ABI, 0,
				      buf, len, count_nests, &other));
	EXPECT_EQ(first.nests, other.nests);
}

TEST_F(raw, unknown_command_is_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, nlraw_request(&self->nl, 200, 0, NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, nlraw_request(&self->nl, KABISTAT_CMD_UNSPEC,
					     0, NULL, 0));
}

TEST_F(raw, unknown_attribute_is_refused_with_extack)
{
	char buf[64];
	uint32_t v = 1;
	size_t len = nlraw_put(buf, 0, KABISTAT_A_MAX + 1, &v, sizeof(v));

	EXPECT_EQ(-EINVAL, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0,
					 buf, len));
	/* the kernel's strict policy validation, past the policy's end */
	EXPECT_STREQ("Unknown attribute type", self->nl.extack);
}

TEST_F(raw, attribute_get_abi_does_not_take_is_refused)
{
	char buf[64];
	uint64_t id = 1;
	size_t len = nlraw_put(buf, 0, KABISTAT_A_CGROUP_ID, &id, sizeof(id));

	EXPECT_EQ(-EINVAL, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0,
					 buf, len));
	/* GET_ABI's policy leaves it NLA_UNSPEC: strictly, not accepted */
	EXPECT_STREQ("Unsupported attribute", self->nl.extack);
}

TEST_F(raw, truncated_attribute_is_refused)
{
	char buf[64] = { 0 };
	struct { uint16_t len, type; } *a = (void *)buf;

	/* header claims more bytes than the message holds */
	a->len = 40;
	a->type = KABISTAT_A_CGROUP_ID;
	EXPECT_EQ(-EINVAL, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0,
					 buf, 8));
}

TEST_HARNESS_MAIN
