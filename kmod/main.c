// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat: per-cgroup system call accounting and the kernel's ABI
 * identity.  This file only holds the parameters and wires the parts
 * together, in the order the data flows: probes feed the counters, which
 * the netlink family, the device and the events read.
 */
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "abi.h"
#include "cgroup.h"
#include "chrdev.h"
#include "events.h"
#include "genl.h"
#include "params.h"
#include "stats.h"
#include "testing.h"
#include "tracepoints.h"

unsigned int ks_max_cgroups __ro_after_init = 16384;
module_param_named(max_cgroups, ks_max_cgroups, uint, 0444);
MODULE_PARM_DESC(max_cgroups,
		 "Cgroups tracked at most, live and released, 1 to 1048576 (default 16384)");

unsigned long ks_max_memory __ro_after_init = 256UL << 20;
module_param_named(max_memory, ks_max_memory, ulong, 0444);
MODULE_PARM_DESC(max_memory,
		 "Bytes for tracked cgroups at most, CPU caches apart, 1 MiB or more (default 256 MiB)");

unsigned int ks_cache_slots __ro_after_init = 512;
module_param_named(cache_slots, ks_cache_slots, uint, 0444);
MODULE_PARM_DESC(cache_slots,
		 "Entries of each CPU's counter cache, a power of two from 16 to 65536 (default 512)");

unsigned int ks_released_ttl = 600;
module_param_named(released_ttl, ks_released_ttl, uint, 0444);
MODULE_PARM_DESC(released_ttl,
		 "Seconds a removed cgroup's counters are kept (default 600; SET changes it)");

DEFINE_STATIC_KEY_TRUE(ks_counting);
/* Written on every allocation: a cache line of its own. */
atomic_long_t ks_memory_used ____cacheline_aligned_in_smp =
	ATOMIC_LONG_INIT(0);

#define KS_MAX_CGROUPS_LIMIT	(1024U * 1024)

/* Values that would make no sense, or overflow sizes, refuse the load. */
static int __init ks_params_check(void)
{
	if (!ks_max_cgroups || ks_max_cgroups > KS_MAX_CGROUPS_LIMIT) {
		pr_err("kabistat: max_cgroups=%u is not in 1..%u\n",
		       ks_max_cgroups, KS_MAX_CGROUPS_LIMIT);
		return -EINVAL;
	}
	if (ks_cache_slots < 16 || ks_cache_slots > 65536 ||
	    !is_power_of_2(ks_cache_slots)) {
		pr_err("kabistat: cache_slots=%u is not a power of two in 16..65536\n",
		       ks_cache_slots);
		return -EINVAL;
	}
	if (ks_max_memory < SZ_1M) {
		pr_err("kabistat: max_memory=%lu is less than 1 MiB\n",
		       ks_max_memory);
		return -EINVAL;
	}
	return 0;
}

static int __init kabistat_init(void)
{
	int err;

	err = ks_params_check();
	if (err)
		return err;
	err = ks_testing_init();
	if (err)
		return err;
	err = ks_abi_init();
	if (err)
		goto err_testing;
	err = ks_stats_init();
	if (err)
		goto err_abi;
	err = ks_cgroup_init();
	if (err)
		goto err_stats;
	err = ks_events_init();
	if (err)
		goto err_cgroup;
	err = ks_genl_init();
	if (err)
		goto err_events;
	err = ks_chrdev_init();
	if (err)
		goto err_genl;
	err = ks_probes_register();
	if (err)
		goto err_chrdev;
	return 0;

err_chrdev:
	ks_chrdev_exit();
err_genl:
	ks_genl_exit();
err_events:
	ks_events_exit();
err_cgroup:
	ks_cgroup_stop();
	ks_cgroup_exit();
err_stats:
	ks_stats_exit();
err_abi:
	ks_abi_exit();
err_testing:
	ks_testing_exit();
	return err;
}

/*
 * No probe runs once they are unregistered and synchronised; pending
 * releases still send their events, and the event works are done, before
 * the family goes; then nothing refers to the counters and they are freed.
 */
static void __exit kabistat_exit(void)
{
	ks_probes_unregister();
	ks_cgroup_stop();
	ks_events_exit();
	ks_chrdev_exit();
	ks_genl_exit();
	ks_cgroup_exit();
	ks_stats_exit();
	ks_abi_exit();
	ks_testing_exit();
}

module_init(kabistat_init);
module_exit(kabistat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kabistat developers");
MODULE_DESCRIPTION("Per-cgroup system call accounting and kernel ABI identity");
#ifdef KABISTAT_TESTING
MODULE_VERSION(KABISTAT_VERSION "+testing");
#else
MODULE_VERSION(KABISTAT_VERSION);
#endif
