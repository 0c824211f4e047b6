// SPDX-License-Identifier: LGPL-2.1-or-later
/* GET_ABI: the kernel's ABI identity and its syscall tables. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

struct ks_abi_store {
	struct kabistat_kernel_abi pub;
	char *blob[KABISTAT_MAX_ABIS];
};

void kabistat_abi_free(struct kabistat_kernel_abi *abi)
{
	struct ks_abi_store *st;
	int i;

	if (!abi)
		return;
	st = (struct ks_abi_store *)((char *)abi -
				     offsetof(struct ks_abi_store, pub));
	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		free(st->blob[i]);
		free((void *)abi->tables[i].names);
		free((void *)abi->tables[i].implemented);
	}
	free(st);
}

static void ks_copy_string(char *dst, size_t len, struct nlattr *a)
{
	if (a)
		snprintf(dst, len, "%s", nla_get_string(a));
}

static uint32_t ks_get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t ks_get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

/*
 * Lengths of the attributes read from the reply; the reply is parsed with
 * it so that a short attribute is refused instead of read past its end.
 */
static const struct nla_policy ks_abi_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_MODULE_VERSION]	= { .type = NLA_STRING },
	[KABISTAT_A_UAPI_VERSION]	= { .type = NLA_U32 },
	[KABISTAT_A_FAMILY_VERSION]	= { .type = NLA_U32 },
	[KABISTAT_A_KERNEL_RELEASE]	= { .type = NLA_STRING },
	[KABISTAT_A_KERNEL_VERSION]	= { .type = NLA_STRING },
	[KABISTAT_A_KERNEL_MACHINE]	= { .type = NLA_STRING },
	[KABISTAT_A_CGROUP_MODE]	= { .type = NLA_U32 },
	[KABISTAT_A_ABI]		= { .type = NLA_NESTED },
	[KABISTAT_A_COUNTING]		= { .type = NLA_U8 },
	[KABISTAT_A_GENERATION]		= { .type = NLA_U64 },
	[KABISTAT_A_TIMESTAMP_NS]	= { .type = NLA_U64 },
	[KABISTAT_A_TRACKED_CGROUPS]	= { .type = NLA_U32 },
	[KABISTAT_A_MAX_CGROUPS]	= { .type = NLA_U32 },
	[KABISTAT_A_MEMORY_USED]	= { .type = NLA_U64 },
	[KABISTAT_A_MAX_MEMORY]		= { .type = NLA_U64 },
	[KABISTAT_A_RELEASED_TTL]	= { .type = NLA_U32 },
	[KABISTAT_A_EVENTS_DROPPED]	= { .type = NLA_U64 },
	[KABISTAT_A_OBSERVED]		= { .type = NLA_U64 },
};

static const struct nla_policy ks_abi_table_policy[KABISTAT_ABI_A_MAX + 1] = {
	[KABISTAT_ABI_A_ID]		= { .type = NLA_U32 },
	[KABISTAT_ABI_A_NAME]		= { .type = NLA_STRING },
	[KABISTAT_ABI_A_TABLE_SIZE]	= { .type = NLA_U32 },
	[KABISTAT_ABI_A_NR_IMPLEMENTED]	= { .type = NLA_U32 },
	[KABISTAT_ABI_A_HASH]		= { .type = NLA_U64 },
};

/* Split the NUL-separated names into one pointer per number. */
static int ks_parse_names(struct ks_abi_store *st, unsigned int id,
			  struct nlattr *a)
{
	struct kabistat_syscall_table *t = &st->pub.tables[id];
	const char **names;
	size_t len = nla_len(a), off = 0;
	uint32_t nr;
	char *blob;

	blob = malloc(len + 1);
	names = calloc(t->size ? t->size : 1, sizeof(*names));
	if (!blob || !names) {
		free(blob);
		free(names);
		return -ENOMEM;
	}
	memcpy(blob, nla_data(a), len);
	blob[len] = '\0';
	for (nr = 0; nr < t->size && off < len; nr++) {
		size_t n = strlen(blob + off);

		names[nr] = n ? blob + off : NULL;
		off += n + 1;
	}
	st->blob[id] = blob;
	t->names = names;
	return 0;
}

static int ks_parse_table(struct ks_abi_store *st, struct nlattr *nest)
{
	struct nlattr *tb[KABISTAT_ABI_A_MAX + 1];
	struct kabistat_syscall_table *t;
	size_t words;
	uint32_t *bitmap;
	unsigned int id;

	if (nla_parse_nested(tb, KABISTAT_ABI_A_MAX, nest,
			     ks_abi_table_policy) < 0 ||
	    !tb[KABISTAT_ABI_A_ID] || !tb[KABISTAT_ABI_A_TABLE_SIZE] ||
	    !tb[KABISTAT_ABI_A_NAMES] || !tb[KABISTAT_ABI_A_IMPLEMENTED])
		return -EPROTO;
	id = nla_get_u32(tb[KABISTAT_ABI_A_ID]);
	if (id >= KABISTAT_MAX_ABIS)
		return 0;	/* an ABI newer than this library */
	t = &st->pub.tables[id];
	if (t->present)
		return -EPROTO;
	t->present = 1;
	ks_copy_string(t->name, sizeof(t->name), tb[KABISTAT_ABI_A_NAME]);
	t->size = nla_get_u32(tb[KABISTAT_ABI_A_TABLE_SIZE]);
	t->nr_implemented = ks_get_u32(tb[KABISTAT_ABI_A_NR_IMPLEMENTED]);
	t->hash = ks_get_u64(tb[KABISTAT_ABI_A_HASH]);

	words = (t->size + 31) / 32;
	if ((size_t)nla_len(tb[KABISTAT_ABI_A_IMPLEMENTED]) < words * 4)
		return -EPROTO;
	bitmap = calloc(words ? words : 1, sizeof(*bitmap));
	if (!bitmap)
		return -ENOMEM;
	memcpy(bitmap, nla_data(tb[KABISTAT_ABI_A_IMPLEMENTED]), words * 4);
	t->implemented = bitmap;
	return ks_parse_names(st, id, tb[KABISTAT_ABI_A_NAMES]);
}

