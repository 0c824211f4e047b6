// SPDX-License-Identifier: GPL-2.0
/*
 * An ioctl fuzzer for /dev/kabistat: random command numbers, argument
 * sizes, pointers, fds, and stat strides, from a 64-bit process and (a
 * fixed set plus random commands) from a 32-bit one.
 *
 * What the module must do (kmod/chrdev.c, include/uapi/linux/kabistat.h):
 *  - only the three exact _IO() numbers are commands; any other: ENOTTY;
 *  - argsz < the structure: EINVAL; larger with a zero tail: accepted,
 *    non-zero tail: E2BIG (copy_struct_from_user); the module never
 *    writes past the structure it knows;
 *  - an argument, tail or stats array it cannot read or write: EFAULT,
 *    and then nothing was stored in the argument structure (CGROUP_STATS
 *    writes the structure back last) and nothing was reset;
 *  - stat_size below 8 (abi and nr): EINVAL; entries are stored at the
 *    caller's stride, min(stat_size, 48) bytes each, the bytes between
 *    them untouched;
 *  - an fd that is not an open cgroup2 directory: EBADF.  O_PATH fds of a
 *    cgroup2 directory are accepted: cgroup_get_from_fd() ->
 *    cgroup_v1v2_get_from_fd() takes the file with fget_raw() (6.1;
 *    CLASS(fd_raw) later), which does not refuse FMODE_PATH files, and
 *    css_tryget_online_from_dir() only needs the dentry.  An fd of a
 *    removed cgroup: ENOENT (its css is offline); of a live cgroup the
 *    module never saw: ENOENT.
 *
 * KABISTAT_FUZZ_SEED replays a run.  The ioctls made are counted in
 * memory shared by the harness's test processes and printed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "cgtest.h"
#include "fuzzutil.h"

#define DEV_PATH	"/dev/kabistat"
#define PAGE		4096UL
#define BIG		(65536UL + PAGE)	/* argsz up to 64K, and a tail */
#define MAX_STATS	64
/*
 * A stats array whose first page is writable and whose next 8 GiB are
 * reserved and inaccessible: at any stride (stat_size is a u32) the
 * first entry past the page faults, so no stride reaches memory of ours.
 */
#define ARENA		(8UL << 30)

/* Addresses no user buffer can be at. */
static const uint64_t bad_addrs[] = {
	0, 1, 4095,
	0x0000800000000000ULL,		/* first non-canonical */
	0x8000000000000000ULL,
	0xffff888000000000ULL,		/* direct map */
	0xffffffff81000000ULL,		/* kernel text */
	0xfffffffffffff000ULL,
	~0ULL,
};

/* ioctls made, by all test processes of this run */
static unsigned long *total_ioctls;

__attribute__((constructor)) static void shared_counter(void)
{
	total_ioctls = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (total_ioctls == MAP_FAILED)
		abort();
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	__atomic_add_fetch(total_ioctls, 1, __ATOMIC_RELAXED);
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int wl_busy(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 5; i++)
		syscall(SYS_getppid);
	syscall(SYS_close, -1);		/* an error */
	syscall(100000);		/* out of range */
	return 0;
}

FIXTURE(io) {
	int dev;
	struct cgtest cg;
	unsigned char *big;	/* BIG bytes read-write, then a guard page */
	unsigned char *guard;
	unsigned char *ro;	/* a read-only page */
	unsigned char *arena;	/* one read-write page, then ARENA PROT_NONE */
	struct kabistat_stat *st;
	uint32_t nstats;	/* entries the cgroup has */
	struct fuzz_rng rng;
};

static void *map_pages(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A CGROUP_STATS of @fd into self->st; the errno. */
static int stats_of(FIXTURE_DATA(io) *self, int fd,
		    struct kabistat_cgroup_stats *q)
{
	memset(q, 0, sizeof(*q));
	q->argsz = sizeof(*q);
	q->cgroup_fd = fd;
	q->stats = (uintptr_t)self->st;
	q->stats_len = MAX_STATS;
	q->stat_size = sizeof(struct kabistat_stat);
	return xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, q);
}

