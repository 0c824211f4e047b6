// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat set: the module's runtime settings. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

/* --json prints the settings as the module reports them afterwards. */
static int set_print(struct cli *cli, struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi;

	if (kabistat_get_abi(ks, &abi))
		return cli_error("%s", kabistat_errmsg(ks));
	json_object_begin(&cli->j);
	json_kv_bool(&cli->j, "counting", abi->counting);
	json_kv_u64(&cli->j, "released_ttl", abi->released_ttl);
	json_object_end(&cli->j);
	json_finish(&cli->j);
	kabistat_abi_free(abi);
	return 0;
}

int do_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_settings set = { .sz = sizeof(set), .counting = -1,
					 .released_ttl = -1 };
	struct kabistat *ks;
	uint64_t ttl;
	int c, i, ret;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, opts, NULL)) != -1) {
		ret = cli_common_opt(cli, "set", c, argv);
		if (ret >= 0)
			return ret;
	}
	if (optind == argc)
		return cli_usage_error("set", "nothing to set");
	for (i = optind; i < argc; i += 2) {
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "counting")) {
			set.mask |= KABISTAT_SET_COUNTING;
			if (value && !strcmp(value, "on"))
				set.counting = 1;
			else if (value && !strcmp(value, "off"))
				set.counting = 0;
			else
				return cli_usage_error("set",
						       "counting is on or off");
		} else if (!strcmp(argv[i], "released-ttl")) {
			if (!value || cli_parse_u64(value, UINT32_MAX, &ttl))
				return cli_usage_error("set",
						       "released-ttl is a number of seconds up to %u",
						       UINT32_MAX);
			set.released_ttl = (int64_t)ttl;
			set.mask |= KABISTAT_SET_RELEASED_TTL;
		} else {
			return cli_usage_error("set", "no setting '%s'",
					       argv[i]);
		}
	}

	if (cli_open(&ks))
		return CLI_EXIT_ERROR;
	if (kabistat_set(ks, &set))
		ret = cli_error("%s", kabistat_errmsg(ks));
	else
		ret = cli->json ? set_print(cli, ks) : 0;
	kabistat_close(ks);
	return ret;
}
