// SPDX-License-Identifier: GPL-2.0-or-later
/* Numbers and names as the human output prints them. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

/* 1234567 as "1,234,567". */
const char *cli_num(char buf[CLI_NUM_LEN], uint64_t v)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%" PRIu64, v);
	int i, o = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* enum kabistat_abi, for a module whose GET_ABI lacks a table */
static const char *const cli_abi_names[] = {
	[KABISTAT_ABI_X86_64]	= "x86_64",
	[KABISTAT_ABI_IA32]	= "ia32",
	[KABISTAT_ABI_X32]	= "x32",
	[KABISTAT_ABI_ARM64]	= "arm64",
	[KABISTAT_ABI_ARM]	= "arm",
};

const char *cli_abi_name(const struct kabistat_kernel_abi *abi,
			 unsigned int id)
{
	static const char *const other[KABISTAT_MAX_ABIS] = {
		"abi0", "abi1", "abi2", "abi3", "abi4", "abi5", "abi6", "abi7",
	};

	if (abi && id < KABISTAT_MAX_ABIS && abi->tables[id].present &&
	    abi->tables[id].name[0])
		return abi->tables[id].name;
	if (id < sizeof(cli_abi_names) / sizeof(cli_abi_names[0]))
		return cli_abi_names[id];
	return id < KABISTAT_MAX_ABIS ? other[id] : "unknown";
}

/* The ABI id a name stands for, or -1. */
int cli_abi_lookup(const struct kabistat_kernel_abi *abi, const char *name)
{
	unsigned int id;

	for (id = 0; id < KABISTAT_MAX_ABIS; id++)
		if (!strcmp(cli_abi_name(abi, id), name))
			return (int)id;
	return -1;
}

/* The kernel's own name for the number, else "syscall_NNN". */
const char *cli_syscall_name(const struct kabistat_kernel_abi *abi,
			     unsigned int id, uint32_t nr, char buf[24])
{
	const struct kabistat_syscall_table *t;

	if (abi && id < KABISTAT_MAX_ABIS) {
		t = &abi->tables[id];
		if (t->present && nr < t->size && t->names[nr])
			return t->names[nr];
	}
	snprintf(buf, 24, "syscall_%" PRIu32, nr);
	return buf;
}

/* "ENOENT"; "other" for the histogram's catch-all bucket 0. */
const char *cli_errno_name(unsigned int e, char buf[16])
{
	const char *name;

	if (!e)
		return "other";
	name = strerrorname_np((int)e);
	if (name)
		return name;
	snprintf(buf, 16, "%u", e);
	return buf;
}

const char *cli_state_name(uint32_t state)
{
	switch (state) {
	case KABISTAT_CGROUP_LIVE:
		return "live";
	case KABISTAT_CGROUP_RELEASED:
		return "released";
	case KABISTAT_CGROUP_OVERFLOW:
		return "overflow";
	case KABISTAT_CGROUP_EVICTED:
		return "evicted";
	default:
		return "unknown";
	}
}

/* A decimal number up to @max: 0, or -1 when @s is not one. */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *v > max ? -1 : 0;
}

/* Whether @c continues a UTF-8 sequence (cut before a lead byte only). */
static bool format_utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* The byte offset of character @k of @s (its length when shorter). */
static size_t format_char_offset(const char *s, size_t k)
{
	size_t off;

	for (off = 0; s[off]; off++)
		if (!format_utf8_cont(s[off]) && !k--)
			break;
	return off;
}

const char *cli_elide(char buf[CLI_ELIDE_SIZE], size_t width, const char *s)
{
	size_t chars = 0, head, tail, i, head_len;

	for (i = 0; s[i]; i++)
		chars += !format_utf8_cont(s[i]);
	if (chars <= width || width < 5 || width > CLI_ELIDE_MAX)
		return s;
	head = (width - 3) / 2;
	tail = width - 3 - head;
	head_len = format_char_offset(s, head);
	memcpy(buf, s, head_len);
	memcpy(buf + head_len, "...", 3);
	strcpy(buf + head_len + 3, s + format_char_offset(s, chars - tail));
	return buf;
}