FIXTURE_SETUP(io)
{
	struct kabistat_cgroup_stats q;

	self->dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", DEV_PATH, strerror(errno));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "fuzzio"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_busy, NULL))
		TH_LOG("%s", cgtest_err());
	self->big = map_pages(BIG + PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->big);
	self->guard = self->big + BIG;
	ASSERT_EQ(0, mprotect(self->guard, PAGE, PROT_NONE));
	self->ro = map_pages(PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->ro);
	ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ));
	self->arena = mmap(NULL, PAGE + ARENA, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->arena);
	ASSERT_EQ(0, mprotect(self->arena, PAGE, PROT_READ | PROT_WRITE));
	self->st = calloc(MAX_STATS, sizeof(*self->st));
	ASSERT_NE(NULL, self->st);
	fuzz_seed(&self->rng, fuzz_run_seed(), 0x10);

	ASSERT_EQ(0, stats_of(self, self->cg.dfd, &q));
	/* read, getppid, close, exit_group, and the out-of-range entry */
	ASSERT_EQ(5, q.stats_len);
	self->nstats = q.stats_len;
}

FIXTURE_TEARDOWN(io)
{
	close(self->dev);
	cgtest_remove(&self->cg);
	free(self->st);
}

/* The generation of our cgroup: changes with every reset of it. */
static uint64_t cg_generation(struct __test_metadata *_metadata,
			      FIXTURE_DATA(io) *self)
{
	struct kabistat_cgroup_stats q;

	EXPECT_EQ(0, stats_of(self, self->cg.dfd, &q));
	return q.generation;
}

static uint32_t ksize_of(unsigned long cmd)
{
	switch (cmd) {
	case KABISTAT_IOC_ABI_INFO:
		return sizeof(struct kabistat_abi_info);
	case KABISTAT_IOC_CGROUP_STATS:
		return sizeof(struct kabistat_cgroup_stats);
	default:
		return sizeof(struct kabistat_reset);
	}
}

/* A valid argument of @cmd at @p (argsz the structure's size). */
static void fill_valid(FIXTURE_DATA(io) *self, unsigned long cmd, void *p)
{
	struct kabistat_cgroup_stats *q = p;
	struct kabistat_reset *r = p;

	memset(p, 0, ksize_of(cmd));
	*(uint32_t *)p = ksize_of(cmd);
	if (cmd == KABISTAT_IOC_CGROUP_STATS) {
		q->cgroup_fd = self->cg.dfd;
		q->stats = (uintptr_t)self->st;
		q->stats_len = MAX_STATS;
		q->stat_size = sizeof(struct kabistat_stat);
	} else if (cmd == KABISTAT_IOC_RESET) {
		r->cgroup_fd = self->cg.dfd;
	}
}

static const unsigned long cmds[] = {
	KABISTAT_IOC_ABI_INFO, KABISTAT_IOC_CGROUP_STATS, KABISTAT_IOC_RESET,
};

/* Types whose numbers the VFS (do_vfs_ioctl) answers before any driver. */
static bool vfs_type(unsigned int type)
{
	return type == 0 || type == 0x15 || type == 'T' || type == 'X' ||
	       type == 'f' || type == 0x94;
}

