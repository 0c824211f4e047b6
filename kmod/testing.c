// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' hooks; see testing.h.  Built only where the kernel has
 * fault injection, and in the test build.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "testing.h"

#ifdef KABISTAT_TESTING
unsigned int ks_test_uapi_version = KABISTAT_UAPI_VERSION;
module_param_named(test_uapi_version, ks_test_uapi_version, uint, 0444);
MODULE_PARM_DESC(test_uapi_version,
		 "Test build: the uapi version GET_ABI reports");

bool ks_test_unknown_attr;
module_param_named(test_unknown_attr, ks_test_unknown_attr, bool, 0444);
MODULE_PARM_DESC(test_unknown_attr,
		 "Test build: add an attribute no library knows to replies");

/* From the load on, which debugfs cannot do: the pools' first fill. */
static unsigned int ks_test_fail_alloc;
module_param_named(test_fail_alloc, ks_test_fail_alloc, uint, 0444);
MODULE_PARM_DESC(test_fail_alloc,
		 "Test build: 1 in N allocations of cgroups and slots fails (0: none)");

/* How many it failed, for the tests to see that failures were injected. */
static atomic_t ks_test_injected = ATOMIC_INIT(0);

static int ks_test_injected_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&ks_test_injected));
}

static const struct kernel_param_ops ks_test_injected_ops = {
	.get = ks_test_injected_get,
};
module_param_cb(test_fail_injected, &ks_test_injected_ops, NULL, 0444);
MODULE_PARM_DESC(test_fail_injected,
		 "Test build: allocations test_fail_alloc made fail so far");

static bool ks_test_should_fail(void)
{
	static atomic_t seq = ATOMIC_INIT(0);

	if (!ks_test_fail_alloc ||
	    atomic_inc_return(&seq) % ks_test_fail_alloc)
		return false;
	atomic_inc(&ks_test_injected);
	return true;
}
#else
static bool ks_test_should_fail(void)
{
	return false;
}
#endif

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(ks_fail_attr);
static struct dentry *ks_debugfs;

static bool ks_fault_should_fail(void)
{
	return should_fail(&ks_fail_attr, 1);
}

/**
 * ks_testing_init() - create debugfs kabistat/fail_alloc
 *
 * Return: 0; without debugfs the attribute stays off.
 */
int ks_testing_init(void)
{
	ks_debugfs = debugfs_create_dir("kabistat", NULL);
	fault_create_debugfs_attr("fail_alloc", ks_debugfs, &ks_fail_attr);
	return 0;
}

/**
 * ks_testing_exit() - remove debugfs kabistat
 */
void ks_testing_exit(void)
{
	debugfs_remove_recursive(ks_debugfs);
}
#else
static bool ks_fault_should_fail(void)
{
	return false;
}

/**
 * ks_testing_init() - nothing to set up without fault injection
 *
 * Return: 0.
 */
int ks_testing_init(void)
{
	return 0;
}

/**
 * ks_testing_exit() - nothing to tear down without fault injection
 */
void ks_testing_exit(void)
{
}
#endif

/**
 * ks_fail_alloc() - whether an allocation of counters should fail
 *
 * Return: true when the fault attribute kabistat/fail_alloc or, in the
 * test build, test_fail_alloc says so.
 */
bool ks_fail_alloc(void)
{
	return ks_test_should_fail() || ks_fault_should_fail();
}
