/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kabistat seccomp: the names a profile allows or answers, judged in
 * seccomp.c, written in the runtimes' formats by seccomp_fmt.c.
 */
#ifndef KABISTAT_SECCOMP_H
#define KABISTAT_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "kabistat.h"

enum seccomp_verdict {
	SECCOMP_ALLOW,
	SECCOMP_ENOSYS,
	SECCOMP_EPERM,
};

struct seccomp_name {
	const char *name;	/* the kernel's, static in the ABI tables */
	struct kabistat_counters c;
	bool maybe_eacces;
	bool baseline;
	enum seccomp_verdict verdict;
};

struct seccomp_set {
	struct seccomp_name *v;
	size_t n, cap;
	unsigned int abis;	/* bit per enum kabistat_abi used */
	unsigned int native;	/* the kernel's native enum kabistat_abi */
	unsigned long unnamed;	/* calls that no name can allow */
};

enum seccomp_format {
	SECCOMP_FMT_DOCKER,	/* Docker, podman, CRI-O: archMap, comments */
	SECCOMP_FMT_OCI,	/* the runtime spec's linux.seccomp object */
	SECCOMP_FMT_SPO,	/* a Security Profiles Operator resource */
};

struct seccomp_out {
	enum seccomp_format format;
	const char *action;	/* SCMP_ACT_* for the other syscalls */
	const char *name;	/* SPO: metadata.name */
};

/*
 * Warn on stderr about every name of @s that libseccomp, which the
 * runtimes resolve names with, does not know on an architecture of the
 * profile.  Return how many (name, architecture) pairs it did not know.
 */
unsigned int seccomp_check_names(const struct seccomp_set *s);

/* Write the profile of @s (sorted, judged) on stdout. */
void seccomp_write(const struct seccomp_set *s, const struct seccomp_out *o);

#endif /* KABISTAT_SECCOMP_H */
