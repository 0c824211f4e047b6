// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kabistat: the ioctls report what netlink reports, follow the argsz
 * rules of copy_struct_from_user(), refuse bad input with precise errnos,
 * and work the same from a 32-bit caller.
 *
 * The cgroup compared is a fresh one that ran one known workload and is
 * now empty: nothing can add to its counters, so both interfaces must give
 * the very same numbers.  (It stays live: KABISTAT_IOC_CGROUP_STATS names
 * a cgroup by an fd of its directory, and the kernel refuses fds of
 * removed cgroups.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "cgtest.h"

#define DEV_PATH	"/dev/kabistat"
#define MAX_STATS	256

/*
 * The workload: 100 getppid, 20 close(-1) (EBADF), 7 syscall(100000)
 * (out of range).  With the moving read and the exit_group the cgroup has
 * 4 (ABI, nr) entries and 1 out-of-range entry.
 */
#define WL_ENTRIES	5

static int wl_known(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 100; i++)
		if (syscall(SYS_getppid) <= 0)
			return 10;
	for (i = 0; i < 20; i++)
		if (syscall(SYS_close, -1) != -1)
			return 11;
	for (i = 0; i < 7; i++)
		if (syscall(100000) != -1)
			return 12;
	return 0;
}

/* 0 or the errno of the ioctl */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

static void stats_req(struct kabistat_cgroup_stats *cs, int cgfd,
		      struct kabistat_stat *st, uint32_t len)
{
	memset(cs, 0, sizeof(*cs));
	cs->argsz = sizeof(*cs);
	cs->cgroup_fd = cgfd;
	cs->stats = (uintptr_t)st;
	cs->stats_len = len;
	cs->stat_size = sizeof(*st);
}

FIXTURE(dev) {
	struct kabistat *ks;
	int fd;
	struct cgtest cg;
	struct kabistat_stat st[MAX_STATS];
};

FIXTURE_SETUP(dev)
{
	char msg[KABISTAT_ERRMSG_LEN];

	self->fd = -1;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	self->fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DEV_PATH, strerror(errno));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "ioctl"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_known, NULL))
		TH_LOG("%s", cgtest_err());
}

FIXTURE_TEARDOWN(dev)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	if (self->fd >= 0)
		close(self->fd);
	kabistat_close(self->ks);
}

static struct kabistat_cgroup *nl_cgroup(struct __test_metadata *_metadata,
					 struct kabistat *ks, uint64_t id)
{
	struct kabistat_cgroup *cg = NULL;

	ASSERT_EQ(0, kabistat_get_cgroup(ks, id, &cg))
		TH_LOG("kabistat_get_cgroup: %s", kabistat_errmsg(ks));
	return cg;
}

/* @st[0..n) as the ioctl gave them must be what netlink says of @cg. */
static void expect_same_stats(struct __test_metadata *_metadata,
			      const struct kabistat_cgroup *cg,
			      const struct kabistat_stat *st, uint32_t n)
{
	const struct kabistat_counters *c;
	uint32_t i, ranges = 0, abi;
	bool in_ranges = false;
	size_t j;

	for (abi = 0; abi < KABISTAT_MAX_ABIS; abi++)
		ranges += cg->out_of_range[abi].calls != 0;
	EXPECT_EQ(cg->nr_stats + ranges, n);
	for (i = 0; i < n; i++) {
		c = NULL;
		if (st[i].nr == KABISTAT_NR_OUT_OF_RANGE) {
			ASSERT_LT(st[i].abi, KABISTAT_MAX_ABIS);
			c = &cg->out_of_range[st[i].abi];
			in_ranges = true;
		} else {
			/* out-of-range entries come after all the others */
			EXPECT_FALSE(in_ranges) TH_LOG("entry %u", i);
			for (j = 0; j < cg->nr_stats; j++)
				if (cg->stats[j].abi == st[i].abi &&
				    cg->stats[j].nr == st[i].nr)
					c = &cg->stats[j].c;
		}
		ASSERT_NE(NULL, c) TH_LOG("abi %u nr %u not in netlink reply",
					  st[i].abi, st[i].nr);
		EXPECT_EQ(c->calls, st[i].calls) TH_LOG("nr %u", st[i].nr);
		EXPECT_EQ(c->errors, st[i].errors) TH_LOG("nr %u", st[i].nr);
		EXPECT_EQ(c->enosys, st[i].enosys) TH_LOG("nr %u", st[i].nr);
		EXPECT_EQ(c->denied, st[i].denied) TH_LOG("nr %u", st[i].nr);
		EXPECT_EQ(c->interrupted, st[i].interrupted)
			TH_LOG("nr %u", st[i].nr);
	}
}

