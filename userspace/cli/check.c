// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat check --kernel X.Y: the syscalls cgroups used that Linux X.Y
 * lacks, so that those calls may fail there, and the ENOSYS returns they
 * already get on this kernel.
 *
 * "Used" is kabistat_syscall_used(): a syscall whose every call returned
 * ENOSYS shows a program that copes without it.  A syscall is reported
 * when the kernel version it needs is newer than X.Y by
 * kabistat_kernel_version_needs_cmp(), the same order that names the
 * newest syscall used in show and list: for a range "6.2-6.12" (first
 * present somewhere in between) that is its upper bound, so any X.Y below
 * 6.12 is reported, since it may lack the call, with the range shown for
 * the reader to judge.  Nothing is ever "will fail": a distribution
 * kernel may backport a syscall the override file does not know of.
 *
 * A syscall the running kernel names and the version table does not know
 * is newer than the table's newest kernel (">7.3", kabistat_stat_since()):
 * reported for every X.Y, never skipped.
 *
 * Exit status, grep's convention so that scripts can tell "may fail"
 * from "could not tell": 0 when no cgroup used a syscall that X.Y lacks,
 * 1 when one did, 2 on an error (a bad command line, a cgroup not found,
 * no module).  ENOSYS returns on this kernel are reported but do not
 * change it: they happen today already, whatever kernel the workload
 * moves to.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

/* any error, as grep has it: 1 means "something may fail" */
#define CHECK_EXIT_ERROR	2

struct check_ctx {
	struct cli *cli;
	const struct kabistat_kernel_abi *abi;
	const char *kernel;
	unsigned int checked;	/* cgroups looked at */
	unsigned int flagged;	/* ... with a syscall X.Y lacks */
	unsigned int printed;
};

/* "4.19", "5.10.2": digits and at most two dots, never a range. */
static int check_valid_version(const char *v)
{
	int dots = 0;
	const char *p;

	if (!*v || *v == '.')
		return 0;
	for (p = v; *p; p++) {
		if (*p == '.') {
			if (p[1] == '.' || !p[1] || ++dots > 2)
				return 0;
		} else if (*p < '0' || *p > '9') {
			return 0;
		}
	}
	return dots >= 1;
}

static bool check_lacks(const struct check_ctx *ctx,
			const struct kabistat_syscall_stat *st, const char **since)
{
	*since = kabistat_stat_since(ctx->abi, st);
	return kabistat_syscall_used(&st->c) && *since &&
	       kabistat_kernel_version_needs_cmp(*since, ctx->kernel) > 0;
}

static uint64_t check_oor_enosys(const struct kabistat_cgroup *cg)
{
	uint64_t n = 0;
	int id;

	for (id = 0; id < KABISTAT_MAX_ABIS; id++)
		n += cg->out_of_range[id].enosys;
	return n;
}

static void check_json(struct check_ctx *ctx, const struct kabistat_cgroup *cg)
{
	char name[24];
	struct json *j = &ctx->cli->j;
	struct cli_cgroup_head head;
	const char *since;
	int id;
	size_t i;

	cli_cgroup_head(&head, cg);
	json_object_begin(j);
	cli_cgroup_ident_json(j, &head);

	json_key(j, "may_fail");
	json_array_begin(j);
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];

		if (!check_lacks(ctx, st, &since))
			continue;
		json_object_begin(j);
		json_kv_string(j, "abi", cli_abi_name(ctx->abi, st->abi));
		json_kv_u64(j, "nr", st->nr);
		json_kv_string(j, "name",
			       cli_syscall_name(ctx->abi, st->abi, st->nr, name));
		json_kv_string(j, "since", since);
		json_kv_u64(j, "calls", st->c.calls);
		json_object_end(j);
	}
	json_array_end(j);

	json_key(j, "enosys");
	json_array_begin(j);
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];

		if (!st->c.enosys)
			continue;
		json_object_begin(j);
		json_kv_string(j, "abi", cli_abi_name(ctx->abi, st->abi));
		json_kv_u64(j, "nr", st->nr);
		json_kv_string(j, "name",
			       cli_syscall_name(ctx->abi, st->abi, st->nr, name));
		json_kv_u64(j, "calls", st->c.calls);
		json_kv_u64(j, "enosys", st->c.enosys);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "out_of_range_enosys");
	json_object_begin(j);
	for (id = 0; id < KABISTAT_MAX_ABIS; id++)
		if (cg->out_of_range[id].enosys)
			json_kv_u64(j, cli_abi_name(ctx->abi, id),
				    cg->out_of_range[id].enosys);
	json_object_end(j);
	json_object_end(j);
}

