/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table of first kernel versions, generated at build time from the
 * syscalls(2) manual page and the kernel trees Debian ships by
 * userspace/data/gen-syscall-versions.py (see there for the rules).
 */
#ifndef KABISTAT_SINCE_H
#define KABISTAT_SINCE_H

#include <stddef.h>
#include <linux/kabistat.h>

struct ks_since {
	unsigned int abi;	/* enum kabistat_abi */
	const char *name;	/* as the kernel's unistd header spells it */
	const char *version;	/* "5.6", or "6.2-6.12" when only bounded */
	const char *source;
};

/* Sorted by ABI, then name (strcmp). */
extern const struct ks_since ks_since_table[];
extern const size_t ks_since_count;
/* ">X.Y", X.Y the newest kernel tree the table was made from */
extern const char ks_since_beyond[];

#endif /* KABISTAT_SINCE_H */