TEST_F_TIMEOUT(io, random_commands_are_enotty, 60)
{
	struct fuzz_rng *g = &self->rng;
	double t0 = fuzz_now(), budget = fuzz_budget(4.0);
	unsigned long n = 0, cmd;
	unsigned int dir, nr, size, type;
	int err;

	/* every number of our type, every direction, some sizes */
	for (dir = 0; dir < 4; dir++)
		for (nr = 0; nr < 256; nr++)
			for (size = 0; size < 3; size++) {
				cmd = _IOC(dir, KABISTAT_IOCTL_TYPE, nr,
					   size == 0 ? 0 : size == 1 ?
					   ksize_of(cmds[nr % 3]) :
					   fuzz_below(g, 1 << 14));
				if (cmd == cmds[0] || cmd == cmds[1] ||
				    cmd == cmds[2])
					continue;
				fill_valid(self, cmds[nr % 3], self->big);
				err = xioctl(self->dev, cmd, self->big);
				n++;
				EXPECT_EQ(ENOTTY, err)
					TH_LOG("cmd 0x%lx: %s", cmd,
					       strerror(err));
			}
	/* random numbers, random arguments */
	while (n < 20000 && fuzz_now() - t0 < budget) {
		type = fuzz_below(g, 256);
		cmd = fuzz_chance(g, 2) ? (uint32_t)fuzz_next(g) :
			_IOC(fuzz_below(g, 4), type, fuzz_below(g, 256),
			     fuzz_below(g, 1 << 14));
		if (vfs_type(_IOC_TYPE(cmd)) || cmd == cmds[0] ||
		    cmd == cmds[1] || cmd == cmds[2])
			continue;
		err = xioctl(self->dev, cmd,
			     fuzz_chance(g, 2) ? self->big :
			     (void *)(uintptr_t)bad_addrs[fuzz_below(g, 9)]);
		n++;
		EXPECT_EQ(ENOTTY, err) TH_LOG("cmd 0x%lx: %s", cmd,
					      strerror(err));
	}
	printf("# random_commands: %lu ioctls in %.1f s\n", n,
	       fuzz_now() - t0);
}

/*
 * argsz from 0 to 64K for each command, the tail zero or not (one random
 * byte set), and argsz running into an unmapped page.
 */
TEST_F_TIMEOUT(io, argsz_from_0_to_64k, 60)
{
	static const uint32_t fixed[] = { 0, 1, 3, 4, 7, 8, 16 };
	struct fuzz_rng *g = &self->rng;
	unsigned char *copy;
	unsigned long n = 0;
	uint32_t argsz, ks;
	size_t c, i;
	int err, want, round;
	bool tail_set;
	uint64_t gen0;

	copy = malloc(BIG);
	ASSERT_NE(NULL, copy);
	for (c = 0; c < 3; c++) {
		ks = ksize_of(cmds[c]);
		for (round = 0; round < 120; round++) {
			if (round < (int)(sizeof(fixed) / sizeof(fixed[0])))
				argsz = fixed[round];
			else if (round < 20)
				argsz = ks - 10 + round;	/* around it */
			else if (round < 24)
				argsz = (uint32_t[]){ 4096, 4097, 65535,
						      65536 }[round - 20];
			else
				argsz = fuzz_below(g, 65537);
			memset(self->big, 0, BIG);
			fill_valid(self, cmds[c], self->big);
			*(uint32_t *)self->big = argsz;
			tail_set = argsz > ks && fuzz_chance(g, 2);
			if (tail_set)
				self->big[ks + fuzz_below(g, argsz - ks)] =
					1 + fuzz_below(g, 255);
			memcpy(copy, self->big, BIG);
			gen0 = cg_generation(_metadata, self);
			err = xioctl(self->dev, cmds[c], self->big);
			n++;
			want = argsz < ks ? EINVAL : tail_set ? E2BIG : 0;
			EXPECT_EQ(want, err)
				TH_LOG("cmd %zu argsz %u (struct %u)%s: %s",
				       c, argsz, ks,
				       tail_set ? ", non-zero tail" : "",
				       strerror(err));
			/* nothing past the structure is ever written */
			EXPECT_EQ(0, memcmp(copy + ks, self->big + ks, BIG - ks))
				TH_LOG("cmd %zu argsz %u: bytes past the structure changed",
				       c, argsz);
			if (err) {
				EXPECT_EQ(0, memcmp(copy, self->big, ks))
					TH_LOG("cmd %zu argsz %u: failed, but the structure changed",
					       c, argsz);
				EXPECT_EQ(gen0, cg_generation(_metadata, self))
					TH_LOG("cmd %zu: failed, but reset", c);
			} else if (cmds[c] != KABISTAT_IOC_RESET) {
				/* the size the module knows is written back */
				EXPECT_EQ(ks, *(uint32_t *)self->big);
			}
		}
		/* argsz reaching into the guard page: EFAULT */
		for (i = 1; i <= 3; i++) {
			unsigned char *p = self->guard - ks - i * 8;

			memset(self->big, 0, BIG);
			fill_valid(self, cmds[c], p);
			*(uint32_t *)p = ks + i * 8 + 1 + fuzz_below(g, 4096);
			err = xioctl(self->dev, cmds[c], p);
			n++;
			EXPECT_EQ(EFAULT, err)
				TH_LOG("cmd %zu, tail into the guard page: %s",
				       c, strerror(err));
		}
	}
	free(copy);
	printf("# argsz: %lu ioctls\n", n);
}

