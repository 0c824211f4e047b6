/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition of `kabistat export`, apart from the
 * command so that a host-only program can feed it made-up readings and
 * have promtool check the result (scripts/host-tests.sh).
 */
#ifndef KABISTAT_CLI_EXPORT_H
#define KABISTAT_CLI_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

struct export_opts {
	unsigned int top;	/* per cgroup, syscalls beyond this: "other"; 0: all */
	bool no_syscall_labels;	/* per cgroup and ABI only */
};

/*
 * What --top remembers between the scrapes of one --listen process, so
 * that every series only grows: a syscall once in "other" stays there and
 * one with its own series keeps it (per cgroup, until its generation
 * changes).  NULL for a single run.
 */
struct export_state;
struct export_state *export_state_new(void);
void export_state_free(struct export_state *st);

/* Return 0, or -ENOMEM. */
int export_write(FILE *f, const struct kabistat_kernel_abi *abi,
		 const struct cli_snapshot *snap, const struct export_opts *o,
		 struct export_state *st);

#endif /* KABISTAT_CLI_EXPORT_H */
