/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels kabistat builds for lives here, and
 * nothing else does.  Which kernel has what is never told by its version:
 * Kbuild probes the headers of the kernel being built for, one feature at
 * a time (features/, gen-compat.sh), and compat-features.h says
 * KS_HAVE_<FEATURE> for each one it has.  Where a kernel lacks something,
 * the helper below does the same itself.
 */
#ifndef KABISTAT_COMPAT_H
#define KABISTAT_COMPAT_H

#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/tracepoint.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <asm/syscall.h>
#include <linux/kabistat.h>

#include "compat-features.h"

/*
 * The architecture's two syscall ABIs: the native one (syscalls_64.inc)
 * and the 32-bit one of compat tasks (syscalls_32.inc).  x86 asks
 * in_ia32_syscall(), not in_compat_syscall(), which x32 calls satisfy too;
 * on arm64 the two are one.
 */
#ifdef CONFIG_ARM64
#define KS_ABI_NATIVE		KABISTAT_ABI_ARM64
#define KS_ABI_NATIVE_NAME	"arm64"
#define KS_ABI_COMPAT		KABISTAT_ABI_ARM
#define KS_ABI_COMPAT_NAME	"arm"

static __always_inline bool ks_in_compat_syscall(void)
{
	return in_compat_syscall();
}

/*
 * The word a syscall's ABI is read from (see ks_raw_tag()): 0 in a native
 * call, KS_COMPAT_STATUS in a compat one.
 */
#define KS_COMPAT_STATUS	1

static __always_inline u32 ks_status_word(void)
{
	return ks_in_compat_syscall();
}

/*
 * arm64 tells a compat task by its image (TIF_32BIT), not by how the call
 * entered: an exec that changes the task's ABI returns in the new image's
 * ABI with the number it entered with, the other ABI's execve.
 */
#define KS_EXEC_SWITCHES_ABI

/* The number a syscall ran as: arm64 keeps it in an int of its own. */
static __always_inline u32 ks_exit_nr(struct pt_regs *regs)
{
	return syscall_get_nr(current, regs);
}
#else
#define KS_ABI_NATIVE		KABISTAT_ABI_X86_64
#define KS_ABI_NATIVE_NAME	"x86_64"
#define KS_ABI_COMPAT		KABISTAT_ABI_IA32
#define KS_ABI_COMPAT_NAME	"ia32"

static __always_inline bool ks_in_compat_syscall(void)
{
	return in_ia32_syscall();
}

/*
 * The word a syscall's ABI is read from (see ks_raw_tag()): the thread's
 * status, whose TS_COMPAT bit in_ia32_syscall() tests, as it is -- 0 in a
 * native call, KS_COMPAT_STATUS in an ia32 one, or with other bits set
 * (TS_I386_REGS_POKED) a word that names no ABI.
 */
#define KS_COMPAT_STATUS	TS_COMPAT

static __always_inline u32 ks_status_word(void)
{
	return IS_ENABLED(CONFIG_IA32_EMULATION) ?
	       current_thread_info()->status : 0;
}

/*
 * The number a syscall ran as: the kernel dispatches on the low 32 bits of
 * orig_ax (the entry code makes the number an int), as sys_enter reports
 * them; int $0x80 leaves -1 zero-extended there.  Read as 32 bits, the low
 * half of the little-endian word: lower_32_bits() costs GCC an
 * instruction to clear the high half.
 */
static __always_inline u32 ks_exit_nr(struct pt_regs *regs)
{
	return *(u32 *)&regs->orig_ax;
}
#endif

/*
 * From 6.13 the syscall tracepoints may fault: their probes run under RCU
 * Tasks Trace with preemption enabled, and the per-CPU counters need it
 * disabled.  DECLARE_TRACE_SYSCALL() came with that change.  Before, the
 * probes run with preemption disabled already, and the hot path is spared
 * the extra work.
 */
#ifdef KS_HAVE_DECLARE_TRACE_SYSCALL
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

/*
 * The entry points of syscalls, by ABI: the kernel's syscall wrappers
 * (since 4.17 on x86, 4.19 on arm64), the compat one first where an ABI
 * has both.  On arm64 the compat ABI shares the native wrappers of the
 * calls that need no conversion (exit, exit_group).
 */
#define KS_ENTRY_PREFIXES	2

static inline const char *ks_entry_prefix(u32 abi, unsigned int i)
{
	static const char *const prefixes[][KS_ENTRY_PREFIXES] = {
#ifdef CONFIG_ARM64
		[KABISTAT_ABI_ARM64] = { "__arm64_sys_" },
		[KABISTAT_ABI_ARM] = { "__arm64_compat_sys_", "__arm64_sys_" },
#else
		[KABISTAT_ABI_X86_64] = { "__x64_sys_" },
		[KABISTAT_ABI_IA32] = { "__ia32_compat_sys_", "__ia32_sys_" },
#endif
	};

	return abi < ARRAY_SIZE(prefixes) ? prefixes[abi][i] : NULL;
}

