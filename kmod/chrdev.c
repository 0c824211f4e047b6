// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kabistat: the same readings as the netlink family, through
 * VFIO-style ioctls whose argument structures start with their size.
 * Privilege is checked against the credentials that opened the device and
 * against the caller's, so that a descriptor passed to a less privileged
 * process gives it nothing more.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "abi.h"
#include "cgroup.h"
#include "chrdev.h"
#include "params.h"

static bool ks_file_capable(struct file *file, int cap)
{
	return file_ns_capable(file, &init_user_ns, cap) && capable(cap);
}

/* Copy in an argsz-first structure under copy_struct_from_user() rules. */
static int ks_copy_in(void *dst, size_t ksize, void __user *arg)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)arg))
		return -EFAULT;
	if (argsz < ksize)
		return -EINVAL;
	return copy_struct_from_user(dst, ksize, arg, argsz);
}

static long ks_ioc_abi_info(void __user *arg)
{
	const struct new_utsname *uts = init_utsname();
	struct kabistat_abi_info info;
	u32 abi;
	int err;

	err = ks_copy_in(&info, sizeof(info), arg);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.uapi_version = KABISTAT_UAPI_VERSION;
	for (abi = 0; abi < KS_NR_ABIS; abi++)
		if (ks_abi_get(abi))
			info.abi_mask |= 1U << abi;
	info.max_cgroups = ks_max_cgroups;
	info.counting = static_key_enabled(&ks_counting);
	info.memory_used = atomic_long_read(&ks_memory_used) +
			   ks_cache_bytes();
	strscpy(info.release, uts->release, sizeof(info.release));
	strscpy(info.machine, uts->machine, sizeof(info.machine));

	mutex_lock(&ks_cgroups_mutex);
	info.generation = ks_generation;
	info.tracked_cgroups = ks_cgroups_tracked();
	/*
	 * Host-wide activity is for callers who may read counters; an
	 * optional field, so a "no" is not worth an audit record.
	 */
	if (ns_capable_noaudit(&init_user_ns, CAP_PERFMON) ||
	    ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		info.observed = ks_observed();
	mutex_unlock(&ks_cgroups_mutex);
	info.timestamp_ns = ktime_get_boottime_ns();

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static void ks_stat_from(struct kabistat_stat *st, const struct ks_reading *r)
{
	u32 nr = KS_KEY_NR(r->key);

	st->abi = KS_KEY_KIND(r->key);
	st->nr = nr == KS_NR_OOR ? KABISTAT_NR_OUT_OF_RANGE : nr;
	st->calls = r->c.calls;
	st->errors = r->c.errors;
	st->enosys = r->c.enosys;
	st->denied = r->c.denied;
	st->interrupted = r->c.interrupted;
}

/* Readings reported: syscalls with counts, then out-of-range ones. */
static bool ks_stat_wanted(const struct ks_reading *r, bool oor)
{
	return KS_KEY_KIND(r->key) != KS_KIND_ERRNO &&
	       (KS_KEY_NR(r->key) == KS_NR_OOR) == oor &&
	       (r->c.calls || r->c.errors || r->c.interrupted);
}

static int ks_copy_stats(const struct kabistat_cgroup_stats *q,
			 const struct ks_reading *r, u32 n)
{
	size_t step = min_t(size_t, q->stat_size, sizeof(struct kabistat_stat));
	void __user *to = u64_to_user_ptr(q->stats);
	struct kabistat_stat st;
	int oor;
	u32 i;

	for (oor = 0; oor < 2; oor++)
		for (i = 0; i < n; i++) {
			if (!ks_stat_wanted(&r[i], oor))
				continue;
			ks_stat_from(&st, &r[i]);
			if (copy_to_user(to, &st, step))
				return -EFAULT;
			to += q->stat_size;
		}
	return 0;
}

static long ks_ioc_cgroup_stats(struct file *file, void __user *arg)
{
	struct kabistat_cgroup_stats q;
	struct ks_reading *r = NULL;
	struct ks_cgroup *cg;
	struct cgroup *cgrp;
	u32 i, n = 0, wanted;
	int err;

	if (!ks_file_capable(file, CAP_PERFMON) &&
	    !ks_file_capable(file, CAP_SYS_ADMIN))
		return -EPERM;
	err = ks_copy_in(&q, sizeof(q), arg);
	if (err)
		return err;
	if (q.stat_size < sizeof(u32) * 2)
		return -EINVAL;

	cgrp = cgroup_get_from_fd(q.cgroup_fd);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	q.cgroup_id = cgroup_id(cgrp);
	cgroup_put(cgrp);

	mutex_lock(&ks_cgroups_mutex);
	cg = ks_cgroup_find(q.cgroup_id);
	if (!cg) {
		err = -ENOENT;
		goto out;
	}
	err = ks_read(cg, &r, &n);
	if (err)
		goto out;
	q.generation = cg->generation;
	q.state = READ_ONCE(cg->state) == KS_LIVE ? KABISTAT_CGROUP_LIVE :
						    KABISTAT_CGROUP_RELEASED;
	q.flags = READ_ONCE(cg->flags);
out:
	mutex_unlock(&ks_cgroups_mutex);
	if (err)
		return err;

	for (i = 0, wanted = 0; i < n; i++)
		wanted += ks_stat_wanted(&r[i], false) ||
			  ks_stat_wanted(&r[i], true);
	if (q.stats_len < wanted) {
		err = put_user(wanted, &((struct kabistat_cgroup_stats __user *)
					 arg)->stats_len) ? -EFAULT : -ENOSPC;
		goto free;
	}
	err = ks_copy_stats(&q, r, n);
	if (err)
		goto free;
	q.stats_len = wanted;
	q.timestamp_ns = ktime_get_boottime_ns();
	q.argsz = sizeof(q);
	err = copy_to_user(arg, &q, sizeof(q)) ? -EFAULT : 0;
free:
	kvfree(r);
	return err;
}

static long ks_ioc_reset(struct file *file, void __user *arg)
{
	struct kabistat_reset req;
	struct ks_cgroup *cg = NULL;
	struct cgroup *cgrp;
	u64 id = 0;
	int err;

	if (!ks_file_capable(file, CAP_SYS_ADMIN))
		return -EPERM;
	err = ks_copy_in(&req, sizeof(req), arg);
	if (err)
		return err;
	if (req.flags & ~KABISTAT_RESET_F_ALL || req.__reserved)
		return -EINVAL;
	if (!(req.flags & KABISTAT_RESET_F_ALL)) {
		cgrp = cgroup_get_from_fd(req.cgroup_fd);
		if (IS_ERR(cgrp))
			return PTR_ERR(cgrp);
		id = cgroup_id(cgrp);
		cgroup_put(cgrp);
	}

	mutex_lock(&ks_cgroups_mutex);
	if (id) {
		cg = ks_cgroup_find(id);
		err = cg ? 0 : -ENOENT;
	}
	if (!err)
		ks_reset(cg);
	mutex_unlock(&ks_cgroups_mutex);
	return err;
}

static long ks_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KABISTAT_IOC_ABI_INFO:
		return ks_ioc_abi_info(uarg);
	case KABISTAT_IOC_CGROUP_STATS:
		return ks_ioc_cgroup_stats(file, uarg);
	case KABISTAT_IOC_RESET:
		return ks_ioc_reset(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ks_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ks_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ks_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kabistat",
	.fops = &ks_fops,
	.mode = 0600,
};

/**
 * ks_chrdev_init() - create /dev/kabistat
 *
 * Return: 0 or a negative errno.
 */
int ks_chrdev_init(void)
{
	return misc_register(&ks_misc);
}

/**
 * ks_chrdev_exit() - remove /dev/kabistat
 */
void ks_chrdev_exit(void)
{
	misc_deregister(&ks_misc);
}
