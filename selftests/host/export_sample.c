// SPDX-License-Identifier: GPL-2.0
/*
 * Host-only: the exposition of `kabistat export` (userspace/cli/export_fmt.c)
 * for made-up readings, so that promtool can check the format where the
 * module cannot be loaded (scripts/host-tests.sh).  The readings have what
 * a real host shows only now and then: label values that need escaping, a
 * container id, an ia32 syscall, out-of-range numbers, a number without a
 * name, the aggregates, and a released cgroup with the same path as a live
 * one.  Prints the plain exposition, then with --top 1 and with
 * --no-syscall-labels when asked ("top", "totals"), or without the
 * observed total a reader without CAP_PERFMON does not get ("noobserved").
 *
 * For the fleet families: the first cgroup used clone3 (5.3) and probed
 * openat2 (5.6) with ENOSYS only, which does not count; the released one
 * used cachestat (known as "6.2-6.12") once with EPERM, which does; the
 * third used read and write (1.0), two syscalls for one version; the
 * fourth unshare (2.6.16, three parts).  Two ABIs with their hashes.
 * The fifth has no counts, a path cut short by the module, and bytes in
 * it that are not UTF-8.  The sixth used read and a syscall the version
 * table does not know, newer than its newest kernel (">7.3").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kabistat.h"
#include "export.h"

static const char *names64[] = { "read", "write", "openat2", "clone3",
				  "cachestat", "unshare", "kabistat_future" };
static const uint32_t impl64[] = { 0x7f };
static struct kabistat_syscall_stat stats_a[] = {
	{ KABISTAT_ABI_X86_64, 0, { 100, 3, 0, 1, 2 } },
	{ KABISTAT_ABI_X86_64, 1, { 50, 0, 0, 0, 0 } },
	{ KABISTAT_ABI_X86_64, 2, { 2, 2, 2, 0, 0 } },	/* ENOSYS only */
	{ KABISTAT_ABI_X86_64, 3, { 3, 0, 0, 0, 0 } },
	{ KABISTAT_ABI_X86_64, 7, { 1, 1, 1, 0, 0 } },	/* no name */
	{ KABISTAT_ABI_IA32, 20, { 9, 0, 0, 0, 0 } },
};
static struct kabistat_syscall_stat stats_b[] = {
	{ KABISTAT_ABI_X86_64, 0, { 5, 0, 0, 0, 0 } },
	{ KABISTAT_ABI_X86_64, 4, { 1, 1, 0, 1, 0 } },	/* EPERM: used */
};
static struct kabistat_syscall_stat stats_c[] = {
	{ KABISTAT_ABI_X86_64, 0, { 6, 0, 0, 0, 0 } },
	{ KABISTAT_ABI_X86_64, 1, { 2, 0, 0, 0, 0 } },
};
static struct kabistat_syscall_stat stats_d[] = {
	{ KABISTAT_ABI_X86_64, 5, { 1, 0, 0, 0, 0 } },
};
static struct kabistat_syscall_stat stats_f[] = {
	{ KABISTAT_ABI_X86_64, 0, { 1, 0, 0, 0, 0 } },
	{ KABISTAT_ABI_X86_64, 6, { 1, 0, 0, 0, 0 } },	/* not in the table */
};

int main(int argc, char **argv)
{
	static struct kabistat_kernel_abi abi = {
		.module_version = "0.1\"test\\",
		.kernel_release = "6.1.0-test\nline",
		.generation = 42, .tracked_cgroups = 4,
		.memory_used = 65536, .events_dropped = 1, .observed = 1234,
		.has_observed = 1,
	};
	struct kabistat_cgroup a = {
		.id = 4242, .path = "/system.slice/docker-3f2a0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab.scope",
		.generation = 7, .nr_stats = 6, .stats = stats_a,
	}, b = {
		.id = 4243, .path = "/odd \"name\" \\ here", .generation = 8,
		.state = KABISTAT_CGROUP_RELEASED, .nr_stats = 2, .stats = stats_b,
	}, c = {
		.id = 4244, .path = "/odd \"name\" \\ here", .generation = 9,
		.nr_stats = 2, .stats = stats_c,
	}, d = {
		.id = 4245, .path = "/fleet/old", .generation = 10,
		.nr_stats = 1, .stats = stats_d,
	}, e = {
		/* what cgroupfs allows: bytes that are not UTF-8, a tab; cut short */
		.id = 4246, .path = "/bytes \xff\xc3( tab\t \xc3\xa9 cut\xe2\x82",
		.flags = KABISTAT_CGROUP_F_PATH_TRUNC, .generation = 11,
	}, f = {
		.id = 4247, .path = "/future", .generation = 12,
		.nr_stats = 2, .stats = stats_f,
	}, ovf = { .state = KABISTAT_CGROUP_OVERFLOW }, ev = {
		.state = KABISTAT_CGROUP_EVICTED,
	};
	struct kabistat_cgroup *cgs[] = { &a, &b, &c, &d, &e, &f, &ovf, &ev };
	struct cli_snapshot snap = { .cgs = cgs, .n = 8, .cap = 8 };
	struct export_opts o = { 0 };
	size_t i;

	abi.tables[KABISTAT_ABI_X86_64] = (struct kabistat_syscall_table){
		.present = 1, .name = "x86_64", .size = 7, .nr_implemented = 7,
		.hash = 0x0123456789abcdefULL, .names = names64,
		.implemented = impl64,
	};
	abi.tables[KABISTAT_ABI_IA32] = (struct kabistat_syscall_table){
		.present = 1, .name = "ia32", .hash = 0xfedcba9876543210ULL,
	};
	for (i = 0; i < 6; i++) {
		struct kabistat_syscall_stat *s = &stats_a[i];

		a.per_abi[s->abi].calls += s->c.calls;
		a.per_abi[s->abi].errors += s->c.errors;
		a.per_abi[s->abi].enosys += s->c.enosys;
		a.per_abi[s->abi].denied += s->c.denied;
		a.per_abi[s->abi].interrupted += s->c.interrupted;
	}
	/* its errors by errno: read's 3 ENOENT, the rest ENOSYS */
	a.errno_counts[ENOENT] = 3;
	a.errno_counts[ENOSYS] = 7;
	b.errno_counts[EPERM] = 1;
	a.out_of_range[KABISTAT_ABI_X86_64] =
		(struct kabistat_counters){ 4, 4, 4, 0, 0 };
	a.per_abi[KABISTAT_ABI_X86_64].calls += 4;
	b.per_abi[KABISTAT_ABI_X86_64].calls = 6;
	c.per_abi[KABISTAT_ABI_X86_64].calls = 8;
	d.per_abi[KABISTAT_ABI_X86_64].calls = 1;
	f.per_abi[KABISTAT_ABI_X86_64].calls = 2;
	ovf.per_abi[KABISTAT_ABI_X86_64].calls = 11;
	ev.per_abi[KABISTAT_ABI_IA32].calls = 12;

	if (argc > 1 && !strcmp(argv[1], "top"))
		o.top = 1;
	else if (argc > 1 && !strcmp(argv[1], "totals"))
		o.no_syscall_labels = true;
	else if (argc > 1 && !strcmp(argv[1], "noobserved"))
		abi.has_observed = 0;
	return export_write(stdout, &abi, &snap, &o, NULL) ? 1 : 0;
}
