// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat as `make install PREFIX=/usr KVER=...` lays it out on a host
 * (selftests/vm/stage-root.sh builds that tree, run-guest.sh -r puts it in
 * the guest's root): the target's depmod indexes the module
 * modules_install put under /lib/modules, modinfo shows its metadata,
 * modprobe loads and removes it by name, and the installed CLI, which has
 * no rpath, runs against the installed library and reports exact counts.
 *
 * Once indexed, the module also loads on demand: a program that looks up
 * the netlink family makes the kernel run modprobe.  The guest loaded the
 * payload's module with insmod; these tests replace it with the installed
 * one, and in the end uninstall that and load the payload's back, so the
 * tests after them can unload the module without the kernel loading it
 * again behind their backs.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "cli_run.h"
#include "modctl.h"
#include "expect.h"

#define INSTALLED_CLI	"/usr/bin/kabistat"
#define INSTALLED_LIB	"/usr/lib/libkabistat.so.1"
#define NR_GETPPID	1000

static struct cli_result res;

/* @argv0 and up to 5 arguments, with the environment the test set. */
#define RUN(r, argv0, ...) ({						\
	char *_argv[] = { argv0, ##__VA_ARGS__, NULL };			\
	cli_exec(_argv, 0, r);						\
})

/* Skip where the guest was booted without an installed tree. */
static int installed_tree(void)
{
	return !access(INSTALLED_CLI, X_OK) && !access("/sbin/modprobe", X_OK) &&
	       !access("/usr/bin/kmod", X_OK);
}

#define REQUIRE_INSTALLED_TREE()					\
	do {								\
		if (!installed_tree())					\
			SKIP(return, "no installed tree in this guest "	\
			     "(run-guest.sh -r, stage-root.sh)");	\
		/* the payload's library must not stand in for it */	\
		unsetenv("LD_LIBRARY_PATH");				\
	} while (0)

/* The first line of @text, without its newline. */
static const char *first_line(const char *text)
{
	static char line[512];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "\n"), text);
	return line;
}

