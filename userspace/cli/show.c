// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat show: per-syscall counts of one cgroup, or of a subtree. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"
#include "show.h"

/* Human output: no line is wider than this. */
#define SHOW_WIDTH	100
/* errno values named on the errno line; the rest are counted */
#define SHOW_ERRNOS	10

static const char *const show_sort_names[] = {
	[SHOW_SORT_CALLS]	= "calls",
	[SHOW_SORT_ERRORS]	= "errors",
	[SHOW_SORT_NAME]	= "name",
	[SHOW_SORT_NR]		= "nr",
};

struct show_sort_ctx {
	const struct kabistat_kernel_abi *abi;
	enum show_sort key;
};

static int show_cmp_nr(const struct kabistat_syscall_stat *x,
		       const struct kabistat_syscall_stat *y)
{
	if (x->abi != y->abi)
		return x->abi < y->abi ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int show_cmp_desc(uint64_t x, uint64_t y)
{
	return x > y ? -1 : x < y;
}

static int show_cmp(const void *a, const void *b, void *arg)
{
	const struct kabistat_syscall_stat *x = *(const void *const *)a;
	const struct kabistat_syscall_stat *y = *(const void *const *)b;
	const struct show_sort_ctx *ctx = arg;
	char bx[24], by[24];
	int r = 0;

	switch (ctx->key) {
	case SHOW_SORT_ERRORS:
		r = show_cmp_desc(x->c.errors, y->c.errors);
		break;
	case SHOW_SORT_NAME:
		r = strcmp(cli_syscall_name(ctx->abi, x->abi, x->nr, bx),
			   cli_syscall_name(ctx->abi, y->abi, y->nr, by));
		break;
	case SHOW_SORT_NR:
		return show_cmp_nr(x, y);
	case SHOW_SORT_CALLS:
		break;
	}
	if (!r)
		r = show_cmp_desc(x->c.calls, y->c.calls);
	return r ? r : show_cmp_nr(x, y);
}

static void show_row(const char *name, const char *abi_name,
		     const struct kabistat_counters *c, uint64_t total)
{
	char calls[CLI_NUM_LEN], errors[CLI_NUM_LEN], enosys[CLI_NUM_LEN];
	char denied[CLI_NUM_LEN], intr[CLI_NUM_LEN], share[16];

	if (total)
		snprintf(share, sizeof(share), "%.1f%%",
			 100.0 * (double)c->calls / (double)total);
	else
		snprintf(share, sizeof(share), "-");
	printf("  %-23s %-6s %13s %12s %10s %10s %10s %6s\n", name, abi_name,
	       cli_num(calls, c->calls), cli_num(errors, c->errors),
	       cli_num(enosys, c->enosys), cli_num(denied, c->denied),
	       cli_num(intr, c->interrupted), share);
}

/* Prints "ENOENT 300, EBADF 12" items, wrapped at SHOW_WIDTH. */
struct show_line {
	int col;
	int indent;
};

static void show_item(struct show_line *l, const char *text)
{
	int len = (int)strlen(text);

	if (l->col > l->indent && l->col + 2 + len > SHOW_WIDTH) {
		printf(",\n%*s", l->indent, "");
		l->col = l->indent;
	} else if (l->col > l->indent) {
		fputs(", ", stdout);
		l->col += 2;
	}
	fputs(text, stdout);
	l->col += len;
}

static int show_errno_cmp(const void *a, const void *b, void *arg)
{
	const uint64_t *counts = arg;
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	if (counts[x] != counts[y])
		return counts[x] > counts[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void show_errnos(const struct kabistat_cgroup *cg)
{
	unsigned int order[KABISTAT_ERRNO_MAX + 1], n = 0, e;
	struct show_line line = { .indent = 9 };
	char name[16], num[CLI_NUM_LEN], item[64];
	uint64_t rest = 0;

	for (e = 0; e <= KABISTAT_ERRNO_MAX; e++)
		if (cg->errno_counts[e])
			order[n++] = e;
	if (!n)
		return;
	qsort_r(order, n, sizeof(order[0]), show_errno_cmp,
		(void *)cg->errno_counts);
	fputs("  errno: ", stdout);
	line.col = line.indent;
	for (e = 0; e < n; e++) {
		if (e >= SHOW_ERRNOS) {
			rest += cg->errno_counts[order[e]];
			continue;
		}
		snprintf(item, sizeof(item), "%s %s",
			 cli_errno_name(order[e], name),
			 cli_num(num, cg->errno_counts[order[e]]));
		show_item(&line, item);
	}
	if (rest) {
		snprintf(item, sizeof(item), "%u more %s", n - SHOW_ERRNOS,
			 cli_num(num, rest));
		show_item(&line, item);
	}
	putchar('\n');
}

/* "newest syscall used: openat2 (Linux 5.6)", all that need that version */
static void show_min_kernel(const struct kabistat_kernel_abi *abi,
			    const struct kabistat_cgroup *cg)
{
	const char *min_kernel = kabistat_cgroup_min_kernel(abi, cg);
	struct show_line line = { .indent = 24 };
	char name[24], version[48];
	size_t i;

	fputs("  newest syscall used: ", stdout);
	if (!min_kernel) {
		fputs("none with a known version\n", stdout);
		return;
	}
	line.col = line.indent;
	for (i = 0; i < cg->nr_stats; i++)
		if (cli_stat_needs(abi, &cg->stats[i], min_kernel))
			show_item(&line, cli_syscall_name(abi, cg->stats[i].abi,
							  cg->stats[i].nr,
							  name));
	snprintf(version, sizeof(version), "(Linux %s)", min_kernel);
	if (line.col + 1 + (int)strlen(version) > SHOW_WIDTH)
		printf("\n%*s%s\n", line.indent, "", version);
	else
		printf(" %s\n", version);
}

static void show_header(const struct kabistat_kernel_abi *abi,
			const struct cli_cgroup_head *head,
			const struct kabistat_cgroup *cg)
{
	char container[KABISTAT_CONTAINER_ID_LEN];
	unsigned int id;
	int any = 0;

	printf("%s\n", cli_cgroup_path(head));
	printf("  id %" PRIu64 ", %s, generation %" PRIu64, head->id,
	       cli_state_name(head->state), head->generation);
	if (head->subtree)
		printf(", %u cgroup%s summed", head->subtree,
		       head->subtree == 1 ? "" : "s");
	fputs(", abis ", stdout);
	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		if (!cg->per_abi[id].calls)
			continue;
		printf("%s%s", any ? " " : "", cli_abi_name(abi, id));
		any = 1;
	}
	if (!any)
		fputs("none", stdout);
	putchar('\n');
	if (kabistat_container_id(head->path, container))
		printf("  container %s\n", container);
	show_min_kernel(abi, cg);
	if (head->flags & KABISTAT_CGROUP_F_PATH_TRUNC)
		printf("  path truncated: the module kept only its beginning\n");
	if (head->flags & KABISTAT_CGROUP_F_PARTIAL)
		printf("  partial: some of its calls were counted in the overflow aggregate\n");
}

void show_text(const struct kabistat_kernel_abi *abi,
	       const struct cli_cgroup_head *head,
	       const struct kabistat_cgroup *cg, const struct show_opts *opts)
{
	struct show_sort_ctx ctx = { .abi = abi, .key = opts->sort };
	const struct kabistat_syscall_stat **rows;
	struct kabistat_counters total = { 0 };
	char name[24], num[CLI_NUM_LEN], errs[CLI_NUM_LEN];
	size_t i, n = 0;
	unsigned int id;

	show_header(abi, head, cg);
	rows = calloc(cg->nr_stats + 1, sizeof(*rows));
	if (!rows) {
		cli_error("out of memory");
		return;
	}
	for (i = 0; i < cg->nr_stats; i++)
		if (opts->abi < 0 || cg->stats[i].abi == (unsigned int)opts->abi)
			rows[n++] = &cg->stats[i];
	qsort_r(rows, n, sizeof(*rows), show_cmp, &ctx);

	putchar('\n');
	printf("  %-23s %-6s %13s %12s %10s %10s %10s %6s\n", "SYSCALL",
	       "ABI", "CALLS", "ERRORS", "ENOSYS", "DENIED", "INTR", "SHARE");
	for (i = 0; i < n; i++)
		show_row(cli_syscall_name(abi, rows[i]->abi, rows[i]->nr, name),
			 cli_abi_name(abi, rows[i]->abi), &rows[i]->c,
			 cg->totals.calls);
	if (!n)
		printf("  (no syscalls counted)\n");
	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		const struct kabistat_counters *c = &cg->per_abi[id];

		if (opts->abi >= 0 && id != (unsigned int)opts->abi)
			continue;
		total.calls += c->calls;
		total.errors += c->errors;
		total.enosys += c->enosys;
		total.denied += c->denied;
		total.interrupted += c->interrupted;
	}
	show_row("total", "", &total, cg->totals.calls);

	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		const struct kabistat_counters *c = &cg->out_of_range[id];

		if (!c->calls ||
		    (opts->abi >= 0 && id != (unsigned int)opts->abi))
			continue;
		printf("  out of range: %s %s calls, %s errors\n",
		       cli_abi_name(abi, id), cli_num(num, c->calls),
		       cli_num(errs, c->errors));
	}
	show_errnos(cg);
	free(rows);
}

