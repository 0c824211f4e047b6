// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One cgroup as JSON, the object `show`, `list` and `events` share; its
 * field names are the documented schema (SPEC.md) and are never renamed.
 */
#include <stdio.h>

#include "kabistat.h"
#include "cli.h"

void cli_cgroup_head(struct cli_cgroup_head *head,
		     const struct kabistat_cgroup *cg)
{
	*head = (struct cli_cgroup_head){
		.id = cg->id,
		.path = cg->path,
		.state = cg->state,
		.flags = cg->flags,
		.generation = cg->generation,
	};
}

/*
 * Whether @st is one of the syscalls that make @cg need @min_kernel: used
 * (not only ENOSYS) and needing that same version.
 */
bool cli_stat_needs(const struct kabistat_kernel_abi *abi,
		    const struct kabistat_syscall_stat *st,
		    const char *min_kernel)
{
	const char *v;

	if (!kabistat_syscall_used(&st->c))
		return false;
	v = kabistat_stat_since(abi, st);
	return v && !kabistat_kernel_version_needs_cmp(v, min_kernel);
}

void cli_warn_cgroup_mode(const struct kabistat_kernel_abi *abi)
{
	if (abi && abi->cgroup_mode == KABISTAT_CGROUP_MODE_HYBRID)
		fprintf(stderr,
			"kabistat: warning: this host has cgroup v1 hierarchies (hybrid mode): counts are per cgroup v2 cgroup, which may hold processes of several v1 cgroups\n");
}

/* What the human output prints where a path would be. */
const char *cli_cgroup_path(const struct cli_cgroup_head *head)
{
	if (head->state == KABISTAT_CGROUP_OVERFLOW)
		return "(overflow)";
	if (head->state == KABISTAT_CGROUP_EVICTED)
		return "(evicted)";
	return head->path ? head->path : "(path not known yet)";
}

/*
 * The "cgroup" member that names the cgroup, in every command's JSON.
 * path_truncated: the module keeps only the first bytes of a long path
 * (KABISTAT_CGROUP_F_PATH_TRUNC), so path is a prefix of the real one.
 */
void cli_cgroup_ident_json(struct json *j, const struct cli_cgroup_head *head)
{
	char container[KABISTAT_CONTAINER_ID_LEN];

	json_key(j, "cgroup");
	json_object_begin(j);
	json_kv_u64(j, "id", head->id);
	json_kv_string(j, "path", head->path);
	json_kv_string(j, "state", cli_state_name(head->state));
	json_kv_string(j, "container_id",
		       kabistat_container_id(head->path, container) ?
		       container : NULL);
	json_kv_bool(j, "partial", head->flags & KABISTAT_CGROUP_F_PARTIAL);
	json_kv_bool(j, "path_truncated",
		     head->flags & KABISTAT_CGROUP_F_PATH_TRUNC);
	json_object_end(j);
}

static void cli_counters_json(struct json *j,
			      const struct kabistat_counters *c)
{
	json_kv_u64(j, "calls", c->calls);
	json_kv_u64(j, "errors", c->errors);
	json_kv_u64(j, "enosys", c->enosys);
	json_kv_u64(j, "denied", c->denied);
	json_kv_u64(j, "interrupted", c->interrupted);
}

/* @abi_filter: only that ABI's syscalls (-1: all); totals stay whole. */
void cli_cgroup_json(struct json *j, const struct kabistat_kernel_abi *abi,
		     const struct cli_cgroup_head *head,
		     const struct kabistat_cgroup *cg, int abi_filter)
{
	char name[24], ename[16];
	const char *min_kernel = kabistat_cgroup_min_kernel(abi, cg);
	unsigned int id, e;
	size_t i;

	json_object_begin(j);
	cli_cgroup_ident_json(j, head);
	if (head->subtree)
		json_kv_u64(j, "subtree_cgroups", head->subtree);
	json_kv_u64(j, "generation", head->generation);
	json_kv_u64(j, "timestamp_ns", cg->timestamp_ns);

	json_key(j, "abis");
	json_array_begin(j);
	for (id = 0; id < KABISTAT_MAX_ABIS; id++)
		if (cg->per_abi[id].calls)
			json_string(j, cli_abi_name(abi, id));
	json_array_end(j);

	json_key(j, "totals");
	json_object_begin(j);
	cli_counters_json(j, &cg->totals);
	json_object_end(j);

	/* null when no used syscall has a known version (aggregates too) */
	json_key(j, "min_kernel");
	if (min_kernel) {
		json_object_begin(j);
		json_kv_string(j, "version", min_kernel);
		json_key(j, "syscalls");
		json_array_begin(j);
		for (i = 0; i < cg->nr_stats; i++)
			if (cli_stat_needs(abi, &cg->stats[i], min_kernel))
				json_string(j, cli_syscall_name(abi,
					cg->stats[i].abi, cg->stats[i].nr, name));
		json_array_end(j);
		json_object_end(j);
	} else {
		json_null(j);
	}

	json_key(j, "syscalls");
	json_array_begin(j);
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];

		if (abi_filter >= 0 && st->abi != (unsigned int)abi_filter)
			continue;
		json_object_begin(j);
		json_kv_string(j, "abi", cli_abi_name(abi, st->abi));
		json_kv_u64(j, "nr", st->nr);
		json_kv_string(j, "name",
			       cli_syscall_name(abi, st->abi, st->nr, name));
		cli_counters_json(j, &st->c);
		json_kv_string(j, "since", kabistat_stat_since(abi, st));
		json_object_end(j);
	}
	json_array_end(j);

	/* every ABI the kernel offers, and any other that has counts */
	json_key(j, "out_of_range");
	json_object_begin(j);
	for (id = 0; id < KABISTAT_MAX_ABIS; id++)
		if ((abi && abi->tables[id].present) ||
		    cg->out_of_range[id].calls)
			json_kv_u64(j, cli_abi_name(abi, id),
				    cg->out_of_range[id].calls);
	json_object_end(j);

	json_key(j, "errno");
	json_object_begin(j);
	for (e = 1; e <= KABISTAT_ERRNO_MAX + 1; e++) {
		unsigned int v = e % (KABISTAT_ERRNO_MAX + 1); /* "other" last */

		if (cg->errno_counts[v])
			json_kv_u64(j, cli_errno_name(v, ename),
				    cg->errno_counts[v]);
	}
	json_object_end(j);
	json_object_end(j);
}