static const struct kabistat_stat *find(const struct kabistat_stat *st,
					uint32_t n, uint32_t abi, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (st[i].abi == abi && st[i].nr == nr)
			return &st[i];
	return NULL;
}

TEST(device_is_a_root_only_character_device)
{
	struct stat s;

	ASSERT_EQ(0, stat(DEV_PATH, &s)) TH_LOG("%s: %s", DEV_PATH,
						 strerror(errno));
	EXPECT_TRUE(S_ISCHR(s.st_mode));
	EXPECT_EQ(0600, s.st_mode & 07777);
	EXPECT_EQ(0, s.st_uid);
}

TEST_F(dev, abi_info_matches_netlink)
{
	struct kabistat_kernel_abi *a1, *a2;
	struct kabistat_abi_info info;
	uint32_t mask = 0;
	int i;

	ASSERT_EQ(0, kabistat_get_abi(self->ks, &a1))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &info));
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &a2))
		TH_LOG("%s", kabistat_errmsg(self->ks));

	for (i = 0; i < KABISTAT_MAX_ABIS; i++)
		if (a1->tables[i].present)
			mask |= 1U << i;
	EXPECT_EQ(KABISTAT_UAPI_VERSION, info.uapi_version);
	EXPECT_EQ(a1->uapi_version, info.uapi_version);
	ASSERT_EQ(a1->generation, a2->generation) TH_LOG("reset meanwhile?");
	EXPECT_EQ(a1->generation, info.generation);
	EXPECT_EQ(mask, info.abi_mask);
	EXPECT_NE(0, info.abi_mask & (1U << TEST_ABI_NATIVE));
	EXPECT_EQ(a1->max_cgroups, info.max_cgroups);
	EXPECT_EQ(a1->counting, (int)info.counting);
	EXPECT_STREQ(a1->kernel_release, info.release);
	EXPECT_STREQ(a1->kernel_machine, info.machine);
	/* what moves is bracketed by the two netlink readings */
	EXPECT_TRUE(a1->has_observed && a2->has_observed);
	EXPECT_LE(a1->observed, info.observed);
	EXPECT_GE(a2->observed, info.observed);
	EXPECT_LE(a1->timestamp_ns, info.timestamp_ns);
	EXPECT_GE(a2->timestamp_ns, info.timestamp_ns);
	EXPECT_LE(a1->tracked_cgroups < a2->tracked_cgroups ?
		  a1->tracked_cgroups : a2->tracked_cgroups,
		  info.tracked_cgroups);
	EXPECT_GE(a1->tracked_cgroups > a2->tracked_cgroups ?
		  a1->tracked_cgroups : a2->tracked_cgroups,
		  info.tracked_cgroups);
	EXPECT_NE(0, info.memory_used);
	kabistat_abi_free(a1);
	kabistat_abi_free(a2);
}

TEST_F(dev, abi_info_argsz_smaller_than_the_struct_is_einval)
{
	static const uint32_t sizes[] = {
		0, 4, sizeof(struct kabistat_abi_info) - 8,
		sizeof(struct kabistat_abi_info) - 1,
	};
	struct kabistat_abi_info info;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.argsz = sizes[i];
		EXPECT_EQ(EINVAL, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &info))
			TH_LOG("argsz %u", sizes[i]);
	}
}

TEST_F(dev, abi_info_larger_zero_filled_struct_is_accepted)
{
	struct {
		struct kabistat_abi_info info;
		unsigned char tail[64];
	} big;
	size_t i;

	memset(&big, 0, sizeof(big));
	big.info.argsz = sizeof(big);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &big));
	EXPECT_EQ(KABISTAT_UAPI_VERSION, big.info.uapi_version);
	/* a field the kernel does not know is never filled with garbage */
	for (i = 0; i < sizeof(big.tail); i++)
		EXPECT_EQ(0, big.tail[i]) TH_LOG("tail byte %zu", i);
}

TEST_F(dev, abi_info_larger_struct_with_nonzero_tail_is_e2big)
{
	struct {
		struct kabistat_abi_info info;
		unsigned char tail[64];
	} big;

	memset(&big, 0, sizeof(big));
	big.info.argsz = sizeof(big);
	big.tail[17] = 1;
	EXPECT_EQ(E2BIG, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &big));
}

