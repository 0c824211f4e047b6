// SPDX-License-Identifier: GPL-2.0
/*
 * Every error of the kabistat CLI is one line on stderr, saying what to do,
 * with exit status 1: module not loaded, permission denied, no such cgroup,
 * ABI mismatch.  (An ambiguous container id: cli_containers.c.)
 *
 * Tests that unload the module put it back as the guest loaded it (default
 * parameters) in their teardown, whatever happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cli_run.h"
#include "modctl.h"
#include "expect.h"

#define NOBODY		65534

static struct cli_result res;

#define EXPECT_ONE_LINE_ERROR(r, want)					\
	do {								\
		EXPECT_EQ(1, (r)->status);				\
		EXPECT_STREQ("kabistat: " want "\n", (r)->err);	\
	} while (0)

FIXTURE(errors) {
	struct cgtest cg;
	bool reloaded;
};

FIXTURE_SETUP(errors)
{
	char cli[PATH_MAX];

	memset(&self->cg, 0, sizeof(self->cg));
	self->cg.dfd = -1;
	self->reloaded = false;
	if (cgtest_helper_path("kabistat", cli, sizeof(cli)))
		SKIP(return, "no kabistat CLI in the payload");
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "clierr"));
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_getppid, (void *)1));
}

FIXTURE_TEARDOWN(errors)
{
	cgtest_remove(&self->cg);
	if (self->reloaded || !module_loaded() || test_build_loaded())
		if (reload(""))
			TH_LOG("could not load %s back", KO_PATH);
}

TEST_F(errors, no_such_cgroup)
{
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "/no/such/cgroup"));
	EXPECT_ONE_LINE_ERROR(&res, "no such cgroup: /no/such/cgroup");
	EXPECT_STREQ("", res.out);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", "no-such-cgroup"));
	EXPECT_ONE_LINE_ERROR(&res, "no such cgroup: no-such-cgroup");
	/* JSON stays well-formed: an empty array */
	EXPECT_STREQ("[]\n", res.out);
}

TEST_F(errors, permission_denied_names_the_capability)
{
	ASSERT_EQ(0, CLI_RUN(&res, NOBODY, "show", self->cg.path));
	EXPECT_ONE_LINE_ERROR(&res,
		"GET_CGROUP: permission denied (needs CAP_PERFMON or CAP_SYS_ADMIN)");
	ASSERT_EQ(0, CLI_RUN(&res, NOBODY, "list"));
	EXPECT_ONE_LINE_ERROR(&res,
		"GET_CGROUP dump: permission denied (needs CAP_PERFMON or CAP_SYS_ADMIN)");
	ASSERT_EQ(0, CLI_RUN(&res, NOBODY, "reset", "--all"));
	EXPECT_EQ(1, res.status);
	EXPECT_NE(NULL, strstr(res.err, "CAP_SYS_ADMIN")) {
		TH_LOG("reset: %s", res.err);
	}
	/* GET_ABI is for anyone */
	ASSERT_EQ(0, CLI_RUN(&res, NOBODY, "abi"));
	EXPECT_EQ(0, res.status) {
		TH_LOG("abi as nobody: %s", res.err);
	}
}

TEST_F(errors, module_not_loaded_says_how_to_load_it)
{
	self->reloaded = true;
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, CLI_RUN(&res, 0, "abi"));
	EXPECT_ONE_LINE_ERROR(&res,
		"the kabistat module is not loaded (load it with 'modprobe kabistat' or 'insmod kabistat.ko')");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", "self"));
	EXPECT_ONE_LINE_ERROR(&res,
		"the kabistat module is not loaded (load it with 'modprobe kabistat' or 'insmod kabistat.ko')");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	EXPECT_EQ(1, res.status);
	ASSERT_EQ(0, reload(""));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "abi"));
	EXPECT_EQ(0, res.status);
}

TEST_F(errors, abi_mismatch_is_refused_at_open)
{
	if (!test_build_present())
		SKIP(return, "no test build of the module at %s", KO_TEST_PATH);
	self->reloaded = true;
	ASSERT_EQ(0, reload_test("test_uapi_version=99"));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "abi"));
	EXPECT_ONE_LINE_ERROR(&res,
		"kabistat module speaks uapi version 99, this library version 2: install matching versions");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "show", self->cg.path));
	EXPECT_EQ(1, res.status);
	EXPECT_NE(NULL, strstr(res.err, "uapi version 99"));
}

TEST_HARNESS_MAIN
