// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat: the command line front end of libkabistat. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

static int do_help(struct cli *cli, int argc, char **argv);
static const struct cli_cmd *find_cmd(const char *name);

static const struct cli_cmd cli_cmds[] = {
	{ "abi", do_abi, "abi [--syscalls]",
	  "the host kernel's ABI identity and the module's versions",
	  true },
	{ "show", do_show,
	  "show [--sort calls|errors|name|nr] [--abi ABI] [--recursive] CGROUP...",
	  "per-syscall counts of cgroups (a cgroup2 path, 'self', an id or a\n"
	  "container id prefix of 4+ hex digits, found also once the\n"
	  "container has exited), the newest syscall used; --recursive sums\n"
	  "each cgroup's subtree, released cgroups included, as a container\n"
	  "id always does",
	  true },
	{ "list", do_list, "list [--sort calls|errors|enosys|id|path] [--wide]",
	  "one line per tracked cgroup, then the overflow and evicted aggregates;\n"
	  "100 columns (--wide: whole container ids and paths)",
	  true },
	{ "reset", do_reset, "reset CGROUP|--all",
	  "start a cgroup's counts, or every cgroup's, from zero (CAP_SYS_ADMIN)",
	  true },
	{ "set", do_set, "set [counting on|off] [released-ttl SECONDS]",
	  "change the module's runtime settings (CAP_SYS_ADMIN)",
	  true },
	{ "events", do_events, "events [-n COUNT] [--timeout SECONDS]",
	  "print cgroup releases and first ENOSYS returns as they happen\n"
	  "(CAP_SYS_ADMIN); stop after COUNT events or SECONDS seconds",
	  true },
	{ "top", do_top, "top [-d SECONDS] [-n COUNT] [--batch] [CGROUP]",
	  "live calls and errors per second of every cgroup, sorted, and of\n"
	  "CGROUP's syscalls (or the selected one's: arrows, Enter; q quits);\n"
	  "every SECONDS (2); --batch prints COUNT (1) frames and exits\n"
	  "(with -j: JSON Lines, one object a frame)",
	  true },
	{ "check", do_check, "check --kernel X.Y [--recursive] [CGROUP...]",
	  "the syscalls cgroups used (all tracked cgroups, or those named)\n"
	  "that Linux X.Y lacks, so that they may fail there, and the ENOSYS\n"
	  "returns they get here; exit status 0: none may fail, 1: some may,\n"
	  "2: an error; --recursive: each named cgroup's subtree summed",
	  true },
	{ "seccomp", do_seccomp,
	  "seccomp [--format docker|oci|spo] [--action errno|kill|log] [--merge] [--recursive] [--name NAME] CGROUP...",
	  "a seccomp profile allowing the syscalls CGROUP used and a baseline:\n"
	  "Docker/podman/CRI-O JSON (docker, the default), the OCI runtime\n"
	  "spec's linux.seccomp (oci), or a Security Profiles Operator\n"
	  "SeccompProfile named NAME (spo, YAML); --merge: one profile for\n"
	  "several cgroups; --recursive: each one's subtree; --action: what\n"
	  "other syscalls get (errno: EPERM, the default)",
	  false },
	{ "export", do_export,
	  "export [--top N | --no-syscall-labels] [--listen [ADDR]:PORT]",
	  "the counters in the Prometheus text format; --listen serves them\n"
	  "at http://ADDR:PORT/metrics (:PORT: every address, as Go's);\n"
	  "--top N: per cgroup, other syscalls summed as syscall=\"other\"",
	  false },
	{ "help", do_help, "help [COMMAND]", "this text, or one command's",
	  false },
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

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct cli_cmd *c = cmd ? find_cmd(cmd) : NULL;
	va_list ap;

	fputs("kabistat: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		cli_print_usage(c, true);
	return CLI_EXIT_USAGE;
}

int cli_common_opt(struct cli *cli, const char *cmd, int c, char **argv)
{
	switch (c) {
	case 'j':
		cli->json = true;
		return -1;
	case 'p':
		cli->json = cli->j.pretty = cli->pretty = true;
		return -1;
	case 'h':
		cli_print_help(find_cmd(cmd));
		return 0;
	case ':':
		return cli_usage_error(cmd, "option '%s' needs an argument",
				       argv[optind - 1]);
	default:
		return cli_usage_error(cmd, "unknown option '%s'",
				       argv[optind - 1]);
	}
}

int cli_open(struct kabistat **ks)
{
	char msg[KABISTAT_ERRMSG_LEN];

	if (kabistat_open(ks, msg))
		return cli_error("%s", msg);
	return 0;
}

int cli_open_abi(struct kabistat **ks, struct kabistat_kernel_abi **abi)
{
	if (cli_open(ks))
		return CLI_EXIT_ERROR;
	if (kabistat_get_abi(*ks, abi)) {
		cli_error("%s", kabistat_errmsg(*ks));
		kabistat_close(*ks);
		return CLI_EXIT_ERROR;
	}
	return 0;
}

void cli_print_usage(const struct cli_cmd *cmd, bool to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, "usage: kabistat %s%s\n",
		cmd->json ? "[-j] " : "", cmd->usage);
}

/* A command's help text, each of its lines indented. */
static void print_help(FILE *f, const char *help, const char *indent)
{
	const char *nl;

	for (; *help; help = *nl ? nl + 1 : nl) {
		nl = strchrnul(help, '\n');
		fprintf(f, "%s%.*s\n", indent, (int)(nl - help), help);
	}
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
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++) {
		fprintf(f, "  %s\n", cli_cmds[i].usage);
		print_help(f, cli_cmds[i].help, "      ");
	}
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
	/* `help --help` is `help help`, as for every other command */
	cmd = find_cmd(!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ?
		       "help" : argv[1]);
	if (!cmd)
		return cli_usage_error(NULL,
				       "no such command '%s' (see 'kabistat help')",
				       argv[1]);
	cli_print_help(cmd);
	return 0;
}

void cli_print_help(const struct cli_cmd *cmd)
{
	cli_print_usage(cmd, false);
	putchar('\n');
	print_help(stdout, cmd->help, "");
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
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return cli_usage_error(NULL,
				       "no such command '%s' (see 'kabistat help')",
				       argv[optind]);
	json_init(&cli.j, stdout, cli.pretty);
	argc -= optind;
	argv += optind;
	optind = 0;	/* let the command parse its own options */
	opterr = 0;	/* and report bad ones as "kabistat: CMD: ..." */
	return cmd->run(&cli, argc, argv);
}
