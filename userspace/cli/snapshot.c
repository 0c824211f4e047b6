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

static int snapshot_add(const struct kabistat_cgroup *cg, void *arg)
{
	struct cli_snapshot *s = arg;
	struct kabistat_cgroup *copy = NULL, **cgs;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		cgs = realloc(s->cgs, cap * sizeof(*cgs));
		if (!cgs)
			return -ENOMEM;
		s->cgs = cgs;
		s->cap = cap;
	}
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
