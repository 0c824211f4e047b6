/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Incremental dumps: which cgroups changed since a dump's mark.  See
 * KABISTAT_A_CHANGED_SINCE in the uapi header.  Everything here runs under
 * ks_cgroups_mutex.
 */
#ifndef KABISTAT_DUMPMARK_H
#define KABISTAT_DUMPMARK_H

#include <linux/types.h>

struct ks_cgroup;
struct netlink_ext_ack;

void ks_dumpmark_init(u64 start);
void ks_dumpmark_forget(void);
u64 ks_dumpmark_start(void);
int ks_dumpmark_check(u64 since, struct netlink_ext_ack *extack);
bool ks_dumpmark_visit(struct ks_cgroup *cg, u64 mark, u64 since);

#endif /* KABISTAT_DUMPMARK_H */
