/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkabistat: read per-cgroup syscall counts and the kernel's ABI identity
 * from the kabistat module.
 *
 * Every function that can fail returns 0 or a negative errno value and
 * leaves a one-line message for kabistat_errmsg().  Structures the library
 * returns are allocated by it and only grow at their end, so a program
 * built against an older header keeps working.  There is no global state:
 * a handle may be used by one thread at a time, and several threads may use
 * a handle each.
 */
#ifndef KABISTAT_H
#define KABISTAT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kabistat.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KABISTAT_ERRMSG_LEN	256

struct kabistat;

/**
 * kabistat_open() - connect to the kabistat module
 * @out:	the new handle, on success
 * @errmsg:	on failure, a one-line explanation (may be NULL)
 *
 * Checks that the module is loaded and speaks a uapi version this library
 * understands.  Return: 0, -ENOENT when the module is not loaded,
 * -EPROTO on a version mismatch, or another negative errno.
 */
int kabistat_open(struct kabistat **out, char errmsg[KABISTAT_ERRMSG_LEN]);
void kabistat_close(struct kabistat *ks);

/* The message of the last failed call on @ks. */
const char *kabistat_errmsg(const struct kabistat *ks);

/* Room for ABIs in struct kabistat_kernel_abi, indexed by enum kabistat_abi. */
#define KABISTAT_MAX_ABIS	8

/**
 * struct kabistat_syscall_table - one syscall ABI of the running kernel
 * @present:	 the kernel offers this ABI
 * @name:	 "x86_64", "ia32", "x32"
 * @size:	 entries in the kernel's dispatch table
 * @nr_implemented: how many of them are implemented
 * @hash:	 FNV-1a 64 over "<nr> <name>\n" of the implemented numbers
 * @names:	 @size entries; NULL where a number has no name
 * @implemented: bitmap, bit (nr % 32) of word (nr / 32)
 */
struct kabistat_syscall_table {
	int present;
	char name[16];
	uint32_t size;
	uint32_t nr_implemented;
	uint64_t hash;
	const char **names;
	const uint32_t *implemented;
};

/**
 * struct kabistat_kernel_abi - the kernel's ABI identity and the module's state
 */
struct kabistat_kernel_abi {
	char module_version[32];
	uint32_t uapi_version;
	uint32_t family_version;
	char kernel_release[65];
	char kernel_version[65];
	char kernel_machine[65];
	uint32_t cgroup_mode;		/* enum kabistat_cgroup_mode */
	uint64_t timestamp_ns;		/* CLOCK_BOOTTIME */
	struct kabistat_syscall_table tables[KABISTAT_MAX_ABIS];
};

/**
 * kabistat_get_abi() - query the kernel's ABI identity
 * @ks:		handle
 * @out:	the result, freed with kabistat_abi_free()
 */
int kabistat_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out);
void kabistat_abi_free(struct kabistat_kernel_abi *abi);

/**
 * kabistat_abi_implemented() - whether the kernel implements a number
 */
int kabistat_abi_implemented(const struct kabistat_kernel_abi *abi,
			     unsigned int abi_id, uint32_t nr);

/**
 * kabistat_syscall_hash() - the table hash of GET_ABI, for comparing tables
 * @table: a table whose names and bitmap are filled
 */
uint64_t kabistat_syscall_hash(const struct kabistat_syscall_table *table);

#ifdef __cplusplus
}
#endif

#endif /* KABISTAT_H */