TEST(depmod_indexes_what_modules_install_installed)
{
	char dep[PATH_MAX], want[PATH_MAX];
	struct utsname u;
	FILE *f;
	int found = 0;

	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, uname(&u));

	/* what `make install` runs after modules_install on the target */
	ASSERT_EQ(0, RUN(&res, "/sbin/depmod", "-a"));
	ASSERT_EQ(0, res.status) TH_LOG("depmod: %s", res.err);
	EXPECT_STREQ("", res.err);

	/* one entry, under extra/kmod/, needing no other module */
	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	f = fopen(dep, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", dep, strerror(errno));
	while (fgets(want, sizeof(want), f)) {
		if (!strncmp(want, "extra/kmod/kabistat.ko", 22)) {
			found++;
			EXPECT_EQ(0, strcmp(strchr(want, ':'), ":\n"))
				TH_LOG("dependencies: %s", want);
		}
	}
	fclose(f);
	EXPECT_EQ(1, found);

	/* modinfo by name finds it through the index */
	ASSERT_EQ(0, RUN(&res, "/sbin/modinfo", "-F", "filename", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modinfo: %s", res.err);
	snprintf(want, sizeof(want), "/lib/modules/%s/extra/kmod/kabistat.ko",
		 u.release);
	EXPECT_EQ(0, strncmp(res.out, want, strlen(want)))
		TH_LOG("filename: %s", res.out);
	ASSERT_EQ(0, RUN(&res, "/sbin/modinfo", "-F", "version", "kabistat"));
	EXPECT_STREQ(KABISTAT_VERSION, first_line(res.out));
	ASSERT_EQ(0, RUN(&res, "/sbin/modinfo", "-F", "license", "kabistat"));
	EXPECT_STREQ("GPL", first_line(res.out));
	ASSERT_EQ(0, RUN(&res, "/sbin/modinfo", "-F", "parm", "kabistat"));
	EXPECT_HAS(res.out, "max_cgroups:");
	EXPECT_HAS(res.out, "released_ttl:");
	/* the selftests' knobs are in the test build only */
	EXPECT_EQ(NULL, strstr(res.out, "test_")) TH_LOG("parm: %s", res.out);
}

TEST(modprobe_loads_and_removes_it_by_name)
{
	char path[64], buf[64] = "";
	FILE *f;

	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, unload());

	ASSERT_EQ(0, RUN(&res, "/sbin/modprobe", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modprobe: %s", res.err);
	ASSERT_TRUE(module_has_defaults());
	snprintf(path, sizeof(path), SYSFS_MODULE "/version");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ(KABISTAT_VERSION "\n", buf);
	ASSERT_EQ(0, access("/dev/kabistat", F_OK));

	ASSERT_EQ(0, RUN(&res, "/sbin/modprobe", "-r", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modprobe -r: %s", res.err);
	EXPECT_FALSE(module_loaded());

	/* loaded again, for the tests after this one */
	ASSERT_EQ(0, RUN(&res, "/sbin/modprobe", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modprobe: %s", res.err);
	EXPECT_TRUE(module_loaded());
}

TEST(installed_cli_runs_on_the_installed_library)
{
	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI, "--version"));
	ASSERT_EQ(0, res.status);
	EXPECT_STREQ("kabistat " KABISTAT_VERSION "\n", res.out);

	/* the dynamic linker's own account of what it resolved */
	ASSERT_EQ(0, setenv("LD_TRACE_LOADED_OBJECTS", "1", 1));
	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI));
	unsetenv("LD_TRACE_LOADED_OBJECTS");
	EXPECT_HAS(res.out, "libkabistat.so.1 => " INSTALLED_LIB " ");
}

TEST(installed_cli_reports_exact_counts)
{
	char want[PATH_MAX + 64];
	struct cgtest cg = { .dfd = -1 };
	struct utsname u;

	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, RUN(&res, "/sbin/modprobe", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modprobe: %s", res.err);

	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI, "-j", "abi"));
	ASSERT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	snprintf(want, sizeof(want), "\"release\":\"%s\"", u.release);
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"version\":\"" KABISTAT_VERSION "\"");

	ASSERT_EQ(0, cgtest_create(&cg, NULL, "installed"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&cg, NULL, wl_getppid, (void *)NR_GETPPID))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI, "-j", "show", cg.path));
	EXPECT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	snprintf(want, sizeof(want), "\"path\":\"%s\",\"state\":\"live\"",
		 cg.path + strlen(CGTEST_ROOT));
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "{\"abi\":\"" TEST_ABI_NATIVE_NAME "\",\"nr\":%d,\"name\":\"getppid\","
		 "\"calls\":%d,\"errors\":0,", SYS_getppid, NR_GETPPID);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want), "\"totals\":{\"calls\":%d,\"errors\":0,",
		 NR_GETPPID + CGTEST_OVERHEAD_CALLS);
	EXPECT_HAS(res.out, want);
	cgtest_remove(&cg);
}

TEST(a_family_lookup_loads_the_module)
{
	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, unload());
	ASSERT_FALSE(module_loaded());

	/* GET_FAMILY "kabistat" -> request_module("net-pf-16-...-kabistat") */
	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI, "abi"));
	EXPECT_EQ(0, res.status) TH_LOG("stderr: %s", res.err);
	EXPECT_TRUE(module_has_defaults());
}

TEST(uninstalled_module_stays_unloaded)
{
	char ko[PATH_MAX];

	REQUIRE_INSTALLED_TREE();
	ASSERT_EQ(0, RUN(&res, "/sbin/modinfo", "-F", "filename", "kabistat"));
	ASSERT_EQ(0, res.status) TH_LOG("modinfo: %s", res.err);
	snprintf(ko, sizeof(ko), "%s", first_line(res.out));
	ASSERT_EQ(0, unlink(ko)) TH_LOG("%s: %s", ko, strerror(errno));
	ASSERT_EQ(0, RUN(&res, "/sbin/depmod", "-a"));
	ASSERT_EQ(0, res.status) TH_LOG("depmod: %s", res.err);
	ASSERT_EQ(0, unload());

	ASSERT_EQ(0, RUN(&res, INSTALLED_CLI, "abi"));
	EXPECT_EQ(1, res.status);
	EXPECT_STREQ("kabistat: the kabistat module is not loaded (load it with "
		     "'modprobe kabistat' or 'insmod kabistat.ko')\n", res.err);
	EXPECT_FALSE(module_loaded());
	ASSERT_EQ(0, RUN(&res, "/sbin/modprobe", "kabistat"));
	EXPECT_NE(0, res.status);
	EXPECT_FALSE(module_loaded());

	/* the payload's module, as the guest loaded it */
	ASSERT_EQ(0, load(""));
}

TEST_HARNESS_MAIN