int show_parse_sort(const char *s, enum show_sort *key)
{
	size_t i;

	for (i = 0; i < sizeof(show_sort_names) / sizeof(show_sort_names[0]);
	     i++)
		if (!strcmp(s, show_sort_names[i])) {
			*key = (enum show_sort)i;
			return 0;
		}
	return -1;
}

int do_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "abi", required_argument, NULL, 'a' },
		{ "recursive", no_argument, NULL, 'r' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct show_opts sopts = { .sort = SHOW_SORT_CALLS, .abi = -1 };
	struct kabistat_kernel_abi *abi;
	const char *abi_name = NULL;
	bool recursive = false;
	struct kabistat *ks;
	int c, i, ret = 0;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "s:a:r", opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (show_parse_sort(optarg, &sopts.sort))
				return cli_usage_error("show",
						       "--sort is calls, errors, name or nr, not '%s'",
						       optarg);
			break;
		case 'a':
			abi_name = optarg;
			break;
		case 'r':
			recursive = true;
			break;
		default:
			ret = cli_common_opt(cli, "show", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind == argc)
		return cli_usage_error("show", "which cgroup?");
	if (abi_name) {
		sopts.abi = cli_abi_lookup(NULL, abi_name);
		if (sopts.abi < 0)
			return cli_usage_error("show",
					       "--abi is x86_64, ia32, x32, arm64 or arm, not '%s'",
					       abi_name);
	}

	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	cli_warn_cgroup_mode(abi);
	if (cli->json)
		json_array_begin(&cli->j);
	for (i = optind; i < argc; i++) {
		struct cli_cgroup_head head;
		struct kabistat_cgroup *cg;
		char *path_copy;

		if (cli_fetch_subtree(ks, argv[i], recursive, &head,
				      &path_copy, &cg)) {
			ret = CLI_EXIT_ERROR;
			continue;
		}
		if (cli->json) {
			cli_cgroup_json(&cli->j, abi, &head, cg, sopts.abi);
		} else {
			if (i > optind)
				putchar('\n');
			show_text(abi, &head, cg, &sopts);
		}
		free(path_copy);
		kabistat_cgroup_free(cg);
	}
	if (cli->json) {
		json_array_end(&cli->j);
		json_finish(&cli->j);
	}
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret;
}
