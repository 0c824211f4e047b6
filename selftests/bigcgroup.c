// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup that used nearly every syscall number of two ABIs: 900-odd keys,
 * more than one netlink message of a dump holds and more than a CPU's cache
 * has slots.
 *
 * The workload: a process refuses itself every syscall with a seccomp
 * filter (SECCOMP_RET_ERRNO | EPERM for x86_64 and ia32 alike, except
 * exit, exit_group, write, the x86_64 read that moves it into the cgroup
 * and the x86_64 nanosleep of its pauses), then calls every x86_64 number
 * of the table once with syscall(nr, -1, 0, ...), every ia32 number once
 * through int $0x80 from its 64-bit code, and a few numbers beyond each
 * table (nanosleep(-1) is refused like the rest).  A refused call is
 * counted when it returns -EPERM: calls 1, errors 1, denied 1 per number.
 * read and write are let through and fail with EBADF (fd -1): calls 1,
 * errors 1, denied 0.  Not called: exit and exit_group (they would end the
 * workload), the calls the module counts at entry or not at all (execve,
 * execveat, sigreturn, rt_sigreturn), which have tests of their own, and
 * uretprobe and uprobe, which seccomp does not filter.  The table sizes and
 * syscall names come from GET_ABI.
 *
 * So the cgroup holds exactly, per round of the workload: every planned
 * key 1/1/1 (read and write 1/1/0), the out-of-range numbers in each ABI's
 * out-of-range counters, errno EPERM and EBADF; per paced round the
 * successful nanosleeps of its pauses; plus, per process, the moving read
 * and the final exit_group (cgtest.h).
 *
 * Every reader must return every one of those keys, exactly once and with
 * exact counts: a GET_CGROUP dump read with 8 KiB buffers (a cgroup that
 * does not fit one message comes in parts, KABISTAT_A_CGROUP_MORE), the
 * CLI's list, show and export, and a do request.  And no reader may wait
 * for ever while such a cgroup's processes keep displacing each other's
 * cache slots.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "kabistat.h"
#include "cgtest.h"
#include "cli_run.h"
#include "expect.h"
#include "nlraw.h"

#define X64		KABISTAT_ABI_X86_64
#define IA32		KABISTAT_ABI_IA32
#define NABI		2	/* the ABIs the workload calls */

/* ia32 numbers are a frozen ABI (arch/x86/entry/syscalls/syscall_32.tbl). */
#define IA32_NR_EXIT		1
#define IA32_NR_WRITE		4
#define IA32_NR_EXIT_GROUP	252

/* The dump reader's buffer: every recv() offers this much, no more. */
#define READER_BUF		8192

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC		1000000000ULL
#endif
#define MAX_WRITERS		8
#define READ_BOUND_NS		(10 * NSEC_PER_SEC)	/* per read */
#define BUSY_WINDOW_NS		(20 * NSEC_PER_SEC)	/* writers at most */
#define DO_READS		10
#define DUMP_READS		2
#define ABI_READS		20
#define PACE			32	/* calls between pauses, see one_round() */

/* ------------------------------------------------------------------ */
/* The plan: what one round of the workload calls                      */

struct call {
	uint32_t abi;
	uint32_t nr;
	int err;		/* the errno it must fail with */
};

struct plan {
	uint32_t size[NABI];	/* table sizes, from GET_ABI */
	struct call *calls;
	size_t ncalls;
	unsigned int skipped[NABI];
};

/*
 * Not called: what the module counts at entry, or not at all when refused
 * (tested elsewhere); and what seccomp lets through unfiltered, uretprobe
 * and uprobe, which raise SIGILL outside a uprobe trampoline.
 */
static const char *const special_names[] = {
	"exit", "exit_group", "execve", "execveat", "sigreturn",
	"rt_sigreturn", "uretprobe", "uprobe",
};

static bool is_special(const struct kabistat_syscall_table *t, uint32_t nr)
{
	size_t i;

	if (!t->names[nr])
		return false;
	for (i = 0; i < sizeof(special_names) / sizeof(special_names[0]); i++)
		if (!strcmp(t->names[nr], special_names[i]))
			return true;
	return false;
}

/* The numbers the seccomp filter lets through, per ABI. */
static bool allowed(uint32_t abi, uint32_t nr)
{
	if (abi == X64)
		return nr == SYS_exit || nr == SYS_exit_group ||
		       nr == SYS_read || nr == SYS_write;
	return nr == IA32_NR_EXIT || nr == IA32_NR_EXIT_GROUP ||
	       nr == IA32_NR_WRITE;
}

static bool is_exit(uint32_t abi, uint32_t nr)
{
	return abi == X64 ? nr == SYS_exit || nr == SYS_exit_group :
			    nr == IA32_NR_EXIT || nr == IA32_NR_EXIT_GROUP;
}

static int plan_add(struct plan *p, uint32_t abi, uint32_t nr, size_t cap)
{
	if (p->ncalls == cap)
		return -ENOSPC;
	p->calls[p->ncalls++] = (struct call){
		.abi = abi, .nr = nr,
		.err = allowed(abi, nr) ? EBADF : EPERM,
	};
	return 0;
}

/*
 * Every number of each table but the special ones, then out-of-range
 * numbers; the exit numbers are skipped by number too, whatever their
 * names, so that the workload can never end itself early.
 */
