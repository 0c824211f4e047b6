// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat reset: start a cgroup's counts, or everyone's, from zero. */
#include <getopt.h>
#include <stdio.h>

#include "kabistat.h"
#include "cli.h"

int do_reset(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat *ks;
	bool all = false;
	uint64_t id = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "a", opts,
				NULL)) != -1) {
		if (c == 'a') {
			all = true;
			continue;
		}
		ret = cli_common_opt(cli, "reset", c, argv);
		if (ret >= 0)
			return ret;
	}
	/* resetting everything is never what a forgotten argument meant */
	if (all == (optind < argc))
		return cli_usage_error("reset", all ?
				       "a cgroup or --all, not both" :
				       "which cgroup? (--all for every one)");
	if (optind + 1 < argc)
		return cli_usage_error("reset", "one cgroup at a time");

	if (cli_open(&ks))
		return CLI_EXIT_ERROR;
	ret = all ? 0 : cli_resolve_cgroup(ks, argv[optind], &id);
	if (!ret && kabistat_reset(ks, id))
		ret = cli_error("%s", kabistat_errmsg(ks));
	if (!ret && cli->json) {
		json_object_begin(&cli->j);
		json_kv_bool(&cli->j, "all", all);
		json_key(&cli->j, "id");
		if (all)
			json_null(&cli->j);
		else
			json_u64(&cli->j, id);
		json_object_end(&cli->j);
		json_finish(&cli->j);
	}
	kabistat_close(ks);
	return ret;
}