TEST_F(dev, cgroup_stats_match_netlink_for_a_quiescent_cgroup)
{
	struct kabistat_cgroup_stats cs;
	struct kabistat_cgroup *cg;
	const struct kabistat_stat *s;
	struct timespec t0, t1;

	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &t0));
	cg = nl_cgroup(_metadata, self->ks, self->cg.id);
	stats_req(&cs, self->cg.dfd, self->st, MAX_STATS);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &t1));

	EXPECT_EQ(self->cg.id, cs.cgroup_id);
	EXPECT_EQ(cg->generation, cs.generation);
	EXPECT_EQ(KABISTAT_CGROUP_LIVE, cs.state);
	EXPECT_EQ(cg->state, cs.state);
	EXPECT_EQ(cg->flags, cs.flags);
	/* both read CLOCK_BOOTTIME, in the order of the requests */
	EXPECT_LE(t0.tv_sec * 1000000000ULL + t0.tv_nsec, cg->timestamp_ns);
	EXPECT_LE(cg->timestamp_ns, cs.timestamp_ns);
	EXPECT_GE(t1.tv_sec * 1000000000ULL + t1.tv_nsec, cs.timestamp_ns);
	ASSERT_EQ(WL_ENTRIES, cs.stats_len);
	expect_same_stats(_metadata, cg, self->st, cs.stats_len);

	/* and both are the true numbers */
	s = find(self->st, cs.stats_len, TEST_ABI_NATIVE, SYS_getppid);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(100, s->calls);
	s = find(self->st, cs.stats_len, TEST_ABI_NATIVE, SYS_close);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(20, s->calls);
	EXPECT_EQ(20, s->errors);
	s = find(self->st, cs.stats_len, TEST_ABI_NATIVE,
		 KABISTAT_NR_OUT_OF_RANGE);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(7, s->calls);
	EXPECT_EQ(7, s->enosys);
	EXPECT_EQ(&self->st[WL_ENTRIES - 1], s);	/* last */
	kabistat_cgroup_free(cg);
}

TEST_F(dev, cgroup_stats_without_room_is_enospc_with_the_room_needed)
{
	struct kabistat_cgroup_stats cs;
	uint32_t len;
	size_t i;

	for (len = 0; len < WL_ENTRIES; len++) {
		/* entries past the room given are a guard */
		memset(self->st, 0xa5, sizeof(self->st));
		stats_req(&cs, self->cg.dfd, len ? self->st : NULL, len);
		EXPECT_EQ(ENOSPC, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS,
					 &cs)) TH_LOG("room for %u", len);
		EXPECT_EQ(WL_ENTRIES, cs.stats_len) TH_LOG("room for %u", len);
		for (i = len * sizeof(self->st[0]); i < sizeof(self->st); i++)
			ASSERT_EQ(0xa5, ((unsigned char *)self->st)[i])
				TH_LOG("room for %u: byte %zu written", len, i);
	}
	stats_req(&cs, self->cg.dfd, self->st, WL_ENTRIES);
	EXPECT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	EXPECT_EQ(WL_ENTRIES, cs.stats_len);
}

TEST_F(dev, cgroup_stats_argsz_rules)
{
	struct {
		struct kabistat_cgroup_stats cs;
		unsigned char tail[32];
	} big;
	struct kabistat_cgroup_stats cs;

	stats_req(&cs, self->cg.dfd, self->st, MAX_STATS);
	cs.argsz = sizeof(cs) - 4;
	EXPECT_EQ(EINVAL, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	cs.argsz = 0;
	EXPECT_EQ(EINVAL, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));

	memset(&big, 0, sizeof(big));
	stats_req(&big.cs, self->cg.dfd, self->st, MAX_STATS);
	big.cs.argsz = sizeof(big);
	EXPECT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &big));
	EXPECT_EQ(self->cg.id, big.cs.cgroup_id);
	EXPECT_EQ(WL_ENTRIES, big.cs.stats_len);

	/* the kernel wrote its own size back into argsz */
	big.cs.argsz = sizeof(big);
	big.tail[31] = 0x80;
	EXPECT_EQ(E2BIG, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &big));
}

