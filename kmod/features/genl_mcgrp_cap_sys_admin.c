// SPDX-License-Identifier: GPL-2.0
/*
 * genl_multicast_group.cap_sys_admin: the same check as
 * GENL_MCAST_CAP_SYS_ADMIN as the 5.10 and 5.15 stable series took it (a
 * bit of its own, which kept their structure layout).
 */
#include <net/genetlink.h>

extern const struct genl_multicast_group ks_feature;

const struct genl_multicast_group ks_feature = {
	.name = "feature",
	.cap_sys_admin = 1,
};
