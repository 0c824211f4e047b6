// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Readings that outlive a dump: every tracked cgroup copied out of one
 * kabistat_dump(), for the commands that look at all cgroups at once
 * (check, export, top), and one named cgroup fetched for check and
 * seccomp.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

/* Room for one more entry in @s. */
static int snapshot_room(struct cli_snapshot *s)
{
	struct kabistat_cgroup **cgs;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		cgs = realloc(s->cgs, cap * sizeof(*cgs));
		if (!cgs)
			return -ENOMEM;
		s->cgs = cgs;
		s->cap = cap;
	}
	return 0;
}

static int snapshot_add(const struct kabistat_cgroup *cg, void *arg)
{
	struct cli_snapshot *s = arg;
	struct kabistat_cgroup *copy = NULL;

	if (snapshot_room(s))
		return -ENOMEM;
	if (kabistat_cgroup_sum(&copy, cg))
		return -ENOMEM;
	/* kabistat_cgroup_sum() keeps the first cgroup's identity, not these */
	copy->flags = cg->flags;
	copy->timestamp_ns = cg->timestamp_ns;
	s->cgs[s->n++] = copy;
	return 0;
}

int cli_snapshot_take(struct kabistat *ks, struct cli_snapshot *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = kabistat_dump(ks, NULL, snapshot_add, s);
	if (err) {
		if (err == -ENOMEM)
			cli_error("out of memory");
		else
			cli_error("%s", kabistat_errmsg(ks));
		cli_snapshot_free(s);
		return err;
	}
	return 0;
}

/*
 * The order of a kept snapshot: by id, the aggregates (id 0) by state.  A
 * cgroup is one entry whatever its state: released since the last dump,
 * it replaces its live reading.
 */
static int snapshot_cmp(const void *a, const void *b)
{
	const struct kabistat_cgroup *x = *(const struct kabistat_cgroup **)a;
	const struct kabistat_cgroup *y = *(const struct kabistat_cgroup **)b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->id)
		return 0;
	return x->state < y->state ? -1 : x->state > y->state;
}

const struct kabistat_cgroup *cli_snapshot_find(const struct cli_snapshot *s,
						uint64_t id)
{
	struct kabistat_cgroup key = { .id = id }, *k = &key, **found;

	if (!id)
		return NULL;
	found = bsearch(&k, s->cgs, s->n, sizeof(*s->cgs), snapshot_cmp);
	return found ? *found : NULL;
}

int cli_snapshot_copy(struct cli_snapshot *dst, const struct cli_snapshot *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		if (snapshot_add(src->cgs[i], dst)) {
			cli_snapshot_free(dst);
			return cli_error("out of memory");
		}
	return 0;
}

/* Fold the cgroups of @fresh, a newer incremental dump, into @s. */
static int snapshot_merge(struct cli_snapshot *s, struct cli_snapshot *fresh)
{
	size_t i, n = s->n;
	uint64_t ts = 0;

	for (i = 0; i < fresh->n; i++)
		if (fresh->cgs[i]->timestamp_ns > ts)
			ts = fresh->cgs[i]->timestamp_ns;
	/* the others read the same at this dump: their readings are its */
	for (i = 0; i < n; i++)
		if (ts)
			s->cgs[i]->timestamp_ns = ts;
	for (i = 0; i < fresh->n; i++) {
		struct kabistat_cgroup **old;

		old = bsearch(&fresh->cgs[i], s->cgs, n, sizeof(*s->cgs),
			      snapshot_cmp);
		if (old) {
			kabistat_cgroup_free(*old);
			*old = fresh->cgs[i];
		} else if (!snapshot_room(s)) {
			s->cgs[s->n++] = fresh->cgs[i];
		} else {
			return -ENOMEM;
		}
		fresh->cgs[i] = NULL;
	}
	qsort(s->cgs, s->n, sizeof(*s->cgs), snapshot_cmp);
	return 0;
}

int cli_snapshot_update(struct kabistat *ks, struct cli_snapshot *s,
			uint64_t *mark)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts), .mark = mark };
	struct cli_snapshot fresh = { 0 };
	uint64_t since = s->n ? *mark : 0;
	int err;

	*mark = since;
	err = kabistat_dump(ks, &opts, snapshot_add, &fresh);
	if (err == -ESTALE && since) {
		/* what changed is unknown: everything again */
		cli_snapshot_free(&fresh);
		since = *mark = 0;
		err = kabistat_dump(ks, &opts, snapshot_add, &fresh);
	}
	if (err == -EOPNOTSUPP) {
		/* a module older than incremental dumps */
		cli_snapshot_free(&fresh);
		since = *mark = 0;
		err = kabistat_dump(ks, NULL, snapshot_add, &fresh);
	}
	if (!err && since)
		err = snapshot_merge(s, &fresh);
	if (err) {
		if (err == -ENOMEM)
			cli_error("out of memory");
		else
			cli_error("%s", kabistat_errmsg(ks));
		cli_snapshot_free(&fresh);
		*mark = 0;
		return err;
	}
	if (since) {
		cli_snapshot_free(&fresh);
		return 0;
	}
	cli_snapshot_free(s);
	*s = fresh;
	qsort(s->cgs, s->n, sizeof(*s->cgs), snapshot_cmp);
	return 0;
}

void cli_snapshot_free(struct cli_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		kabistat_cgroup_free(s->cgs[i]);
	free(s->cgs);
	memset(s, 0, sizeof(*s));
}

int cli_resolve_cgroup(struct kabistat *ks, const char *spec, uint64_t *id)
{
	if (kabistat_resolve_cgroup(ks, spec, id))
		return cli_error("%s", kabistat_errmsg(ks));
	if (!*id)
		return cli_error("no such cgroup: %s", spec);
	return 0;
}

int cli_fetch_cgroup(struct kabistat *ks, const char *spec,
		     struct kabistat_cgroup **out)
{
	uint64_t id;
	int err;

	if (cli_resolve_cgroup(ks, spec, &id))
		return CLI_EXIT_ERROR;
	err = kabistat_get_cgroup(ks, id, out);
	return err ? cli_get_error(ks, spec, err) : 0;
}

int cli_get_error(struct kabistat *ks, const char *spec, int err)
{
	if (err == -ENOENT)
		return cli_error("%s: %s (no syscall since the module was loaded)",
				 spec, kabistat_errmsg(ks));
	return cli_error("%s", kabistat_errmsg(ks));
}
