// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "Introduced in kernel X": lookups in the generated version table, the
 * order of versions and version ranges, and the newest syscall a cgroup
 * used.  Names come from the running kernel (GET_ABI), versions from the
 * table, so a syscall newer than the table has a name the table lacks:
 * it needs a kernel newer than the table's newest (">7.3").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "since.h"

struct ks_since_key {
	unsigned int abi;
	const char *name;
};

static int ks_since_cmp(const void *k, const void *e)
{
	const struct ks_since_key *key = k;
	const struct ks_since *ent = e;

	if (key->abi != ent->abi)
		return key->abi < ent->abi ? -1 : 1;
	return strcmp(key->name, ent->name);
}

static const struct ks_since *ks_since_find(unsigned int abi,
					    const char *name)
{
	struct ks_since_key key = { .abi = abi, .name = name };

	if (!name)
		return NULL;
	return bsearch(&key, ks_since_table, ks_since_count,
		       sizeof(ks_since_table[0]), ks_since_cmp);
}

const char *kabistat_syscall_since(unsigned int abi, const char *name)
{
	const struct ks_since *e = ks_since_find(abi, name);

	return e ? e->version : NULL;
}

const char *kabistat_syscall_since_source(unsigned int abi, const char *name)
{
	const struct ks_since *e = ks_since_find(abi, name);

	return e ? e->source : NULL;
}

/* Compare "A.B[.C]" at *@a and *@b component-wise, advancing both. */
static int ks_version_part_cmp(const char **a, const char **b)
{
	while (1) {
		unsigned long x = strtoul(*a, (char **)a, 10);
		unsigned long y = strtoul(*b, (char **)b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (**a != '.' && **b != '.')
			return 0;
		/* "5.6" is older than "5.6.1" */
		if (**a != '.')
			return -1;
		if (**b != '.')
			return 1;
		(*a)++;
		(*b)++;
	}
}

/*
 * A name the running kernel has and the table lacks comes from a kernel
 * newer than every tree the table was made from: ">7.3" (ks_since_beyond)
 * needs more than any version the table knows.
 */
static bool ks_version_beyond(const char *v)
{
	return v && v[0] == '>';
}

/* The bounds of "5.6" (5.6, 5.6) or of "6.2-6.12" (6.2, 6.12). */
static void ks_version_bounds(const char *v, const char **lo, const char **hi)
{
	const char *dash = strchr(v, '-');

	*lo = v;
	*hi = dash ? dash + 1 : v;
}

int kabistat_kernel_version_cmp(const char *a, const char *b)
{
	const char *alo, *ahi, *blo, *bhi;
	int r;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (ks_version_beyond(a) || ks_version_beyond(b))
		return ks_version_beyond(a) - ks_version_beyond(b);
	ks_version_bounds(a, &alo, &ahi);
	ks_version_bounds(b, &blo, &bhi);
	r = ks_version_part_cmp(&ahi, &bhi);
	return r ? r : ks_version_part_cmp(&alo, &blo);
}

int kabistat_kernel_version_needs_cmp(const char *a, const char *b)
{
	const char *alo, *ahi, *blo, *bhi;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	if (ks_version_beyond(a) || ks_version_beyond(b))
		return ks_version_beyond(a) - ks_version_beyond(b);
	ks_version_bounds(a, &alo, &ahi);
	ks_version_bounds(b, &blo, &bhi);
	return ks_version_part_cmp(&ahi, &bhi);
}

int kabistat_syscall_used(const struct kabistat_counters *c)
{
	return c->calls > c->enosys;
}

const char *kabistat_stat_since(const struct kabistat_kernel_abi *abi,
				const struct kabistat_syscall_stat *st)
{
	const struct kabistat_syscall_table *t;
	const char *v;

	if (!abi || st->abi >= KABISTAT_MAX_ABIS)
		return NULL;
	t = &abi->tables[st->abi];
	if (!t->present || st->nr >= t->size || !t->names[st->nr])
		return NULL;
	v = kabistat_syscall_since(st->abi, t->names[st->nr]);
	return v ? v : ks_since_beyond;
}

const char *kabistat_cgroup_min_kernel(const struct kabistat_kernel_abi *abi,
				       const struct kabistat_cgroup *cg)
{
	const char *newest = NULL, *v;
	size_t i;

	for (i = 0; i < cg->nr_stats; i++) {
		if (!kabistat_syscall_used(&cg->stats[i].c))
			continue;
		v = kabistat_stat_since(abi, &cg->stats[i]);
		if (v && kabistat_kernel_version_cmp(v, newest) > 0)
			newest = v;
	}
	return newest;
}
