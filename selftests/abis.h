/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall ABIs of the architecture the tests are built for: the
 * native one their own calls are counted in, and the compat one.
 */
#ifndef KABISTAT_SELFTESTS_ABIS_H
#define KABISTAT_SELFTESTS_ABIS_H

#include <linux/kabistat.h>

#ifdef __aarch64__
#define TEST_ABI_NATIVE		KABISTAT_ABI_ARM64
#define TEST_ABI_NATIVE_NAME	"arm64"
#define TEST_ABI_COMPAT		KABISTAT_ABI_ARM
#else
#define TEST_ABI_NATIVE		KABISTAT_ABI_X86_64
#define TEST_ABI_NATIVE_NAME	"x86_64"
#define TEST_ABI_COMPAT		KABISTAT_ABI_IA32
#endif

#endif /* KABISTAT_SELFTESTS_ABIS_H */
