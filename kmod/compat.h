/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel versions kabistat builds for lives
 * here, and nothing else does.
 */
#ifndef KABISTAT_COMPAT_H
#define KABISTAT_COMPAT_H

#include <linux/version.h>

#endif /* KABISTAT_COMPAT_H */
