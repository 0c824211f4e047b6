// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat: the command line front end of libkabistat. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

static int do_help(struct cli *cli, int argc, char **argv);

static const struct cli_cmd cli_cmds[] = {
	{ "abi", do_abi, "abi [--syscalls]",
	  "the host kernel's ABI identity and the module's versions" },
	{ "help", do_help, "help [COMMAND]", "this text, or one command's" },
};

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kabistat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_open(struct kabistat **ks)
{
	char msg[KABISTAT_ERRMSG_LEN];

	if (kabistat_open(ks, msg))
		return cli_error("%s", msg);
	return 0;
}

void cli_print_usage(const struct cli_cmd *cmd, bool to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, "usage: kabistat [-j] %s\n",
		cmd->usage);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: kabistat [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Per-cgroup syscall accounting from the kabistat kernel module.\n"
		"\n"
		"Options:\n"
		"  -j, --json     machine-readable output\n"
		"  -p, --pretty   indented JSON (implies --json)\n"
		"  -V, --version  print the version and exit\n"
		"  -h, --help     print this help and exit\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %-22s %s\n", cli_cmds[i].usage,
			cli_cmds[i].help);
}

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (!strcmp(cli_cmds[i].name, name))
			return &cli_cmds[i];
	return NULL;
}

static int do_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *cmd;

	(void)cli;
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return cli_error("no such command '%s' (see 'kabistat help')",
				 argv[1]);
	cli_print_usage(cmd, false);
	printf("\n%s\n", cmd->help);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *cmd;
	struct cli cli = { 0 };
	int c;

	/* Options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = cli.pretty = true;
			break;
		case 'V':
			printf("kabistat %s\n", KABISTAT_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return cli_error("no such command '%s' (see 'kabistat help')",
				 argv[optind]);
	json_init(&cli.j, stdout, cli.pretty);
	argc -= optind;
	argv += optind;
	optind = 0;	/* let the command parse its own options */
	return cmd->run(&cli, argc, argv);
}
