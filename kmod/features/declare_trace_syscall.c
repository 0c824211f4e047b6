// SPDX-License-Identifier: GPL-2.0
/*
 * DECLARE_TRACE_SYSCALL(): the syscall tracepoints may fault, and their
 * probes run with preemption enabled (upstream 6.13).
 */
#include <linux/tracepoint.h>

#ifndef DECLARE_TRACE_SYSCALL
#error "no DECLARE_TRACE_SYSCALL"
#endif
