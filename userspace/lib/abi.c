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
	size_t blob_len[KABISTAT_MAX_ABIS];
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

struct kabistat_kernel_abi *ks_abi_alloc(void)
{
	struct ks_abi_store *st = calloc(1, sizeof(*st));

	return st ? &st->pub : NULL;
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
	[KABISTAT_A_POOL_CGROUPS]	= { .type = NLA_U32 },
	[KABISTAT_A_POOL_CHUNKS]	= { .type = NLA_U32 },
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
	st->blob_len[id] = len + 1;
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
	/* older modules leave them out: has_pool 0 */
	abi->has_pool = tb[KABISTAT_A_POOL_CGROUPS] &&
			tb[KABISTAT_A_POOL_CHUNKS];
	abi->pool_cgroups = ks_get_u32(tb[KABISTAT_A_POOL_CGROUPS]);
	abi->pool_chunks = ks_get_u32(tb[KABISTAT_A_POOL_CHUNKS]);

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

static struct ks_abi_store *ks_store(struct kabistat_kernel_abi *abi)
{
	return (struct ks_abi_store *)((char *)abi -
				       offsetof(struct ks_abi_store, pub));
}

/* @src's syscall tables into @dst, which has none: its own copies. */
static int ks_tables_copy(struct ks_abi_store *dst,
			  const struct ks_abi_store *src)
{
	int i;

	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *s = &src->pub.tables[i];
		struct kabistat_syscall_table *t = &dst->pub.tables[i];
		size_t words = (s->size + 31) / 32;
		const char **names;
		uint32_t *bitmap;
		uint32_t nr;

		if (!s->present)
			continue;
		*t = *s;
		t->names = NULL;
		t->implemented = NULL;
		dst->blob[i] = malloc(src->blob_len[i]);
		names = calloc(s->size ? s->size : 1, sizeof(*names));
		bitmap = calloc(words ? words : 1, sizeof(*bitmap));
		t->names = names;
		t->implemented = bitmap;
		if (!dst->blob[i] || !names || !bitmap)
			return -ENOMEM;
		dst->blob_len[i] = src->blob_len[i];
		memcpy(dst->blob[i], src->blob[i], src->blob_len[i]);
		memcpy(bitmap, s->implemented, words * sizeof(*bitmap));
		for (nr = 0; nr < s->size; nr++)
			if (s->names[nr])
				names[nr] = dst->blob[i] +
					    (s->names[nr] - src->blob[i]);
	}
	return 0;
}

/* A copy of @abi, tables included, or NULL. */
static struct kabistat_kernel_abi *ks_abi_copy(struct kabistat_kernel_abi *abi)
{
	struct ks_abi_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->pub = *abi;
	memset(st->pub.tables, 0, sizeof(st->pub.tables));
	if (ks_tables_copy(st, ks_store(abi))) {
		kabistat_abi_free(&st->pub);
		return NULL;
	}
	return &st->pub;
}

/*
 * One GET_ABI.  With @known, the generation of the tables the handle
 * kept, the module leaves the tables out while its generation is that one.
 */
static int ks_get_abi(struct kabistat *ks, const uint64_t *known,
		      struct ks_abi_store **out)
{
	struct ks_abi_store *st = calloc(1, sizeof(*st));
	struct nl_msg *msg;
	int err;

	msg = st ? ks_request(ks, KABISTAT_CMD_GET_ABI, 0) : NULL;
	if (!msg || (known &&
		     nla_put_u64(msg, KABISTAT_A_ABI_KNOWN, *known) < 0)) {
		nlmsg_free(msg);
		free(st);
		return ks_error(ks, -ENOMEM, "GET_ABI: out of memory");
	}
	err = ks_transact(ks, msg, "GET_ABI", ks_parse_abi, st);
	if (err) {
		kabistat_abi_free(&st->pub);
		return err;
	}
	*out = st;
	return 0;
}

/* A reply with tables has the native one: x86_64 or arm64. */
static int ks_has_native_table(const struct kabistat_kernel_abi *abi)
{
	return abi->tables[KABISTAT_ABI_X86_64].present ||
	       abi->tables[KABISTAT_ABI_ARM64].present;
}

int kabistat_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out)
{
	struct kabistat_kernel_abi *cache = ks->abi_cache;
	struct ks_abi_store *st;
	uint64_t known;
	int err;

	if (ks->transport == KABISTAT_TRANSPORT_DEVICE)
		return ks_dev_get_abi(ks, out);
	if (cache && !ks->abi_known_refused) {
		known = cache->generation;
		err = ks_get_abi(ks, &known, &st);
		if (err == -EINVAL) {
			/* a module older than KABISTAT_A_ABI_KNOWN */
			ks->abi_known_refused = 1;
		} else if (err) {
			return err;
		} else if (ks_has_native_table(&st->pub)) {
			goto fetched;	/* the module changed: new tables */
		} else if (st->pub.generation == known) {
			err = ks_tables_copy(st, ks_store(cache));
			if (err) {
				kabistat_abi_free(&st->pub);
				return ks_error(ks, err, "GET_ABI: out of memory");
			}
			*out = &st->pub;
			return 0;
		} else {
			/* it changed between the comparison and the reply */
			kabistat_abi_free(&st->pub);
		}
	}
	err = ks_get_abi(ks, NULL, &st);
	if (err)
		return err;
fetched:
	if (!ks_has_native_table(&st->pub)) {
		kabistat_abi_free(&st->pub);
		return ks_error(ks, -EPROTO, "GET_ABI: reply has no syscall table");
	}
	/* keep the tables for the next call; without memory, fetch again */
	kabistat_abi_free(ks->abi_cache);
	ks->abi_cache = ks_abi_copy(&st->pub);
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
