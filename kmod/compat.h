/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel versions kabistat builds for lives
 * here, and nothing else does.
 */
#ifndef KABISTAT_COMPAT_H
#define KABISTAT_COMPAT_H

#include <linux/preempt.h>
#include <linux/tracepoint.h>

/*
 * From 6.13 the syscall tracepoints may fault: their probes run under RCU
 * Tasks Trace with preemption enabled, and the per-CPU counters need it
 * disabled.  DECLARE_TRACE_SYSCALL() came with that change.  Before, the
 * probes run with preemption disabled already, and the hot path is spared
 * the extra work.
 */
#ifdef DECLARE_TRACE_SYSCALL
static __always_inline void ks_syscall_probe_begin(void)
{
	preempt_disable_notrace();
}

static __always_inline void ks_syscall_probe_end(void)
{
	preempt_enable_notrace();
}
#else
static __always_inline void ks_syscall_probe_begin(void)
{
}

static __always_inline void ks_syscall_probe_end(void)
{
}
#endif

#endif /* KABISTAT_COMPAT_H */
