// SPDX-License-Identifier: GPL-2.0
/*
 * Containers run by a real OCI runtime, as a host runs them: Debian's crun
 * (staged into the guest's root by stage-root.sh) with a bundle made by
 * `crun spec` and adjusted (no terminal, the cgroupfs manager with a
 * linux.cgroupsPath, `run --no-pivot` since the guest's root is an
 * initramfs), whose rootfs holds busybox and wl_crun, an entrypoint whose
 * every system call is known.
 *
 * kabistat finds the container by a prefix of its id while it runs and
 * after it exited (its released cgroup), the newest one when an id is
 * reused, sums the cgroups nested in it, and the OCI profile of a first
 * run, put into config.json, lets the same entrypoint run to its end under
 * crun while a syscall it never made is refused with EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "cli_run.h"

#define CRUN		"/usr/bin/crun"
#define WL_GETPPID	1000	/* wl_crun's getppid calls */
#define PREFIX_LEN	12	/* the id prefix given to kabistat */
#define MAX_IDS		8	/* containers one test may run */
#define SPEC_MAX	(64 * 1024)

static struct cli_result res;

FIXTURE(crun) {
	char bundle[64];
	char parent[128];		/* cgroup of the containers' cgroups */
	char spec[SPEC_MAX];		/* config.json as `crun spec` made it */
	char ids[MAX_IDS][65];	/* 64 hex digits */
	int nr_ids;
};

/* @argv0 and up to 9 arguments. */
#define RUN(r, argv0, ...) ({						\
	char *_argv[] = { argv0, ##__VA_ARGS__, NULL };			\
	cli_exec(_argv, 0, r);						\
})

/* crun with the cgroupfs manager, as a host without systemd runs it */
#define CRUN_RUN(r, ...) RUN(r, CRUN, "--cgroup-manager=cgroupfs", ##__VA_ARGS__)

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	close(in);
	close(out);
	return err;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* A new container id: 64 hex digits, its first PREFIX_LEN unique here. */
static const char *new_id(struct _test_data_crun *self)
{
	char *id;
	int i;

	if (self->nr_ids == MAX_IDS)
		abort();	/* a test ran more containers than MAX_IDS */
	id = self->ids[self->nr_ids++];

	for (i = 0; i < 64; i += 8)
		snprintf(id + i, 9, "%08lx", random() & 0xffffffffL);
	return id;
}

static void cgroup_of(const struct _test_data_crun *self, const char *id,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", self->parent, id);
}

/* Replace the one @from of @s (of room @len) by @to: 0, or -1. */
static int replace(char *s, size_t len, const char *from, const char *to)
{
	char *p = strstr(s, from);
	size_t flen = strlen(from), tlen = strlen(to);

	if (!p || strstr(p + 1, from) || strlen(s) - flen + tlen >= len)
		return -1;
	memmove(p + tlen, p + flen, strlen(p + flen) + 1);
	memcpy(p, to, tlen);
	return 0;
}

/*
 * config.json for container @id: `crun spec`'s, without a terminal, with
 * @args (a JSON array's inside) as the entrypoint, the container's cgroup
 * under the fixture's, and @seccomp (a JSON object, or NULL) as
 * linux.seccomp.  Return 0, or which of crun spec's lines was not found.
 */
static int write_config(const struct _test_data_crun *self, const char *id,
			const char *args, const char *seccomp)
{
	static char text[SPEC_MAX + CLI_OUT_MAX];
	char path[PATH_MAX], *linux_;
	size_t len = PATH_MAX + 256 + (seccomp ? strlen(seccomp) : 0);
	int err = 0;
	FILE *f;

	snprintf(text, sizeof(text), "%s", self->spec);
	if (replace(text, sizeof(text), "\"terminal\": true",
		    "\"terminal\": false"))
		return 1;
	snprintf(path, sizeof(path), "\"args\": [%s]", args);
	if (replace(text, sizeof(text), "\"args\": [\n\t\t\t\"sh\"\n\t\t]",
		    path))
		return 2;
	linux_ = malloc(len);
	if (!linux_)
		return 3;
	snprintf(linux_, len, "\"linux\": {\n\t\t\"cgroupsPath\": \"%s/%s\",%s%s%s",
		 self->parent + strlen(CGTEST_ROOT), id,
		 seccomp ? "\n\t\t\"seccomp\": " : "", seccomp ? seccomp : "",
		 seccomp ? "," : "");
	if (replace(text, sizeof(text), "\"linux\": {", linux_))
		err = 4;
	free(linux_);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/config.json", self->bundle);
	f = fopen(path, "we");
	if (!f)
		return 5;
	fputs(text, f);
	return fclose(f) ? 6 : 0;
}