static int plan_build(struct plan *p, const struct kabistat_kernel_abi *abi,
		      char *why, size_t whylen)
{
	static const uint32_t beyond[] = { 0, 7, 4096, 100000 };
	size_t cap;
	uint32_t a, nr, i;

	memset(p, 0, sizeof(*p));
	for (a = 0; a < NABI; a++)
		p->size[a] = abi->tables[a].size;
	cap = p->size[X64] + p->size[IA32] + 2 * 8;
	p->calls = calloc(cap, sizeof(*p->calls));
	if (!p->calls)
		return -ENOMEM;
	for (a = 0; a < NABI; a++) {
		const struct kabistat_syscall_table *t = &abi->tables[a];

		for (nr = 0; nr < p->size[a]; nr++) {
			if (is_exit(a, nr) || is_special(t, nr)) {
				p->skipped[a]++;
				continue;
			}
			if (plan_add(p, a, nr, cap))
				return -ENOSPC;
		}
		for (i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
			nr = beyond[i] < p->size[a] ? p->size[a] + beyond[i] :
						      beyond[i];
			if (plan_add(p, a, nr, cap))
				return -ENOSPC;
		}
	}
	/* what must have been skipped is where the names say */
	if (!abi->tables[X64].names[SYS_exit_group] ||
	    strcmp(abi->tables[X64].names[SYS_exit_group], "exit_group") ||
	    !abi->tables[IA32].names[IA32_NR_EXIT_GROUP] ||
	    strcmp(abi->tables[IA32].names[IA32_NR_EXIT_GROUP], "exit_group")) {
		snprintf(why, whylen, "GET_ABI names do not match the frozen exit_group numbers");
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Counts per key: what a reader returned, or what it must return      */

struct keyc {
	struct kabistat_counters c;
	unsigned int seen;	/* how often the key was reported */
};

struct keytab {
	uint32_t size[NABI];
	struct keyc *stat[NABI];
	struct keyc oor[NABI];
	struct keyc err[KABISTAT_ERRNO_MAX + 1];
	unsigned int stray;	/* keys no table of this test has */
	char stray_what[128];	/* the first of them */
};

static int tab_init(struct keytab *t, const struct plan *p)
{
	uint32_t a;

	memset(t, 0, sizeof(*t));
	for (a = 0; a < NABI; a++) {
		t->size[a] = p->size[a];
		t->stat[a] = calloc(p->size[a] + 1, sizeof(struct keyc));
		if (!t->stat[a])
			return -ENOMEM;
	}
	return 0;
}

static void tab_free(struct keytab *t)
{
	uint32_t a;

	for (a = 0; a < NABI; a++) {
		free(t->stat[a]);
		t->stat[a] = NULL;
	}
}

static void counters_add(struct kabistat_counters *to,
			 const struct kabistat_counters *c)
{
	to->calls += c->calls;
	to->errors += c->errors;
	to->enosys += c->enosys;
	to->denied += c->denied;
	to->interrupted += c->interrupted;
}

static void __attribute__((format(printf, 2, 3)))
tab_stray(struct keytab *t, const char *fmt, ...)
{
	va_list ap;

	if (t->stray++)
		return;
	va_start(ap, fmt);
	vsnprintf(t->stray_what, sizeof(t->stray_what), fmt, ap);
	va_end(ap);
}

/* One reported (ABI, nr) key. */
static void tab_stat(struct keytab *t, uint32_t abi, uint32_t nr,
		     const struct kabistat_counters *c)
{
	if (abi >= NABI || nr >= t->size[abi]) {
		tab_stray(t, "stat abi %u nr %u", abi, nr);
		return;
	}
	counters_add(&t->stat[abi][nr].c, c);
	t->stat[abi][nr].seen++;
}

static void tab_oor(struct keytab *t, uint32_t abi,
		    const struct kabistat_counters *c)
{
	if (abi >= NABI) {
		tab_stray(t, "out_of_range abi %u", abi);
		return;
	}
	counters_add(&t->oor[abi].c, c);
	t->oor[abi].seen++;
}

static void tab_errno(struct keytab *t, uint32_t value, uint64_t count)
{
	if (value > KABISTAT_ERRNO_MAX) {
		tab_stray(t, "errno %u", value);
		return;
	}
	t->err[value].c.calls += count;
	t->err[value].seen++;
}

/*
 * What @rounds rounds of the plan, @paced of them paced, by @procs
 * processes in all, leave in the cgroup: each process also made the
 * moving read and the exit_group.
 */
static int tab_expect(struct keytab *t, const struct plan *p, uint64_t rounds,
		      unsigned int paced, unsigned int procs)
{
	struct kabistat_counters one;
	size_t i;
	int err = tab_init(t, p);

	if (err)
		return err;
	for (i = 0; i < p->ncalls; i++) {
		const struct call *c = &p->calls[i];

		one = (struct kabistat_counters){
			.calls = rounds, .errors = rounds,
			.denied = c->err == EPERM ? rounds : 0,
		};
		if (c->nr < p->size[c->abi]) {
			counters_add(&t->stat[c->abi][c->nr].c, &one);
			t->stat[c->abi][c->nr].seen = 1;
		} else {
			counters_add(&t->oor[c->abi].c, &one);
			t->oor[c->abi].seen = 1;
		}
		t->err[c->err].c.calls += rounds;
		t->err[c->err].seen = 1;
	}
	if (paced && p->ncalls >= PACE) {
		t->stat[X64][SYS_nanosleep].c.calls += paced * (p->ncalls / PACE);
		t->stat[X64][SYS_nanosleep].seen = 1;
	}
	t->stat[X64][SYS_read].c.calls += procs;
	t->stat[X64][SYS_exit_group].c.calls += procs;
	t->stat[X64][SYS_exit_group].seen = 1;
	return 0;
}

static unsigned int tab_keys(const struct keytab *t)
{
	unsigned int n = 0, a, nr;

	for (a = 0; a < NABI; a++) {
		for (nr = 0; nr < t->size[a]; nr++)
			n += !!t->stat[a][nr].seen;
		n += !!t->oor[a].seen;
	}
	for (nr = 0; nr <= KABISTAT_ERRNO_MAX; nr++)
		n += !!t->err[nr].seen;
	return n;
}

static void tab_totals(const struct keytab *t, struct kabistat_counters *sum)
{
	uint32_t a, nr;

	memset(sum, 0, sizeof(*sum));
	for (a = 0; a < NABI; a++) {
		for (nr = 0; nr < t->size[a]; nr++)
			counters_add(sum, &t->stat[a][nr].c);
		counters_add(sum, &t->oor[a].c);
	}
}

#define TAB_STAT	(1 << 0)
#define TAB_OOR		(1 << 1)
#define TAB_ERRNO	(1 << 2)
#define TAB_ALL		(TAB_STAT | TAB_OOR | TAB_ERRNO)

static bool keyc_differ(const struct keyc *w, const struct keyc *g,
			unsigned int seen_mult)
{
	return w->seen * seen_mult != g->seen ||
	       memcmp(&w->c, &g->c, sizeof(w->c));
}

static void keyc_log(struct __test_metadata *_metadata, const char *what,
		     const char *key, const struct keyc *w, const struct keyc *g,
		     unsigned int seen_mult)
{
	TH_LOG("%s: %s: want %u times %llu/%llu/%llu/%llu/%llu, got %u times %llu/%llu/%llu/%llu/%llu (calls/errors/enosys/denied/interrupted)",
	       what, key, w->seen * seen_mult,
	       (unsigned long long)w->c.calls, (unsigned long long)w->c.errors,
	       (unsigned long long)w->c.enosys, (unsigned long long)w->c.denied,
	       (unsigned long long)w->c.interrupted, g->seen,
	       (unsigned long long)g->c.calls, (unsigned long long)g->c.errors,
	       (unsigned long long)g->c.enosys, (unsigned long long)g->c.denied,
	       (unsigned long long)g->c.interrupted);
}

/*
 * The keys where @got differs from @want (each wanted key reported
 * @seen_mult times, with exactly its counts; no other key), logging the
 * first few.  Return how many differ.
 */
static unsigned int tab_diff(struct __test_metadata *_metadata,
			     const char *what, const struct keytab *want,
			     const struct keytab *got, unsigned int mask,
			     unsigned int seen_mult)
{
	unsigned int bad = 0, a, nr;
	char key[64];

	for (a = 0; a < NABI; a++) {
		for (nr = 0; (mask & TAB_STAT) && nr < want->size[a]; nr++) {
			if (!keyc_differ(&want->stat[a][nr], &got->stat[a][nr],
					 seen_mult))
				continue;
			if (bad++ < 8) {
				snprintf(key, sizeof(key), "%s nr %u",
					 a == X64 ? "x86_64" : "ia32", nr);
				keyc_log(_metadata, what, key,
					 &want->stat[a][nr], &got->stat[a][nr],
					 seen_mult);
			}
		}
		if ((mask & TAB_OOR) &&
		    keyc_differ(&want->oor[a], &got->oor[a], seen_mult) &&
		    bad++ < 8) {
			snprintf(key, sizeof(key), "%s out of range",
				 a == X64 ? "x86_64" : "ia32");
			keyc_log(_metadata, what, key, &want->oor[a],
				 &got->oor[a], seen_mult);
		}
	}
	for (nr = 0; (mask & TAB_ERRNO) && nr <= KABISTAT_ERRNO_MAX; nr++) {
		if (!keyc_differ(&want->err[nr], &got->err[nr], seen_mult))
			continue;
		if (bad++ < 8) {
			snprintf(key, sizeof(key), "errno %u", nr);
			keyc_log(_metadata, what, key, &want->err[nr],
				 &got->err[nr], seen_mult);
		}
	}
	if (got->stray) {
		TH_LOG("%s: %u keys this test never made, first %s", what,
		       got->stray, got->stray_what);
		bad += got->stray;
	}
	if (bad > 8)
		TH_LOG("%s: %u keys differ in all", what, bad);
	return bad;
}

/* What the library returned for one cgroup. */
static void tab_from_cgroup(struct keytab *t, const struct kabistat_cgroup *cg)
{
	size_t i;
	uint32_t a, e;

	for (i = 0; i < cg->nr_stats; i++)
		tab_stat(t, cg->stats[i].abi, cg->stats[i].nr,
			 &cg->stats[i].c);
	for (a = 0; a < KABISTAT_MAX_ABIS; a++)
		if (cg->out_of_range[a].calls || cg->out_of_range[a].errors)
			tab_oor(t, a, &cg->out_of_range[a]);
	for (e = 0; e <= KABISTAT_ERRNO_MAX; e++)
		if (cg->errno_counts[e])
			tab_errno(t, e, cg->errno_counts[e]);
}

/* ------------------------------------------------------------------ */
/* The workload                                                        */

/* Shared between the test and its workload processes: __atomic. */
struct shared {
	int stop;
	uint64_t rounds[MAX_WRITERS];
	/* the first call that did not fail as planned */
	int bad;
	uint32_t bad_abi, bad_nr;
	long bad_ret;
	int bad_errno;
};

struct wl_arg {
	const struct plan *plan;
	struct shared *sh;
	int cpu;		/* pin to it; -1: do not */
	unsigned int idx;	/* of the writer */
	bool loop;		/* until sh->stop, else one paced round */
};

/*
 * Everything but the exit numbers, write, the x86_64 read, and an x86_64
 * nanosleep whose first argument is not -1 (the pauses of a paced round)
 * fails with EPERM before the kernel looks at it, whatever the ABI.
 */
static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 9, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		/* 4: x86_64 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 12, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 11, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_read, 10, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 9, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_nanosleep, 0, 7),
		/* 10: the low half of nanosleep's first argument */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 5, 6),
		/* 12: ia32 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IA32_NR_EXIT, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IA32_NR_EXIT_GROUP, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IA32_NR_WRITE, 2, 0),
		/* 16, 17 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		/* 18 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]), .filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

/* Before the move (uncounted there): pin, then refuse everything. */
static int prep_big(void *arg)
{
	struct wl_arg *w = arg;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return 20;
	}
	return install_filter() ? 21 : 0;
}

