/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_CGROUP_H
#define KABISTAT_CGROUP_H

#include <linux/mutex.h>

#include "stats.h"

/*
 * The table of tracked cgroups.  Probes look cgroups up under RCU and add
 * them under a spinlock; everything that reads or frees them holds
 * ks_cgroups_mutex, so a cgroup stays valid while it is read.
 */
extern struct mutex ks_cgroups_mutex;

/* Changes at load and at every reset; under ks_cgroups_mutex. */
extern u64 ks_generation;

/**
 * struct ks_cursor - position of a walk over the table, resumable
 * @bucket:	current bucket
 * @last_id:	id of the last cgroup returned from @bucket
 */
struct ks_cursor {
	u32 bucket;
	u64 last_id;
};

int ks_cgroup_init(void);
void ks_cgroup_stop(void);
void ks_cgroup_exit(void);
struct ks_cgroup *ks_cgroup_track(u64 id);
void ks_cgroup_overflowed(u64 id);
struct ks_cgroup *ks_cgroup_find(u64 id);
struct ks_cgroup *ks_cgroup_next(struct ks_cursor *cur);
void ks_cursor_rewind(struct ks_cursor *cur, const struct ks_cgroup *cg);
bool ks_cgroup_in_subtree(const struct ks_cgroup *cg, u64 root_id,
			  u32 root_level);
void ks_cgroup_copy_path(struct ks_cgroup *cg, char *buf);
void ks_cgroup_path_settle(struct ks_cgroup *cg);
void ks_cgroup_sync(void);
u32 ks_cgroups_tracked(void);
void ks_read_aggregates(struct ks_counters *overflow,
			struct ks_counters *evicted);
void ks_reset(struct ks_cgroup *cg);
u64 ks_observed(void);
void ks_cgroup_maintain(void);

int ks_cgroup_probes_register(void);
void ks_cgroup_probes_unregister(void);

#endif /* KABISTAT_CGROUP_H */
