/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef KABISTAT_CLI_H
#define KABISTAT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct kabistat;
struct kabistat_cgroup;
struct kabistat_kernel_abi;
struct kabistat_syscall_stat;

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
	bool json;	/* has a -j output: its usage line says [-j] */
};

/* Exit statuses: 1 for errors, 2 for a command line that makes no sense. */
#define CLI_EXIT_ERROR	1
#define CLI_EXIT_USAGE	2

int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_open(struct kabistat **ks);
/* cli_open() and the kernel's ABI (names, tables); on failure, closed. */
int cli_open_abi(struct kabistat **ks, struct kabistat_kernel_abi **abi);
void cli_print_usage(const struct cli_cmd *cmd, bool to_stderr);
/* `help CMD` and `CMD --help`: the usage line, then the description */
void cli_print_help(const struct cli_cmd *cmd);

/*
 * The global options are accepted after the command too: every command
 * passes CLI_SHORTOPTS and CLI_LONGOPTS to getopt_long and hands what it
 * does not know to cli_common_opt(), which returns -1 when it took the
 * option, else the exit status (0 after --help, 2 for a bad option).
 */
#define CLI_SHORTOPTS	":jph"
#define CLI_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "pretty", no_argument, NULL, 'p' }, \
	{ "help", no_argument, NULL, 'h' }
int cli_common_opt(struct cli *cli, const char *cmd, int c, char **argv);

/* format.c: numbers and names for human output */
#define CLI_NUM_LEN	32
const char *cli_num(char buf[CLI_NUM_LEN], uint64_t v);
const char *cli_abi_name(const struct kabistat_kernel_abi *abi,
			 unsigned int id);
int cli_abi_lookup(const struct kabistat_kernel_abi *abi, const char *name);
const char *cli_syscall_name(const struct kabistat_kernel_abi *abi,
			     unsigned int id, uint32_t nr, char buf[24]);
const char *cli_errno_name(unsigned int e, char buf[16]);
const char *cli_state_name(uint32_t state);
int cli_parse_u64(const char *s, uint64_t max, uint64_t *v);
/*
 * @s itself when it has at most @width characters (UTF-8 code points, a
 * column each on a terminal), else its start and end around "..." in
 * @buf, cut between characters.  @width from 5 to CLI_ELIDE_MAX.
 */
#define CLI_ELIDE_MAX	200
#define CLI_ELIDE_SIZE	(4 * CLI_ELIDE_MAX + 1)
const char *cli_elide(char buf[CLI_ELIDE_SIZE], size_t width, const char *s);

/*
 * utf8.c: the length of the well-formed UTF-8 sequence at @s (NUL
 * terminated) and its code point, or 0 when the byte at @s starts none;
 * the writers then print CLI_UTF8_REPLACEMENT for that one byte.
 */
#define CLI_UTF8_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */
size_t cli_utf8_char(const char *s, uint32_t *cp);

/* cgroup.c: one cgroup as --json and as the human header */
struct cli_cgroup_head {
	uint64_t id;
	const char *path;	/* NULL: not known */
	uint32_t state;
	uint32_t flags;
	uint64_t generation;
	unsigned int subtree;	/* cgroups summed by --recursive; 0: one */
};
void cli_cgroup_head(struct cli_cgroup_head *head,
		     const struct kabistat_cgroup *cg);
void cli_cgroup_ident_json(struct json *j, const struct cli_cgroup_head *head);
void cli_cgroup_json(struct json *j, const struct kabistat_kernel_abi *abi,
		     const struct cli_cgroup_head *head,
		     const struct kabistat_cgroup *cg, int abi_filter);
const char *cli_cgroup_path(const struct cli_cgroup_head *head);
bool cli_stat_needs(const struct kabistat_kernel_abi *abi,
		    const struct kabistat_syscall_stat *st,
		    const char *min_kernel);
/* The one-line warning of show and list on a cgroup v1/hybrid host. */
void cli_warn_cgroup_mode(const struct kabistat_kernel_abi *abi);

/*
 * subtree.c: one cgroup (*@out, *@head describing it), or with @recursive
 * or a container id as @spec, the sum of its subtree; free *@path_copy
 * once @head is no longer used.  0, or an exit status (said on stderr).
 */
int cli_fetch_subtree(struct kabistat *ks, const char *spec, bool recursive,
		      struct cli_cgroup_head *head, char **path_copy,
		      struct kabistat_cgroup **out);

/* snapshot.c: readings kept after the dump */
struct kabistat;
struct cli_snapshot {
	struct kabistat_cgroup **cgs;	/* copies; aggregates (id 0) included */
	size_t n;
	size_t cap;
};
/* 0, or a negative errno once the error is printed */
int cli_snapshot_take(struct kabistat *ks, struct cli_snapshot *s);
/*
 * Keep @s (sorted by id) up to date with incremental dumps since *@mark:
 * the first time (@s empty), and whenever the module cannot tell what
 * changed, a full dump replaces it.  The readings of the cgroups that did
 * not change carry the dump's time.  0, or a negative errno once printed
 * (*@mark is then 0).
 */
int cli_snapshot_update(struct kabistat *ks, struct cli_snapshot *s,
			uint64_t *mark);
/* A copy of every reading of @src: 0, or an exit status once printed. */
int cli_snapshot_copy(struct cli_snapshot *dst, const struct cli_snapshot *src);
/* The cgroup @id (not 0) of a snapshot cli_snapshot_update() keeps. */
const struct kabistat_cgroup *cli_snapshot_find(const struct cli_snapshot *s,
						uint64_t id);
void cli_snapshot_free(struct cli_snapshot *s);
/* A cgroup's id by spec (none: an error): 0, or an exit status once printed. */
int cli_resolve_cgroup(struct kabistat *ks, const char *spec, uint64_t *id);
/* One cgroup by spec, as show does: 0, or an exit status once printed. */
int cli_fetch_cgroup(struct kabistat *ks, const char *spec,
		     struct kabistat_cgroup **out);
/* Say why kabistat_get_cgroup() failed with @err for @spec: exit status. */
int cli_get_error(struct kabistat *ks, const char *spec, int err);

int do_abi(struct cli *cli, int argc, char **argv);
int do_show(struct cli *cli, int argc, char **argv);
int do_list(struct cli *cli, int argc, char **argv);
int do_reset(struct cli *cli, int argc, char **argv);
int do_set(struct cli *cli, int argc, char **argv);
int do_events(struct cli *cli, int argc, char **argv);
int do_check(struct cli *cli, int argc, char **argv);
int do_seccomp(struct cli *cli, int argc, char **argv);
int do_export(struct cli *cli, int argc, char **argv);
int do_top(struct cli *cli, int argc, char **argv);

#endif /* KABISTAT_CLI_H */