/*
 * One round of the plan; raw calls only.  0, or 10 on a surprise.  Paced:
 * a 1 ms nanosleep after every PACE calls, so that the module's per-CPU
 * pools of shared slots, which a workqueue refills, keep up with a round
 * that makes its keys for the first time (else its events go to overflow
 * and the cgroup is partial).
 */
static int one_round(const struct plan *p, struct shared *sh, bool paced)
{
	const struct timespec pause = { 0, 1000000 };
	size_t i;
	long ret;
	int e;

	for (i = 0; i < p->ncalls; i++) {
		const struct call *c = &p->calls[i];
		bool ok;

		if (paced && i % PACE == PACE - 1 &&
		    syscall(SYS_nanosleep, &pause, NULL))
			return 11;

		if (c->abi == X64) {
			ret = syscall(c->nr, -1L, 0L, 0L, 0L, 0L, 0L);
			e = errno;
			ok = ret == -1 && e == c->err;
		} else {
			ret = (int)test_int80(c->nr, -1L);
			e = ret < 0 ? (int)-ret : 0;
			ok = ret == -c->err;
		}
		if (!ok) {
			if (!__atomic_exchange_n(&sh->bad, 1, __ATOMIC_ACQ_REL)) {
				sh->bad_abi = c->abi;
				sh->bad_nr = c->nr;
				sh->bad_ret = ret;
				sh->bad_errno = e;
			}
			return 10;
		}
	}
	return 0;
}

static int wl_big(void *arg)
{
	struct wl_arg *w = arg;
	int code;

	do {
		code = one_round(w->plan, w->sh, !w->loop);
		if (code)
			return code;
		__atomic_add_fetch(&w->sh->rounds[w->idx], 1, __ATOMIC_RELEASE);
	} while (w->loop && !__atomic_load_n(&w->sh->stop, __ATOMIC_ACQUIRE));
	return 0;
}

/* ------------------------------------------------------------------ */
/* A raw GET_CGROUP dump, parts merged                                 */

/* A KABISTAT_A_STAT or _OUT_OF_RANGE nest; false when malformed. */
static bool parse_stat(const struct nlattr *nest, uint32_t *abi, uint32_t *nr,
		       bool *has_nr, struct kabistat_counters *c)
{
	const struct nlattr *a;
	bool has_abi = false;
	int rem;

	memset(c, 0, sizeof(*c));
	*has_nr = false;
	nlraw_for_each_nested(a, nest, rem) {
		uint64_t *v = NULL;

		switch (nlraw_attr_type(a)) {
		case KABISTAT_STAT_A_ABI:
			if (!nlraw_get_u32(a, abi))
				return false;
			has_abi = true;
			continue;
		case KABISTAT_STAT_A_NR:
			if (!nlraw_get_u32(a, nr))
				return false;
			*has_nr = true;
			continue;
		case KABISTAT_STAT_A_CALLS:
			v = &c->calls;
			break;
		case KABISTAT_STAT_A_ERRORS:
			v = &c->errors;
			break;
		case KABISTAT_STAT_A_ENOSYS:
			v = &c->enosys;
			break;
		case KABISTAT_STAT_A_DENIED:
			v = &c->denied;
			break;
		case KABISTAT_STAT_A_INTERRUPTED:
			v = &c->interrupted;
			break;
		default:
			continue;
		}
		if (!nlraw_get_u64(a, v))
			return false;
	}
	return has_abi;
}

#define HDR_ATTRS	6	/* every part carries all of them */

