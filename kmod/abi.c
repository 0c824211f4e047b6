// SPDX-License-Identifier: GPL-2.0
/*
 * The host kernel's ABI identity: its release, the cgroup mode, and the
 * syscall tables of every ABI it offers, taken at build time from the
 * generated headers of the kernel the module is built for.
 */
#include <linux/cgroup.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "abi.h"
#include "compat.h"
#include "params.h"
#include "stats.h"
#include "testing.h"

u32 ks_abi_size[KS_NR_ABIS] __ro_after_init;
const u8 *ks_abi_kinds[KS_NR_ABIS] __ro_after_init;

/* Syscalls whose counting point differs, by name in every ABI. */
static const struct {
	const char *name;
	u8 kind;
} ks_special[] = {
	{ "exit", KS_SYS_EXIT }, { "exit_group", KS_SYS_EXIT },
	{ "execve", KS_SYS_EXEC }, { "execveat", KS_SYS_EXEC },
	{ "fork", KS_SYS_FORK }, { "vfork", KS_SYS_FORK },
	{ "clone", KS_SYS_FORK }, { "clone3", KS_SYS_FORK },
	{ "rt_sigreturn", KS_SYS_SIGRETURN }, { "sigreturn", KS_SYS_SIGRETURN },
};

struct ks_sysent {
	const char *name;
	bool implemented;
};

static const struct ks_sysent ks_table_64[] = {
#include "syscalls_64.inc"
};

static const struct ks_sysent ks_table_32[] = {
#include "syscalls_32.inc"
};

static struct ks_abi ks_abis[] = {
	{ .id = KS_ABI_NATIVE, .name = KS_ABI_NATIVE_NAME },
	{ .id = KS_ABI_COMPAT, .name = KS_ABI_COMPAT_NAME },
};

static const struct {
	const struct ks_sysent *ent;
	u32 size;
} ks_tables[] = {
	{ ks_table_64, ARRAY_SIZE(ks_table_64) },
	{ ks_table_32, ARRAY_SIZE(ks_table_32) },
};

#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

static u64 ks_fnv1a(u64 hash, const char *s, size_t len)
{
	while (len--) {
		hash ^= (u8)*s++;
		hash *= FNV64_PRIME;
	}
	return hash;
}

static int ks_abi_build(struct ks_abi *abi, const struct ks_sysent *ent,
			u32 size)
{
	char line[64];
	size_t len = 0;
	u64 hash = FNV64_OFFSET;
	u32 nr, i;
	char *p;

	for (nr = 0; nr < size; nr++)
		len += (ent[nr].name ? strlen(ent[nr].name) : 0) + 1;

	abi->names = kmalloc(len, GFP_KERNEL);
	abi->bitmap = kcalloc(DIV_ROUND_UP(size, 32), sizeof(u32), GFP_KERNEL);
	abi->kinds = kcalloc(size, sizeof(u8), GFP_KERNEL);
	if (!abi->names || !abi->bitmap || !abi->kinds)
		return -ENOMEM;

	p = abi->names;
	for (nr = 0; nr < size; nr++) {
		const char *name = ent[nr].name ? ent[nr].name : "";
		size_t n = strlen(name) + 1;

		memcpy(p, name, n);
		p += n;
		for (i = 0; i < ARRAY_SIZE(ks_special); i++)
			if (!strcmp(name, ks_special[i].name))
				abi->kinds[nr] = ks_special[i].kind;
		if (!ent[nr].implemented)
			continue;
		abi->bitmap[nr / 32] |= 1U << (nr % 32);
		abi->implemented++;
		hash = ks_fnv1a(hash, line,
				scnprintf(line, sizeof(line), "%u %s\n",
					  nr, name));
	}
	abi->size = size;
	abi->names_len = len;
	abi->hash = hash;
	ks_abi_kinds[abi->id] = abi->kinds;
	ks_abi_size[abi->id] = size;
	return 0;
}

/**
 * ks_abi_entry_counted() - the name of a syscall counted when it enters
 * @abi:	enum kabistat_abi
 * @nr:		syscall number
 *
 * Return: the name when @nr is implemented in @abi and counted at entry
 * (exit, exec, sigreturn), else NULL.
 */
const char *ks_abi_entry_counted(u32 abi, u32 nr)
{
	const struct ks_abi *a = ks_abi_get(abi);

	if (!a || nr >= a->size || a->kinds[nr] < KS_SYS_EXIT ||
	    !(a->bitmap[nr / 32] & (1U << (nr % 32))))
		return NULL;
	return ks_tables[a - ks_abis].ent[nr].name;
}

/**
 * ks_abi_init() - build the syscall tables reported by GET_ABI
 *
 * Return: 0 or -ENOMEM.
 */
int ks_abi_init(void)
{
	int i, err;

	BUILD_BUG_ON(ARRAY_SIZE(ks_abis) != ARRAY_SIZE(ks_tables));
	for (i = 0; i < ARRAY_SIZE(ks_abis); i++) {
		err = ks_abi_build(&ks_abis[i], ks_tables[i].ent,
				   ks_tables[i].size);
		if (err) {
			ks_abi_exit();
			return err;
		}
	}
	return 0;
}

