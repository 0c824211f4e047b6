/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-cgroup syscall counters.
 *
 * Each CPU owns a small direct-mapped cache of (cgroup id, key) -> counters
 * that only it writes, so a repeat event touches one cache line of its own
 * and nothing else.  When a cache slot is needed for another key, its counts
 * move into the cgroup's shared slot for that key, under the cgroup's lock
 * and seqcount.  A reader sums, under the seqcount, each shared slot and the
 * one cache slot of every possible CPU where that key can live: a move is
 * seen entirely or retried, so nothing is missed or counted twice.  The
 * errno histogram's counts of a syscall's repeated errno stay in its cache
 * slot (struct ks_cslot), and readers fold them in per CPU and slot.
 *
 * A key is (kind, number): the kind is a syscall ABI, with the number a
 * syscall number or KS_NR_OOR for numbers outside the ABI's table, or
 * KS_KIND_ERRNO with an errno value (0 for "other") counted in calls.
 *
 * The probes count with preemption disabled (6.13 made syscall probes
 * preemptible, so they disable it themselves).  That makes each event an
 * RCU read-side critical section: the task's css_set and the tracked
 * cgroups it looks up are freed only after a grace period.
 *
 * Memory: a cgroup holds one shared slot per key it used; every CPU holds
 * one cache of fixed size.  First events draw cgroups and slot chunks from a
 * per-CPU pool that a workqueue refills, off a cgroup's first event unless
 * the pool runs low; an empty pool or the cap sends
 * events to the per-CPU overflow counters instead.
 */
#ifndef KABISTAT_STATS_H
#define KABISTAT_STATS_H

#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/kabistat.h>

#include "abi.h"
#include "compat.h"

#define KS_NR_ABIS		__KABISTAT_ABI_MAX
#define KS_KIND_ERRNO		0xff
#define KS_NR_OOR		0xffff
#define KS_KEY(kind, nr)	(((u32)(kind) << 16) | (u16)(nr))
#define KS_KEY_KIND(key)	((key) >> 16)
#define KS_KEY_NR(key)		((key) & 0xffff)

#define KS_CHUNK_SLOTS		15
#define KS_PATH_LEN		256
#define KS_MAX_LEVEL		16
#define KS_POOL_CGROUPS		8
#define KS_POOL_CHUNKS		16

struct ks_counters {
	u64 calls;
	u64 errors;
	u64 enosys;
	u64 denied;
	u64 interrupted;
};

/* A cgroup's counts for one key, moved in from the CPU caches. */
struct ks_slot {
	u32 key;
	unsigned long flags;		/* KS_SLOT_* bits */
	struct ks_counters c;
	struct ks_counters base;	/* reset baseline */
};

#define KS_SLOT_ENOSYS_SEEN	0	/* bit: first ENOSYS announced */

struct ks_chunk {
	struct ks_chunk *next;
	u32 used;			/* slots published to readers */
	struct ks_slot slot[KS_CHUNK_SLOTS];
};

enum ks_cgroup_state {
	KS_LIVE = KABISTAT_CGROUP_LIVE,
	KS_RELEASED = KABISTAT_CGROUP_RELEASED,
	KS_RELEASING,			/* removed, CPU caches not drained yet */
};

/**
 * struct ks_seen - a cgroup as the last marked dump that visited it saw it
 * @activity:	ks_activity() then
 * @moves:	the cgroup's @moves with which @activity was read
 * @meta:	state, flags and whether the path was known
 * @generation:	generation then
 * @stamp:	the mark clock when a visit last found it changed
 * @by:		mark of the dump that made that visit
 */
struct ks_seen {
	u64 activity;
	u64 moves;
	u64 meta;
	u64 generation;
	u64 stamp;
	u64 by;
};

/**
 * struct ks_cgroup - one tracked cgroup
 * @node:	in its ks_table bucket, sorted by id
 * @released:	in ks_released_list, oldest release first
 * @rcu:	for freeing after lockless lookups
 * @id:		cgroup id
 * @lock:	serialises writers of @chunks, @path, @state and @flags; raw,
 *		as the probes take it with preemption disabled (PREEMPT_RT)
 * @seq:	readers of the shared slots retry when counts moved
 * @moves:	writes under @seq so far (moves of counts into the shared
 *		slots, cache entries let go, resets); under @lock
 * @cached:	CPU cache entries that hold one of its keys; under @lock
 * @chunks:	shared slots, appended to, never removed while tracked
 * @last:	last chunk of @chunks
 * @state:	enum ks_cgroup_state
 * @flags:	KABISTAT_CGROUP_F_*
 * @generation:	generation of the last reset of this cgroup
 * @released_at: CLOCK_BOOTTIME seconds of the release
 * @level:	depth in the hierarchy (root 0), 0 while @ancestors unknown
 * @ancestors:	ids of the ancestors at levels 1..min(@level, KS_MAX_LEVEL)
 * @path:	path from the cgroup2 root, "" while unknown
 * @path_node:	in the list of cgroups whose @path is to be resolved
 * @path_pending: @path not resolved yet; not evictable meanwhile
 * @dumpers:	dumps between two parts of this cgroup; not evictable then
 *		either; under ks_cgroups_mutex
 * @mark:	what marked dumps saw of it (dumpmark.h); under
 *		ks_cgroups_mutex
 */