FIXTURE_SETUP(crun)
{
	char path[PATH_MAX], wl[PATH_MAX];
	ssize_t n;
	int fd;

	self->nr_ids = 0;
	self->bundle[0] = self->parent[0] = '\0';
	if (access(CRUN, X_OK))
		SKIP(return, "no crun in this guest (run-guest.sh -r with stage-root.sh's root)");
	/*
	 * Every OCI config denies devices by default ("allow": false), which
	 * on cgroup v2 crun enforces with a BPF program: without the bpf
	 * syscall it refuses to start the container.
	 */
	if (syscall(SYS_bpf, -1, NULL, 0) < 0 && errno == ENOSYS)
		SKIP(return, "kernel without the bpf syscall (CONFIG_BPF_SYSCALL): crun cannot install the device filter");
	ASSERT_EQ(0, cgtest_helper_path("wl_crun", wl, sizeof(wl)));
	srandom(getpid() ^ time(NULL));

	snprintf(self->bundle, sizeof(self->bundle), "/tmp/kabistat-crun-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->bundle, 0755));
	snprintf(path, sizeof(path), "%s/rootfs", self->bundle);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/rootfs/bin", self->bundle);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/rootfs/bin/busybox", self->bundle);
	ASSERT_EQ(0, copy_file("/bin/busybox", path, 0755));
	snprintf(path, sizeof(path), "%s/rootfs/bin/sh", self->bundle);
	ASSERT_EQ(0, symlink("busybox", path));
	snprintf(path, sizeof(path), "%s/rootfs/bin/wl_crun", self->bundle);
	ASSERT_EQ(0, copy_file(wl, path, 0755));

	/* `crun spec` writes config.json into the current directory */
	ASSERT_EQ(0, chdir(self->bundle));
	ASSERT_EQ(0, RUN(&res, CRUN, "spec"));
	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, res.status) TH_LOG("crun spec: %s", res.err);
	snprintf(path, sizeof(path), "%s/config.json", self->bundle);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, self->spec, sizeof(self->spec) - 1);
	close(fd);
	ASSERT_LT(0, n);
	self->spec[n] = '\0';

	snprintf(self->parent, sizeof(self->parent), "%s/kabistat-crun-%d",
		 CGTEST_ROOT, getpid());
}

FIXTURE_TEARDOWN(crun)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < self->nr_ids; i++) {
		CRUN_RUN(&res, "delete", "--force", self->ids[i]);
		cgroup_of(self, self->ids[i], path, sizeof(path));
		rmdir(path);
	}
	if (self->parent[0])
		rmdir(self->parent);
	if (self->bundle[0])
		nftw(self->bundle, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The calls of one syscall in `kabistat -j show`'s output, or -1. */
static long json_calls(const char *out, const char *name)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"name\":\"%s\",\"calls\":", name);
	p = strstr(out, needle);
	return p ? strtol(p + strlen(needle), NULL, 10) : -1;
}

/* The cgroup id in `kabistat -j show`'s output, or 0. */
static uint64_t json_cgroup_id(const char *out)
{
	const char *p = strstr(out, "{\"cgroup\":{\"id\":");

	return p ? strtoull(p + strlen("{\"cgroup\":{\"id\":"), NULL, 10) : 0;
}

