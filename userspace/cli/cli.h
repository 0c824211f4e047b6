/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef KABISTAT_CLI_H
#define KABISTAT_CLI_H

#include <stdbool.h>

#include "json.h"

struct kabistat;

/* What every subcommand gets: the global options and the output. */
struct cli {
	bool json;
	bool pretty;
	struct json j;
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *help;
};

int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_open(struct kabistat **ks);
void cli_print_usage(const struct cli_cmd *cmd, bool to_stderr);

int do_abi(struct cli *cli, int argc, char **argv);

#endif /* KABISTAT_CLI_H */