/* Arguments at addresses nobody can use, and read-only ones. */
TEST_F(io, bad_argument_pointers)
{
	struct kabistat_abi_info *info;
	uint64_t gen0 = cg_generation(_metadata, self);
	size_t c, i;
	int err;

	for (c = 0; c < 3; c++) {
		for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
			err = xioctl(self->dev, cmds[c],
				     (void *)(uintptr_t)bad_addrs[i]);
			EXPECT_EQ(EFAULT, err)
				TH_LOG("cmd %zu at 0x%llx: %s", c,
				       (unsigned long long)bad_addrs[i],
				       strerror(err));
		}
		err = xioctl(self->dev, cmds[c], self->guard);
		EXPECT_EQ(EFAULT, err) TH_LOG("cmd %zu in the guard page: %s",
					      c, strerror(err));
		/* the structure straddles into the guard page */
		fill_valid(self, cmds[c], self->big);
		memcpy(self->guard - ksize_of(cmds[c]) + 4, self->big,
		       ksize_of(cmds[c]) - 4);
		err = xioctl(self->dev, cmds[c],
			     self->guard - ksize_of(cmds[c]) + 4);
		EXPECT_EQ(EFAULT, err) TH_LOG("cmd %zu across the guard: %s",
					      c, strerror(err));
	}
	EXPECT_EQ(gen0, cg_generation(_metadata, self))
		TH_LOG("a RESET that faulted reset the cgroup");

	/* read-only: what must be written back faults, RESET only reads */
	for (c = 0; c < 3; c++) {
		ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ | PROT_WRITE));
		fill_valid(self, cmds[c], self->ro);
		ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ));
		gen0 = cg_generation(_metadata, self);
		err = xioctl(self->dev, cmds[c], self->ro);
		if (cmds[c] == KABISTAT_IOC_RESET) {
			EXPECT_EQ(0, err) TH_LOG("read-only RESET: %s",
						 strerror(err));
			EXPECT_NE(gen0, cg_generation(_metadata, self));
		} else {
			EXPECT_EQ(EFAULT, err) TH_LOG("read-only cmd %zu: %s",
						      c, strerror(err));
		}
	}
	/* read-only and too small for the stats: ENOSPC cannot be stored */
	ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ | PROT_WRITE));
	fill_valid(self, KABISTAT_IOC_CGROUP_STATS, self->ro);
	((struct kabistat_cgroup_stats *)self->ro)->stats_len = 1;
	ASSERT_EQ(0, mprotect(self->ro, PAGE, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS,
				 self->ro));
	info = (void *)self->big;
	fill_valid(self, KABISTAT_IOC_ABI_INFO, info);
	EXPECT_EQ(0, xioctl(self->dev, KABISTAT_IOC_ABI_INFO, info));
	EXPECT_EQ(KABISTAT_UAPI_VERSION, info->uapi_version);
}

/*
 * The stats array: unusable pointers fault without storing anything in
 * the argument; stat_size below 8 is EINVAL; strides other than 48 are
 * honoured; too little room is ENOSPC with the room needed.
 */
