// SPDX-License-Identifier: GPL-2.0
/*
 * ksb-loop: the benchmark workloads.  Joins a cgroup, then times TRIALS runs
 * of ITERS iterations of one workload with CLOCK_MONOTONIC, after a warm-up
 * of ITERS/10.  Static, so that nothing but the workload's own syscalls
 * runs in the cgroup once joined: getppid runs only getppid, close runs only
 * close(-1), mixed runs only openat/read/close of one file.
 *
 *   ksb-loop CGROUP_DIR getppid|close|mixed ITERS TRIALS
 *
 * Prints: "<min> <median> <total>", the nanoseconds per syscall of the
 * fastest and the median trial, and the iterations made in the cgroup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define MIXED_FILE "/tmp/ksb-mixed"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run(int workload, long n)
{
	char buf[64];
	long i;

	switch (workload) {
	case 0:
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		break;
	case 1:
		for (i = 0; i < n; i++)
			syscall(SYS_close, -1);
		break;
	default:
		for (i = 0; i < n; i++) {
			int fd = syscall(SYS_openat, AT_FDCWD, MIXED_FILE,
					 O_RDONLY);

			syscall(SYS_read, fd, buf, sizeof(buf));
			syscall(SYS_close, fd);
		}
		break;
	}
}

int main(int argc, char **argv)
{
	int workload, trials, t, fd;
	double *ns, per;
	char path[4096], pid[32];
	long iters;

	if (argc != 5) {
		fprintf(stderr, "usage: ksb-loop CGROUP_DIR getppid|close|mixed ITERS TRIALS\n");
		return 2;
	}
	workload = !strcmp(argv[2], "getppid") ? 0 : !strcmp(argv[2], "close") ? 1 :
		   !strcmp(argv[2], "mixed") ? 2 : -1;
	iters = atol(argv[3]);
	trials = atoi(argv[4]);
	if (workload < 0 || iters <= 0 || trials <= 0) {
		fprintf(stderr, "ksb-loop: bad arguments\n");
		return 2;
	}
	ns = calloc(trials, sizeof(*ns));
	if (workload == 2) {
		fd = open(MIXED_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "kabistat benchmark\n", 19) != 19) {
			perror(MIXED_FILE);
			return 1;
		}
		close(fd);
	}
	/* Join last; the descriptor stays open so no close is counted there. */
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
	snprintf(pid, sizeof(pid), "%d", getpid());
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0) {
		perror(path);
		return 1;
	}

	run(workload, iters / 10 ? iters / 10 : 1);
	for (t = 0; t < trials; t++) {
		double t0 = now_ns();

		run(workload, iters);
		ns[t] = now_ns() - t0;
	}
	qsort(ns, trials, sizeof(*ns), cmp_double);
	per = (double)iters * (workload == 2 ? 3 : 1);
	printf("%.2f %.2f %ld\n", ns[0] / per, ns[trials / 2] / per,
	       (iters / 10 ? iters / 10 : 1) + iters * trials);
	return 0;
}
