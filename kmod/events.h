/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_EVENTS_H
#define KABISTAT_EVENTS_H

#include <linux/types.h>

struct ks_cgroup;

int ks_events_init(void);
void ks_events_exit(void);
void ks_event_first_enosys(u64 cgid, u32 key);
void ks_event_released(struct ks_cgroup *cg);
u64 ks_events_dropped(void);

#endif /* KABISTAT_EVENTS_H */
