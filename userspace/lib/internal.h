/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef KABISTAT_INTERNAL_H
#define KABISTAT_INTERNAL_H

#include <netlink/netlink.h>

#include "kabistat.h"

struct kabistat {
	struct nl_sock *sock;
	int family;
	char errmsg[KABISTAT_ERRMSG_LEN];
};

/*
 * Called for each reply message with its top-level attributes parsed into
 * @tb (the last of repeated ones); @nlh gives access to all of them.
 */
typedef int (*ks_parse_fn)(struct nlmsghdr *nlh, struct nlattr **tb,
			   void *arg);

int ks_error(struct kabistat *ks, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct nl_msg *ks_request(struct kabistat *ks, uint8_t cmd, int flags);
int ks_transact(struct kabistat *ks, struct nl_msg *msg, const char *what,
		ks_parse_fn parse, void *arg);

#endif /* KABISTAT_INTERNAL_H */