struct ks_cgroup {
	struct hlist_node node;
	struct list_head released;
	struct rcu_head rcu;
	u64 id;
	raw_spinlock_t lock;		/* see @lock above */
	seqcount_raw_spinlock_t seq;
	u64 moves;
	u32 cached;
	struct ks_chunk *chunks;
	struct ks_chunk *last;
	u32 state;
	u32 flags;
	u64 generation;
	u64 released_at;
	u32 level;
	u64 ancestors[KS_MAX_LEVEL];
	char path[KS_PATH_LEN];
	struct llist_node path_node;
	bool path_pending;
	u32 dumpers;
	struct ks_seen mark;
};

/*
 * A cache entry's tag: its key as the probe sees a syscall (ks_raw_tag()),
 * the raw 32-bit number in bits 0-31 below the word its ABI is read from
 * (ks_status_word(): 0 for the native ABI, KS_COMPAT_STATUS for the compat
 * one), so that a repeat call is found without checking the number
 * against the ABI's table nor the word for other bits.  Errno keys carry
 * KS_TAG_ERRNO with the errno's complement as their number, so that their
 * entries index far from the syscalls of the same numbers.  Entries that
 * must not be counted plainly (out-of-range numbers, the syscalls counted
 * specially) carry KS_TAG_SLOW as well, which no raw tag has: the probe
 * never takes them for its own.
 */
#define KS_TAG_SLOW	BIT_ULL(63)
#define KS_TAG_ERRNO	BIT_ULL(62)
#define KS_TAG_ABI	32
#define KS_TAG_ERRNO_NR(err)	((u32)~(err))

/*
 * A cache slot's errno tag: its errno key's number plus one in the low
 * byte (KS_ERR_TAG_KEY); KS_ERR_TAG_CLASSIFY for the errnos that count in a counter of
 * their own too (ENOSYS, EPERM, EACCES), so that the probe's one compare
 * with the errno plus one finds only the others (no errno is as large,
 * nor is a kernel-internal restart code an errno key's number).
 */
#define KS_ERR_TAG_CLASSIFY	0x10000
#define KS_ERR_TAG_KEY		0xff

/*
 * One entry of a CPU's cache.  A syscall's entry also holds its errors'
 * share of the errno histogram while they keep failing with one errno:
 * those of c.errors past @err_base are all of one errno key (see
 * KS_ERR_TAG_CLASSIFY; none while @err_tag is 0).  Only a change of errno,
 * or the entry's move, moves them into that key's shared slot @err_shared,
 * under the cgroup's lock and seqcount; readers fold the rest in
 * (ks_read()).  Errno keys' own entries count nothing: they keep the way
 * to their shared slot.
 * What the probe touches comes first, in 64 bytes; 128 in all, so that the
 * index is found with a shift.
 */
struct ks_cslot {
	u64 cgid;			/* 0: empty */
	u64 tag;			/* see KS_TAG_SLOW */
	struct ks_counters c;
	u32 err_tag;
	struct ks_cgroup *cg;
	struct ks_slot *shared;
	struct ks_slot *err_shared;
	u64 err_base;
} __aligned(128);

/**
 * struct ks_cpu - what one CPU owns; only that CPU writes it
 * @cache:	direct-mapped cache, ks_cache_slots entries
 * @overflow:	per ABI, events of cgroups that could not be tracked
 * @pool_cg:	pre-allocated cgroups for first events
 * @pool_chunk:	pre-allocated slot chunks for first events
 * @refill:	refills the pools on this CPU
 * @refill_later: the same, a tick later (ks_pool_refill_kick())
 * @drain:	moves cached counts of released cgroups out, on this CPU
 */
struct ks_cpu {
	struct ks_cslot *cache;
	struct ks_counters overflow[KS_NR_ABIS];
	unsigned int nr_pool_cg;
	unsigned int nr_pool_chunk;
	struct ks_cgroup *pool_cg[KS_POOL_CGROUPS];
	struct ks_chunk *pool_chunk[KS_POOL_CHUNKS];
	struct work_struct refill;
	struct delayed_work refill_later;
	struct work_struct drain;
};