TEST_F(io, stats_array_and_stat_size)
{
	struct kabistat_cgroup_stats q, before, ref;
	struct kabistat_stat full[MAX_STATS];
	unsigned char *arr = self->big + PAGE;
	uint32_t sizes[] = { 0, 1, 4, 7 }, i, j;
	int err;

	ASSERT_EQ(0, stats_of(self, self->cg.dfd, &ref));
	memcpy(full, self->st, sizeof(full));

	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]) + 2; i++) {
		fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
		if (i < sizeof(bad_addrs) / sizeof(bad_addrs[0]))
			q.stats = bad_addrs[i];
		else if (i == sizeof(bad_addrs) / sizeof(bad_addrs[0]))
			q.stats = (uintptr_t)self->ro;
		else	/* the first entry fits, the second is in the guard */
			q.stats = (uintptr_t)(self->guard -
					      sizeof(struct kabistat_stat));
		before = q;
		err = xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, &q);
		EXPECT_EQ(EFAULT, err) TH_LOG("stats at 0x%llx: %s",
					      (unsigned long long)before.stats,
					      strerror(err));
		EXPECT_EQ(0, memcmp(&before, &q, sizeof(q)))
			TH_LOG("stats at 0x%llx: argument changed on EFAULT",
			       (unsigned long long)before.stats);
	}

	for (i = 0; i < 4; i++) {
		fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
		q.stat_size = sizes[i];
		before = q;
		EXPECT_EQ(EINVAL, xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS,
					 &q)) TH_LOG("stat_size %u", sizes[i]);
		EXPECT_EQ(0, memcmp(&before, &q, sizeof(q)));
	}

	/* strides 8 (abi and nr only), 49, 64, 4096 */
	{
		uint32_t strides[] = { 8, 49, 64, 4096 };

		for (i = 0; i < 4; i++) {
			uint32_t st = strides[i];
			uint32_t step = st < 48 ? st : 48;

			memset(arr, 0xa5, BIG - PAGE);
			fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
			q.stats = (uintptr_t)arr;
			q.stat_size = st;
			q.stats_len = (BIG - PAGE) / st;
			err = xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, &q);
			ASSERT_EQ(0, err) TH_LOG("stride %u: %s", st,
						 strerror(err));
			ASSERT_EQ(self->nstats, q.stats_len);
			for (j = 0; j < q.stats_len; j++) {
				unsigned char *e = arr + (size_t)j * st;
				uint32_t k;

				EXPECT_EQ(0, memcmp(e, &full[j], step))
					TH_LOG("stride %u entry %u differs",
					       st, j);
				for (k = step; k < st; k++)
					if (e[k] != 0xa5)
						break;
				EXPECT_EQ(st, k) TH_LOG("stride %u entry %u: byte %u past the entry written",
							st, j, k);
			}
			EXPECT_EQ(0xa5, arr[(size_t)q.stats_len * st])
				TH_LOG("stride %u: written past the last entry",
				       st);
		}
	}

	/* huge strides: the second entry is out of reach */
	for (i = 0; i < 2; i++) {
		fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
		q.stats = (uintptr_t)self->arena;
		q.stat_size = i ? 0xffffffffU : 0x80000000U;
		before = q;
		EXPECT_EQ(EFAULT, xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS,
					 &q));
		EXPECT_EQ(0, memcmp(&before, &q, sizeof(q)));
	}

	/* too little room: ENOSPC, the room needed, nothing stored */
	for (i = 0; i < self->nstats; i++) {
		memset(arr, 0xa5, PAGE);
		fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
		q.stats = (uintptr_t)arr;
		q.stats_len = i;
		before = q;
		EXPECT_EQ(ENOSPC, xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS,
					 &q));
		EXPECT_EQ(self->nstats, q.stats_len);
		before.stats_len = q.stats_len;
		EXPECT_EQ(0, memcmp(&before, &q, sizeof(q)))
			TH_LOG("ENOSPC changed more than stats_len");
		for (j = 0; j < PAGE; j++)
			if (arr[j] != 0xa5)
				break;
		EXPECT_EQ(PAGE, j) TH_LOG("ENOSPC with room %u wrote entries",
					  i);
	}
	/* all the room in the world */
	fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
	q.stats_len = 0xffffffffU;
	EXPECT_EQ(0, xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, &q));
	EXPECT_EQ(self->nstats, q.stats_len);
	EXPECT_EQ(ref.cgroup_id, q.cgroup_id);
}

