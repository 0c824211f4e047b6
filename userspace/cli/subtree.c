// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One cgroup's counters, or its subtree's summed (--recursive), for show,
 * check and seccomp.  A container id argument is summed by default: the
 * runtimes put a container's processes in child cgroups of the one that
 * names it (podman's libpod-<id>.scope/container, crun's nested cgroups,
 * a systemd inside the container), and the container is all of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

struct cli_subtree {
	uint64_t root;
	struct kabistat_cgroup *sum;
	struct cli_cgroup_head head;	/* the root's own entry, if tracked */
	bool root_seen;
	unsigned int count;
	int err;
};

static int cli_subtree_add(const struct kabistat_cgroup *cg, void *arg)
{
	struct cli_subtree *st = arg;

	if (!cg->id)
		return 0;	/* an aggregate: no part of any subtree */
	if (cg->id == st->root && !st->root_seen) {
		cli_cgroup_head(&st->head, cg);
		st->head.path = cg->path ? strdup(cg->path) : NULL;
		if (cg->path && !st->head.path)
			return st->err = -ENOMEM;
		st->root_seen = true;
	}
	if (kabistat_cgroup_sum(&st->sum, cg))
		return st->err = -ENOMEM;
	st->count++;
	return 0;
}

static bool cli_container_spec(const char *spec)
{
	size_t len = strlen(spec);

	return len >= KABISTAT_CONTAINER_PREFIX_MIN &&
	       strspn(spec, "0123456789abcdef") == len;
}

/* Whether @spec was a container id prefix that named @path's container. */
static bool cli_container_arg(const char *spec, const char *path)
{
	char id[KABISTAT_CONTAINER_ID_LEN];

	return cli_container_spec(spec) && kabistat_container_id(path, id) &&
	       !strncmp(id, spec, strlen(spec));
}

/*
 * The path of the container's own cgroup, from @path inside it: the
 * shortest leading part that names the same container (podman's
 * libpod-<id>.scope of libpod-<id>.scope/container).  NULL if none.
 */
static char *cli_container_root(const char *path, const char *spec)
{
	char id[KABISTAT_CONTAINER_ID_LEN], *part;
	size_t len;

	if (!path || !cli_container_arg(spec, path))
		return NULL;
	for (len = 1; path[len - 1]; len++) {
		if (path[len] != '/' && path[len])
			continue;
		part = strndup(path, len);
		if (!part)
			return NULL;
		if (kabistat_container_id(part, id) &&
		    !strncmp(id, spec, strlen(spec)))
			return part;
		free(part);
	}
	return NULL;
}

static int cli_fetch_sum(struct kabistat *ks, const char *spec, uint64_t id,
			 struct cli_cgroup_head *head, char **path_copy,
			 struct kabistat_cgroup **out)
{
	struct kabistat_dump_opts dopts = { .sz = sizeof(dopts) };
	struct cli_subtree st = { .root = id };
	int err;

	dopts.subtree_id = id;
	err = kabistat_dump(ks, &dopts, cli_subtree_add, &st);
	if (err || !st.sum) {
		kabistat_cgroup_free(st.sum);
		free((char *)st.head.path);
		if (st.err)
			return cli_error("out of memory");
		if (err)
			return cli_error("%s", kabistat_errmsg(ks));
		return cli_error("%s: no such cgroup tracked: %" PRIu64,
				 spec, id);
	}
	if (!st.root_seen) {
		/* only descendants are tracked; the root is live, or gone */
		st.head = (struct cli_cgroup_head){ .id = id,
			.state = KABISTAT_CGROUP_LIVE,
			.generation = st.sum->generation };
		/*
		 * A container's own cgroup, from its descendants' paths (podman
		 * keeps no process in libpod-<id>.scope); else as the user
		 * named it: the module never saw its path.
		 */
		st.head.path = cli_container_root(st.sum->path, spec);
		if (!st.head.path)
			st.head.path = strdup(spec);
	}
	*head = st.head;
	head->flags = st.sum->flags;
	head->subtree = st.count;
	*path_copy = (char *)st.head.path;
	*out = st.sum;
	return 0;
}

int cli_fetch_subtree(struct kabistat *ks, const char *spec, bool recursive,
		      struct cli_cgroup_head *head, char **path_copy,
		      struct kabistat_cgroup **out)
{
	struct kabistat_cgroup *cg;
	uint64_t id;
	int err;

	*path_copy = NULL;
	if (recursive) {
		if (cli_resolve_cgroup(ks, spec, &id))
			return CLI_EXIT_ERROR;
		return cli_fetch_sum(ks, spec, id, head, path_copy, out);
	}
	if (cli_resolve_cgroup(ks, spec, &id))
		return CLI_EXIT_ERROR;
	err = kabistat_get_cgroup(ks, id, &cg);
	if (err == -ENOENT && cli_container_spec(spec)) {
		/* a container cgroup whose processes all live below it */
		err = cli_fetch_sum(ks, spec, id, head, path_copy, out);
		if (err || cli_container_arg(spec, head->path))
			return err;
		free(*path_copy);
		kabistat_cgroup_free(*out);
		*path_copy = NULL;
		return cli_get_error(ks, spec, -ENOENT);
	}
	if (err)
		return cli_get_error(ks, spec, err);
	if (!cli_container_arg(spec, cg->path)) {
		cli_cgroup_head(head, cg);
		*out = cg;
		return 0;
	}
	id = cg->id;
	kabistat_cgroup_free(cg);
	return cli_fetch_sum(ks, spec, id, head, path_copy, out);
}
