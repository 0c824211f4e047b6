/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human table of `kabistat show`, apart so that it can be tested. */
#ifndef KABISTAT_CLI_SHOW_H
#define KABISTAT_CLI_SHOW_H

#include "cli.h"

enum show_sort {
	SHOW_SORT_CALLS,	/* descending; the default */
	SHOW_SORT_ERRORS,	/* descending */
	SHOW_SORT_NAME,
	SHOW_SORT_NR,		/* by ABI, then number */
};

struct show_opts {
	enum show_sort sort;
	int abi;		/* only this enum kabistat_abi; -1: all */
};

int show_parse_sort(const char *s, enum show_sort *key);
void show_text(const struct kabistat_kernel_abi *abi,
	       const struct cli_cgroup_head *head,
	       const struct kabistat_cgroup *cg, const struct show_opts *opts);

#endif /* KABISTAT_CLI_SHOW_H */
