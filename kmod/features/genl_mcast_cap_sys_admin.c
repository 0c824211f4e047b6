// SPDX-License-Identifier: GPL-2.0
/*
 * GENL_MCAST_CAP_SYS_ADMIN: a generic netlink multicast group that only
 * CAP_SYS_ADMIN may join (upstream 6.7, in the 6.1 and 6.6 stable series).
 */
#include <net/genetlink.h>

extern const struct genl_multicast_group ks_feature;

const struct genl_multicast_group ks_feature = {
	.name = "feature",
	.flags = GENL_MCAST_CAP_SYS_ADMIN,
};
