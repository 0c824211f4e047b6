// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /dev/kabistat transport: the module's ioctls, for callers outside
 * the initial network namespace, which its netlink family does not serve.
 * The device answers less than netlink does: the ABI identity without the
 * syscall tables, one cgroup's counters (by the fd of its directory) without
 * path or errno counts, and resets.  Dumps, settings and events are
 * refused here with -EOPNOTSUPP (see ks_need_netlink()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kabistat.h>

#include "internal.h"

/* what the device cannot do, in one place for every message */
#define KS_DEV_LACKS	"/dev/kabistat offers no %s; only netlink, from the initial network namespace, does"

int ks_need_netlink(struct kabistat *ks, const char *what)
{
	if (ks->transport != KABISTAT_TRANSPORT_DEVICE)
		return 0;
	return ks_error(ks, -EOPNOTSUPP, KS_DEV_LACKS, what);
}

static int ks_dev_perm(struct kabistat *ks, int err, const char *what,
		       const char *caps)
{
	if (err == -EPERM || err == -EACCES)
		return ks_error(ks, err, "%s: permission denied (needs %s)",
				what, caps);
	return ks_error(ks, err, "%s: %s", what, strerror(-err));
}

int ks_dev_open(struct kabistat *ks, const char *path)
{
	ks->dev_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ks->dev_fd < 0)
		return -errno;
	ks->transport = KABISTAT_TRANSPORT_DEVICE;
	return 0;
}

int ks_dev_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out)
{
	struct kabistat_abi_info info = { .argsz = sizeof(info) };
	static const char *const names[] = {
		[KABISTAT_ABI_X86_64] = "x86_64",
		[KABISTAT_ABI_IA32] = "ia32",
		[KABISTAT_ABI_X32] = "x32",
	};
	struct kabistat_kernel_abi *abi;
	unsigned int i;

	if (ioctl(ks->dev_fd, KABISTAT_IOC_ABI_INFO, &info) < 0)
		return ks_dev_perm(ks, -errno, "ABI_INFO", "access to the device");
	abi = ks_abi_alloc();
	if (!abi)
		return ks_error(ks, -ENOMEM, "ABI_INFO: out of memory");
	abi->uapi_version = info.uapi_version;
	abi->generation = info.generation;
	abi->timestamp_ns = info.timestamp_ns;
	abi->tracked_cgroups = info.tracked_cgroups;
	abi->max_cgroups = info.max_cgroups;
	abi->counting = !!info.counting;
	abi->memory_used = info.memory_used;
	abi->observed = info.observed;
	snprintf(abi->kernel_release, sizeof(abi->kernel_release), "%.*s",
		 (int)sizeof(info.release), info.release);
	snprintf(abi->kernel_machine, sizeof(abi->kernel_machine), "%.*s",
		 (int)sizeof(info.machine), info.machine);
	/* which ABIs, but not their tables: present, named, size 0 */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(info.abi_mask & (1U << i)))
			continue;
		abi->tables[i].present = 1;
		snprintf(abi->tables[i].name, sizeof(abi->tables[i].name),
			 "%s", names[i]);
	}
	*out = abi;
	return 0;
}

/* One ioctl; -ENOSPC when the cgroup has more entries than @room. */
static int ks_dev_stats(struct kabistat *ks, int fd,
			struct kabistat_cgroup_stats *q,
			struct kabistat_stat **stats, uint32_t room)
{
	struct kabistat_stat *st = calloc(room ? room : 1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->argsz = sizeof(*q);
	q->cgroup_fd = fd;
	q->stats = (uintptr_t)st;
	q->stats_len = room;
	q->stat_size = sizeof(*st);
	free(*stats);
	*stats = st;
	return ioctl(ks->dev_fd, KABISTAT_IOC_CGROUP_STATS, q) < 0 ? -errno : 0;
}

/* The entries of the ioctl as a cgroup: stats, then out-of-range. */
static int ks_dev_cgroup(const struct kabistat_cgroup_stats *q,
			 const struct kabistat_stat *st,
			 struct kabistat_cgroup **out)
{
	struct ks_cgroup_parse p = { 0 };
	struct kabistat_counters *c;
	uint32_t i;

	p.cg = calloc(1, sizeof(*p.cg));
	if (!p.cg)
		return -ENOMEM;
	p.cg->stats = calloc(q->stats_len ? q->stats_len : 1,
			     sizeof(*p.cg->stats));
	if (!p.cg->stats) {
		ks_cgroup_parse_drop(&p);
		return -ENOMEM;
	}
	p.cg->id = q->cgroup_id;
	p.cg->generation = q->generation;
	p.cg->timestamp_ns = q->timestamp_ns;
	p.cg->state = q->state;
	p.cg->flags = q->flags;
	for (i = 0; i < q->stats_len; i++) {
		if (st[i].abi >= KABISTAT_MAX_ABIS)
			continue;	/* an ABI newer than this library */
		if (st[i].nr == KABISTAT_NR_OUT_OF_RANGE) {
			c = &p.cg->out_of_range[st[i].abi];
		} else {
			p.cg->stats[p.cg->nr_stats].abi = st[i].abi;
			p.cg->stats[p.cg->nr_stats].nr = st[i].nr;
			c = &p.cg->stats[p.cg->nr_stats++].c;
		}
		c->calls += st[i].calls;
		c->errors += st[i].errors;
		c->enosys += st[i].enosys;
		c->denied += st[i].denied;
		c->interrupted += st[i].interrupted;
	}
	*out = ks_cgroup_parse_end(&p);
	return 0;
}

int ks_dev_get_cgroup_fd(struct kabistat *ks, int fd,
			 struct kabistat_cgroup **out)
{
	struct kabistat_stat *st = NULL;
	struct kabistat_cgroup_stats q;
	uint32_t room = 64;
	int err, tries;

	/* the cgroup may gain entries between two calls: a few retries */
	for (tries = 0; tries < 4; tries++) {
		err = ks_dev_stats(ks, fd, &q, &st, room);
		if (err == -ENOSPC) {
			room = q.stats_len + 16;
			continue;
		}
		break;
	}
	if (!err)
		err = ks_dev_cgroup(&q, st, out);
	free(st);
	if (err == -ENOMEM)
		return ks_error(ks, err, "CGROUP_STATS: out of memory");
	if (err == -ENOENT)
		return ks_error(ks, err, "no such cgroup tracked (fd %d)", fd);
	if (err)
		return ks_dev_perm(ks, err, "CGROUP_STATS",
				   "CAP_PERFMON or CAP_SYS_ADMIN");
	return 0;
}

int ks_dev_reset(struct kabistat *ks, int cgroup_fd)
{
	struct kabistat_reset req = {
		.argsz = sizeof(req),
		.flags = cgroup_fd < 0 ? KABISTAT_RESET_F_ALL : 0,
		.cgroup_fd = cgroup_fd,
	};

	if (ioctl(ks->dev_fd, KABISTAT_IOC_RESET, &req) < 0) {
		if (errno == ENOENT)
			return ks_error(ks, -ENOENT, "RESET: no such cgroup tracked");
		return ks_dev_perm(ks, -errno, "RESET", "CAP_SYS_ADMIN");
	}
	return 0;
}
