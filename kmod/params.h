/* SPDX-License-Identifier: GPL-2.0 */
/* Module parameters (read-only once loaded) and runtime settings. */
#ifndef KABISTAT_PARAMS_H
#define KABISTAT_PARAMS_H

#include <linux/atomic.h>
#include <linux/jump_label.h>
#include <linux/types.h>

extern unsigned int ks_max_cgroups;
extern unsigned long ks_max_memory;
extern unsigned int ks_cache_slots;

/* Changed at run time through SET; read with READ_ONCE(). */
extern unsigned int ks_released_ttl;
DECLARE_STATIC_KEY_TRUE(ks_counting);

/* Bytes allocated for cgroups and their slots, pools included. */
extern atomic_long_t ks_memory_used;

#endif /* KABISTAT_PARAMS_H */
