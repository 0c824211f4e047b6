/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_ABI_H
#define KABISTAT_ABI_H

#include <linux/types.h>
#include <linux/kabistat.h>

struct sk_buff;

/**
 * struct ks_abi - one syscall ABI of the running kernel
 * @id:		enum kabistat_abi
 * @name:	user-visible name
 * @size:	entries in the kernel's dispatch table
 * @implemented: how many of them are implemented
 * @hash:	FNV-1a over "<nr> <name>\n" of the implemented numbers
 * @names:	names of all numbers, NUL-separated, as sent in GET_ABI
 * @names_len:	bytes in @names
 * @bitmap:	implemented numbers, as sent in GET_ABI
 * @kinds:	enum ks_syscall_kind of every number
 */
struct ks_abi {
	u32 id;
	const char *name;
	u32 size;
	u32 implemented;
	u64 hash;
	char *names;
	u32 names_len;
	u32 *bitmap;
	u8 *kinds;
};

/* Syscalls not simply counted when they return; from EXIT on, at entry. */
enum ks_syscall_kind {
	KS_SYS_PLAIN,
	KS_SYS_FORK,		/* the child's 0-return is not a call */
	KS_SYS_EXIT,		/* counted at entry; returns only if refused */
	KS_SYS_EXEC,		/* counted at entry; a failure at exit */
	KS_SYS_SIGRETURN,	/* counted at entry; exits as number -1 */
};

extern const u8 *ks_abi_kinds[__KABISTAT_ABI_MAX];
extern u32 ks_abi_size[__KABISTAT_ABI_MAX];

static inline u8 ks_syscall_kind(u32 abi, long nr)
{
	return (unsigned long)nr < ks_abi_size[abi] ? ks_abi_kinds[abi][nr] :
						     KS_SYS_PLAIN;
}

int ks_abi_init(void);
void ks_abi_exit(void);
const struct ks_abi *ks_abi_get(u32 id);
const char *ks_abi_entry_counted(u32 abi, u32 nr);
size_t ks_abi_msg_size(void);
int ks_abi_fill(struct sk_buff *skb, bool tables);

#endif /* KABISTAT_ABI_H */
