// SPDX-License-Identifier: LGPL-2.1-or-later
/* RESET and SET: the privileged requests that change the module's state. */
#include <errno.h>
#include <stdint.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

static int ks_control(struct kabistat *ks, struct nl_msg *msg,
		      const char *what)
{
	int err = ks_transact(ks, msg, what, NULL, NULL);

	if (err == -EPERM || err == -EACCES)
		return ks_error(ks, err,
				"%s: permission denied (needs CAP_SYS_ADMIN)",
				what);
	return err;
}

int kabistat_reset(struct kabistat *ks, uint64_t id)
{
	struct nl_msg *msg = ks_request(ks, KABISTAT_CMD_RESET, 0);
	int err;

	if (!msg || (id ? nla_put_u64(msg, KABISTAT_A_CGROUP_ID, id) :
			  nla_put_flag(msg, KABISTAT_A_RESET_ALL)) < 0) {
		nlmsg_free(msg);
		return ks_error(ks, -ENOMEM, "RESET: out of memory");
	}
	err = ks_control(ks, msg, "RESET");
	if (err == -ENOENT && id)
		return ks_error(ks, err, "no such cgroup tracked: %llu",
				(unsigned long long)id);
	return err;
}

int kabistat_set(struct kabistat *ks, const struct kabistat_settings *set)
{
	int counting = -1;
	int64_t ttl = -1;
	struct nl_msg *msg;

	if (!set)
		return ks_error(ks, -EINVAL, "SET: no settings");
	if (KS_HAS_FIELD(set, counting))
		counting = set->counting;
	if (KS_HAS_FIELD(set, released_ttl))
		ttl = set->released_ttl;
	if (counting > 1)
		return ks_error(ks, -EINVAL, "SET: counting is 0 or 1, not %d",
				counting);
	if (ttl > UINT32_MAX)
		return ks_error(ks, -ERANGE,
				"SET: released_ttl %lld is out of range (at most %u)",
				(long long)ttl, UINT32_MAX);
	if (counting < 0 && ttl < 0)
		return ks_error(ks, -EINVAL, "SET: nothing to change");

	msg = ks_request(ks, KABISTAT_CMD_SET, 0);
	if (!msg ||
	    (counting >= 0 &&
	     nla_put_u8(msg, KABISTAT_A_COUNTING, (uint8_t)counting) < 0) ||
	    (ttl >= 0 &&
	     nla_put_u32(msg, KABISTAT_A_RELEASED_TTL, (uint32_t)ttl) < 0)) {
		nlmsg_free(msg);
		return ks_error(ks, -ENOMEM, "SET: out of memory");
	}
	return ks_control(ks, msg, "SET");
}