struct rawdump {
	uint64_t id;			/* the big cgroup */
	const char *path;		/* its path, as the module reports it */
	struct keytab *got;
	/* the messages of the dump, parts merged into entries */
	unsigned int entries;		/* after merging */
	unsigned int zero_entries;	/* aggregates */
	uint32_t last_state[2];		/* of the last two entries */
	uint64_t last_id[2];
	bool open;			/* the last message had MORE */
	uint64_t open_id;
	unsigned int interleaved;	/* a part followed by another id */
	/* the big cgroup's */
	unsigned int parts;		/* its messages */
	unsigned int whole;		/* its entries (last parts) */
	unsigned int bad_header;	/* parts without the full header */
	unsigned int bad_attr;		/* malformed attributes */
	unsigned int partial;		/* parts with F_PARTIAL */
};

static int rawdump_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct rawdump *d = arg;
	const struct nlattr *a;
	struct kabistat_counters c;
	uint32_t abi = 0, nr = 0, u32, state = UINT32_MAX, value = 0;
	unsigned int hdr = 0;
	uint64_t id = UINT64_MAX, count = 0;
	bool more = false, has_nr, ours;
	int rem;

	/* the header first: which cgroup, and whether more follows */
	nlraw_for_each_msg_attr(a, nlh, rem) {
		switch (nlraw_attr_type(a)) {
		case KABISTAT_A_CGROUP_ID:
			if (!nlraw_get_u64(a, &id))
				d->bad_attr++;
			break;
		case KABISTAT_A_CGROUP_STATE:
			if (!nlraw_get_u32(a, &state))
				d->bad_attr++;
			break;
		case KABISTAT_A_CGROUP_MORE:
			more = true;
			break;
		}
	}
	ours = id == d->id;
	if (d->open && id != d->open_id)
		d->interleaved++;
	if (!d->open) {
		d->entries++;
		d->zero_entries += !id;
		d->last_id[0] = d->last_id[1];
		d->last_state[0] = d->last_state[1];
		d->last_id[1] = id;
		d->last_state[1] = state;
	}
	d->open = more;
	d->open_id = id;
	if (!ours)
		return 0;

	d->parts++;
	d->whole += !more;
	nlraw_for_each_msg_attr(a, nlh, rem) {
		switch (nlraw_attr_type(a)) {
		case KABISTAT_A_TIMESTAMP_NS:
		case KABISTAT_A_GENERATION:
		case KABISTAT_A_CGROUP_ID:
			hdr++;
			break;
		case KABISTAT_A_CGROUP_PATH:
			hdr += a->nla_len == NLA_HDRLEN + strlen(d->path) + 1 &&
			       !strcmp(nlraw_attr_data(a), d->path);
			break;
		case KABISTAT_A_CGROUP_STATE:
			hdr += state == KABISTAT_CGROUP_LIVE;
			break;
		case KABISTAT_A_CGROUP_FLAGS:
			if (nlraw_get_u32(a, &u32)) {
				hdr++;
				d->partial += !!(u32 & KABISTAT_CGROUP_F_PARTIAL);
			}
			break;
		case KABISTAT_A_STAT:
			if (!parse_stat(a, &abi, &nr, &has_nr, &c) || !has_nr)
				d->bad_attr++;
			else
				tab_stat(d->got, abi, nr, &c);
			break;
		case KABISTAT_A_OUT_OF_RANGE:
			if (!parse_stat(a, &abi, &nr, &has_nr, &c) || has_nr)
				d->bad_attr++;
			else
				tab_oor(d->got, abi, &c);
			break;
		case KABISTAT_A_ERRNO: {
			const struct nlattr *e;
			int erem;
			bool has_v = false, has_c = false;

			nlraw_for_each_nested(e, a, erem) {
				if (nlraw_attr_type(e) ==
				    KABISTAT_ERRNO_A_VALUE)
					has_v = nlraw_get_u32(e, &value);
				else if (nlraw_attr_type(e) ==
					 KABISTAT_ERRNO_A_COUNT)
					has_c = nlraw_get_u64(e, &count);
			}
			if (has_v && has_c)
				tab_errno(d->got, value, count);
			else
				d->bad_attr++;
			break;
		}
		}
	}
	if (hdr != HDR_ATTRS)
		d->bad_header++;
	return 0;
}

/* A do request on the wire, with room for any reply, into @d->got. */
static int raw_do(struct rawdump *d, struct nlraw_result *res)
{
	struct nlraw nl;
	char attrs[16];
	size_t len;
	int err;

	len = nlraw_put(attrs, 0, KABISTAT_A_CGROUP_ID, &d->id, sizeof(d->id));
	err = nlraw_open(&nl);
	if (err)
		return err;
	err = nlraw_collect(&nl, KABISTAT_CMD_GET_CGROUP, 0, attrs, len,
			    1 << 20, 60, rawdump_msg, d, res);
	nlraw_close(&nl);
	return err;
}

/* ------------------------------------------------------------------ */
/* The CLI's JSON and exposition                                       */

static const char *abi_label(const struct kabistat_kernel_abi *abi,
			     uint32_t a)
{
	return abi->tables[a].name;
}

static void syscall_label(const struct kabistat_kernel_abi *abi, uint32_t a,
			  uint32_t nr, char buf[64])
{
	if (nr < abi->tables[a].size && abi->tables[a].names[nr])
		snprintf(buf, 64, "%s", abi->tables[a].names[nr]);
	else
		snprintf(buf, 64, "syscall_%u", nr);
}

/*
 * The "syscalls" array of one cgroup's JSON object in @text into @got;
 * names checked against GET_ABI's.  Return: 0, or -1 when the object or
 * its array is not there or not as expected (@why says).
 */
static int json_syscalls(const char *obj, const char *end,
			 const struct kabistat_kernel_abi *abi,
			 struct keytab *got, char *why, size_t whylen)
{
	static const char key[] = "\"syscalls\":[{";
	char abiname[16], name[64], want[64];
	unsigned long long v[5];
	unsigned int nr, a;
	const char *p;

	/* min_kernel has a "syscalls" array too, of names */
	p = strstr(obj, key);
	if (!p || p > end) {
		snprintf(why, whylen, "no \"syscalls\" array of objects");
		return -1;
	}
	p += strlen(key) - 1;
	while (*p == '{') {
		struct kabistat_counters c;

		if (sscanf(p, "{\"abi\":\"%15[^\"]\",\"nr\":%u,\"name\":\"%63[^\"]\","
			   "\"calls\":%llu,\"errors\":%llu,\"enosys\":%llu,"
			   "\"denied\":%llu,\"interrupted\":%llu,",
			   abiname, &nr, name, &v[0], &v[1], &v[2], &v[3],
			   &v[4]) != 8) {
			snprintf(why, whylen, "unexpected syscall object: %.200s", p);
			return -1;
		}
		for (a = 0; a < NABI && strcmp(abiname, abi_label(abi, a)); a++)
			;
		c = (struct kabistat_counters){ v[0], v[1], v[2], v[3], v[4] };
		if (a == NABI) {
			tab_stray(got, "JSON abi %s nr %u", abiname, nr);
		} else {
			syscall_label(abi, a, nr, want);
			if (strcmp(name, want))
				tab_stray(got, "JSON name of abi %u nr %u", a, nr);
			tab_stat(got, a, nr, &c);
		}
		p = strchr(p, '}');
		if (!p) {
			snprintf(why, whylen, "unterminated syscall object");
			return -1;
		}
		p++;
		if (*p == ',')
			p++;
	}
	if (*p != ']') {
		snprintf(why, whylen, "\"syscalls\" array ends with %.40s", p);
		return -1;
	}
	return 0;
}