/* fds that are not cgroup2 directories, closed ones, O_PATH ones */
TEST_F(io, cgroup_fds)
{
	struct kabistat_cgroup_stats q;
	struct kabistat_reset r;
	struct cgtest fresh = { .dfd = -1 }, gone = { .dfd = -1 };
	char path[PATH_MAX + 32];
	int fds[16], want[16], nfd = 0, sv[2], pipefd[2], closed, i, err;
	int opath, opath_file, gone_fd;
	uint64_t gen0;

	closed = dup(0);
	ASSERT_LE(0, closed);
	close(closed);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, pipe(pipefd));
	snprintf(path, sizeof(path), "%s/cgroup.procs", self->cg.path);

	fds[nfd] = -1; want[nfd++] = EBADF;
	fds[nfd] = INT_MAX; want[nfd++] = EBADF;
	fds[nfd] = closed; want[nfd++] = EBADF;
	fds[nfd] = open("/tmp", O_RDONLY | O_DIRECTORY); want[nfd++] = EBADF;
	fds[nfd] = open("/proc/self/status", O_RDONLY); want[nfd++] = EBADF;
	fds[nfd] = open(path, O_RDONLY); want[nfd++] = EBADF;
	fds[nfd] = sv[0]; want[nfd++] = EBADF;
	fds[nfd] = pipefd[0]; want[nfd++] = EBADF;
	fds[nfd] = self->dev; want[nfd++] = EBADF;
	fds[nfd] = open("/tmp", O_PATH); want[nfd++] = EBADF;
	opath_file = open(path, O_PATH);
	fds[nfd] = opath_file; want[nfd++] = EBADF;
	/* cgroup v2 dirs the module does not track, or no longer online */
	ASSERT_EQ(0, cgtest_create(&fresh, NULL, "fuzzio-fresh"));
	fds[nfd] = fresh.dfd; want[nfd++] = ENOENT;
	ASSERT_EQ(0, cgtest_create(&gone, NULL, "fuzzio-gone"));
	ASSERT_EQ(0, cgtest_run(&gone, NULL, wl_busy, NULL));
	gone_fd = dup(gone.dfd);
	ASSERT_LE(0, gone_fd);
	ASSERT_EQ(0, cgtest_remove(&gone));
	fds[nfd] = gone_fd; want[nfd++] = ENOENT;
	/* O_PATH of our cgroup: the same as a real open */
	opath = open(self->cg.path, O_PATH | O_DIRECTORY);
	ASSERT_LE(0, opath);
	fds[nfd] = opath; want[nfd++] = 0;

	for (i = 0; i < nfd; i++) {
		gen0 = cg_generation(_metadata, self);
		fill_valid(self, KABISTAT_IOC_CGROUP_STATS, &q);
		q.cgroup_fd = fds[i];
		err = xioctl(self->dev, KABISTAT_IOC_CGROUP_STATS, &q);
		EXPECT_EQ(want[i], err) TH_LOG("STATS fd #%d (%d): %s", i,
					       fds[i], strerror(err));
		if (!err) {
			EXPECT_EQ(self->cg.id, q.cgroup_id);
			EXPECT_EQ(self->nstats, q.stats_len);
		}
		memset(&r, 0, sizeof(r));
		r.argsz = sizeof(r);
		r.cgroup_fd = fds[i];
		err = xioctl(self->dev, KABISTAT_IOC_RESET, &r);
		EXPECT_EQ(want[i], err) TH_LOG("RESET fd #%d (%d): %s", i,
					       fds[i], strerror(err));
		if (err) {
			EXPECT_EQ(gen0, cg_generation(_metadata, self));
		} else {
			EXPECT_NE(gen0, cg_generation(_metadata, self));
		}
	}
	/* RESET: flags other than F_ALL, or reserved set: EINVAL, no reset */
	gen0 = cg_generation(_metadata, self);
	for (i = 1; i < 32; i++) {
		memset(&r, 0, sizeof(r));
		r.argsz = sizeof(r);
		r.cgroup_fd = self->cg.dfd;
		r.flags = 1U << i;
		EXPECT_EQ(EINVAL, xioctl(self->dev, KABISTAT_IOC_RESET, &r));
		r.flags = 0;
		r.__reserved = 1U << i;
		EXPECT_EQ(EINVAL, xioctl(self->dev, KABISTAT_IOC_RESET, &r));
	}
	EXPECT_EQ(gen0, cg_generation(_metadata, self));
	for (i = 3; i < nfd; i++)
		if (fds[i] != self->dev && fds[i] != sv[0] &&
		    fds[i] != pipefd[0] && fds[i] >= 0)
			close(fds[i]);
	close(sv[0]);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
	cgtest_remove(&fresh);
}