TEST_F(dev, cgroup_stats_written_at_the_callers_larger_stride)
{
	struct kabistat_stat ref[MAX_STATS];
	struct kabistat_cgroup_stats cs;
	struct wide {
		struct kabistat_stat st;
		uint64_t newer_field;	/* a field of a future header */
	} wide[WL_ENTRIES];
	uint32_t i;

	stats_req(&cs, self->cg.dfd, ref, MAX_STATS);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	ASSERT_EQ(WL_ENTRIES, cs.stats_len);

	memset(wide, 0, sizeof(wide));
	stats_req(&cs, self->cg.dfd, &wide[0].st, WL_ENTRIES);
	cs.stat_size = sizeof(wide[0]);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	ASSERT_EQ(WL_ENTRIES, cs.stats_len);
	for (i = 0; i < WL_ENTRIES; i++) {
		EXPECT_EQ(0, memcmp(&ref[i], &wide[i].st, sizeof(ref[i])))
			TH_LOG("entry %u", i);
		/* cut to what both know: the unknown field is not garbage */
		EXPECT_EQ(0, wide[i].newer_field) TH_LOG("entry %u", i);
	}
}

/* cgroup_get_from_fd() convention: EBADF for anything not a cgroup2 dir. */
TEST_F(dev, cgroup_stats_non_cgroup_fd_is_ebadf)
{
	struct kabistat_cgroup_stats cs;
	char procs[PATH_MAX + 16];
	int fds[3], i;

	fds[0] = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->cg.path);
	fds[1] = open(procs, O_RDONLY | O_CLOEXEC);	/* cgroupfs, a file */
	fds[2] = self->fd;				/* the device */
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, fds[i]) TH_LOG("fd %d: %s", i, strerror(errno));
		stats_req(&cs, fds[i], self->st, MAX_STATS);
		EXPECT_EQ(EBADF, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS,
					&cs)) TH_LOG("fd %d", i);
	}
	close(fds[0]);
	close(fds[1]);
}

TEST_F(dev, cgroup_stats_closed_or_negative_fd_is_ebadf)
{
	struct kabistat_cgroup_stats cs;
	int fd = dup(self->cg.dfd);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	stats_req(&cs, fd, self->st, MAX_STATS);
	EXPECT_EQ(EBADF, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	stats_req(&cs, -1, self->st, MAX_STATS);
	EXPECT_EQ(EBADF, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
}

TEST_F(dev, bad_pointers_are_efault)
{
	struct kabistat_cgroup_stats cs;

	EXPECT_EQ(EFAULT, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, NULL));
	EXPECT_EQ(EFAULT, xioctl(self->fd, KABISTAT_IOC_ABI_INFO,
				 (void *)8));
	EXPECT_EQ(EFAULT, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, NULL));
	/* a good struct whose stats array is not mapped */
	stats_req(&cs, self->cg.dfd, (struct kabistat_stat *)16, MAX_STATS);
	EXPECT_EQ(EFAULT, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct kabistat_abi_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IO(KABISTAT_IOCTL_TYPE,
					       KABISTAT_IOCTL_BASE + 0x3f),
				 &info));
	/* same number, another encoding: not the same command */
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IOWR(KABISTAT_IOCTL_TYPE,
						 KABISTAT_IOCTL_BASE + 0,
						 struct kabistat_abi_info),
				 &info));
	EXPECT_EQ(ENOTTY, xioctl(self->fd, TCGETS, &info));
}

TEST_F(dev, reset_by_fd_zeroes_the_cgroup)
{
	struct kabistat_cgroup *before, *after;
	struct kabistat_reset r = { 0 };

	before = nl_cgroup(_metadata, self->ks, self->cg.id);
	EXPECT_EQ(102 + 20 + 7, before->totals.calls);

	r.argsz = sizeof(r) - 4;
	r.cgroup_fd = self->cg.dfd;
	EXPECT_EQ(EINVAL, xioctl(self->fd, KABISTAT_IOC_RESET, &r));
	r.argsz = sizeof(r);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_RESET, &r));

	after = nl_cgroup(_metadata, self->ks, self->cg.id);
	EXPECT_EQ(0, after->totals.calls);
	EXPECT_EQ(0, after->totals.errors);
	EXPECT_EQ(0, after->out_of_range[TEST_ABI_NATIVE].calls);
	EXPECT_NE(before->generation, after->generation);
	kabistat_cgroup_free(before);
	kabistat_cgroup_free(after);
}

/* ------------------------------------------------------------------ */
/* The same from a 32-bit process (compat_ioctl)                        */

