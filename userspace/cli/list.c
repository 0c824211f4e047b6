// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat list: one line per tracked cgroup, from a dump. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "kabistat.h"
#include "cli.h"

struct list_ctx {
	struct cli *cli;
	const struct kabistat_kernel_abi *abi;
};

static int list_one(const struct kabistat_cgroup *cg, void *arg)
{
	char id[24], calls[CLI_NUM_LEN], errors[CLI_NUM_LEN];
	char enosys[CLI_NUM_LEN], nr[CLI_NUM_LEN];
	const char *min_kernel;
	struct list_ctx *ctx = arg;
	struct cli_cgroup_head head;
	int aggregate = !cg->id;

	cli_cgroup_head(&head, cg);
	if (ctx->cli->json) {
		cli_cgroup_json(&ctx->cli->j, ctx->abi, &head, cg, -1);
		return 0;
	}
	min_kernel = kabistat_cgroup_min_kernel(ctx->abi, cg);
	snprintf(id, sizeof(id), "%" PRIu64, cg->id);
	printf("%8s %-8s %15s %12s %10s %8s %-8s  %s%s%s\n",
	       aggregate ? "-" : id, cli_state_name(cg->state),
	       cli_num(calls, cg->totals.calls),
	       cli_num(errors, cg->totals.errors),
	       cli_num(enosys, cg->totals.enosys),
	       aggregate ? "-" : cli_num(nr, cg->nr_stats),
	       min_kernel ? min_kernel : "-", cli_cgroup_path(&head),
	       cg->flags & KABISTAT_CGROUP_F_PATH_TRUNC ? " (truncated)" : "",
	       cg->flags & KABISTAT_CGROUP_F_PARTIAL ? " (partial)" : "");
	return 0;
}

int do_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi = NULL;
	struct list_ctx ctx = { .cli = cli };
	struct kabistat *ks;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, opts, NULL)) != -1) {
		ret = cli_common_opt(cli, "list", c, argv);
		if (ret >= 0)
			return ret;
	}
	if (optind != argc)
		return cli_usage_error("list", "unexpected argument '%s'",
				       argv[optind]);

	/* syscall names, for the JSON objects and the kernel versions */
	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	ctx.abi = abi;
	cli_warn_cgroup_mode(abi);
	if (cli->json)
		json_array_begin(&cli->j);
	else
		printf("%8s %-8s %15s %12s %10s %8s %-8s  %s\n", "ID", "STATE",
		       "CALLS", "ERRORS", "ENOSYS", "SYSCALLS", "KERNEL",
		       "PATH");
	ret = kabistat_dump(ks, NULL, list_one, &ctx);
	if (cli->json) {
		/* well-formed even when the dump failed part way */
		json_array_end(&cli->j);
		json_finish(&cli->j);
	}
	if (ret)
		cli_error("%s", kabistat_errmsg(ks));
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret ? CLI_EXIT_ERROR : 0;
}