/* `kabistat -j show PREFIX` until getppid reached @calls, ~30 s at most */
static int show_until(const char *prefix, long calls)
{
	int tries;

	for (tries = 0; tries < 300 * cgtest_slowdown(); tries++) {
		if (CLI_RUN(&res, 0, "-j", "show", (char *)prefix))
			return -1;
		if (!res.status && json_calls(res.out, "getppid") >= calls)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

/* `crun state ID` until it says stopped, ~30 s at most */
static int wait_stopped(const char *id)
{
	int tries;

	for (tries = 0; tries < 300 * cgtest_slowdown(); tries++) {
		if (CRUN_RUN(&res, "state", (char *)id))
			return -1;
		if (strstr(res.out, "\"stopped\""))
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * Run container @id to its end (crun then deletes it, and its cgroup is
 * released): its exit status, or -1.
 */
static int run_to_end(struct _test_data_crun *self, const char *id)
{
	if (CRUN_RUN(&res, "run", "--no-pivot", "--bundle", self->bundle,
		     (char *)id))
		return -1;
	if (res.status && res.status > 3)
		fprintf(stderr, "# crun run: %d: %s\n", res.status, res.err);
	return res.status;
}

/*
 * Start container @id in the background, its entrypoint pausing after its
 * getppid calls: 0, or non-zero (crun's stderr in res.err).
 */
static int start_paused(struct _test_data_crun *self, const char *id)
{
	if (write_config(self, id, "\"/bin/wl_crun\", \"pause\"", NULL))
		return -1;
	if (CRUN_RUN(&res, "run", "--no-pivot", "--detach", "--bundle",
		     self->bundle, (char *)id))
		return -1;
	return res.status;
}

/* Kill container @id, wait until crun sees it stopped, delete it. */
static int stop_and_delete(const char *id)
{
	if (CRUN_RUN(&res, "kill", (char *)id, "KILL") || res.status ||
	    wait_stopped(id) || CRUN_RUN(&res, "delete", (char *)id))
		return -1;
	return res.status;
}

TEST_F_TIMEOUT(crun, show_finds_the_container_running_and_after_it_exited,
	       300)
{
	char prefix[PREFIX_LEN + 1], want[256];
	const char *id = new_id(self);
	uint64_t first, second;

	snprintf(prefix, sizeof(prefix), "%s", id);
	ASSERT_EQ(0, start_paused(self, id)) TH_LOG("crun run: %s", res.err);

	/* running: found by the prefix, its getppid exact */
	ASSERT_EQ(0, show_until(prefix, WL_GETPPID)) {
		TH_LOG("show %s: %d %s%.2000s", prefix, res.status, res.err,
		       res.out);
	}
	EXPECT_EQ(WL_GETPPID, json_calls(res.out, "getppid"));
	snprintf(want, sizeof(want), "\"path\":\"%s/%s\",\"state\":\"live\","
		 "\"container_id\":\"%s\"",
		 self->parent + strlen(CGTEST_ROOT), id, id);
	EXPECT_HAS(res.out, want);
	first = json_cgroup_id(res.out);
	ASSERT_NE(0, first);

	/* exited and deleted: its released cgroup, counts unchanged */
	ASSERT_EQ(0, stop_and_delete(id)) TH_LOG("crun: %s%s", res.out, res.err);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	ASSERT_EQ(0, res.status) TH_LOG("show %s: %s", prefix, res.err);
	EXPECT_EQ(WL_GETPPID, json_calls(res.out, "getppid"));
	EXPECT_EQ(first, json_cgroup_id(res.out));
	EXPECT_HAS(res.out, "\"state\":\"released\"");

	/*
	 * The same id again (crun run deletes the container as it ends):
	 * two released cgroups of that path, and the newest is the one.
	 */
	ASSERT_EQ(0, write_config(self, id, "\"/bin/wl_crun\"", NULL));
	ASSERT_EQ(0, run_to_end(self, id));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	ASSERT_EQ(0, res.status) TH_LOG("show %s: %s", prefix, res.err);
	second = json_cgroup_id(res.out);
	EXPECT_LT(first, second);
	EXPECT_EQ(WL_GETPPID, json_calls(res.out, "getppid"));
}

/* pidfd_getfd(-1, 0, 0): EBADF, a 5.6 call crun never makes */
static int wl_nested(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	syscall(SYS_pidfd_getfd, -1, 0, 0);
	return 0;
}

TEST_F_TIMEOUT(crun, container_id_sums_the_cgroups_nested_in_it, 300)
{
	char prefix[PREFIX_LEN + 1], path[PATH_MAX], rel[PATH_MAX];
	const char *id = new_id(self);
	struct cgtest ct = { .dfd = -1 }, nested = { .dfd = -1 };

	snprintf(prefix, sizeof(prefix), "%s", id);
	ASSERT_EQ(0, start_paused(self, id)) TH_LOG("crun run: %s", res.err);
	ASSERT_EQ(0, show_until(prefix, WL_GETPPID));

	/* a cgroup inside the container's, as a systemd in it would make */
	cgroup_of(self, id, path, sizeof(path));
	snprintf(ct.path, sizeof(ct.path), "%s", path);
	ct.dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, ct.dfd);
	ASSERT_EQ(0, cgtest_id_of_fd(ct.dfd, &ct.id));
	ASSERT_EQ(0, cgtest_create(&nested, &ct, "nested"));
	ASSERT_EQ(0, cgtest_run(&nested, NULL, wl_nested, NULL)) {
		TH_LOG("%s", cgtest_err());
	}

	/* the id: both cgroups; the path: the container's cgroup alone */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	ASSERT_EQ(0, res.status) TH_LOG("show %s: %s", prefix, res.err);
	EXPECT_EQ(WL_GETPPID + 1, json_calls(res.out, "getppid"));
	EXPECT_HAS(res.out, "\"subtree_cgroups\":2,");
	snprintf(rel, sizeof(rel), "%s", path + strlen(CGTEST_ROOT));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", rel));
	EXPECT_EQ(WL_GETPPID, json_calls(res.out, "getppid"));

	/* check and seccomp: the subtree with --recursive */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.5", rel));
	EXPECT_LACKS(res.out, "pidfd_getfd");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.5",
			     "--recursive", rel));
	EXPECT_HAS(res.out, "pidfd_getfd");
	EXPECT_EQ(1, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "oci", rel));
	EXPECT_LACKS(res.out, "\"pidfd_getfd\"");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "oci",
			     "--recursive", rel));
	EXPECT_HAS(res.out, "\"pidfd_getfd\"");

	EXPECT_EQ(0, cgtest_remove(&nested));
	close(ct.dfd);
	ASSERT_EQ(0, stop_and_delete(id)) TH_LOG("crun: %s%s", res.out, res.err);
	/* released, the sum is the same */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	ASSERT_EQ(0, res.status) TH_LOG("show %s: %s", prefix, res.err);
	EXPECT_EQ(WL_GETPPID + 1, json_calls(res.out, "getppid"));
}

