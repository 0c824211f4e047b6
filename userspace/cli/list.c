// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat list: one line per tracked cgroup, then the aggregates.  The
 * table fits 100 columns: a container id is shortened to 12 hex digits,
 * as docker ps shows it, and the path is elided in the middle to the
 * width left (--wide: both whole).  --sort orders the cgroups (calls,
 * errors and enosys most first, id and path ascending); the aggregates
 * stay last.  -j prints the same order.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

#define LIST_WIDTH	100
#define LIST_MIN_PATH	12	/* narrower than this, the line grows */
#define LIST_SHORT_ID	12

enum list_sort { LIST_BY_ID, LIST_BY_CALLS, LIST_BY_ERRORS, LIST_BY_ENOSYS,
		 LIST_BY_PATH };

static const char *const list_sort_names[] = {
	[LIST_BY_ID] = "id", [LIST_BY_CALLS] = "calls",
	[LIST_BY_ERRORS] = "errors", [LIST_BY_ENOSYS] = "enosys",
	[LIST_BY_PATH] = "path",
};

static int list_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int list_cmp(const void *pa, const void *pb, void *arg)
{
	const struct kabistat_cgroup *a = *(struct kabistat_cgroup *const *)pa;
	const struct kabistat_cgroup *b = *(struct kabistat_cgroup *const *)pb;
	enum list_sort key = *(const enum list_sort *)arg;
	int r = 0;

	/* the aggregates (id 0) last, in the module's order */
	if (!a->id || !b->id)
		return !a->id - !b->id;
	switch (key) {
	case LIST_BY_CALLS:
		r = list_u64_desc(a->totals.calls, b->totals.calls);
		break;
	case LIST_BY_ERRORS:
		r = list_u64_desc(a->totals.errors, b->totals.errors);
		break;
	case LIST_BY_ENOSYS:
		r = list_u64_desc(a->totals.enosys, b->totals.enosys);
		break;
	case LIST_BY_PATH:
		r = strcmp(a->path ? a->path : "", b->path ? b->path : "");
		break;
	case LIST_BY_ID:
		break;
	}
	return r ? r : a->id < b->id ? -1 : a->id > b->id;
}

static void list_line(const struct kabistat_kernel_abi *abi,
		      const struct kabistat_cgroup *cg, bool wide)
{
	char id[24], calls[CLI_NUM_LEN], errors[CLI_NUM_LEN];
	char enosys[CLI_NUM_LEN], nr[CLI_NUM_LEN], line[256];
	char container[KABISTAT_CONTAINER_ID_LEN], path[CLI_ELIDE_SIZE];
	const char *min_kernel = kabistat_cgroup_min_kernel(abi, cg);
	struct cli_cgroup_head head;
	int aggregate = !cg->id, len;
	char marks[32];

	cli_cgroup_head(&head, cg);
	snprintf(id, sizeof(id), "%" PRIu64, cg->id);
	if (!kabistat_container_id(cg->path, container))
		strcpy(container, "-");
	else if (!wide)
		container[LIST_SHORT_ID] = '\0';
	len = snprintf(line, sizeof(line), "%8s %-8s %11s %9s %7s %4s %-8s %-12s ",
		       aggregate ? "-" : id, cli_state_name(cg->state),
		       cli_num(calls, cg->totals.calls),
		       cli_num(errors, cg->totals.errors),
		       cli_num(enosys, cg->totals.enosys),
		       aggregate ? "-" : cli_num(nr, cg->nr_stats),
		       min_kernel ? min_kernel : "-", container);
	len += snprintf(marks, sizeof(marks), "%s%s",
			cg->flags & KABISTAT_CGROUP_F_PATH_TRUNC ?
			" (truncated)" : "",
			cg->flags & KABISTAT_CGROUP_F_PARTIAL ? " (partial)" : "");
	printf("%s%s%s\n", line,
	       wide ? cli_cgroup_path(&head) :
	       cli_elide(path, LIST_WIDTH - len < LIST_MIN_PATH ?
			 LIST_MIN_PATH : LIST_WIDTH - len,
			 cli_cgroup_path(&head)), marks);
}

static int list_parse_sort(const char *s, enum list_sort *key)
{
	size_t i;

	for (i = 0; i < sizeof(list_sort_names) / sizeof(list_sort_names[0]);
	     i++) {
		if (!strcmp(s, list_sort_names[i])) {
			*key = (enum list_sort)i;
			return 0;
		}
	}
	return -1;
}

int do_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "wide", no_argument, NULL, 'w' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi = NULL;
	struct cli_snapshot snap;
	enum list_sort key = LIST_BY_ID;
	struct cli_cgroup_head head;
	struct kabistat *ks;
	bool wide = false;
	int c, ret;
	size_t i;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "s:w", opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (list_parse_sort(optarg, &key))
				return cli_usage_error("list",
						       "--sort is calls, errors, enosys, id or path, not '%s'",
						       optarg);
			break;
		case 'w':
			wide = true;
			break;
		default:
			ret = cli_common_opt(cli, "list", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage_error("list", "unexpected argument '%s'",
				       argv[optind]);

	/* syscall names, for the JSON objects and the kernel versions */
	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	cli_warn_cgroup_mode(abi);
	ret = cli_snapshot_take(ks, &snap) ? CLI_EXIT_ERROR : 0;
	if (!ret) {
		qsort_r(snap.cgs, snap.n, sizeof(snap.cgs[0]), list_cmp, &key);
		if (cli->json)
			json_array_begin(&cli->j);
		else
			printf("%8s %-8s %11s %9s %7s %4s %-8s %-12s %s\n",
			       "ID", "STATE", "CALLS", "ERRORS", "ENOSYS",
			       "SYS", "KERNEL", "CONTAINER", "PATH");
		for (i = 0; i < snap.n; i++) {
			if (!cli->json) {
				list_line(abi, snap.cgs[i], wide);
				continue;
			}
			cli_cgroup_head(&head, snap.cgs[i]);
			cli_cgroup_json(&cli->j, abi, &head, snap.cgs[i], -1);
		}
		if (cli->json) {
			json_array_end(&cli->j);
			json_finish(&cli->j);
		}
		cli_snapshot_free(&snap);
	}
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret;
}