/**
 * ks_cgroup_get_from_id() - a live cgroup of the default hierarchy by id
 * @id: cgroup id
 *
 * Kernels without cgroup_get_from_id() for modules: a walk of the default
 * hierarchy under RCU, which visits every cgroup (once per cgroup the
 * module starts tracking, and per request naming a cgroup by id).
 *
 * Return: the cgroup, with a reference for cgroup_put(), or an ERR_PTR().
 * Context: process context.
 */
#ifdef KS_HAVE_CGROUP_GET_FROM_ID
static inline struct cgroup *ks_cgroup_get_from_id(u64 id)
{
	return cgroup_get_from_id(id);
}
#else
static inline struct cgroup *ks_cgroup_get_from_id(u64 id)
{
	struct cgroup *found = ERR_PTR(-ENOENT);
	struct cgroup_subsys_state *css;

	rcu_read_lock();
	css_for_each_descendant_pre(css, &cgrp_dfl_root.cgrp.self) {
		if (cgroup_id(css->cgroup) != id)
			continue;
		/* A removed cgroup stays in the walk until it is freed. */
		if (css_tryget_online(css))
			found = css->cgroup;
		break;
	}
	rcu_read_unlock();
	return found;
}
#endif

/*
 * The events multicast group: CAP_SYS_ADMIN only.  Kernels have the check
 * as a flag of the group (6.7, 6.1 and 6.6 stable) or as a bit of its own
 * (5.10 and 5.15 stable); either refuses joining.  Kernels with neither
 * let anyone join, and the module then sends its events only to the
 * sockets opened with CAP_SYS_ADMIN (KS_GENL_MCAST_FILTER), so that a
 * listener without it receives nothing.
 */
#if defined(KS_HAVE_GENL_MCAST_CAP_SYS_ADMIN)
#define KS_GENL_MCGRP_SYS_ADMIN(n)	{ .name = n, .flags = GENL_MCAST_CAP_SYS_ADMIN }
#elif defined(KS_HAVE_GENL_MCGRP_CAP_SYS_ADMIN)
#define KS_GENL_MCGRP_SYS_ADMIN(n)	{ .name = n, .cap_sys_admin = 1 }
#else
#define KS_GENL_MCGRP_SYS_ADMIN(n)	{ .name = n }
#define KS_GENL_MCAST_FILTER
#endif

#ifdef KS_GENL_MCAST_FILTER
/* Non-zero: @dsk does not get the message. */
static inline int ks_genl_mcast_refuse(struct sock *dsk, struct sk_buff *skb,
				       void *data)
{
	struct socket *sock = READ_ONCE(dsk->sk_socket);

	return !sock || !sock->file ||
	       !file_ns_capable(sock->file, &init_user_ns, CAP_SYS_ADMIN);
}
#endif

/**
 * ks_genl_multicast() - send a message to a multicast group of a family
 * @family:	the family, registered in the initial namespace only
 * @skb:	the message, consumed
 * @group:	the group's index in @family
 * @flags:	allocation flags
 *
 * Return: 0 or a negative errno (-ESRCH: no listener).
 */
static inline int ks_genl_multicast(const struct genl_family *family,
				    struct sk_buff *skb, unsigned int group,
				    gfp_t flags)
{
#ifdef KS_GENL_MCAST_FILTER
	int err;

	group += family->mcgrp_offset;
	NETLINK_CB(skb).dst_group = group;
	err = netlink_broadcast_filtered(init_net.genl_sock, skb, 0, group,
					 flags, ks_genl_mcast_refuse, NULL);
	return err > 0 ? 0 : err;
#else
	return genlmsg_multicast(family, skb, 0, group, flags);
#endif
}

/*
 * Strict requests: from 6.1 the core refuses, for the operations from
 * genl_family.resv_start_op on, a genetlink header with reserved bits set
 * and netlink flags other than request, ack, echo and dump.  Before, the
 * family checks the same itself: KS_GENL_FAMILY_STRICT() puts
 * ks_genl_pre_doit() in front of every do, and a dump's start callback
 * calls ks_genl_check_header().
 */
#ifdef KS_HAVE_GENL_RESV_START_OP
#define KS_GENL_FAMILY_STRICT(first_op)	.resv_start_op = (first_op)

static inline int ks_genl_check_header(const struct nlmsghdr *nlh,
				       struct netlink_ext_ack *extack)
{
	return 0;
}
#else
static inline int ks_genl_check_header(const struct nlmsghdr *nlh,
				       struct netlink_ext_ack *extack)
{
	const struct genlmsghdr *hdr = nlmsg_data(nlh);
	u16 flags = nlh->nlmsg_flags;

	if (hdr->reserved) {
		NL_SET_ERR_MSG(extack, "genlmsghdr.reserved field is not 0");
		return -EINVAL;
	}
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) {
		NL_SET_ERR_MSG(extack,
			       "ambiguous or reserved bits set in nlmsg_flags");
		return -EINVAL;
	}
	return 0;
}

static inline int ks_genl_pre_doit(const struct genl_ops *ops,
				   struct sk_buff *skb, struct genl_info *info)
{
	return ks_genl_check_header(info->nlhdr, info->extack);
}

#define KS_GENL_FAMILY_STRICT(first_op)	.pre_doit = ks_genl_pre_doit
#endif

#endif /* KABISTAT_COMPAT_H */
