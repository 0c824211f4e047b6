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
};

int ks_abi_init(void);
void ks_abi_exit(void);
const struct ks_abi *ks_abi_get(u32 id);
size_t ks_abi_msg_size(void);
int ks_abi_fill(struct sk_buff *skb);

#endif /* KABISTAT_ABI_H */