/*
 * Check one cgroup's object in the JSON of `show -j` or `list -j`: the
 * header, totals, ABIs, every syscall, out of range and errno, exactly.
 */
static void check_json(struct __test_metadata *_metadata, const char *what,
		       const char *text, const struct cgtest *cg,
		       const char *path, const struct kabistat_kernel_abi *abi,
		       const struct plan *plan, const struct keytab *want)
{
	char head[512], buf[1024], why[256] = "";
	struct kabistat_counters tot;
	const char *obj, *end;
	struct keytab got;
	size_t off;
	unsigned int a, e;

	snprintf(head, sizeof(head),
		 "{\"cgroup\":{\"id\":%" PRIu64 ",\"path\":\"%s\",\"state\":\"live\","
		 "\"container_id\":null,\"partial\":false,"
		 "\"path_truncated\":false}", cg->id, path);
	obj = strstr(text, head);
	EXPECT_NE(NULL, obj) {
		TH_LOG("%s: no object of cgroup %" PRIu64 " (%s) in %zu bytes: %.1000s",
		       what, cg->id, path, strlen(text), text);
	}
	if (!obj)
		return;
	EXPECT_EQ(NULL, strstr(obj + 1, head)) {
		TH_LOG("%s: cgroup %" PRIu64 " reported twice", what, cg->id);
	}
	end = strstr(obj + 1, "{\"cgroup\":{");
	if (!end)
		end = obj + strlen(obj);

	tab_totals(want, &tot);
	snprintf(buf, sizeof(buf),
		 "\"totals\":{\"calls\":%llu,\"errors\":%llu,\"enosys\":0,"
		 "\"denied\":%llu,\"interrupted\":0}",
		 (unsigned long long)tot.calls, (unsigned long long)tot.errors,
		 (unsigned long long)tot.denied);
	EXPECT_HAS(obj, buf);
	snprintf(buf, sizeof(buf), "\"abis\":[\"%s\",\"%s\"]",
		 abi_label(abi, X64), abi_label(abi, IA32));
	EXPECT_HAS(obj, buf);

	/* every ABI the kernel offers, calls only */
	off = snprintf(buf, sizeof(buf), "\"out_of_range\":{");
	for (a = 0; a < KABISTAT_MAX_ABIS; a++)
		if (abi->tables[a].present)
			off += snprintf(buf + off, sizeof(buf) - off,
					"%s\"%s\":%llu", buf[off - 1] == '{' ?
					"" : ",", abi->tables[a].name,
					(unsigned long long)(a < NABI ?
					want->oor[a].c.calls : 0));
	snprintf(buf + off, sizeof(buf) - off, "},\"errno\":{");
	off = strlen(buf);
	for (e = 1; e <= KABISTAT_ERRNO_MAX; e++)
		if (want->err[e].seen)
			off += snprintf(buf + off, sizeof(buf) - off,
					"%s\"%s\":%llu", buf[off - 1] == '{' ?
					"" : ",", strerrorname_np(e),
					(unsigned long long)want->err[e].c.calls);
	snprintf(buf + off, sizeof(buf) - off, "}}");
	EXPECT_HAS(obj, buf);

	ASSERT_EQ(0, tab_init(&got, plan));
	EXPECT_EQ(0, json_syscalls(obj, end, abi, &got, why, sizeof(why))) {
		TH_LOG("%s: %s", what, why);
	}
	EXPECT_EQ(0, tab_diff(_metadata, what, want, &got, TAB_STAT, 1));
	tab_free(&got);
}

static const char *const families[] = {
	"kabistat_syscalls_total",
	"kabistat_syscall_errors_total",
	"kabistat_syscall_enosys_total",
	"kabistat_syscall_denied_total",
	"kabistat_syscall_interrupted_total",
};

#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

struct name_nr {
	const char *name;
	uint32_t nr;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_nr *)a)->name,
		      ((const struct name_nr *)b)->name);
}

/*
 * The exposition's series of cgroup @cg into @got: each key's five
 * families (so each key is seen five times), out_of_range included.
 */
static void export_parse(const char *text, const struct cgtest *cg,
			 const char *path,
			 const struct kabistat_kernel_abi *abi,
			 struct keytab *got, unsigned int *lines)
{
	struct name_nr *names[NABI] = { NULL };
	char labels[PATH_MAX + 128];
	size_t llen;
	uint32_t a, nr;
	const char *p;

	/* label values of this cgroup; names sorted for lookups */
	llen = snprintf(labels, sizeof(labels),
			"{cgroup_id=\"%" PRIu64 "\",cgroup=\"%s\",container_id=\"\",syscall=\"",
			cg->id, path);
	for (a = 0; a < NABI; a++) {
		names[a] = calloc(abi->tables[a].size + 1, sizeof(**names));
		if (!names[a])
			goto out;
		for (nr = 0; nr < abi->tables[a].size; nr++)
			names[a][nr] = (struct name_nr){
				abi->tables[a].names[nr] ?
				abi->tables[a].names[nr] : "", nr };
		qsort(names[a], abi->tables[a].size, sizeof(**names), name_cmp);
	}
	*lines = 0;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char name[64], abiname[16];
		unsigned long long v;
		struct kabistat_counters c = { 0 };
		struct name_nr key = { name, 0 }, *hit;
		size_t f, flen;
		const char *q;

		if (*p == '#')
			continue;
		for (f = 0; f < NFAMILIES; f++) {
			flen = strlen(families[f]);
			if (!strncmp(p, families[f], flen) && p[flen] == '{')
				break;
		}
		if (f == NFAMILIES || strncmp(p + flen, labels, llen))
			continue;
		q = p + flen + llen;
		if (sscanf(q, "%63[^\"]\",abi=\"%15[^\"]\"} %llu", name, abiname,
			   &v) != 3) {
			tab_stray(got, "unparsable series of %s", families[f]);
			continue;
		}
		++*lines;
		memcpy((char *)&c + f * sizeof(uint64_t), &v, sizeof(v));
		for (a = 0; a < NABI && strcmp(abiname, abi_label(abi, a)); a++)
			;
		if (a == NABI) {
			tab_stray(got, "series of abi %s", abiname);
			continue;
		}
		if (!strcmp(name, "out_of_range")) {
			tab_oor(got, a, &c);
			continue;
		}
		hit = bsearch(&key, names[a], abi->tables[a].size,
			      sizeof(key), name_cmp);
		if (hit && name[0])
			tab_stat(got, a, hit->nr, &c);
		else if (sscanf(name, "syscall_%u", &nr) == 1)
			tab_stat(got, a, nr, &c);
		else
			tab_stray(got, "series of syscall %s, abi %u", name, a);
	}
out:
	for (a = 0; a < NABI; a++)
		free(names[a]);
}