/**
 * ks_abi_exit() - free what ks_abi_init() built
 */
void ks_abi_exit(void)
{
	int i;

	/* ks_abi_size and ks_abi_kinds are read-only after init. */
	for (i = 0; i < ARRAY_SIZE(ks_abis); i++) {
		kfree(ks_abis[i].names);
		kfree(ks_abis[i].bitmap);
		kfree(ks_abis[i].kinds);
		ks_abis[i].names = NULL;
		ks_abis[i].bitmap = NULL;
		ks_abis[i].kinds = NULL;
		ks_abis[i].implemented = 0;
	}
}

/**
 * ks_abi_get() - look up an ABI of the running kernel
 * @id: enum kabistat_abi
 *
 * Return: the ABI, or NULL when the kernel does not offer it.
 */
const struct ks_abi *ks_abi_get(u32 id)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ks_abis); i++)
		if (ks_abis[i].id == id)
			return &ks_abis[i];
	return NULL;
}

/* Where each controller is bound: on the default (v2) hierarchy or not. */
static struct static_key_true *const ks_on_dfl_keys[] = {
#define SUBSYS(_x) (&_x ## _cgrp_subsys_on_dfl_key),
#include <linux/cgroup_subsys.h>
#undef SUBSYS
};

static u32 ks_cgroup_mode(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ks_on_dfl_keys); i++)
		if (!static_key_enabled(&ks_on_dfl_keys[i]->key))
			return KABISTAT_CGROUP_MODE_HYBRID;
	return KABISTAT_CGROUP_MODE_UNIFIED;
}

/**
 * ks_abi_msg_size() - room the attributes of ks_abi_fill() need
 *
 * Return: bytes, for genlmsg_new().
 */
size_t ks_abi_msg_size(void)
{
	size_t size = 3 * nla_total_size(__NEW_UTS_LEN + 1) +
		      nla_total_size(sizeof(KABISTAT_VERSION)) +
		      3 * nla_total_size(sizeof(u32));
	int i;

	for (i = 0; i < ARRAY_SIZE(ks_abis); i++)
		size += nla_total_size(0) +
			3 * nla_total_size(sizeof(u32)) +
			nla_total_size(strlen(ks_abis[i].name) + 1) +
			nla_total_size(DIV_ROUND_UP(ks_abis[i].size, 32) *
				       sizeof(u32)) +
			nla_total_size(ks_abis[i].names_len) +
			nla_total_size_64bit(sizeof(u64));
	return size;
}

static int ks_abi_put(struct sk_buff *skb, const struct ks_abi *abi)
{
	struct nlattr *nest = nla_nest_start(skb, KABISTAT_A_ABI);

	if (!nest ||
	    nla_put_u32(skb, KABISTAT_ABI_A_ID, abi->id) ||
	    nla_put_string(skb, KABISTAT_ABI_A_NAME, abi->name) ||
	    nla_put_u32(skb, KABISTAT_ABI_A_TABLE_SIZE, abi->size) ||
	    nla_put_u32(skb, KABISTAT_ABI_A_NR_IMPLEMENTED, abi->implemented) ||
	    nla_put(skb, KABISTAT_ABI_A_IMPLEMENTED,
		    DIV_ROUND_UP(abi->size, 32) * sizeof(u32), abi->bitmap) ||
	    nla_put(skb, KABISTAT_ABI_A_NAMES, abi->names_len, abi->names) ||
	    nla_put_u64_64bit(skb, KABISTAT_ABI_A_HASH, abi->hash,
			      KABISTAT_ABI_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * ks_abi_fill() - put the kernel's ABI identity into a GET_ABI reply
 * @skb: the reply
 * @tables: with the syscall tables (KABISTAT_A_ABI nests)
 *
 * Return: 0 or -EMSGSIZE.
 */
int ks_abi_fill(struct sk_buff *skb, bool tables)
{
	const struct new_utsname *uts = init_utsname();
	int i;

	if (nla_put_string(skb, KABISTAT_A_MODULE_VERSION, KABISTAT_VERSION) ||
	    nla_put_u32(skb, KABISTAT_A_UAPI_VERSION, ks_test_uapi_version) ||
	    nla_put_u32(skb, KABISTAT_A_FAMILY_VERSION,
			KABISTAT_GENL_VERSION) ||
	    nla_put_string(skb, KABISTAT_A_KERNEL_RELEASE, uts->release) ||
	    nla_put_string(skb, KABISTAT_A_KERNEL_VERSION, uts->version) ||
	    nla_put_string(skb, KABISTAT_A_KERNEL_MACHINE, uts->machine) ||
	    nla_put_u32(skb, KABISTAT_A_CGROUP_MODE, ks_cgroup_mode()))
		return -EMSGSIZE;

	for (i = 0; tables && i < ARRAY_SIZE(ks_abis); i++)
		if (ks_abi_put(skb, &ks_abis[i]))
			return -EMSGSIZE;
	return 0;
}
