/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall ABIs of the architecture the tests are built for: the
 * native one their own calls are counted in, and the compat one.
 * TEST_NR_NOT_IMPLEMENTED is a native number the table names but the
 * kernel never implements (TEST_NOT_IMPLEMENTED_NAME).  TEST_SINCE(v) is
 * the first version the CLI gives a syscall of Linux v: arm64 began in 3.7.
 * TEST_AUDIT_ARCH is the native ABI's seccomp_data.arch, TEST_SCMP_ARCH
 * its name in a seccomp profile.  On x86, test_int80() makes an ia32
 * syscall through the compat gate from 64-bit code.
 */
#ifndef KABISTAT_SELFTESTS_ABIS_H
#define KABISTAT_SELFTESTS_ABIS_H

#include <linux/audit.h>
#include <linux/kabistat.h>

#ifdef __aarch64__
#define TEST_ABI_NATIVE		KABISTAT_ABI_ARM64
#define TEST_ABI_NATIVE_NAME	"arm64"
#define TEST_ABI_COMPAT		KABISTAT_ABI_ARM
#define TEST_ABI_COMPAT_NAME	"arm"
#define TEST_NR_NOT_IMPLEMENTED	42
#define TEST_NOT_IMPLEMENTED_NAME "nfsservctl"
#define TEST_SINCE(v)		"3.7"
#define TEST_AUDIT_ARCH		AUDIT_ARCH_AARCH64
#define TEST_SCMP_ARCH		"SCMP_ARCH_AARCH64"
#else
#define TEST_ABI_NATIVE		KABISTAT_ABI_X86_64
#define TEST_ABI_NATIVE_NAME	"x86_64"
#define TEST_ABI_COMPAT		KABISTAT_ABI_IA32
#define TEST_ABI_COMPAT_NAME	"ia32"
#define TEST_NR_NOT_IMPLEMENTED	134
#define TEST_NOT_IMPLEMENTED_NAME "uselib"
#define TEST_SINCE(v)		v
#define TEST_AUDIT_ARCH		AUDIT_ARCH_X86_64
#define TEST_SCMP_ARCH		"SCMP_ARCH_X86_64"

static inline long test_int80(long nr, long arg0)
{
	long ret;

	__asm__ volatile ("int $0x80"
			  : "=a" (ret)
			  : "a" (nr), "b" (arg0)
			  : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

#endif /* KABISTAT_SELFTESTS_ABIS_H */