/* ------------------------------------------------------------------ */

FIXTURE(big) {
	struct kabistat *ks;
	struct kabistat_kernel_abi *abi;
	struct plan plan;
	struct cgtest cg;
	struct shared *sh;
	struct keytab want;
	char path[PATH_MAX];	/* relative to the cgroup2 root */
};

FIXTURE_SETUP(big)
{
	char msg[KABISTAT_ERRMSG_LEN], avail[256] = "";
	FILE *f;
	int err;

	memset(&self->cg, 0, sizeof(self->cg));
	self->cg.dfd = -1;
	memset(&self->want, 0, sizeof(self->want));
	self->sh = MAP_FAILED;
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &self->abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	if (!self->abi->tables[X64].present || !self->abi->tables[IA32].present)
		SKIP(return, "the kernel offers no ia32 ABI");
	f = fopen("/proc/sys/kernel/seccomp/actions_avail", "r");
	if (f) {
		if (!fgets(avail, sizeof(avail), f))
			avail[0] = '\0';
		fclose(f);
	}
	if (!strstr(avail, "errno"))
		SKIP(return, "seccomp filters with SECCOMP_RET_ERRNO unavailable");
	err = plan_build(&self->plan, self->abi, msg, sizeof(msg));
	ASSERT_EQ(0, err) TH_LOG("plan: %s", err == -EPROTO ? msg : strerror(-err));
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "big"))
		TH_LOG("%s", cgtest_err());
	snprintf(self->path, sizeof(self->path), "%s",
		 self->cg.path + strlen(CGTEST_ROOT));
}

FIXTURE_TEARDOWN(big)
{
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	tab_free(&self->want);
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
	free(self->plan.calls);
	kabistat_abi_free(self->abi);
	kabistat_close(self->ks);
}

static void log_bad_call(struct __test_metadata *_metadata,
			 const struct shared *sh)
{
	if (sh->bad)
		TH_LOG("%s nr %u returned %ld (errno %d) instead of failing as planned",
		       sh->bad_abi == X64 ? "x86_64" : "ia32", sh->bad_nr,
		       sh->bad_ret, sh->bad_errno);
}

/* One round of the plan in the fixture's cgroup, and what it must leave. */
static void run_once(struct __test_metadata *_metadata,
		     FIXTURE_DATA(big) *self)
{
	struct wl_arg w = { .plan = &self->plan, .sh = self->sh, .cpu = -1 };
	int err;

	/* each reader checks F_PARTIAL: events in overflow, inexact counts */
	err = cgtest_run(&self->cg, prep_big, wl_big, &w);
	log_bad_call(_metadata, self->sh);
	ASSERT_EQ(0, err) TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, tab_expect(&self->want, &self->plan, 1, 1, 1));
	TH_LOG("%u keys: %zu calls per round (%u x86_64 and %u ia32 numbers skipped), tables of %u and %u",
	       tab_keys(&self->want), self->plan.ncalls,
	       self->plan.skipped[X64], self->plan.skipped[IA32],
	       self->plan.size[X64], self->plan.size[IA32]);
}

TEST_F_TIMEOUT(big, dump_with_8k_reader_returns_every_key_once, 120)
{
	struct kabistat_kernel_abi *abi = NULL;
	struct nlraw_result res;
	struct rawdump d = { 0 };
	struct keytab got;
	struct nlraw nl;
	int err;

	run_once(_metadata, self);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	TH_LOG("%u cgroups tracked before the dump", abi->tracked_cgroups);
	kabistat_abi_free(abi);
	ASSERT_EQ(0, tab_init(&got, &self->plan));
	d.id = self->cg.id;
	d.path = self->path;
	d.got = &got;
	ASSERT_EQ(0, nlraw_open(&nl));
	err = nlraw_collect(&nl, KABISTAT_CMD_GET_CGROUP, NLM_F_DUMP, NULL, 0,
			    READER_BUF, 60, rawdump_msg, &d, &res);
	nlraw_close(&nl);
	TH_LOG("dump: %s, error %d%s%s%s, %u messages in %u datagrams (largest %zu bytes), %u entries; the big cgroup: %u parts, %u entries",
	       res.done ? "NLMSG_DONE" : "no NLMSG_DONE", res.error,
	       res.error ? " (" : "", res.error ? strerror(-res.error) : "",
	       res.error ? ")" : "", res.messages, res.datagrams, res.largest,
	       d.entries, d.parts, d.whole);
	if (res.extack[0])
		TH_LOG("extack: %s", res.extack);

	/* it ran to its end */
	EXPECT_EQ(0, err);
	EXPECT_TRUE(res.done);
	EXPECT_EQ(0, res.error);
	EXPECT_FALSE(res.truncated);
	EXPECT_GE(READER_BUF, res.largest);
	/* the big cgroup once, merged from parts that say MORE */
	EXPECT_EQ(1, d.whole);
	EXPECT_FALSE(d.open);
	EXPECT_EQ(0, d.interleaved);
	EXPECT_EQ(0, d.bad_header);
	EXPECT_EQ(0, d.bad_attr);
	EXPECT_EQ(0, d.partial);
	EXPECT_EQ(0, tab_diff(_metadata, "raw dump", &self->want, &got,
			      TAB_ALL, 1));
	/* and the aggregates after everything else */
	EXPECT_EQ(2, d.zero_entries);
	EXPECT_EQ(0, d.last_id[0]);
	EXPECT_EQ(KABISTAT_CGROUP_OVERFLOW, d.last_state[0]);
	EXPECT_EQ(0, d.last_id[1]);
	EXPECT_EQ(KABISTAT_CGROUP_EVICTED, d.last_state[1]);
	tab_free(&got);
}

static struct cli_result res;

TEST_F_TIMEOUT(big, cli_list_show_and_export_report_every_key, 120)
{
	struct keytab got;
	unsigned int lines = 0, rows;

	run_once(_metadata, self);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "list"));
	EXPECT_EQ(0, res.status) {
		TH_LOG("list -j: exit %d, stderr: %s", res.status, res.err);
	}
	check_json(_metadata, "list -j", res.out, &self->cg, self->path,
		   self->abi, &self->plan, &self->want);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg.path));
	EXPECT_EQ(0, res.status) {
		TH_LOG("show -j: exit %d, stderr: %s", res.status, res.err);
	}
	check_json(_metadata, "show -j", res.out, &self->cg, self->path,
		   self->abi, &self->plan, &self->want);

	ASSERT_EQ(0, CLI_RUN(&res, 0, "export"));
	EXPECT_EQ(0, res.status) {
		TH_LOG("export: exit %d, stderr: %s", res.status, res.err);
	}
	ASSERT_GT(sizeof(res.out) - 1, strlen(res.out))
		TH_LOG("export: output cut at %zu bytes", sizeof(res.out) - 1);
	ASSERT_EQ(0, tab_init(&got, &self->plan));
	export_parse(res.out, &self->cg, self->path, self->abi, &got, &lines);
	/* one series per key and family; errno has no family */
	rows = tab_keys(&self->want) - 2;
	EXPECT_EQ(NFAMILIES * rows, lines) {
		TH_LOG("export: %u series of the cgroup, %zu bytes, stderr: %s",
		       lines, strlen(res.out), res.err);
	}
	EXPECT_EQ(0, tab_diff(_metadata, "export", &self->want, &got,
			      TAB_STAT | TAB_OOR, NFAMILIES));
	tab_free(&got);
}

