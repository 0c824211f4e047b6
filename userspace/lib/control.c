// SPDX-License-Identifier: LGPL-2.1-or-later
/* RESET and SET: the privileged requests that change the module's state. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
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
	struct nl_msg *msg;
	int fd, err;

	if (ks->transport == KABISTAT_TRANSPORT_DEVICE) {
		char spec[24];

		if (!id)
			return ks_dev_reset(ks, -1);
		/* the device takes the cgroup's directory, not its id */
		snprintf(spec, sizeof(spec), "%llu", (unsigned long long)id);
		fd = kabistat_cgroup_open(ks, spec);
		if (fd < 0)
			return fd;
		err = ks_dev_reset(ks, fd);
		close(fd);
		return err;
	}
	msg = ks_request(ks, KABISTAT_CMD_RESET, 0);
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

/*
 * The fields @set changes, as values (-1: unchanged), by the rules of
 * struct kabistat_settings.
 */
static int ks_settings(struct kabistat *ks, const struct kabistat_settings *set,
		       int *counting, int64_t *ttl)
{
	uint32_t mask;
	int err;

	err = ks_opts_check(ks, "SET", set, set->sz, sizeof(*set));
	if (err)
		return err;
	if (KS_HAS_FIELD(set, counting))
		*counting = set->counting;
	if (KS_HAS_FIELD(set, released_ttl))
		*ttl = set->released_ttl;
	if (!KS_HAS_FIELD(set, mask))
		return 0;	/* built before the mask: as it always was */
	mask = set->mask;
	if (mask & ~(KABISTAT_SET_COUNTING | KABISTAT_SET_RELEASED_TTL))
		return ks_error(ks, -EINVAL, "SET: unknown bits in mask %#x",
				mask);
	if (!mask && *counting == 0)
		return ks_error(ks, -EINVAL,
				"SET: counting 0 without KABISTAT_SET_COUNTING in mask: set mask to the fields to change (counting would be turned off host-wide)");
	if (!mask)
		return 0;
	if (!(mask & KABISTAT_SET_COUNTING))
		*counting = -1;
	else if (*counting < 0)
		return ks_error(ks, -EINVAL, "SET: counting is 0 or 1, not %d",
				*counting);
	if (!(mask & KABISTAT_SET_RELEASED_TTL))
		*ttl = -1;
	else if (*ttl < 0)
		return ks_error(ks, -ERANGE,
				"SET: released_ttl %lld is out of range (0 to %u)",
				(long long)*ttl, UINT32_MAX);
	return 0;
}

int kabistat_set(struct kabistat *ks, const struct kabistat_settings *set)
{
	int counting = -1;
	int64_t ttl = -1;
	struct nl_msg *msg;
	int err;

	if (!set)
		return ks_error(ks, -EINVAL, "SET: no settings");
	if (ks_need_netlink(ks, "settings (SET)"))
		return -EOPNOTSUPP;
	err = ks_settings(ks, set, &counting, &ttl);
	if (err)
		return err;
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
