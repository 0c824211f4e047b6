// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat: per-cgroup system call accounting and the kernel's ABI
 * identity.  This file only holds the parameters and wires the parts
 * together, in the order the data flows: probes feed the counters, which
 * the netlink family, the device and the events read.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "abi.h"
#include "cgroup.h"
#include "chrdev.h"
#include "events.h"
#include "genl.h"
#include "params.h"
#include "stats.h"
#include "tracepoints.h"

unsigned int ks_max_cgroups = 16384;
module_param_named(max_cgroups, ks_max_cgroups, uint, 0444);
MODULE_PARM_DESC(max_cgroups,
		 "Cgroups tracked at most, live and released (default 16384)");

unsigned long ks_max_memory = 256UL << 20;
module_param_named(max_memory, ks_max_memory, ulong, 0444);
MODULE_PARM_DESC(max_memory,
		 "Bytes for tracked cgroups at most, CPU caches apart (default 256 MiB)");

unsigned int ks_cache_slots = 512;
module_param_named(cache_slots, ks_cache_slots, uint, 0444);
MODULE_PARM_DESC(cache_slots,
		 "Entries of each CPU's counter cache, a power of two (default 512)");

unsigned int ks_released_ttl = 600;
module_param_named(released_ttl, ks_released_ttl, uint, 0444);
MODULE_PARM_DESC(released_ttl,
		 "Seconds a removed cgroup's counters are kept (default 600; SET changes it)");

/* For the library's tests: a newer module's uapi and attributes. */
unsigned int ks_test_uapi_version = KABISTAT_UAPI_VERSION;
module_param_named(test_uapi_version, ks_test_uapi_version, uint, 0444);
MODULE_PARM_DESC(test_uapi_version,
		 "Testing only: the uapi version GET_ABI reports");

bool ks_test_unknown_attr;
module_param_named(test_unknown_attr, ks_test_unknown_attr, bool, 0444);
MODULE_PARM_DESC(test_unknown_attr,
		 "Testing only: add an attribute no library knows to replies");

unsigned int ks_test_fail_alloc;
module_param_named(test_fail_alloc, ks_test_fail_alloc, uint, 0444);
MODULE_PARM_DESC(test_fail_alloc,
		 "Testing only: 1 in N allocations of cgroups and slots fails (0: none)");

DEFINE_STATIC_KEY_TRUE(ks_counting);
atomic_long_t ks_memory_used = ATOMIC_LONG_INIT(0);

static int __init kabistat_init(void)
{
	int err;

	if (!ks_max_cgroups)
		return -EINVAL;
	err = ks_abi_init();
	if (err)
		return err;
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
}

module_init(kabistat_init);
module_exit(kabistat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kabistat developers");
MODULE_DESCRIPTION("Per-cgroup system call accounting and kernel ABI identity");
MODULE_VERSION(KABISTAT_VERSION);