/* A reading of one key of a cgroup, baseline subtracted. */
struct ks_reading {
	u32 key;
	struct ks_counters c;
};

DECLARE_PER_CPU(struct ks_cpu, ks_cpus);
/* Calls counted on each CPU; a variable of its own for a one-op update. */
DECLARE_PER_CPU(u64, ks_observed_calls);
extern unsigned long ks_cache_mask;

int ks_stats_init(void);
void ks_stats_exit(void);
void ks_count(struct ks_cpu *cpu, u64 cgid, u32 key, long ret, bool call);
void ks_count_error(struct ks_cslot *cs, u64 cgid, long ret);
void ks_drain_all(void);
bool ks_cached(struct ks_cgroup *cg);
int ks_read(struct ks_cgroup *cg, struct ks_reading **out, u32 *nr);
u64 ks_activity(struct ks_cgroup *cg, u64 *moves, u64 last);
u64 ks_reset_cgroup(struct ks_cgroup *cg, u64 generation);
void ks_read_overflow(struct ks_counters *per_abi);
u64 ks_read_observed(void);
size_t ks_cache_bytes(void);
void ks_pool_low(u32 *cgroups, u32 *chunks);
struct ks_cgroup *ks_pool_take_cgroup(void);
void ks_pool_return_cgroup(struct ks_cgroup *cg);
void ks_cgroup_free(struct ks_cgroup *cg);

/* The key of a syscall; numbers outside the ABI's table share one. */
static __always_inline u32 ks_key(u32 abi, long nr)
{
	return KS_KEY(abi, (unsigned long)nr < ks_abi_size[abi] ? nr :
								  KS_NR_OOR);
}

/* The tag of @key, without KS_TAG_SLOW. */
static inline u64 ks_key_tag(u32 key)
{
	u32 kind = KS_KEY_KIND(key), nr = KS_KEY_NR(key);

	BUILD_BUG_ON((u64)KS_COMPAT_STATUS << KS_TAG_ABI >= KS_TAG_ERRNO);
	if (kind == KS_KIND_ERRNO)
		return KS_TAG_ERRNO | KS_TAG_ERRNO_NR(nr);
	if (nr == KS_NR_OOR)
		nr = U32_MAX;
	if (kind == KS_ABI_COMPAT)
		return (u64)KS_COMPAT_STATUS << KS_TAG_ABI | nr;
	return nr;
}

/* The key of a cache entry's tag. */
static inline u32 ks_tag_key(u64 tag)
{
	u32 nr = (u32)tag;

	if (tag & KS_TAG_ERRNO)
		return KS_KEY(KS_KIND_ERRNO, KS_TAG_ERRNO_NR(nr));
	return KS_KEY(tag & ((u64)KS_COMPAT_STATUS << KS_TAG_ABI) ?
		      KS_ABI_COMPAT : KS_ABI_NATIVE,
		      nr == U32_MAX ? KS_NR_OOR : nr);
}

/*
 * The index of (@cgid, @tag)'s slot in every CPU's cache: the top 16 bits
 * of the cgroup id's hash_64() (enough for 65536 slots), with the tag's
 * number mixed in as it is, so that one cgroup's calls of numbers below
 * ks_cache_slots never collide with each other (those of two ABIs may).
 */
static __always_inline unsigned long ks_cache_index(u64 cgid, u64 tag)
{
	/* the mask leaves out the bits above the number */
	return ((cgid * GOLDEN_RATIO_64) >> 48 ^ tag) & ks_cache_mask;
}

/* The one slot of a CPU's @cache where (@cgid, @tag) can live. */
static __always_inline struct ks_cslot *ks_cache_at(struct ks_cslot *cache,
						    u64 cgid, u64 tag)
{
	return &cache[ks_cache_index(cgid, tag)];
}

static inline void ks_counters_add(struct ks_counters *to,
				   const struct ks_counters *c)
{
	to->calls += c->calls;
	to->errors += c->errors;
	to->enosys += c->enosys;
	to->denied += c->denied;
	to->interrupted += c->interrupted;
}

static inline void ks_counters_sub(struct ks_counters *to,
				   const struct ks_counters *c)
{
	to->calls -= c->calls;
	to->errors -= c->errors;
	to->enosys -= c->enosys;
	to->denied -= c->denied;
	to->interrupted -= c->interrupted;
}

#endif /* KABISTAT_STATS_H */
