// SPDX-License-Identifier: GPL-2.0
/*
 * The kabistat generic netlink family: strict per-operation policies, the
 * initial network namespace only, and privilege checked against the
 * credentials of the socket that sent the request.
 */
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "abi.h"
#include "genl.h"

static const struct nla_policy ks_get_abi_policy[KABISTAT_A_MAX + 1] = {
};

static struct genl_family ks_family;

static void *ks_reply_start(struct genl_info *info, struct sk_buff *skb)
{
	return genlmsg_put_reply(skb, info, &ks_family, 0, info->genlhdr->cmd);
}

static int ks_put_header(struct sk_buff *skb)
{
	return nla_put_u64_64bit(skb, KABISTAT_A_TIMESTAMP_NS,
				 ktime_get_boottime_ns(), KABISTAT_A_PAD);
}

static int ks_get_abi_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t size = ks_abi_msg_size() +
		      nla_total_size_64bit(sizeof(u64));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = ks_reply_start(info, msg);
	if (!hdr || ks_put_header(msg) || ks_abi_fill(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops ks_ops[] = {
	{
		.cmd = KABISTAT_CMD_GET_ABI,
		.doit = ks_get_abi_doit,
		.policy = ks_get_abi_policy,
		.maxattr = KABISTAT_A_MAX,
	},
};

static struct genl_family ks_family __ro_after_init = {
	.name = KABISTAT_GENL_NAME,
	.version = KABISTAT_GENL_VERSION,
	.maxattr = KABISTAT_A_MAX,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = ks_ops,
	.n_ops = ARRAY_SIZE(ks_ops),
	.resv_start_op = KABISTAT_CMD_GET_ABI,
};

/**
 * ks_genl_init() - register the kabistat family
 *
 * Return: 0 or a negative errno.
 */
int __init ks_genl_init(void)
{
	return genl_register_family(&ks_family);
}

/**
 * ks_genl_exit() - unregister the family; no request runs afterwards
 */
void ks_genl_exit(void)
{
	genl_unregister_family(&ks_family);
}
MODULE_ALIAS_GENL_FAMILY(KABISTAT_GENL_NAME);