static void check_text(struct check_ctx *ctx, const struct kabistat_cgroup *cg,
		       bool lacks)
{
	char name[24], calls[CLI_NUM_LEN], enosys[CLI_NUM_LEN];
	struct cli_cgroup_head head;
	const char *since;
	uint64_t oor = check_oor_enosys(cg);
	int id;
	size_t i;

	cli_cgroup_head(&head, cg);
	printf("%s\n", cli_cgroup_path(&head));
	if (lacks) {
		printf("  may fail on Linux %s (first in a newer kernel):\n",
		       ctx->kernel);
		for (i = 0; i < cg->nr_stats; i++) {
			const struct kabistat_syscall_stat *st = &cg->stats[i];

			if (!check_lacks(ctx, st, &since))
				continue;
			printf("    %-23s %-6s  Linux %-10s %13s calls\n",
			       cli_syscall_name(ctx->abi, st->abi, st->nr, name),
			       cli_abi_name(ctx->abi, st->abi), since,
			       cli_num(calls, st->c.calls));
		}
	} else {
		printf("  nothing that Linux %s lacks\n", ctx->kernel);
	}
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];

		if (!st->c.enosys)
			continue;
		printf("  ENOSYS here (Linux %s): %s %s, %s of %s calls\n",
		       ctx->abi->kernel_release,
		       cli_syscall_name(ctx->abi, st->abi, st->nr, name),
		       cli_abi_name(ctx->abi, st->abi),
		       cli_num(enosys, st->c.enosys),
		       cli_num(calls, st->c.calls));
	}
	for (id = 0; oor && id < KABISTAT_MAX_ABIS; id++)
		if (cg->out_of_range[id].enosys)
			printf("  ENOSYS here (Linux %s): %s calls with out-of-range %s numbers\n",
			       ctx->abi->kernel_release,
			       cli_num(enosys, cg->out_of_range[id].enosys),
			       cli_abi_name(ctx->abi, id));
}

/* @named: print it even when nothing is found */
static void check_one(struct check_ctx *ctx, const struct kabistat_cgroup *cg,
		      bool named)
{
	bool lacks = false, enosys = check_oor_enosys(cg) != 0;
	const char *since;
	size_t i;

	ctx->checked++;
	for (i = 0; i < cg->nr_stats; i++) {
		if (check_lacks(ctx, &cg->stats[i], &since))
			lacks = true;
		if (cg->stats[i].c.enosys)
			enosys = true;
	}
	if (lacks)
		ctx->flagged++;
	if (!named && !lacks && !enosys)
		return;
	if (ctx->cli->json) {
		check_json(ctx, cg);
	} else {
		if (ctx->printed)
			putchar('\n');
		check_text(ctx, cg, lacks);
	}
	ctx->printed++;
}

int do_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "recursive", no_argument, NULL, 'r' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi = NULL;
	struct check_ctx ctx = { .cli = cli };
	struct cli_snapshot snap = { 0 };
	bool recursive = false;
	struct kabistat *ks;
	int c, i, ret = 0;
	size_t k;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "k:r", opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			ctx.kernel = optarg;
			break;
		case 'r':
			recursive = true;
			break;
		default:
			ret = cli_common_opt(cli, "check", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (!ctx.kernel)
		return cli_usage_error("check", "which kernel? (--kernel X.Y)");
	if (!check_valid_version(ctx.kernel))
		return cli_usage_error("check",
				       "--kernel is a version such as 5.10, not '%s'",
				       ctx.kernel);

	if (cli_open_abi(&ks, &abi))
		return CHECK_EXIT_ERROR;
	ctx.abi = abi;
	cli_warn_cgroup_mode(abi);
	if (optind == argc && cli_snapshot_take(ks, &snap)) {
		kabistat_abi_free(abi);
		kabistat_close(ks);
		return CHECK_EXIT_ERROR;
	}
	if (cli->json) {
		json_object_begin(&cli->j);
		json_kv_string(&cli->j, "kernel", ctx.kernel);
		json_key(&cli->j, "cgroups");
		json_array_begin(&cli->j);
	}
	for (i = optind; i < argc; i++) {
		struct cli_cgroup_head head;
		struct kabistat_cgroup *cg;
		char *path_copy;

		if (cli_fetch_subtree(ks, argv[i], recursive, &head,
				      &path_copy, &cg)) {
			ret = CHECK_EXIT_ERROR;
			continue;
		}
		check_one(&ctx, cg, true);
		free(path_copy);
		kabistat_cgroup_free(cg);
	}
	/* the aggregates have no per-syscall counts to check */
	for (k = 0; k < snap.n; k++)
		if (snap.cgs[k]->id)
			check_one(&ctx, snap.cgs[k], false);
	if (cli->json) {
		json_array_end(&cli->j);
		json_kv_u64(&cli->j, "checked", ctx.checked);
		json_kv_u64(&cli->j, "cgroups_may_fail", ctx.flagged);
		json_object_end(&cli->j);
		json_finish(&cli->j);
	} else {
		if (ctx.printed)
			putchar('\n');
		printf("Linux %s: %u of %u cgroup%s used syscalls that may fail there\n",
		       ctx.kernel, ctx.flagged, ctx.checked,
		       ctx.checked == 1 ? "" : "s");
	}
	cli_snapshot_free(&snap);
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret ? ret : ctx.flagged ? 1 : 0;
}
