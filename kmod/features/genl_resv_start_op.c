// SPDX-License-Identifier: GPL-2.0
/*
 * genl_family.resv_start_op: the core refuses requests whose genetlink
 * header has reserved bits or ambiguous netlink flags set (upstream 6.1).
 */
#include <net/genetlink.h>

extern struct genl_family ks_feature;

struct genl_family ks_feature = {
	.name = "feature",
	.resv_start_op = 1,
};
