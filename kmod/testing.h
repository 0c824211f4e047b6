/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks for the selftests, none of which a production build carries.
 *
 * Allocation failures come from the kernel's fault-injection framework
 * where the kernel has it (debugfs kabistat/fail_alloc), in any build.  The
 * rest exists only in the test build of the module (-DKABISTAT_TESTING,
 * `make module-test`): the uapi version GET_ABI reports, an attribute no
 * library knows in replies, and, on kernels without fault injection, a
 * parameter that makes 1 in N allocations fail.
 */
#ifndef KABISTAT_TESTING_H
#define KABISTAT_TESTING_H

#include <linux/types.h>
#include <linux/kabistat.h>

#if defined(CONFIG_FAULT_INJECTION) || defined(KABISTAT_TESTING)
bool ks_fail_alloc(void);
int ks_testing_init(void);
void ks_testing_exit(void);
#else
static inline bool ks_fail_alloc(void)
{
	return false;
}

static inline int ks_testing_init(void)
{
	return 0;
}

static inline void ks_testing_exit(void)
{
}
#endif

#ifdef KABISTAT_TESTING
extern unsigned int ks_test_uapi_version;
extern bool ks_test_unknown_attr;
#else
#define ks_test_uapi_version	KABISTAT_UAPI_VERSION
#define ks_test_unknown_attr	false
#endif

#endif /* KABISTAT_TESTING_H */