TEST_F_TIMEOUT(big, do_request_returns_every_key, 120)
{
	char msg[KABISTAT_ERRMSG_LEN];
	struct kabistat_cgroup *cg = NULL;
	struct nlraw_result res;
	struct rawdump d = { 0 };
	struct kabistat *ks;
	struct keytab got;
	int err;

	run_once(_metadata, self);

	/* on the wire: one message, every key, whatever its size */
	ASSERT_EQ(0, tab_init(&got, &self->plan));
	d.id = self->cg.id;
	d.path = self->path;
	d.got = &got;
	err = raw_do(&d, &res);
	TH_LOG("raw do request: error %d, %u messages, the largest datagram %zu bytes",
	       err, res.messages, res.largest);
	EXPECT_EQ(0, err) TH_LOG("extack: %s", res.extack);
	EXPECT_EQ(1, d.parts);
	EXPECT_EQ(1, d.whole);
	EXPECT_EQ(0, d.bad_header);
	EXPECT_EQ(0, d.bad_attr);
	EXPECT_EQ(0, d.partial);
	EXPECT_EQ(0, tab_diff(_metadata, "raw do", &self->want, &got,
			      TAB_ALL, 1));
	tab_free(&got);

	/* through the library, by id and by fd */
	err = kabistat_get_cgroup(self->ks, self->cg.id, &cg);
	EXPECT_EQ(0, err) TH_LOG("by id: %s", kabistat_errmsg(self->ks));
	if (!err) {
		ASSERT_EQ(0, tab_init(&got, &self->plan));
		tab_from_cgroup(&got, cg);
		EXPECT_EQ(0, tab_diff(_metadata, "do by id", &self->want, &got,
				      TAB_ALL, 1));
		EXPECT_EQ(tab_keys(&self->want) - 2 - 2, cg->nr_stats);
		EXPECT_EQ(KABISTAT_CGROUP_LIVE, cg->state);
		EXPECT_EQ(0, cg->flags & KABISTAT_CGROUP_F_PARTIAL);
		EXPECT_STREQ(self->path, cg->path);
		kabistat_cgroup_free(cg);
		tab_free(&got);
	}

	/*
	 * A handle of its own: after a failure above, that one's socket may
	 * still hold the reply, and its next request wait for ever.
	 */
	cg = NULL;
	ASSERT_EQ(0, kabistat_open(&ks, msg)) TH_LOG("%s", msg);
	err = kabistat_get_cgroup_fd(ks, self->cg.dfd, &cg);
	if (err)
		snprintf(msg, sizeof(msg), "%s", kabistat_errmsg(ks));
	kabistat_close(ks);
	ASSERT_EQ(0, err) TH_LOG("by fd: %s", msg);
	ASSERT_EQ(0, tab_init(&got, &self->plan));
	tab_from_cgroup(&got, cg);
	EXPECT_EQ(0, tab_diff(_metadata, "do by fd", &self->want, &got,
			      TAB_ALL, 1));
	EXPECT_EQ(self->cg.id, cg->id);
	kabistat_cgroup_free(cg);
	tab_free(&got);
}

/* ------------------------------------------------------------------ */
/* Reads while the cache slots keep moving                              */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* What one reader thread did; written by it, read after the join. */
struct reader {
	struct kabistat *ks;	/* GET_ABI's */
	uint16_t family;
	uint64_t id;
	int kind;		/* 0: GET_CGROUP do and dumps; 1: GET_ABI */
	int done;		/* __atomic: finished its reads */
	unsigned int reads, dumps, failed;
	int first_err;
	char first_msg[384];
	uint64_t longest_ns, longest_dump_ns;
	/* when the longest read and the longest dump returned */
	uint64_t longest_end_ns, longest_dump_end_ns;
};

static void reader_note(struct reader *r, int err, const char *msg)
{
	if (!err)
		return;
	if (!r->failed++) {
		r->first_err = err;
		snprintf(r->first_msg, sizeof(r->first_msg), "%s", msg);
	}
}

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	unsigned int i, n = r->kind ? ABI_READS : DO_READS;

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns(), t;
		int err;

		if (r->kind) {
			struct kabistat_kernel_abi *abi = NULL;

			err = kabistat_get_abi(r->ks, &abi);
			kabistat_abi_free(abi);
			reader_note(r, err, kabistat_errmsg(r->ks));
		} else {
			struct rawdump d = { .id = r->id, .path = "" };
			struct keytab got = { 0 };
			struct nlraw_result res;
			char msg[320];

			/* on the wire: the module's answer, not the library's */
			d.got = &got;
			err = raw_do(&d, &res);
			snprintf(msg, sizeof(msg), "do: error %d %s", err,
				 res.extack);
			reader_note(r, err, msg);
		}
		t = now_ns() - t0;
		if (t > r->longest_ns) {
			r->longest_ns = t;
			r->longest_end_ns = t0 + t;
		}
		r->reads++;
		/* a dump now and then: every cgroup, and the aggregates */
		if (!r->kind && i % (DO_READS / DUMP_READS) == 0) {
			struct nlraw nl = { .family = r->family };
			struct nlraw_result res;
			char msg[320];

			t0 = now_ns();
			err = nlraw_collect(&nl, KABISTAT_CMD_GET_CGROUP,
					    NLM_F_DUMP, NULL, 0, READER_BUF, 60,
					    NULL, NULL, &res);
			t = now_ns() - t0;
			snprintf(msg, sizeof(msg), "dump: error %d after %u messages %s",
				 err, res.messages, res.extack);
			reader_note(r, err, msg);
			if (t > r->longest_dump_ns) {
				r->longest_dump_ns = t;
				r->longest_dump_end_ns = t0 + t;
			}
			r->dumps++;
		}
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t rounds_of(struct shared *sh, unsigned int i)
{
	return __atomic_load_n(&sh->rounds[i], __ATOMIC_ACQUIRE);
}

static uint64_t rounds_sum(struct shared *sh, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += rounds_of(sh, i);
	return sum;
}