TEST_F_TIMEOUT(crun, oci_profile_of_a_first_run_runs_it_again_and_refuses_the_rest,
	       300)
{
	char prefix[PREFIX_LEN + 1];
	static char profile[CLI_OUT_MAX];
	const char *id = new_id(self), *id2, *id3;

	/* the entrypoint's call works without a profile */
	snprintf(prefix, sizeof(prefix), "%s", id);
	ASSERT_EQ(0, write_config(self, id, "\"/bin/wl_crun\", \"deny\"",
				  NULL));
	ASSERT_EQ(1, run_to_end(self, id));

	/* a first run, to its end */
	id = new_id(self);
	snprintf(prefix, sizeof(prefix), "%s", id);
	ASSERT_EQ(0, write_config(self, id, "\"/bin/wl_crun\"", NULL));
	ASSERT_EQ(0, run_to_end(self, id));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--format", "oci", prefix));
	ASSERT_EQ(0, res.status) TH_LOG("seccomp: %s", res.err);
	EXPECT_STREQ("", res.err);
	snprintf(profile, sizeof(profile), "%s", res.out);
	/* the spec's object: no Docker-only keys */
	EXPECT_HAS(profile, "\"architectures\": [\n");
	EXPECT_HAS(profile, "\"SCMP_ARCH_X86_64\"");
	EXPECT_LACKS(profile, "archMap");
	EXPECT_LACKS(profile, "comment");
	EXPECT_HAS(profile, "\"getppid\"");
	EXPECT_LACKS(profile, "\"sched_getscheduler\"");

	/* under it: the same entrypoint to its end, exact */
	id2 = new_id(self);
	snprintf(prefix, sizeof(prefix), "%s", id2);
	ASSERT_EQ(0, write_config(self, id2, "\"/bin/wl_crun\"", profile));
	ASSERT_EQ(0, run_to_end(self, id2)) TH_LOG("crun run: %s", res.err);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	EXPECT_EQ(WL_GETPPID, json_calls(res.out, "getppid"));

	/* and a call it never made: EPERM inside the container */
	id3 = new_id(self);
	snprintf(prefix, sizeof(prefix), "%s", id3);
	ASSERT_EQ(0, write_config(self, id3, "\"/bin/wl_crun\", \"deny\"",
				  profile));
	EXPECT_EQ(0, run_to_end(self, id3)) TH_LOG("crun run: %s", res.err);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", prefix));
	EXPECT_HAS(res.out, "\"name\":\"sched_getscheduler\",\"calls\":1,"
		   "\"errors\":1,\"enosys\":0,\"denied\":1,");
}

TEST_F_TIMEOUT(crun, check_kernel_reports_on_the_exited_container, 300)
{
	char prefix[PREFIX_LEN + 1], want[PATH_MAX];
	const char *id = new_id(self);

	snprintf(prefix, sizeof(prefix), "%s", id);
	ASSERT_EQ(0, write_config(self, id, "\"/bin/wl_crun\"", NULL));
	ASSERT_EQ(0, run_to_end(self, id));

	/* crun's own close_range (5.9) is counted with the container */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.18", prefix));
	EXPECT_EQ(1, res.status) TH_LOG("check: %s", res.err);
	snprintf(want, sizeof(want), "%s/%s", self->parent + strlen(CGTEST_ROOT),
		 id);
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "close_range");
	EXPECT_HAS(res.out, "Linux 4.18: 1 of 1 cgroup used syscalls that may fail there");
}

TEST_HARNESS_MAIN
