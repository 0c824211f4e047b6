// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload built for a newer kernel than some nodes run: cachestat
 * (6.5) on a file it opened and mseal (6.10) on a page it mapped.  Where
 * the kernel lacks them they return ENOSYS, which kabistat does not count
 * as used; where they exist they succeed, and the cgroup then needs that
 * kernel (make fleet).  Exit status: the number of calls that failed
 * otherwise than with ENOSYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian 12's headers predate them (x86_64 numbers). */
#ifndef SYS_cachestat
#define SYS_cachestat	451
#endif
#ifndef SYS_mseal
#define SYS_mseal	462
#endif

struct wl_cachestat_range {
	uint64_t off, len;
};

struct wl_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted;
	uint64_t nr_recently_evicted;
};

int main(void)
{
	struct wl_cachestat_range range = { 0, 0 };
	struct wl_cachestat cs;
	int i, fd, failed = 0;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 100;
	for (i = 0; i < 5; i++)
		if (syscall(SYS_cachestat, fd, &range, &cs, 0) && errno != ENOSYS)
			failed++;
	close(fd);
	p = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 101;
	if (syscall(SYS_mseal, p, page, 0) && errno != ENOSYS)
		failed++;
	return failed;
}