/* Reap @pid within @ms, or kill it: its exit code, 128 + signal, -errno. */
static int reap_within(pid_t pid, unsigned int ms)
{
	unsigned int waited;
	int status;

	for (waited = 0; waited < ms; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
						     WEXITSTATUS(status);
		if (r < 0)
			return -errno;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	cgtest_reap(pid);
	return -ETIMEDOUT;
}

static const char *late(uint64_t end, uint64_t stop_at)
{
	return end > stop_at ?
	       " (returned after the writers were told to stop)" : "";
}

/*
 * After a paced round that makes every key, one workload process per CPU,
 * pinned, each cycling through the plan's 900-odd keys (and errno
 * EPERM's) in a cache of 512 slots by default: nearly every call displaces
 * a slot of the same cgroup into its shared counters.  Meanwhile one
 * thread reads the cgroup on the wire (and now and then dumps
 * everything), another asks GET_ABI.  Every read must return within
 * READ_BOUND_NS; the workload stops once the readers are done, or after
 * BUSY_WINDOW_NS at the latest, so that a read stuck behind it ends
 * then and its time is known.  Afterwards the counts are exact.
 */
TEST_F_TIMEOUT(big, reads_terminate_while_cache_slots_keep_moving, 240)
{
	struct wl_arg w[MAX_WRITERS];
	pid_t pids[MAX_WRITERS];
	struct reader rd[2];
	pthread_t th[2];
	struct nlraw_result res;
	struct rawdump d = { 0 };
	struct keytab got;
	struct nlraw nl;
	struct timespec until;
	char msg[KABISTAT_ERRMSG_LEN];
	uint64_t t0, start, stop_at, rounds_before, rounds_during, total;
	unsigned int nw, i;
	bool joined[2] = { false, false };
	long cpus;
	int k, err;

	/*
	 * One paced round first, alone: every key gets its shared slot while
	 * the per-CPU pools keep up (writers that all start at once can
	 * empty them, and their cgroup goes partial).
	 */
	w[0] = (struct wl_arg){ .plan = &self->plan, .sh = self->sh, .cpu = -1 };
	err = cgtest_run(&self->cg, prep_big, wl_big, &w[0]);
	log_bad_call(_metadata, self->sh);
	ASSERT_EQ(0, err) TH_LOG("%s", cgtest_err());
	self->sh->rounds[0] = 0;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nw = cpus < 1 ? 1 : cpus > MAX_WRITERS ? MAX_WRITERS : cpus;
	for (i = 0; i < nw; i++) {
		w[i] = (struct wl_arg){
			.plan = &self->plan, .sh = self->sh, .cpu = (int)i,
			.idx = i, .loop = true,
		};
		err = cgtest_spawn(&self->cg, prep_big, wl_big, &w[i], &pids[i]);
		ASSERT_EQ(0, err) TH_LOG("writer %u: %s", i, cgtest_err());
	}
	/* every key exists before the reads start */
	t0 = now_ns();
	for (i = 0; i < nw && !self->sh->bad && now_ns() - t0 < BUSY_WINDOW_NS;)
		if (rounds_of(self->sh, i))
			i++;
		else
			sleep_ms(1);
	TH_LOG("%u writers, first rounds done after %.3f s", nw,
	       (now_ns() - t0) / 1e9);
	log_bad_call(_metadata, self->sh);
	ASSERT_EQ(nw, i);

	memset(rd, 0, sizeof(rd));
	ASSERT_EQ(0, nlraw_open(&nl));
	nlraw_close(&nl);
	for (k = 0; k < 2; k++) {
		rd[k].kind = k;
		rd[k].id = self->cg.id;
		rd[k].family = nl.family;
	}
	ASSERT_EQ(0, kabistat_open(&rd[1].ks, msg)) TH_LOG("%s", msg);
	rounds_before = rounds_sum(self->sh, nw);
	start = now_ns();
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&th[k], NULL, reader_fn, &rd[k]));
	while (now_ns() - start < BUSY_WINDOW_NS &&
	       !(__atomic_load_n(&rd[0].done, __ATOMIC_ACQUIRE) &&
		 __atomic_load_n(&rd[1].done, __ATOMIC_ACQUIRE)))
		sleep_ms(10);
	rounds_during = rounds_sum(self->sh, nw) - rounds_before;
	stop_at = now_ns();
	__atomic_store_n(&self->sh->stop, 1, __ATOMIC_RELEASE);
	TH_LOG("writers told to stop after %.3f s: readers %s, %" PRIu64 " rounds meanwhile",
	       (stop_at - start) / 1e9,
	       rd[0].done && rd[1].done ? "done" : "not done", rounds_during);
	for (i = 0; i < nw; i++) {
		err = reap_within(pids[i], 60000);
		EXPECT_EQ(0, err) TH_LOG("writer %u: exit %d", i, err);
	}
	log_bad_call(_metadata, self->sh);
	/* a reader stuck for good is a failure too, not a hang */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	for (k = 0; k < 2; k++) {
		joined[k] = !pthread_timedjoin_np(th[k], NULL, &until);
		EXPECT_TRUE(joined[k])
			TH_LOG("%s reader still inside a read 60 s after the writers stopped",
			       k ? "GET_ABI" : "GET_CGROUP");
	}
	ASSERT_TRUE(joined[0] && joined[1]);
	kabistat_close(rd[1].ks);

	TH_LOG("GET_CGROUP do: %u reads, longest %.3f s%s", rd[0].reads,
	       rd[0].longest_ns / 1e9, late(rd[0].longest_end_ns, stop_at));
	TH_LOG("GET_CGROUP dump: %u, longest %.3f s%s", rd[0].dumps,
	       rd[0].longest_dump_ns / 1e9,
	       late(rd[0].longest_dump_end_ns, stop_at));
	TH_LOG("GET_ABI: %u reads, longest %.3f s%s", rd[1].reads,
	       rd[1].longest_ns / 1e9, late(rd[1].longest_end_ns, stop_at));
	for (k = 0; k < 2; k++)
		if (rd[k].failed)
			TH_LOG("%s: %u failed, first %d: %s",
			       k ? "GET_ABI" : "GET_CGROUP", rd[k].failed,
			       rd[k].first_err, rd[k].first_msg);

	/* the workload really ran during the reads */
	EXPECT_LT(0, rounds_during);
	/* each read terminated, well within the window */
	EXPECT_GT(READ_BOUND_NS, rd[0].longest_ns);
	EXPECT_GT(READ_BOUND_NS, rd[0].longest_dump_ns);
	EXPECT_GT(READ_BOUND_NS, rd[1].longest_ns);
	EXPECT_EQ(DO_READS, rd[0].reads);
	EXPECT_EQ(DUMP_READS, rd[0].dumps);
	EXPECT_EQ(ABI_READS, rd[1].reads);
	EXPECT_EQ(0, rd[0].failed);
	EXPECT_EQ(0, rd[1].failed);

	/* quiescent: exact (on the wire, whatever the library makes of it) */
	total = rounds_sum(self->sh, nw);
	TH_LOG("%" PRIu64 " rounds in all, and the first one", total);
	ASSERT_EQ(0, tab_expect(&self->want, &self->plan, total + 1, 1,
				nw + 1));
	ASSERT_EQ(0, tab_init(&got, &self->plan));
	d.id = self->cg.id;
	d.path = self->path;
	d.got = &got;
	err = raw_do(&d, &res);
	EXPECT_EQ(0, err) TH_LOG("raw do request: %s", res.extack);
	EXPECT_EQ(1, d.whole);
	EXPECT_EQ(0, d.partial);
	EXPECT_EQ(0, tab_diff(_metadata, "after the workload", &self->want,
			      &got, TAB_ALL, 1));
	tab_free(&got);
}

TEST_HARNESS_MAIN
