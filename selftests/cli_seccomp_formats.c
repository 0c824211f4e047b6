// SPDX-License-Identifier: GPL-2.0
/*
 * `kabistat seccomp --format docker|oci|spo`: the same rules in the JSON
 * Docker, podman and CRI-O read (archMap, comments), the OCI runtime
 * spec's linux.seccomp object (architectures, nothing else), and a
 * Security Profiles Operator SeccompProfile (YAML); a name libseccomp
 * does not know is warned about.  That crun accepts the oci format and
 * enforces it is cli_crun.c's.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "cli_run.h"

#ifndef SYS_mseal
#define SYS_mseal	462
#endif

static struct cli_result res, res2;

FIXTURE(fmt) {
	struct cgtest cg;
};

FIXTURE_SETUP(fmt)
{
	char path[PATH_MAX];

	memset(self, 0, sizeof(*self));
	self->cg.dfd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload");
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "scfmt")) {
		TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(fmt)
{
	cgtest_remove(&self->cg);
}

/* getppid, and a close that fails with EBADF: both allowed */
static int wl_two(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	syscall(SYS_close, -1);
	return 0;
}

TEST_F(fmt, docker_is_the_default_with_archmap_and_comments)
{
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_two, NULL));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", self->cg.path));
	ASSERT_EQ(0, res.status) TH_LOG("%s", res.err);
	ASSERT_EQ(0, CLI_RUN(&res2, 0, "seccomp", "--format", "docker",
			     self->cg.path));
	ASSERT_EQ(0, res2.status);
	EXPECT_STREQ(res.out, res2.out);
	EXPECT_HAS(res.out, "\"archMap\": [\n");
	EXPECT_HAS(res.out, "\"architecture\": \"SCMP_ARCH_X86_64\"");
	EXPECT_HAS(res.out, "\"comment\": ");
	EXPECT_LACKS(res.out, "\"architectures\"");
}

TEST_F(fmt, oci_has_architectures_and_no_docker_keys)
{
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_two, NULL));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "oci",
			     self->cg.path));
	ASSERT_EQ(0, res.status) TH_LOG("%s", res.err);
	EXPECT_HAS(res.out, "\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		   "  \"defaultErrnoRet\": 1,\n"
		   "  \"architectures\": [\n    \"SCMP_ARCH_X86_64\"\n  ],\n");
	EXPECT_HAS(res.out, "\"getppid\"");
	EXPECT_LACKS(res.out, "archMap");
	EXPECT_LACKS(res.out, "comment");
}

TEST_F(fmt, spo_is_a_seccompprofile_resource)
{
	char want[128];

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_two, NULL));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "spo",
			     self->cg.path));
	ASSERT_EQ(0, res.status) TH_LOG("%s", res.err);
	EXPECT_HAS(res.out, "\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
		   "kind: SeccompProfile\nmetadata:\n");
	snprintf(want, sizeof(want), "\n  name: kabistat-cgroup-%" PRIu64 "\n",
		 self->cg.id);
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n"
		   "  architectures:\n  - SCMP_ARCH_X86_64\n  syscalls:\n");
	EXPECT_HAS(res.out, "  - action: SCMP_ACT_ALLOW\n    names:\n");
	EXPECT_HAS(res.out, "\n    - getppid\n");
	EXPECT_LACKS(res.out, "errnoRet");

	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "spo", "--name",
			     "web.profile-1", self->cg.path));
	EXPECT_HAS(res.out, "\n  name: web.profile-1\n");
	/* not a Kubernetes name: a usage error */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "spo", "--name",
			     "Web_Profile", self->cg.path));
	EXPECT_EQ(2, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "yaml",
			     self->cg.path));
	EXPECT_EQ(2, res.status);
	EXPECT_HAS(res.err, "--format is docker, oci or spo, not 'yaml'");
}

/* mseal(0, 0, 0): succeeds or EINVAL, either way used */
static int wl_mseal(void *arg)
{
	(void)arg;
	syscall(SYS_mseal, 0, 0, 0);
	return 0;
}

TEST_F(fmt, names_libseccomp_does_not_know_are_warned_about)
{
	struct utsname u;
	unsigned int major, minor;

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(2, sscanf(u.release, "%u.%u", &major, &minor));
	/* mseal: Linux 6.10, unknown to Debian 12's libseccomp 2.5.4 */
	if (major < 6 || (major == 6 && minor < 10))
		SKIP(return, "no syscall newer than libseccomp 2.5.4 before Linux 6.10");
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_mseal, NULL));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "oci",
			     self->cg.path));
	ASSERT_EQ(0, res.status);
	EXPECT_HAS(res.err, "does not know mseal on SCMP_ARCH_X86_64: a runtime linked with it cannot apply that rule\n");
	/* said, and kept for a runtime with a newer libseccomp */
	EXPECT_HAS(res.out, "\"mseal\"");
}

TEST_HARNESS_MAIN
