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
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
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

TEST_F(abi, timestamp_is_boottime_and_advances)
{
	struct kabistat_kernel_abi *again;
	struct timespec now;

	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &now));
	EXPECT_LE(self->abi->timestamp_ns,
		  now.tv_sec * 1000000000ULL + now.tv_nsec);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &again));
	EXPECT_GE(again->timestamp_ns, self->abi->timestamp_ns);
	kabistat_abi_free(again);
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
	EXPECT_NE('\0', self->nl.extack[0]);
	TH_LOG("extack: %s", self->nl.extack);
}

TEST_F(raw, attribute_get_abi_does_not_take_is_refused)
{
	char buf[64];
	uint64_t id = 1;
	size_t len = nlraw_put(buf, 0, KABISTAT_A_CGROUP_ID, &id, sizeof(id));

	EXPECT_EQ(-EINVAL, nlraw_request(&self->nl, KABISTAT_CMD_GET_ABI, 0,
					 buf, len));
	EXPECT_NE('\0', self->nl.extack[0]);
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
