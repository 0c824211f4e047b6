// SPDX-License-Identifier: GPL-2.0
/*
 * ksb-kabistat: the benchmark's kabistat side, through libkabistat.
 *
 *   ksb-kabistat agent             dump every cgroup every second, as an
 *                                  agent would, until killed
 *   ksb-kabistat get CGROUP NR...  "NR calls errors" per x86_64 syscall
 *   ksb-kabistat scale DIR N1 N2   create N2 cgroups under DIR, each running
 *                                  a child that makes ~50 distinct syscalls;
 *                                  report GET_ABI and dump times at N1, N2,
 *                                  and the TSC cycles (det mode: guest ns)
 *                                  of each child's first syscall, which
 *                                  creates its cgroup's entry, and a repeat
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>

#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "kabistat.h"

static struct kabistat *ks;

static void die(const char *what, int err)
{
	fprintf(stderr, "ksb-kabistat: %s: %s (%s)\n", what, strerror(-err),
		ks ? kabistat_errmsg(ks) : "");
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int count_cb(const struct kabistat_cgroup *cg, void *arg)
{
	(void)cg;
	++*(long *)arg;
	return 0;
}

/* Counts the scale run's cgroups (the agent's own changes too). */
static int count_scale_cb(const struct kabistat_cgroup *cg, void *arg)
{
	if (cg->path && strstr(cg->path, "/ksb-scale/"))
		++*(long *)arg;
	return 0;
}

/*
 * A dump of everything, or of what changed since *@mark (see opts.mark).
 * Return: the cgroups under ksb-scale it returned.
 */
static long dump_since(uint64_t *mark)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts), .mark = mark };
	long n = 0;
	int err = kabistat_dump(ks, &opts, count_scale_cb, &n);

	if (err)
		die("dump", err);
	return n;
}

static long dump_all(void)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };
	long n = 0;
	int err = kabistat_dump(ks, &opts, count_cb, &n);

	if (err)
		die("dump", err);
	return n;
}


/*
 * The same dump on a socket of its own, received but not parsed: what the
 * module and the kernel's netlink cost without the library's parsing,
 * with the counters @packed (KABISTAT_A_PACKED) or in nests.
 * Return: the messages received.
 */
static long dump_raw(int packed)
{
	static char buf[65536];
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	long n = 0;
	int family, fd, done = 0;

	if (!sk || !msg || genl_connect(sk))
		die("raw socket", -ENOMEM);
	family = genl_ctrl_resolve(sk, KABISTAT_GENL_NAME);
	if (family < 0 ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			 KABISTAT_CMD_GET_CGROUP, KABISTAT_GENL_VERSION) ||
	    (packed && nla_put_flag(msg, KABISTAT_A_PACKED) < 0) ||
	    nl_send_auto(sk, msg) < 0)
		die("raw dump request", -EIO);
	nlmsg_free(msg);
	fd = nl_socket_get_fd(sk);
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len <= 0)
			die("raw dump recv", len ? -errno : -EIO);
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR)
				done = 1;
			else
				n++;
		}
	}
	nl_socket_free(sk);
	return n;
}

static int agent(void)
{
	for (;;) {
		dump_all();
		sleep(1);
	}
	return 0;
}

static int get(int argc, char **argv)
{
	struct kabistat_cgroup *cg;
	uint64_t id;
	int err, i;
	size_t j;

	err = kabistat_resolve_cgroup(ks, argv[0], &id);
	if (err)
		die(argv[0], err);
	err = kabistat_get_cgroup(ks, id, &cg);
	if (err)
		die("get cgroup", err);
	for (i = 1; i < argc; i++) {
		uint32_t nr = atoi(argv[i]);
		uint64_t calls = 0, errors = 0;

		for (j = 0; j < cg->nr_stats; j++)
			if (cg->stats[j].abi == KABISTAT_ABI_X86_64 &&
			    cg->stats[j].nr == nr) {
				calls = cg->stats[j].c.calls;
				errors = cg->stats[j].c.errors;
			}
		printf("%u %llu %llu\n", nr, (unsigned long long)calls,
		       (unsigned long long)errors);
	}
	kabistat_cgroup_free(cg);
	return 0;
}