/* Run @path @arg with stdout into @buf; return its exit status. */
static int run_capture(const char *path, const char *arg, char *buf,
		       size_t len)
{
	size_t got = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < len - 1 && (n = read(p[0], buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return status;
}

TEST_F(dev, compat32_caller_gets_the_same_numbers)
{
	struct kabistat_abi_info before, after;
	struct kabistat_cgroup_stats cs;
	unsigned int sz_info, sz_cs, sz_st, uapi, mask, maxcg, counting;
	unsigned int state, flags, len, abi, nr, n = 0;
	unsigned long long gen, observed, id, cgen, v[5];
	char release[80], machine[80], path[PATH_MAX];
	static char out[65536];
	char *line, *save;
	int err, status;

	ASSERT_EQ(0, cgtest_helper_path("ioctl_compat32", path, sizeof(path)))
		TH_LOG("%s", cgtest_err());
	memset(&before, 0, sizeof(before));
	before.argsz = sizeof(before);
	after = before;
	stats_req(&cs, self->cg.dfd, self->st, MAX_STATS);
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &before));
	if (!(before.abi_mask & (1U << TEST_ABI_COMPAT)))
		SKIP(return, "the kernel offers no compat ABI");
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_CGROUP_STATS, &cs));
	status = run_capture(path, self->cg.path, out, sizeof(out));
	ASSERT_EQ(0, xioctl(self->fd, KABISTAT_IOC_ABI_INFO, &after));
	ASSERT_EQ(0, status) TH_LOG("ioctl_compat32: status 0x%x, output:\n%s",
				    status, out);

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "sizes %u %u %u", &sz_info, &sz_cs,
			   &sz_st) == 3) {
			/* __aligned_u64 makes the layouts identical */
			EXPECT_EQ(sizeof(struct kabistat_abi_info), sz_info);
			EXPECT_EQ(sizeof(struct kabistat_cgroup_stats), sz_cs);
			EXPECT_EQ(sizeof(struct kabistat_stat), sz_st);
		} else if (sscanf(line, "abi_info %d %u %llu %u %u %u %llu %79s %79s",
				  &err, &uapi, &gen, &mask, &maxcg, &counting,
				  &observed, release, machine) == 9) {
			ASSERT_EQ(0, err) TH_LOG("32-bit ABI_INFO: %s",
						 strerror(err));
			EXPECT_EQ(before.uapi_version, uapi);
			EXPECT_EQ(before.generation, gen);
			EXPECT_EQ(before.abi_mask, mask);
			EXPECT_EQ(before.max_cgroups, maxcg);
			EXPECT_EQ(before.counting, counting);
			EXPECT_LE(before.observed, observed);
			EXPECT_GE(after.observed, observed);
			EXPECT_STREQ(before.release, release);
			EXPECT_STREQ(before.machine, machine);
		} else if (sscanf(line, "abi_info_small %d", &err) == 1) {
			EXPECT_EQ(EINVAL, err);
		} else if (sscanf(line, "cgroup %d %llu %llu %u %u %u", &err,
				  &id, &cgen, &state, &flags, &len) == 6) {
			ASSERT_EQ(0, err) TH_LOG("32-bit CGROUP_STATS: %s",
						 strerror(err));
			EXPECT_EQ(cs.cgroup_id, id);
			EXPECT_EQ(cs.generation, cgen);
			EXPECT_EQ(cs.state, state);
			EXPECT_EQ(cs.flags, flags);
			EXPECT_EQ(cs.stats_len, len);
		} else if (sscanf(line, "stat %u %u %llu %llu %llu %llu %llu",
				  &abi, &nr, &v[0], &v[1], &v[2], &v[3],
				  &v[4]) == 7) {
			ASSERT_LT(n, cs.stats_len);
			EXPECT_EQ(self->st[n].abi, abi);
			EXPECT_EQ(self->st[n].nr, nr);
			EXPECT_EQ(self->st[n].calls, v[0]);
			EXPECT_EQ(self->st[n].errors, v[1]);
			EXPECT_EQ(self->st[n].enosys, v[2]);
			EXPECT_EQ(self->st[n].denied, v[3]);
			EXPECT_EQ(self->st[n].interrupted, v[4]);
			n++;
		} else if (sscanf(line, "cgroup_no_room %d %u", &err,
				  &len) == 2) {
			EXPECT_EQ(ENOSPC, err);
			EXPECT_EQ(WL_ENTRIES, len);
		} else {
			ASSERT_TRUE(0) TH_LOG("unexpected line: %s", line);
		}
	}
	EXPECT_EQ(WL_ENTRIES, n);
}

TEST_HARNESS_MAIN
