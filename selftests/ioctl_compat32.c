// SPDX-License-Identifier: GPL-2.0
/*
 * The 32-bit side of ioctl_dev.c: runs KABISTAT_IOC_ABI_INFO and
 * KABISTAT_IOC_CGROUP_STATS from an ia32 process (through the module's
 * compat_ioctl) and prints what it got, one record a line:
 *
 *   sizes ABI_INFO CGROUP_STATS STAT
 *   abi_info ERRNO UAPI GENERATION ABI_MASK MAX_CGROUPS COUNTING OBSERVED RELEASE MACHINE
 *   abi_info_small ERRNO
 *   cgroup ERRNO ID GENERATION STATE FLAGS STATS_LEN
 *   stat ABI NR CALLS ERRORS ENOSYS DENIED INTERRUPTED
 *   cgroup_no_room ERRNO STATS_LEN
 *
 * ERRNO is 0 on success.  Usage: ioctl_compat32 CGROUP_DIR
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
#include <linux/kabistat.h>

#if !defined(__i386__) && !defined(__arm__)
#error "ioctl_compat32.c is built for a 32-bit compat ABI (-m32, or arm)"
#endif

#define MAX_STATS	256

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

static void print_abi_info(int dev)
{
	struct kabistat_abi_info info;
	int err;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	err = xioctl(dev, KABISTAT_IOC_ABI_INFO, &info);
	info.release[sizeof(info.release) - 1] = '\0';
	info.machine[sizeof(info.machine) - 1] = '\0';
	printf("abi_info %d %u %llu %u %u %u %llu %s %s\n", err,
	       info.uapi_version, (unsigned long long)info.generation,
	       info.abi_mask, info.max_cgroups, info.counting,
	       (unsigned long long)info.observed,
	       info.release[0] ? info.release : "-",
	       info.machine[0] ? info.machine : "-");

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info) - 8;
	printf("abi_info_small %d\n", xioctl(dev, KABISTAT_IOC_ABI_INFO, &info));
}

static void print_cgroup(int dev, int cgfd)
{
	static struct kabistat_stat st[MAX_STATS];
	struct kabistat_cgroup_stats cs;
	unsigned int i;
	int err;

	memset(&cs, 0, sizeof(cs));
	cs.argsz = sizeof(cs);
	cs.cgroup_fd = cgfd;
	cs.stats = (uintptr_t)st;
	cs.stats_len = MAX_STATS;
	cs.stat_size = sizeof(st[0]);
	err = xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &cs);
	printf("cgroup %d %llu %llu %u %u %u\n", err,
	       (unsigned long long)cs.cgroup_id,
	       (unsigned long long)cs.generation, cs.state, cs.flags,
	       cs.stats_len);
	for (i = 0; !err && i < cs.stats_len && i < MAX_STATS; i++)
		printf("stat %u %u %llu %llu %llu %llu %llu\n",
		       st[i].abi, st[i].nr,
		       (unsigned long long)st[i].calls,
		       (unsigned long long)st[i].errors,
		       (unsigned long long)st[i].enosys,
		       (unsigned long long)st[i].denied,
		       (unsigned long long)st[i].interrupted);

	cs.stats_len = 0;
	err = xioctl(dev, KABISTAT_IOC_CGROUP_STATS, &cs);
	printf("cgroup_no_room %d %u\n", err, cs.stats_len);
}

int main(int argc, char **argv)
{
	int dev, cgfd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CGROUP_DIR\n", argv[0]);
		return 2;
	}
	dev = open("/dev/kabistat", O_RDWR | O_CLOEXEC);
	cgfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0 || cgfd < 0) {
		perror("open");
		return 2;
	}
	printf("sizes %u %u %u\n",
	       (unsigned int)sizeof(struct kabistat_abi_info),
	       (unsigned int)sizeof(struct kabistat_cgroup_stats),
	       (unsigned int)sizeof(struct kabistat_stat));
	print_abi_info(dev);
	print_cgroup(dev, cgfd);
	return fflush(stdout) ? 2 : 0;
}