/* ~50 distinct cheap syscalls, all raw so none is served by the vDSO. */
static void distinct_syscalls(void)
{
	struct rlimit rl;
	struct timespec ts;
	struct timeval tv;
	struct tms tms;
	struct rusage ru;
	struct itimerval it;
	struct stat st;
	struct sched_param sp;
	char buf[256];
	unsigned int cpu;
	gid_t groups[16];
	uid_t r, e, s;
	cpu_set_t set;
	sigset_t ss;
	void *head;
	size_t len;

	syscall(SYS_getpid);
	syscall(SYS_gettid);
	syscall(SYS_getuid);
	syscall(SYS_geteuid);
	syscall(SYS_getgid);
	syscall(SYS_getegid);
	syscall(SYS_getpgrp);
	syscall(SYS_getsid, 0);
	syscall(SYS_getpgid, 0);
	syscall(SYS_getresuid, &r, &e, &s);
	syscall(SYS_getresgid, &r, &e, &s);
	syscall(SYS_getgroups, 16, groups);
	syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl);
	syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
	syscall(SYS_umask, 022);
	syscall(SYS_sched_yield);
	syscall(SYS_getpriority, PRIO_PROCESS, 0);
	syscall(SYS_getcwd, buf, sizeof(buf));
	syscall(SYS_uname, buf);
	syscall(SYS_sysinfo, buf);
	syscall(SYS_times, &tms);
	syscall(SYS_getrusage, RUSAGE_SELF, &ru);
	syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	syscall(SYS_sched_getscheduler, 0);
	syscall(SYS_sched_getparam, 0, &sp);
	syscall(SYS_sched_get_priority_max, 0);
	syscall(SYS_sched_get_priority_min, 0);
	syscall(SYS_personality, 0xffffffffUL);
	syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_clock_getres, CLOCK_MONOTONIC, &ts);
	syscall(SYS_gettimeofday, &tv, NULL);
	syscall(SYS_time, NULL);
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	syscall(SYS_getitimer, ITIMER_REAL, &it);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &ss, 8);
	syscall(SYS_rt_sigpending, &ss, 8);
	syscall(SYS_sigaltstack, NULL, buf);
	syscall(SYS_get_robust_list, 0, &head, &len);
	syscall(SYS_fcntl, 0, F_GETFD);
	syscall(SYS_lseek, -1, 0, SEEK_SET);
	syscall(SYS_fstat, -1, &st);
	syscall(SYS_ioctl, -1, 0, 0);
	syscall(SYS_read, -1, buf, 1);
	syscall(SYS_write, -1, buf, 1);
	syscall(SYS_close, -1);
	syscall(SYS_access, "/", F_OK);
	syscall(SYS_brk, 0);
	syscall(SYS_madvise, 0, 0, 0);
	syscall(SYS_getrandom, buf, 1, 1 /* GRND_NONBLOCK */);
	syscall(SYS_exit_group, 0);
}

struct first_cost {
	double first, repeat;
};

/*
 * Write every page of the stack the timing below will use: after the fork
 * each is shared copy-on-write, and the first write to one costs a fault
 * of 11,300 instructions, which are not the syscall's.  What is written,
 * and where, depends on the stack's random offset in its page and on the
 * compiler (the call's return address, spilled timings): so the pages,
 * all of them, from the caller's frame down.
 */
static __attribute__((noinline)) void fault_in_stack(void)
{
	volatile char below[4 * 4096];
	size_t i;

	for (i = 0; i < sizeof(below); i += 1024)
		below[i] = 0;
	below[sizeof(below) - 1] = 0;
}

/*
 * A new cgroup's first syscall and a repeat, in TSC cycles (det mode: guest
 * ns).  Called right after fault_in_stack() from the same frame, so that
 * this frame and the calls' lie in pages written already.
 */
static __attribute__((noinline)) void time_first_calls(struct first_cost *fc)
{
	double t0, t1, t2;

	t0 = __rdtsc();
	syscall(SYS_getppid);
	t1 = __rdtsc();
	syscall(SYS_getppid);
	t2 = __rdtsc();
	fc->first = t1 - t0;
	fc->repeat = t2 - t1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static long over(const double *v, long n, double limit)
{
	long i, k = 0;

	for (i = 0; i < n; i++)
		k += v[i] > limit;
	return k;
}

/*
 * Fork into cgroup @dir/c@i (clone3 with CLONE_INTO_CGROUP): the child's pid,
 * 0 in the child, which has made no syscall since.
 */
static long clone_into(const char *dir, long i)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP,
				   .exit_signal = SIGCHLD };
	char path[4096];
	long pid;
	int fd;

	snprintf(path, sizeof(path), "%s/c%ld", dir, i);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die(path, -errno);
	args.cgroup = fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3", -errno);
	if (pid)
		close(fd);
	return pid;
}

/* Run one syscall in cgroup @dir/c@i, in a child that then exits. */
static void touch_cgroup(const char *dir, long i)
{
	long pid = clone_into(dir, i);

	if (pid == 0) {
		syscall(SYS_getppid);
		syscall(SYS_exit_group, 0);
	}
	if (waitpid(pid, NULL, 0) < 0)
		die("waitpid", -errno);
}

