/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kabistat: per-cgroup system call accounting and the host kernel's ABI
 * identity.
 *
 * This header is the whole contract between kabistat.ko and user space.
 * Everything in it is append-only: numbers are never reused or renumbered,
 * structures only grow at their end, and a consumer must ignore attributes
 * it does not know.
 *
 * Generic netlink
 * ---------------
 * Family KABISTAT_GENL_NAME, version KABISTAT_GENL_VERSION, reachable from
 * the initial network namespace only.  Requests are validated strictly: an
 * unknown or malformed attribute is refused with an extended ACK message
 * naming it.  Every reply carries KABISTAT_A_TIMESTAMP_NS (CLOCK_BOOTTIME,
 * for computing rates) and KABISTAT_A_GENERATION.
 *
 * KABISTAT_CMD_GET_ABI (do; anyone)
 *   The kernel's ABI identity and the module's state.  Reply:
 *   KABISTAT_A_MODULE_VERSION, KABISTAT_A_UAPI_VERSION,
 *   KABISTAT_A_FAMILY_VERSION, KABISTAT_A_KERNEL_RELEASE,
 *   KABISTAT_A_KERNEL_VERSION, KABISTAT_A_KERNEL_MACHINE,
 *   KABISTAT_A_CGROUP_MODE, one KABISTAT_A_ABI nest per syscall ABI the
 *   kernel offers (see enum kabistat_abi_attr), and the counting state:
 *   KABISTAT_A_COUNTING, KABISTAT_A_TRACKED_CGROUPS,
 *   KABISTAT_A_MAX_CGROUPS, KABISTAT_A_MEMORY_USED, KABISTAT_A_MAX_MEMORY,
 *   KABISTAT_A_RELEASED_TTL, KABISTAT_A_EVENTS_DROPPED,
 *   KABISTAT_A_POOL_CGROUPS and KABISTAT_A_POOL_CHUNKS, and
 *   KABISTAT_A_OBSERVED only when the requester has CAP_PERFMON or
 *   CAP_SYS_ADMIN.  A request may carry KABISTAT_A_ABI_KNOWN, the
 *   KABISTAT_A_GENERATION of an earlier reply whose tables the requester
 *   kept: while the module's generation is still that one (the tables
 *   cannot have changed), the reply leaves out the KABISTAT_A_ABI nests.
 *   A requester that finds no nests and another generation asks again
 *   without it.
 *
 *   The first event of a cgroup takes a cgroup and a chunk of counter
 *   slots from a per-CPU pool, which a work item refills; an event that
 *   finds the pool empty goes to the overflow aggregate.
 *   KABISTAT_A_POOL_CGROUPS and KABISTAT_A_POOL_CHUNKS are the fewest
 *   cgroups and chunks any online CPU's pool holds at the reading: a tool
 *   (or a test) that starts cgroups faster than the pools refill can wait
 *   for them instead of guessing how long a refill takes.
 *
 *   The syscall table of an ABI is sent as KABISTAT_ABI_A_NAMES: for every
 *   number from 0 to KABISTAT_ABI_A_TABLE_SIZE - 1, in order, the syscall's
 *   name followed by a NUL byte (an empty name for a number that has none).
 *   KABISTAT_ABI_A_IMPLEMENTED is a bitmap of __u32 words in host byte
 *   order, bit (nr % 32) of word (nr / 32) set when the kernel implements
 *   the number; a named number the kernel does not implement (configured
 *   out, or obsolete) answers ENOSYS.  KABISTAT_ABI_A_HASH is the 64-bit
 *   FNV-1a hash over the text "<nr> <name>\n" of every implemented number
 *   in ascending order, so that two hosts can compare tables with one
 *   number.
 *
 * KABISTAT_CMD_GET_CGROUP (do and dump; CAP_PERFMON or CAP_SYS_ADMIN)
 *   do: one cgroup, chosen by KABISTAT_A_CGROUP_ID or by
 *   KABISTAT_A_CGROUP_FD, an open file descriptor of its cgroup2
 *   directory.  dump: every tracked cgroup, live and released, followed by
 *   the overflow and evicted aggregates; with KABISTAT_A_CGROUP_ID or
 *   KABISTAT_A_CGROUP_FD only that cgroup and its descendants.  A cgroup
 *   is reported as KABISTAT_A_CGROUP_ID, KABISTAT_A_CGROUP_PATH,
 *   KABISTAT_A_CGROUP_STATE, KABISTAT_A_CGROUP_FLAGS, a KABISTAT_A_STAT nest
 *   per (ABI, syscall) that has counts, a KABISTAT_A_OUT_OF_RANGE nest per
 *   ABI that has counts, and a KABISTAT_A_ERRNO nest per errno value seen.
 *   The overflow and evicted aggregates (KABISTAT_A_CGROUP_ID 0) have no
 *   per-syscall detail: one KABISTAT_A_STAT nest per ABI without
 *   KABISTAT_STAT_A_NR holds their totals, out-of-range events included.
 *
 *   A do reply is always one message, however large.  In a dump, a cgroup
 *   whose nests do not fit one message is sent as several consecutive
 *   messages (parts): every part repeats the header (KABISTAT_A_TIMESTAMP_NS,
 *   KABISTAT_A_GENERATION, KABISTAT_A_CGROUP_ID, KABISTAT_A_CGROUP_PATH,
 *   KABISTAT_A_CGROUP_STATE, KABISTAT_A_CGROUP_FLAGS), the KABISTAT_A_STAT,
 *   KABISTAT_A_OUT_OF_RANGE and KABISTAT_A_ERRNO nests are split between the
 *   parts (each in exactly one), and every part but the last carries
 *   KABISTAT_A_CGROUP_MORE.  A consumer merges a part with MORE into the
 *   following message(s) of the same cgroup id, up to the first part
 *   without MORE; the parts of a cgroup are never interleaved with other
 *   messages, and a RESET of the cgroup between them shows as a change of
 *   KABISTAT_A_GENERATION.  A dump works with any reader buffer of a page
 *   or more (the kernel sizes dump messages to the buffer the reader uses).
 *   A do reply needs a receive buffer as large as the reply.
 *
 *   A dump request with KABISTAT_A_PACKED gets each cgroup's counters in
 *   one KABISTAT_A_STATS_PACKED attribute instead of the KABISTAT_A_STAT,
 *   KABISTAT_A_OUT_OF_RANGE and KABISTAT_A_ERRNO nests: an array of struct
 *   kabistat_stat in host byte order, one entry per (ABI, syscall) with
 *   counts, per ABI with out-of-range counts (@nr KABISTAT_NR_OUT_OF_RANGE)
 *   and per errno value seen (@abi KABISTAT_STAT_ERRNO), in no particular
 *   order.  A cgroup sent in parts has one such attribute in each part,
 *   the entries split between them.  The aggregates keep their nests.
 *   Consumers read the entries at the stride sizeof(struct kabistat_stat)
 *   of this header; the structure does not grow.
 *
 *   Incremental dumps.  A dump request with KABISTAT_A_CHANGED_SINCE ends
 *   with one more message, after the aggregates: KABISTAT_A_TIMESTAMP_NS,
 *   KABISTAT_A_GENERATION and KABISTAT_A_DUMP_MARK, and no
 *   KABISTAT_A_CGROUP_ID.  KABISTAT_A_CHANGED_SINCE 0 dumps every cgroup;
 *   the KABISTAT_A_DUMP_MARK of an earlier complete dump (of the same
 *   subtree, or of everything) dumps only the cgroups whose counters,
 *   state (a release), flags, path or reset generation changed since that
 *   dump read them, and in a dump of everything, the aggregates (always sent).  The module
 *   finds them by summing each cgroup's counters when a marked dump visits
 *   it (nothing is added to the counting itself): a cgroup whose sum or
 *   state differs from the last visit's is stamped with the visit's place
 *   in a clock of marks, and a mark is a dump's place on that clock when it
 *   started.  A cgroup seen changed by the dump of the mark itself is not
 *   sent again; one seen changed by any other dump since is.  Counters only
 *   grow, and a reset changes the cgroup's generation, so no change goes
 *   unseen.  Cgroups that stopped being tracked are not reported: when
 *   any was evicted, or everything was reset, or the module was loaded
 *   again since the mark (a mark of another module instance), the request
 *   fails with ESTALE and an extended ACK saying which, before any
 *   message: the requester dumps again with KABISTAT_A_CHANGED_SINCE 0 and
 *   forgets the cgroups that dump did not report.  A mark is a counter,
 *   not a time; it is valid for the module instance that gave it.
 *
 * KABISTAT_CMD_RESET (do; CAP_SYS_ADMIN)
 *   Sets the baseline of one cgroup (KABISTAT_A_CGROUP_ID or _FD) or, with
 *   KABISTAT_A_RESET_ALL, of every cgroup and aggregate, to its current
 *   counts.  Counters are never decremented: later reads report counts above
 *   the baseline, and the generation changes.
 *
 * KABISTAT_CMD_SET (do; CAP_SYS_ADMIN)
 *   Runtime settings: KABISTAT_A_COUNTING (0 or 1) and
 *   KABISTAT_A_RELEASED_TTL (seconds a released cgroup is kept).
 *
 * Multicast group KABISTAT_MCGRP_EVENTS (CAP_SYS_ADMIN to join)
 *   KABISTAT_CMD_CGROUP_RELEASED: a cgroup was removed; the message holds
 *   its final counters as GET_CGROUP would report them.
 *   KABISTAT_CMD_FIRST_ENOSYS: a cgroup got ENOSYS from a syscall for the
 *   first time; KABISTAT_A_CGROUP_ID and one KABISTAT_A_STAT nest with the
 *   ABI and the number, KABISTAT_NR_OUT_OF_RANGE for the first ENOSYS of a
 *   number outside the ABI's table.
 *   Both carry KABISTAT_A_EVENT_SEQ, which increases by one per event sent;
 *   a gap means events were dropped and a listener should dump again.
 *
 * Counter semantics
 * -----------------
 * A syscall is counted once, in the cgroup (v2 hierarchy) of the calling
 * task, when it returns.  Counted when they enter instead: exit and
 * exit_group (they do not return), execve and execveat (a successful exec
 * returns in the ABI of the new image; the call is counted in the caller's),
 * sigreturn and rt_sigreturn (they return as number -1).  Number -1 is the
 * kernel's "no syscall" marker: the return of a sigreturn reports it and is
 * not a call; a call of number -1 (made so, or turned into -1 by a tracer
 * to skip it) is counted when it returns, out of range.  A call refused by
 * seccomp never enters: all of these are then counted when the refusal
 * returns, as a call with its error (none for SECCOMP_RET_ERRNO 0).  A
 * fork-family call is counted once, in the parent.
 *
 * "errors" counts returns in [-4095, -1] except the kernel-internal restart
 * codes (ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND,
 * ERESTART_RESTARTBLOCK), which user space never sees: those are counted as
 * "interrupted", not as errors, and the restarted call is counted again when
 * it returns.  "enosys" counts returns of -ENOSYS, "denied" returns of -EPERM
 * or -EACCES.  A number outside its ABI's table is counted in that ABI's
 * out-of-range counters only.
 *
 * Character device
 * ----------------
 * /dev/kabistat (mode 0600) answers the ioctls below, also from 32-bit
 * callers.  Each argument structure starts with __u32 argsz, the size the
 * caller passes.  A caller built against a newer header may pass a larger
 * structure whose unknown tail is zero (a non-zero tail: E2BIG); a smaller
 * one is refused with EINVAL.  Where the kernel has more entries to return
 * than the caller made room for, it stores the room it needs and fails with
 * ENOSPC.  KABISTAT_IOC_ABI_INFO is open to anyone who can open the device
 * (@observed is filled only for callers with CAP_PERFMON or CAP_SYS_ADMIN);
 * KABISTAT_IOC_CGROUP_STATS needs CAP_PERFMON or CAP_SYS_ADMIN and
 * KABISTAT_IOC_RESET CAP_SYS_ADMIN, both in the credentials that opened the
 * device and in the caller's.
 */

#ifndef _UAPI_LINUX_KABISTAT_H
#define _UAPI_LINUX_KABISTAT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KABISTAT_GENL_NAME		"kabistat"
#define KABISTAT_GENL_VERSION		1
#define KABISTAT_MCGRP_EVENTS		"events"

/* Bumped when this header changes incompatibly; additions keep it. */
#define KABISTAT_UAPI_VERSION		2

enum kabistat_cmd {
	KABISTAT_CMD_UNSPEC,
	KABISTAT_CMD_GET_ABI,
	KABISTAT_CMD_GET_CGROUP,
	KABISTAT_CMD_RESET,
	KABISTAT_CMD_SET,
	KABISTAT_CMD_CGROUP_RELEASED,
	KABISTAT_CMD_FIRST_ENOSYS,

	__KABISTAT_CMD_MAX,
	KABISTAT_CMD_MAX = __KABISTAT_CMD_MAX - 1
};

/* Syscall ABIs, the values of KABISTAT_ABI_A_ID and KABISTAT_STAT_A_ABI. */
enum kabistat_abi {
	KABISTAT_ABI_X86_64,
	KABISTAT_ABI_IA32,
	KABISTAT_ABI_X32,
	KABISTAT_ABI_ARM64,	/* the generic table of arm64 */
	KABISTAT_ABI_ARM,	/* AArch32 (EABI) tasks on arm64 */

	__KABISTAT_ABI_MAX
};

/*
 * Counting is always per cgroup of the v2 hierarchy.  Where controllers are
 * bound to v1 hierarchies, processes are often all left in one v2 cgroup,
 * and the counts then cannot tell containers apart.
 */
enum kabistat_cgroup_mode {
	KABISTAT_CGROUP_MODE_UNIFIED,	/* every controller on cgroup v2 */
	KABISTAT_CGROUP_MODE_HYBRID,	/* some controllers on v1 */
};

enum kabistat_cgroup_state {
	KABISTAT_CGROUP_LIVE,
	KABISTAT_CGROUP_RELEASED,	/* removed; counters kept */
	KABISTAT_CGROUP_OVERFLOW,	/* aggregate of untracked cgroups */
	KABISTAT_CGROUP_EVICTED,	/* aggregate of dropped released ones */
};

/* Bits of KABISTAT_A_CGROUP_FLAGS. */
#define KABISTAT_CGROUP_F_PARTIAL	(1U << 0) /* some events went to overflow */
#define KABISTAT_CGROUP_F_PATH_TRUNC	(1U << 1) /* path was cut short */

enum kabistat_attr {
	KABISTAT_A_UNSPEC,
	KABISTAT_A_PAD,
	KABISTAT_A_MODULE_VERSION,	/* string */
	KABISTAT_A_UAPI_VERSION,	/* u32 */
	KABISTAT_A_FAMILY_VERSION,	/* u32 */
	KABISTAT_A_KERNEL_RELEASE,	/* string, uname -r */
	KABISTAT_A_KERNEL_VERSION,	/* string, uname -v */
	KABISTAT_A_KERNEL_MACHINE,	/* string, uname -m */
	KABISTAT_A_CGROUP_MODE,		/* u32, enum kabistat_cgroup_mode */
	KABISTAT_A_ABI,			/* nest, enum kabistat_abi_attr */
	KABISTAT_A_COUNTING,		/* u8, 0 or 1 */
	KABISTAT_A_GENERATION,		/* u64, changes on reset and load */
	KABISTAT_A_TIMESTAMP_NS,	/* u64, CLOCK_BOOTTIME */
	KABISTAT_A_TRACKED_CGROUPS,	/* u32 */
	KABISTAT_A_MAX_CGROUPS,		/* u32 */
	KABISTAT_A_MEMORY_USED,		/* u64, bytes */
	KABISTAT_A_MAX_MEMORY,		/* u64, bytes */
	KABISTAT_A_RELEASED_TTL,	/* u32, seconds */
	KABISTAT_A_EVENTS_DROPPED,	/* u64 */
	KABISTAT_A_OBSERVED,		/* u64, syscalls seen since reset */
	KABISTAT_A_CGROUP_ID,		/* u64 */
	KABISTAT_A_CGROUP_FD,		/* s32, request only */
	KABISTAT_A_CGROUP_PATH,		/* string */
	KABISTAT_A_CGROUP_STATE,	/* u32, enum kabistat_cgroup_state */
	KABISTAT_A_CGROUP_FLAGS,	/* u32, KABISTAT_CGROUP_F_* */
	KABISTAT_A_STAT,		/* nest, enum kabistat_stat_attr */
	KABISTAT_A_OUT_OF_RANGE,	/* nest, enum kabistat_stat_attr */
	KABISTAT_A_ERRNO,		/* nest, enum kabistat_errno_attr */
	KABISTAT_A_RESET_ALL,		/* flag, request only */
	KABISTAT_A_EVENT_SEQ,		/* u64 */
	KABISTAT_A_CGROUP_MORE,		/* flag: the next message continues this cgroup */
	KABISTAT_A_ABI_KNOWN,		/* u64, request only: see GET_ABI */
	KABISTAT_A_POOL_CGROUPS,	/* u32, see GET_ABI */
	KABISTAT_A_POOL_CHUNKS,		/* u32, see GET_ABI */
	KABISTAT_A_PACKED,		/* flag, request only: see GET_CGROUP */
	KABISTAT_A_STATS_PACKED,	/* binary, struct kabistat_stat[] */
	KABISTAT_A_CHANGED_SINCE,	/* u64, request only: a dump mark */
	KABISTAT_A_DUMP_MARK,		/* u64, see GET_CGROUP */

	__KABISTAT_A_MAX,
	KABISTAT_A_MAX = __KABISTAT_A_MAX - 1
};

enum kabistat_abi_attr {
	KABISTAT_ABI_A_UNSPEC,
	KABISTAT_ABI_A_PAD,
	KABISTAT_ABI_A_ID,		/* u32, enum kabistat_abi */
	KABISTAT_ABI_A_NAME,		/* string: x86_64, ia32, x32, arm64, arm */
	KABISTAT_ABI_A_TABLE_SIZE,	/* u32 */
	KABISTAT_ABI_A_NR_IMPLEMENTED,	/* u32, numbers implemented */
	KABISTAT_ABI_A_IMPLEMENTED,	/* binary, see GET_ABI above */
	KABISTAT_ABI_A_NAMES,		/* binary, see GET_ABI above */
	KABISTAT_ABI_A_HASH,		/* u64 */

	__KABISTAT_ABI_A_MAX,
	KABISTAT_ABI_A_MAX = __KABISTAT_ABI_A_MAX - 1
};

/*
 * Counters of one (ABI, syscall) of a cgroup; in KABISTAT_A_OUT_OF_RANGE
 * the same counters summed over the numbers outside the ABI's table, with
 * no KABISTAT_STAT_A_NR.
 */
enum kabistat_stat_attr {
	KABISTAT_STAT_A_UNSPEC,
	KABISTAT_STAT_A_PAD,
	KABISTAT_STAT_A_ABI,		/* u32, enum kabistat_abi */
	KABISTAT_STAT_A_NR,		/* u32 */
	KABISTAT_STAT_A_CALLS,		/* u64 */
	KABISTAT_STAT_A_ERRORS,		/* u64 */
	KABISTAT_STAT_A_ENOSYS,		/* u64 */
	KABISTAT_STAT_A_DENIED,		/* u64 */
	KABISTAT_STAT_A_INTERRUPTED,	/* u64 */

	__KABISTAT_STAT_A_MAX,
	KABISTAT_STAT_A_MAX = __KABISTAT_STAT_A_MAX - 1
};

/* errno values above this are counted as "other" (KABISTAT_ERRNO_A_VALUE 0) */
#define KABISTAT_ERRNO_MAX		133

enum kabistat_errno_attr {
	KABISTAT_ERRNO_A_UNSPEC,
	KABISTAT_ERRNO_A_PAD,
	KABISTAT_ERRNO_A_VALUE,		/* u32, 1..KABISTAT_ERRNO_MAX, 0: other */
	KABISTAT_ERRNO_A_COUNT,		/* u64 */

	__KABISTAT_ERRNO_A_MAX,
	KABISTAT_ERRNO_A_MAX = __KABISTAT_ERRNO_A_MAX - 1
};

/* ioctls of /dev/kabistat */
#define KABISTAT_IOCTL_TYPE		0xBB
#define KABISTAT_IOCTL_BASE		0x40

#define KABISTAT_RELEASE_LEN		65	/* struct new_utsname fields */

/**
 * struct kabistat_abi_info - KABISTAT_IOC_ABI_INFO
 * @argsz:		size of this structure as the caller knows it
 * @uapi_version:	KABISTAT_UAPI_VERSION of the module
 * @generation:		as KABISTAT_A_GENERATION
 * @timestamp_ns:	as KABISTAT_A_TIMESTAMP_NS
 * @abi_mask:		bit (1 << enum kabistat_abi) per ABI the kernel offers
 * @tracked_cgroups:	as KABISTAT_A_TRACKED_CGROUPS
 * @max_cgroups:	as KABISTAT_A_MAX_CGROUPS
 * @counting:		as KABISTAT_A_COUNTING
 * @memory_used:	as KABISTAT_A_MEMORY_USED
 * @observed:		as KABISTAT_A_OBSERVED; 0 for a caller without
 *			CAP_PERFMON or CAP_SYS_ADMIN
 * @release:		as KABISTAT_A_KERNEL_RELEASE, NUL-terminated
 * @machine:		as KABISTAT_A_KERNEL_MACHINE, NUL-terminated
 */
struct kabistat_abi_info {
	__u32		argsz;
	__u32		uapi_version;
	__aligned_u64	generation;
	__aligned_u64	timestamp_ns;
	__u32		abi_mask;
	__u32		tracked_cgroups;
	__u32		max_cgroups;
	__u32		counting;
	__aligned_u64	memory_used;
	__aligned_u64	observed;
	char		release[KABISTAT_RELEASE_LEN];
	char		machine[KABISTAT_RELEASE_LEN];
	__u8		__reserved[6];
};

#define KABISTAT_IOC_ABI_INFO	_IO(KABISTAT_IOCTL_TYPE, KABISTAT_IOCTL_BASE + 0)

/**
 * struct kabistat_stat - counters of one (ABI, syscall)
 * @abi:	enum kabistat_abi
 * @nr:		syscall number, or KABISTAT_NR_OUT_OF_RANGE
 */
struct kabistat_stat {
	__u32		abi;
	__u32		nr;
	__aligned_u64	calls;
	__aligned_u64	errors;
	__aligned_u64	enosys;
	__aligned_u64	denied;
	__aligned_u64	interrupted;
};

#define KABISTAT_NR_OUT_OF_RANGE	0xffffffffU

/*
 * In KABISTAT_A_STATS_PACKED, the @abi of an entry that holds the count of
 * one errno value: @nr is the value (1..KABISTAT_ERRNO_MAX, 0: other) and
 * @calls the count, the other counters 0.
 */
#define KABISTAT_STAT_ERRNO		0xffffffffU

/**
 * struct kabistat_cgroup_stats - KABISTAT_IOC_CGROUP_STATS
 * @argsz:	size of this structure as the caller knows it
 * @cgroup_fd:	in: fd of the cgroup's cgroup2 directory
 * @stats:	in: user address of an array of struct kabistat_stat
 * @stats_len:	in: entries the array has room for; out: entries the
 *		cgroup has (on ENOSPC, the room needed)
 * @stat_size:	in: sizeof(struct kabistat_stat) as the caller knows it;
 *		entries are written at that stride, cut to what both know
 * @cgroup_id:	out
 * @generation:	out, as KABISTAT_A_GENERATION
 * @timestamp_ns: out, as KABISTAT_A_TIMESTAMP_NS
 * @state:	out, enum kabistat_cgroup_state
 * @flags:	out, KABISTAT_CGROUP_F_*
 *
 * The entries are one per (ABI, syscall) with counts, then one per ABI with
 * out-of-range counts (nr KABISTAT_NR_OUT_OF_RANGE).
 */
struct kabistat_cgroup_stats {
	__u32		argsz;
	__s32		cgroup_fd;
	__aligned_u64	stats;
	__u32		stats_len;
	__u32		stat_size;
	__aligned_u64	cgroup_id;
	__aligned_u64	generation;
	__aligned_u64	timestamp_ns;
	__u32		state;
	__u32		flags;
};

#define KABISTAT_IOC_CGROUP_STATS _IO(KABISTAT_IOCTL_TYPE, KABISTAT_IOCTL_BASE + 1)

#define KABISTAT_RESET_F_ALL	(1U << 0)

/**
 * struct kabistat_reset - KABISTAT_IOC_RESET
 * @argsz:	size of this structure
 * @flags:	KABISTAT_RESET_F_ALL, or 0 to reset the cgroup of @cgroup_fd
 * @cgroup_fd:	fd of the cgroup's cgroup2 directory
 */
struct kabistat_reset {
	__u32		argsz;
	__u32		flags;
	__s32		cgroup_fd;
	__u32		__reserved;
};

#define KABISTAT_IOC_RESET	_IO(KABISTAT_IOCTL_TYPE, KABISTAT_IOCTL_BASE + 2)

#endif /* _UAPI_LINUX_KABISTAT_H */
