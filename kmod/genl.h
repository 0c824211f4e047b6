/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_GENL_H
#define KABISTAT_GENL_H

#include <net/genetlink.h>

struct ks_cgroup;

extern struct genl_family ks_family;

int ks_genl_init(void);
void ks_genl_exit(void);
struct sk_buff *ks_genl_cgroup_msg(u32 portid, u32 seq, u8 cmd,
				   struct ks_cgroup *cg, u64 event_seq);

#endif /* KABISTAT_GENL_H */