/*
 * An incremental dump after 1% of the @cgroups under @dir made a syscall:
 * of those under @dir, it must return exactly those.
 */
static void measure_incremental(const char *dir, long cgroups)
{
	long i, changed = 0, seen = 0;
	uint64_t mark = 0, since;
	double best = 0, t;

	dump_since(&mark);
	since = mark;
	for (i = 0; i < cgroups; i += 100, changed++)
		touch_cgroup(dir, i);
	for (i = 0; i < 3; i++) {
		mark = since;
		t = now_ns();
		seen = dump_since(&mark);
		t = now_ns() - t;
		if (!i || t < best)
			best = t;
	}
	printf("incremental %ld changed %ld incr_ns %.0f dumped %ld\n",
	       cgroups, changed, best, seen);
}

static void measure(long cgroups, struct kabistat_kernel_abi *before)
{
	struct kabistat_kernel_abi *abi;
	double best = 0, raw = 0, packed = 0, t;
	long seen = 0;
	int err, i;

	for (i = 0; i < 3; i++) {
		t = now_ns();
		seen = dump_all();
		t = now_ns() - t;
		if (!i || t < best)
			best = t;
	}
	for (i = 0; i < 3; i++) {
		t = now_ns();
		dump_raw(0);
		t = now_ns() - t;
		if (!i || t < raw)
			raw = t;
		t = now_ns();
		dump_raw(1);
		t = now_ns() - t;
		if (!i || t < packed)
			packed = t;
	}
	err = kabistat_get_abi(ks, &abi);
	if (err)
		die("get abi", err);
	printf("scale %ld dump_ns %.0f raw_dump_ns %.0f packed_dump_ns %.0f dumped %ld tracked %u memory %llu mem_per_cg %.0f overflow_hint %llu\n",
	       cgroups, best, raw, packed, seen, abi->tracked_cgroups,
	       (unsigned long long)abi->memory_used,
	       (double)(abi->memory_used - before->memory_used) /
	       (abi->tracked_cgroups - before->tracked_cgroups),
	       (unsigned long long)abi->events_dropped);
	fflush(stdout);
	kabistat_abi_free(abi);
}

static int scale(const char *dir, long n1, long n2)
{
	struct kabistat_kernel_abi *before;
	struct first_cost *fc;
	double *first, *repeat, med;
	char path[4096];
	long i;
	int err;

	fc = mmap(NULL, n2 * sizeof(*fc), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	first = calloc(n2, sizeof(*first));
	repeat = calloc(n2, sizeof(*repeat));
	if (fc == MAP_FAILED || !first || !repeat)
		die("memory", -ENOMEM);
	err = kabistat_get_abi(ks, &before);
	if (err)
		die("get abi", err);
	for (i = 0; i < n2; i++) {
		long pid;

		snprintf(path, sizeof(path), "%s/c%ld", dir, i);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path, -errno);
		pid = clone_into(dir, i);
		if (pid == 0) {
			/*
			 * The child's return from clone3 is not a call: the
			 * first getppid is the cgroup's first event.  The
			 * pages the measurement writes (the stack, copied on
			 * write since the fork, and the shared results) are
			 * faulted in first, or the first call pays for them.
			 */
			fc[i].first = fc[i].repeat = 0;
			fault_in_stack();
			time_first_calls(&fc[i]);
			distinct_syscalls();
		}
		if (waitpid(pid, NULL, 0) < 0)
			die("waitpid", -errno);
		if (i + 1 == n1)
			measure(n1, before);
	}
	measure(n2, before);
	measure_incremental(dir, n2);
	for (i = 0; i < n2; i++) {
		first[i] = fc[i].first;
		repeat[i] = fc[i].repeat;
	}
	/* sorted by median(): then the 90th percentile and those over 8,000 */
	med = median(first, n2);
	printf("first_syscall_tsc %.0f repeat_syscall_tsc %.0f first_p90 %.0f first_over_8000 %ld\n",
	       med, median(repeat, n2), first[n2 * 9 / 10],
	       over(first, n2, 8000));
	return 0;
}

int main(int argc, char **argv)
{
	char errmsg[KABISTAT_ERRMSG_LEN];
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	err = kabistat_open(&ks, errmsg);
	if (err) {
		fprintf(stderr, "ksb-kabistat: %s\n", errmsg);
		return 1;
	}
	if (!strcmp(argv[1], "agent"))
		return agent();
	if (!strcmp(argv[1], "get") && argc >= 4)
		return get(argc - 2, argv + 2);
	if (!strcmp(argv[1], "scale") && argc == 5)
		return scale(argv[2], atol(argv[3]), atol(argv[4]));
usage:
	fprintf(stderr, "usage: ksb-kabistat agent | get CGROUP NR... | scale DIR N1 N2\n");
	return 2;
}