/*
 * Everything at once: a known or random command, argsz, fields and
 * pointers drawn at random.  Any errno outside what the commands can
 * answer fails; so does EPERM (we are root).
 */
TEST_F_TIMEOUT(io, random_arguments, 120)
{
	struct fuzz_rng *g = &self->rng;
	double t0 = fuzz_now(), budget = fuzz_budget(6.0);
	unsigned long n = 0, ok = 0, by_errno[256] = { 0 };
	unsigned char *p;
	unsigned long cmd;
	uint32_t ks;
	int err, fdpool[4];

	fuzz_seed(g, fuzz_run_seed(), 0x11);
	fdpool[0] = self->cg.dfd;
	fdpool[1] = self->dev;
	fdpool[2] = -1;
	fdpool[3] = open(self->cg.path, O_PATH | O_DIRECTORY);
	while (n < 30000 && fuzz_now() - t0 < budget) {
		cmd = fuzz_chance(g, 10) ? (uint32_t)fuzz_next(g) :
					   cmds[fuzz_below(g, 3)];
		if (vfs_type(_IOC_TYPE(cmd)))
			continue;
		ks = ksize_of(cmd);
		/* the argument: usually near the end of the mapping */
		p = fuzz_chance(g, 4) ? self->big :
			self->guard - ks - fuzz_below(g, 256);
		memset(p, 0, self->guard - p < 512 ? self->guard - p : 512);
		fill_valid(self, cmd, p);
		if (fuzz_chance(g, 2)) {	/* some random fields */
			uint32_t off = 4 * (1 + fuzz_below(g, ks / 4 - 1));

			fuzz_fill(g, p + off, 1 + fuzz_below(g, ks - off < 8 ?
							       ks - off : 8));
		}
		if (fuzz_chance(g, 3))
			*(uint32_t *)p = fuzz_chance(g, 2) ?
				fuzz_below(g, ks + 64) :
				(uint32_t)fuzz_next(g);
		if (cmd == KABISTAT_IOC_CGROUP_STATS) {
			struct kabistat_cgroup_stats *q = (void *)p;

			if (fuzz_chance(g, 3))
				q->cgroup_fd = fdpool[fuzz_below(g, 4)];
			if (fuzz_chance(g, 4))
				q->stat_size = fuzz_below(g, 100);
			/*
			 * Never a random pointer or stride into our own
			 * memory: the module would rightly write there.
			 */
			switch (fuzz_below(g, 4)) {
			case 0:
				q->stats = bad_addrs[fuzz_below(g, 9)];
				break;
			case 1:
				q->stats = (uintptr_t)self->ro;
				break;
			case 2:
				if (q->stat_size <= 64) {
					q->stats = (uintptr_t)self->st;
					break;
				}
				/* fall through */
			default:
				q->stats = (uintptr_t)self->arena +
					   fuzz_below(g, PAGE);
				break;
			}
		}
		if (cmd == KABISTAT_IOC_RESET && fuzz_chance(g, 3))
			((struct kabistat_reset *)p)->cgroup_fd =
				fdpool[fuzz_below(g, 4)];
		if (fuzz_chance(g, 20))
			p = (void *)(uintptr_t)bad_addrs[fuzz_below(g, 9)];
		err = xioctl(self->dev, cmd, p);
		n++;
		by_errno[err & 0xff]++;
		if (!err)
			ok++;
		EXPECT_TRUE(err == 0 || err == EINVAL || err == E2BIG ||
			    err == EFAULT || err == EBADF || err == ENOENT ||
			    err == ENOSPC || err == ENOTTY)
			TH_LOG("cmd 0x%lx at %p: %s", cmd, p, strerror(err));
	}
	close(fdpool[3]);
	printf("# random_arguments: %lu ioctls in %.1f s, seed 0x%llx (ok %lu, EINVAL %lu, E2BIG %lu, EFAULT %lu, EBADF %lu, ENOENT %lu, ENOSPC %lu, ENOTTY %lu)\n",
	       n, fuzz_now() - t0, (unsigned long long)fuzz_run_seed(), ok,
	       by_errno[EINVAL], by_errno[E2BIG], by_errno[EFAULT],
	       by_errno[EBADF], by_errno[ENOENT], by_errno[ENOSPC],
	       by_errno[ENOTTY]);
	EXPECT_LT(0, ok);
}