static int ks_parse_abi(struct nlmsghdr *nlh, struct nlattr **unchecked,
			void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[KABISTAT_A_MAX + 1];
	struct ks_abi_store *st = arg;
	struct kabistat_kernel_abi *abi = &st->pub;
	struct nlattr *a;
	int rem, err;

	(void)unchecked;
	if (genlmsg_parse(nlh, 0, tb, KABISTAT_A_MAX, ks_abi_policy) < 0)
		return -EPROTO;

	ks_copy_string(abi->module_version, sizeof(abi->module_version),
		       tb[KABISTAT_A_MODULE_VERSION]);
	ks_copy_string(abi->kernel_release, sizeof(abi->kernel_release),
		       tb[KABISTAT_A_KERNEL_RELEASE]);
	ks_copy_string(abi->kernel_version, sizeof(abi->kernel_version),
		       tb[KABISTAT_A_KERNEL_VERSION]);
	ks_copy_string(abi->kernel_machine, sizeof(abi->kernel_machine),
		       tb[KABISTAT_A_KERNEL_MACHINE]);
	abi->uapi_version = ks_get_u32(tb[KABISTAT_A_UAPI_VERSION]);
	abi->family_version = ks_get_u32(tb[KABISTAT_A_FAMILY_VERSION]);
	abi->cgroup_mode = ks_get_u32(tb[KABISTAT_A_CGROUP_MODE]);
	abi->timestamp_ns = ks_get_u64(tb[KABISTAT_A_TIMESTAMP_NS]);
	/* The counting state; a module that omits a field reports 0. */
	abi->counting = tb[KABISTAT_A_COUNTING] ?
			nla_get_u8(tb[KABISTAT_A_COUNTING]) : 0;
	abi->generation = ks_get_u64(tb[KABISTAT_A_GENERATION]);
	abi->tracked_cgroups = ks_get_u32(tb[KABISTAT_A_TRACKED_CGROUPS]);
	abi->max_cgroups = ks_get_u32(tb[KABISTAT_A_MAX_CGROUPS]);
	abi->memory_used = ks_get_u64(tb[KABISTAT_A_MEMORY_USED]);
	abi->max_memory = ks_get_u64(tb[KABISTAT_A_MAX_MEMORY]);
	abi->released_ttl = ks_get_u32(tb[KABISTAT_A_RELEASED_TTL]);
	abi->events_dropped = ks_get_u64(tb[KABISTAT_A_EVENTS_DROPPED]);
	/* only for requesters with CAP_PERFMON or CAP_SYS_ADMIN */
	abi->has_observed = tb[KABISTAT_A_OBSERVED] != NULL;
	abi->observed = ks_get_u64(tb[KABISTAT_A_OBSERVED]);

	/* One KABISTAT_A_ABI nest per ABI: walk the repeated attribute. */
	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_type(a) != KABISTAT_A_ABI)
			continue;
		err = ks_parse_table(st, a);
		if (err)
			return err;
	}
	return 0;
}

int kabistat_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out)
{
	struct ks_abi_store *st = calloc(1, sizeof(*st));
	struct nl_msg *msg;
	int err;

	msg = st ? ks_request(ks, KABISTAT_CMD_GET_ABI, 0) : NULL;
	if (!msg) {
		free(st);
		return ks_error(ks, -ENOMEM, "GET_ABI: out of memory");
	}
	err = ks_transact(ks, msg, "GET_ABI", ks_parse_abi, st);
	/* A native table: x86_64 or arm64. */
	if (!err && !st->pub.tables[KABISTAT_ABI_X86_64].present &&
	    !st->pub.tables[KABISTAT_ABI_ARM64].present)
		err = ks_error(ks, -EPROTO, "GET_ABI: reply has no syscall table");
	if (err) {
		kabistat_abi_free(&st->pub);
		return err;
	}
	*out = &st->pub;
	return 0;
}

int kabistat_abi_implemented(const struct kabistat_kernel_abi *abi,
			     unsigned int abi_id, uint32_t nr)
{
	const struct kabistat_syscall_table *t;

	if (abi_id >= KABISTAT_MAX_ABIS)
		return 0;
	t = &abi->tables[abi_id];
	return t->present && nr < t->size &&
	       (t->implemented[nr / 32] >> (nr % 32)) & 1;
}

uint64_t kabistat_syscall_hash(const struct kabistat_syscall_table *t)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	char line[80];
	uint32_t nr;
	int n, i;

	for (nr = 0; nr < t->size; nr++) {
		if (!((t->implemented[nr / 32] >> (nr % 32)) & 1))
			continue;
		n = snprintf(line, sizeof(line), "%u %s\n", nr,
			     t->names[nr] ? t->names[nr] : "");
		for (i = 0; i < n && i < (int)sizeof(line) - 1; i++) {
			hash ^= (unsigned char)line[i];
			hash *= 0x100000001b3ULL;
		}
	}
	return hash;
}
