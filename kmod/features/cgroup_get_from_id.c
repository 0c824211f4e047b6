// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_get_from_id(): a live cgroup by its id, exported to modules
 * (upstream 6.1).
 *
 * exports: cgroup_get_from_id
 */
#include <linux/cgroup.h>

struct cgroup *ks_feature(u64 id);

struct cgroup *ks_feature(u64 id)
{
	return cgroup_get_from_id(id);
}
