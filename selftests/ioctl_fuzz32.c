// SPDX-License-Identifier: GPL-2.0
/*
 * The 32-bit side of fuzz_ioctl.c: bad sizes, pointers and commands on
 * /dev/kabistat from an ia32 process (compat_ptr_ioctl).  Prints one line
 * per case, "case NAME ERRNO" (0: success), then "ioctls N".  The 64-bit
 * test holds the expectations.  Usage: ioctl_fuzz32 CGROUP_DIR SEED
 * Built by selftests.mk with gcc -m32 -static into the payload's bin/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kabistat.h>

#if !defined(__i386__) && !defined(__arm__)
#error "ioctl_fuzz32.c is built for a 32-bit compat ABI (-m32, or arm)"
#endif

static unsigned long nioctls;

static int xioctl(int fd, unsigned long req, void *arg)
{
	nioctls++;
	return ioctl(fd, req, arg) ? errno : 0;
}

#define CASE(name, expr) printf("case %s %d\n", name, (expr))

int main(int argc, char **argv)
{
	struct kabistat_cgroup_stats q;
	struct kabistat_abi_info *info;
	struct kabistat_stat st[64];
	unsigned char *pg, *ro;
	uint64_t s;
	int dev, cg, i, bad_cmd = 0, bad_cmd_other = 0;

	if (argc != 3)
		return 2;
	s = strtoull(argv[2], NULL, 0) | 1;
	dev = open("/dev/kabistat", O_RDWR | O_CLOEXEC);
	cg = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0 || cg < 0)
		return 3;
	/* two pages, the second one inaccessible */
	pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED || ro == MAP_FAILED ||
	    mprotect(pg + 4096, 4096, PROT_NONE))
		return 4;
	/* a valid argsz in a page that then becomes read-only */
	*(uint32_t *)ro = sizeof(struct kabistat_abi_info);
	if (mprotect(ro, 4096, PROT_READ))
		return 4;

	CASE("abi_info_null", xioctl(dev, KABISTAT_IOC_ABI_INFO, NULL));
	CASE("abi_info_top", xioctl(dev, KABISTAT_IOC_ABI_INFO,
				    (void *)0xfffff000UL));
	CASE("abi_info_guard", xioctl(dev, KABISTAT_IOC_ABI_INFO, pg + 4096));
	/* the structure runs into the guard page */
	info = (void *)(pg + 4096 - sizeof(*info) + 8);
	memset(info, 0, sizeof(*info) - 8);
	info->argsz = sizeof(*info);
	CASE("abi_info_straddles_guard",
	     xioctl(dev, KABISTAT_IOC_ABI_INFO, info));
	/* readable, not writable: the answer cannot be stored */
	CASE("abi_info_readonly", xioctl(dev, KABISTAT_IOC_ABI_INFO, ro));
	info = (void *)pg;
	memset(info, 0, sizeof(*info));
	info->argsz = 0;
	CASE("abi_info_argsz0", xioctl(dev, KABISTAT_IOC_ABI_INFO, info));
	info->argsz = sizeof(*info) + 64;
	((unsigned char *)info)[sizeof(*info) + 3] = 1;
	CASE("abi_info_nonzero_tail", xioctl(dev, KABISTAT_IOC_ABI_INFO, info));
	((unsigned char *)info)[sizeof(*info) + 3] = 0;
	CASE("abi_info_zero_tail", xioctl(dev, KABISTAT_IOC_ABI_INFO, info));
	memset(pg, 0, 4096);
	info->argsz = 0x7fffffff;
	CASE("abi_info_argsz_huge", xioctl(dev, KABISTAT_IOC_ABI_INFO, info));

	memset(&q, 0, sizeof(q));
	q.argsz = sizeof(q);
	q.cgroup_fd = cg;
	q.stats = (uintptr_t)st;
	q.stats_len = 64;
	q.stat_size = sizeof(st[0]);
	CASE("stats_ok", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stats_len = 64;
	q.stats = 0;
	CASE("stats_null_array", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stats = 0xfffff000ULL;
	CASE("stats_top_array", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	/* a 64-bit address no 32-bit process can map */
	q.stats = 0x100000000ULL;
	CASE("stats_above_4g", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stats = 0xffff888000000000ULL;
	CASE("stats_kernel_address",
	     xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stats = (uintptr_t)ro;
	CASE("stats_readonly_array",
	     xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stats = (uintptr_t)st;
	q.stat_size = 0;
	CASE("stats_stat_size0", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stat_size = 0xffffffff;
	CASE("stats_stat_size_huge",
	     xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.stat_size = sizeof(st[0]);
	q.cgroup_fd = -1;
	CASE("stats_fd_negative", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.cgroup_fd = dev;
	CASE("stats_fd_device", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	q.cgroup_fd = cg;
	q.stats_len = 0;
	CASE("stats_no_room", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &q));
	printf("needed %u\n", q.stats_len);
	CASE("stats_null", xioctl(dev, KABISTAT_IOC_CGROUP_STATS, NULL));
	CASE("reset_null", xioctl(dev, KABISTAT_IOC_RESET, NULL));
	CASE("reset_top", xioctl(dev, KABISTAT_IOC_RESET,
				 (void *)0xfffffff0UL));

	/* random commands: only the three exact numbers are known */
	for (i = 0; i < 2000; i++) {
		unsigned int cmd, type;
		int err;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		type = i & 1 ? KABISTAT_IOCTL_TYPE : (unsigned int)(s >> 8) & 0xff;
		cmd = _IOC((unsigned int)(s >> 16) & 3, type,
			   (unsigned int)(s >> 24) & 0xff,
			   (unsigned int)(s >> 32) & 0x3fff);
		/* types the VFS answers itself, whatever the driver */
		if (type == 0 || type == 0x15 || type == 'T' || type == 'X' ||
		    type == 'f' || type == 0x94 ||
		    cmd == KABISTAT_IOC_ABI_INFO ||
		    cmd == KABISTAT_IOC_CGROUP_STATS ||
		    cmd == KABISTAT_IOC_RESET)
			continue;
		err = xioctl(dev, cmd, pg);
		if (err != ENOTTY) {
			if (!bad_cmd_other)
				bad_cmd_other = cmd;
			bad_cmd++;
		}
	}
	printf("random_cmds_not_enotty %d first 0x%x\n", bad_cmd,
	       bad_cmd_other);
	printf("ioctls %lu\n", nioctls);
	return 0;
}
