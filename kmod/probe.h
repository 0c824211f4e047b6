/* SPDX-License-Identifier: GPL-2.0 */
/* What the syscall probes share: who is calling, and in which ABI. */
#ifndef KABISTAT_PROBE_H
#define KABISTAT_PROBE_H

#include <linux/cgroup.h>
#include <linux/kabistat.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <asm/syscall.h>

#include "compat.h"

static __always_inline u32 ks_current_abi(void)
{
	return ks_in_compat_syscall() ? KS_ABI_COMPAT : KS_ABI_NATIVE;
}

/* Call with preemption disabled: css_sets are freed after RCU. */
static __always_inline u64 ks_current_cgid(void)
{
	return cgroup_id(rcu_dereference_sched(current->cgroups)->dfl_cgrp);
}

/* What a task is inside of, between a probed entry and its sys_exit. */
enum ks_inflight {
	KS_IN_EXEC,
	KS_IN_SIGRETURN,
};

bool ks_inflight_leave(enum ks_inflight what);
int ks_entry_register(void);
void ks_entry_unregister(void);

#endif /* KABISTAT_PROBE_H */