/* The same from a 32-bit process, through compat_ptr_ioctl. */
TEST_F_TIMEOUT(io, compat32_bad_input, 60)
{
	static const struct { const char *name; int err; } want[] = {
		{ "abi_info_null", EFAULT },
		{ "abi_info_top", EFAULT },
		{ "abi_info_guard", EFAULT },
		{ "abi_info_straddles_guard", EFAULT },
		{ "abi_info_readonly", EFAULT },
		{ "abi_info_argsz0", EINVAL },
		{ "abi_info_nonzero_tail", E2BIG },
		{ "abi_info_zero_tail", 0 },
		{ "abi_info_argsz_huge", EFAULT },
		{ "stats_ok", 0 },
		{ "stats_null_array", EFAULT },
		{ "stats_top_array", EFAULT },
		{ "stats_above_4g", EFAULT },
		{ "stats_kernel_address", EFAULT },
		{ "stats_readonly_array", EFAULT },
		{ "stats_stat_size0", EINVAL },
		{ "stats_stat_size_huge", EFAULT },
		{ "stats_fd_negative", EBADF },
		{ "stats_fd_device", EBADF },
		{ "stats_no_room", ENOSPC },
		{ "stats_null", EFAULT },
		{ "reset_null", EFAULT },
		{ "reset_top", EFAULT },
	};
	char helper[PATH_MAX], seed[32], line[256], name[64];
	bool seen[sizeof(want) / sizeof(want[0])] = { false };
	int pfd[2], status, err, v, nseen = 0;
	unsigned long n32 = 0;
	size_t i;
	pid_t pid;
	FILE *f;

	if (cgtest_helper_path("ioctl_fuzz32", helper, sizeof(helper)))
		SKIP(return, "no ioctl_fuzz32 helper in the payload");
	snprintf(seed, sizeof(seed), "0x%llx",
		 (unsigned long long)fuzz_run_seed());
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(helper, helper, self->cg.path, seed, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "case %63s %d", name, &err) == 2) {
			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
				if (!strcmp(name, want[i].name))
					break;
			ASSERT_LT(i, sizeof(want) / sizeof(want[0]))
				TH_LOG("unknown case %s", name);
			EXPECT_EQ(want[i].err, err)
				TH_LOG("32-bit %s: %s, want %s", name,
				       strerror(err), strerror(want[i].err));
			if (!seen[i])
				nseen++;
			seen[i] = true;
		} else if (sscanf(line, "needed %d", &v) == 1) {
			EXPECT_EQ((int)self->nstats, v);
		} else if (sscanf(line, "random_cmds_not_enotty %d", &v) == 1) {
			EXPECT_EQ(0, v) TH_LOG("32-bit: %s", line);
		} else if (sscanf(line, "ioctls %lu", &n32) == 1) {
			continue;
		}
	}
	fclose(f);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("helper status 0x%x", status);
	EXPECT_EQ((int)(sizeof(want) / sizeof(want[0])), nseen);
	EXPECT_LT(1000UL, n32);
	__atomic_add_fetch(total_ioctls, n32, __ATOMIC_RELAXED);
	printf("# compat32: %lu ioctls from a 32-bit process\n", n32);
}

/* Last: the device still answers, and the total. */
TEST_F(io, device_still_works_afterwards)
{
	struct kabistat_cgroup_stats q;
	struct kabistat_abi_info info;

	fill_valid(self, KABISTAT_IOC_ABI_INFO, &info);
	EXPECT_EQ(0, xioctl(self->dev, KABISTAT_IOC_ABI_INFO, &info));
	EXPECT_EQ(KABISTAT_UAPI_VERSION, info.uapi_version);
	EXPECT_EQ(0, stats_of(self, self->cg.dfd, &q));
	EXPECT_EQ(self->nstats, q.stats_len);
	printf("# fuzz_ioctl: %lu ioctls, seed 0x%llx\n", *total_ioctls,
	       (unsigned long long)fuzz_run_seed());
}

TEST_HARNESS_MAIN
