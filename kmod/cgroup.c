// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup lifecycle: the table of tracked cgroups, their paths, release when
 * the cgroup is removed, and eviction of released cgroups by age or when
 * the cap needs room.  Also the aggregates: "evicted" for the counts of
 * cgroups dropped from the table, and the baselines of both aggregates.
 */
#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "cgroup.h"
#include "compat.h"
#include "dumpmark.h"
#include "events.h"
#include "params.h"
#include "tracepoints.h"

#define KS_MAINTAIN_PERIOD	(5 * HZ)
#define KS_EVICT_BATCH		16

/* Keeps cgroups from being freed while they are read; see cgroup.h. */
DEFINE_MUTEX(ks_cgroups_mutex);
u64 ks_generation;
/* The last generation handed out, to the table or to one cgroup. */
static u64 ks_generation_last;
static u64 ks_reset_calls;

static struct hlist_head *ks_table __ro_after_init;
static unsigned int ks_table_bits __ro_after_init;
static struct workqueue_struct *ks_wq __ro_after_init;
/* Taken in the probes: raw, for PREEMPT_RT. */
static DEFINE_RAW_SPINLOCK(ks_table_lock);
static atomic_t ks_tracked ____cacheline_aligned_in_smp = ATOMIC_INIT(0);

/* Removed cgroups whose counts may still sit in CPU caches. */
static LIST_HEAD(ks_releasing);
/* Released cgroups, oldest release first; under ks_cgroups_mutex. */
static LIST_HEAD(ks_released);
static struct work_struct ks_release_work;
static struct delayed_work ks_maintain_work;

/*
 * Cgroups first seen in a syscall, whose paths are still to be resolved:
 * in batches, a while after the first of them, so that a new cgroup's
 * first syscall queues no work of its own; and at once for a reader that
 * needs one (ks_cgroup_copy_path(), ks_cgroup_sync()).  Not on ks_wq:
 * readers wait for it holding ks_cgroups_mutex, which ks_wq's works take.
 */
#define KS_PATHS_DELAY		(HZ / 10)
static LLIST_HEAD(ks_paths_todo);
static void ks_paths_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ks_paths_work, ks_paths_fn);

/*
 * Cgroups whose events went to overflow because they could not be tracked,
 * so that they are marked partial once they are.  The set holds exact ids;
 * an id leaves it when its cgroup is tracked or removed.  Each CPU
 * remembers the ids it recorded last, which keeps the lock off the
 * overflow path of an untracked cgroup's every call.  Should the set be
 * full, the highest id it could not take is kept instead: cgroup ids only
 * grow, so every cgroup up to that id is marked partial once tracked (not
 * knowing is not complete), and those created later are not.
 */
#define KS_OVF_BITS		12
/* At most 3/4 full, so that probe runs stay short. */
#define KS_OVF_MAX		(3U << (KS_OVF_BITS - 2))
#define KS_OVF_SEEN_BITS	6

static u64 ks_ovf_ids[1 << KS_OVF_BITS];
static unsigned int ks_ovf_count;
static u64 ks_ovf_lost_max;
static DEFINE_RAW_SPINLOCK(ks_ovf_lock);
static DEFINE_PER_CPU(u64[1 << KS_OVF_SEEN_BITS], ks_ovf_seen);
/* Set when the maintenance was asked for room; the maintenance clears it. */
static unsigned long ks_maintain_asked;

/* Aggregates, under ks_cgroups_mutex. */
static struct ks_counters ks_evicted[KS_NR_ABIS];
static struct ks_counters ks_evicted_base[KS_NR_ABIS];
static struct ks_counters ks_overflow_base[KS_NR_ABIS];

static struct hlist_head *ks_bucket(u64 id)
{
	return &ks_table[hash_64(id, ks_table_bits)];
}

/**
 * ks_cgroup_find() - look a tracked cgroup up
 * @id: cgroup id
 *
 * Call under rcu_read_lock() or ks_cgroups_mutex.
 *
 * Return: the cgroup or NULL.
 */
struct ks_cgroup *ks_cgroup_find(u64 id)
{
	struct ks_cgroup *cg;

	hlist_for_each_entry_rcu(cg, ks_bucket(id), node,
				 lockdep_is_held(&ks_cgroups_mutex))
		if (cg->id >= id)
			return cg->id == id ? cg : NULL;
	return NULL;
}

static unsigned int ks_ovf_next(unsigned int i)
{
	return (i + 1) & ((1U << KS_OVF_BITS) - 1);
}

/* The place of @id, or the empty one where it would go; lock held. */
static unsigned int ks_ovf_place(u64 id)
{
	unsigned int i = hash_64(id, KS_OVF_BITS);

	while (ks_ovf_ids[i] && ks_ovf_ids[i] != id)
		i = ks_ovf_next(i);
	return i;
}

/* Take @id out, moving later entries of its run back; lock held. */
static bool ks_ovf_remove(u64 id)
{
	unsigned int i = ks_ovf_place(id), j = i, home;

	if (!ks_ovf_ids[i])
		return false;
	for (;;) {
		j = ks_ovf_next(j);
		if (!ks_ovf_ids[j])
			break;
		home = hash_64(ks_ovf_ids[j], KS_OVF_BITS);
		/* Entry j may fill the hole at i unless its home is in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			ks_ovf_ids[i] = ks_ovf_ids[j];
			i = j;
		}
	}
	ks_ovf_ids[i] = 0;
	ks_ovf_count--;
	return true;
}

/* Ask the maintenance for room at the cap, once until it has run. */
static void ks_ask_room(void)
{
	if (atomic_read(&ks_tracked) >= ks_max_cgroups &&
	    !test_and_set_bit(0, &ks_maintain_asked))
		mod_delayed_work(ks_wq, &ks_maintain_work, 0);
}

/**
 * ks_cgroup_overflowed() - note that a cgroup could not be tracked
 * @id: cgroup id
 *
 * Called with preemption disabled, when an event of @id went to overflow
 * for want of a tracked cgroup; once tracked, the cgroup is partial.
 */
void ks_cgroup_overflowed(u64 id)
{
	unsigned int h = hash_64(id, KS_OVF_SEEN_BITS), i;
	struct ks_cgroup *cg;

	if (this_cpu_read(ks_ovf_seen[h]) == id)
		return;
	raw_spin_lock(&ks_ovf_lock);
	/* Tracked by another CPU meanwhile: it is partial now. */
	cg = ks_cgroup_find(id);
	if (cg) {
		raw_spin_lock(&cg->lock);
		cg->flags |= KABISTAT_CGROUP_F_PARTIAL;
		raw_spin_unlock(&cg->lock);
	} else {
		i = ks_ovf_place(id);
		if (!ks_ovf_ids[i] && ks_ovf_count < KS_OVF_MAX) {
			ks_ovf_ids[i] = id;
			ks_ovf_count++;
		} else if (!ks_ovf_ids[i]) {
			ks_ovf_lost_max = max(ks_ovf_lost_max, id);
		}
		this_cpu_write(ks_ovf_seen[h], id);
	}
	raw_spin_unlock(&ks_ovf_lock);
	ks_ask_room();
}

/*
 * Whether @id may have overflowed before; it is forgotten.  Under the
 * lock, against ks_cgroup_overflowed() on another CPU: either it finds the
 * cgroup tracked, or this finds its id.
 */
static bool ks_ovf_forget(u64 id)
{
	bool was;

	raw_spin_lock(&ks_ovf_lock);
	was = ks_ovf_remove(id) || id <= ks_ovf_lost_max;
	raw_spin_unlock(&ks_ovf_lock);
	return was;
}

/* Insert keeping each bucket sorted by id; false if already there. */
static bool ks_table_insert(struct ks_cgroup *new)
{
	struct hlist_head *head = ks_bucket(new->id);
	struct ks_cgroup *cg, *prev = NULL;

	hlist_for_each_entry(cg, head, node) {
		if (cg->id == new->id)
			return false;
		if (cg->id > new->id) {
			hlist_add_before_rcu(&new->node, &cg->node);
			return true;
		}
		prev = cg;
	}
	if (prev)
		hlist_add_behind_rcu(&new->node, &prev->node);
	else
		hlist_add_head_rcu(&new->node, head);
	return true;
}

/**
 * ks_cgroup_track() - the tracked cgroup for an id, tracking it if new
 * @id: cgroup id
 *
 * Runs in the syscall probes, under rcu_read_lock() with preemption
 * disabled; a new cgroup comes from this CPU's pool.
 *
 * Return: the cgroup, or NULL when it cannot be tracked (cap or pool).
 */
struct ks_cgroup *ks_cgroup_track(u64 id)
{
	struct ks_cgroup *cg = ks_cgroup_find(id);
	bool added;

	if (cg)
		return cg;
	/* Take the place first, so that racing CPUs cannot pass the cap. */
	if (!atomic_add_unless(&ks_tracked, 1, ks_max_cgroups))
		return NULL;
	cg = ks_pool_take_cgroup();
	if (!cg) {
		atomic_dec(&ks_tracked);
		return NULL;
	}

	cg->id = id;
	cg->state = KS_LIVE;
	cg->generation = READ_ONCE(ks_generation);
	cg->path_pending = true;

	raw_spin_lock(&ks_table_lock);
	added = ks_table_insert(cg);
	raw_spin_unlock(&ks_table_lock);
	if (!added) {
		atomic_dec(&ks_tracked);
		ks_pool_return_cgroup(cg);
		return ks_cgroup_find(id);
	}
	if (ks_ovf_forget(id)) {
		raw_spin_lock(&cg->lock);
		cg->flags |= KABISTAT_CGROUP_F_PARTIAL;
		raw_spin_unlock(&cg->lock);
	}
	/* The first of a batch arms its resolution. */
	if (llist_add(&cg->path_node, &ks_paths_todo))
		queue_delayed_work(system_wq, &ks_paths_work, KS_PATHS_DELAY);
	return cg;
}

static void ks_set_ancestors(struct ks_cgroup *cg, struct cgroup *cgrp)
{
	struct cgroup *anc;
	u32 level;

	for (level = 1; level <= cgrp->level && level <= KS_MAX_LEVEL;
	     level++) {
		anc = cgroup_ancestor(cgrp, level);
		cg->ancestors[level - 1] = cgroup_id(anc);
	}
	cg->level = cgrp->level;
}

static void ks_set_path(struct ks_cgroup *cg, const char *path)
{
	if (strscpy(cg->path, path, sizeof(cg->path)) < 0)
		cg->flags |= KABISTAT_CGROUP_F_PATH_TRUNC;
	else
		cg->flags &= ~KABISTAT_CGROUP_F_PATH_TRUNC;
}

/* Mark removed; the release work drains the caches.  cg->lock held. */
static void ks_mark_releasing(struct ks_cgroup *cg)
{
	if (cg->state != KS_LIVE)
		return;
	cg->state = KS_RELEASING;
	cg->released_at = ktime_get_boottime_seconds();
	raw_spin_lock(&ks_table_lock);
	list_add_tail(&cg->released, &ks_releasing);
	raw_spin_unlock(&ks_table_lock);
	queue_work(ks_wq, &ks_release_work);
}

/* The path of a cgroup first seen in a syscall; may sleep. */
static void ks_cgroup_resolve(struct ks_cgroup *cg)
{
	struct cgroup *cgrp = ks_cgroup_get_from_id(cg->id);
	char *buf;
	int len;

	if (IS_ERR(cgrp)) {
		/* Gone before we saw it go: released, path unknown. */
		raw_spin_lock(&cg->lock);
		ks_mark_releasing(cg);
		cg->path_pending = false;
		raw_spin_unlock(&cg->lock);
		return;
	}
	/*
	 * One byte more than we keep: what fills it did not fit.  Kernels
	 * disagree on how they say a path was cut short (a length past the
	 * buffer, -E2BIG, or since 6.x nothing: kernfs counts what it
	 * wrote), but all of them fill the buffer then.
	 */
	buf = kmalloc(KS_PATH_LEN + 1, GFP_KERNEL);
	len = buf ? cgroup_path(cgrp, buf, KS_PATH_LEN + 1) : -ENOMEM;

	raw_spin_lock(&cg->lock);
	ks_set_ancestors(cg, cgrp);
	/* A rename or rmdir seen meanwhile carries the newer path. */
	if ((len >= 0 || len == -E2BIG) && !cg->path[0]) {
		if (strscpy(cg->path, buf, sizeof(cg->path)) < 0 ||
		    len == -E2BIG)
			cg->flags |= KABISTAT_CGROUP_F_PATH_TRUNC;
	}
	/* The last touch: from here on the cgroup may be evicted. */
	cg->path_pending = false;
	raw_spin_unlock(&cg->lock);
	kfree(buf);
	cgroup_put(cgrp);
}

/* Resolve the paths of the cgroups first seen since the last batch. */
static void ks_paths_fn(struct work_struct *work)
{
	struct llist_node *todo = llist_del_all(&ks_paths_todo);
	struct ks_cgroup *cg, *next;

	/* Once resolved, a cgroup may be evicted: its link is read first. */
	llist_for_each_entry_safe(cg, next, todo, path_node)
		ks_cgroup_resolve(cg);
}

/*
 * A cgroup removed: its final path, and the end of its counting.  The
 * tracepoint fires for every hierarchy, and the kernfs ids of each number
 * from the same start: only the default hierarchy's are ours.  (It has no
 * rename.)
 */
static void ks_probe_cgroup_rmdir(void *data, struct cgroup *cgrp,
				  const char *path)
{
	struct ks_cgroup *cg;

	if (cgrp->root != &cgrp_dfl_root)
		return;
	if (READ_ONCE(ks_ovf_count))
		ks_ovf_forget(cgroup_id(cgrp));
	rcu_read_lock();
	cg = ks_cgroup_find(cgroup_id(cgrp));
	if (cg) {
		raw_spin_lock(&cg->lock);
		ks_set_path(cg, path);
		ks_set_ancestors(cg, cgrp);
		ks_mark_releasing(cg);
		raw_spin_unlock(&cg->lock);
	}
	rcu_read_unlock();
}

static void ks_cgroup_free_rcu(struct rcu_head *rcu)
{
	ks_cgroup_free(container_of(rcu, struct ks_cgroup, rcu));
}

/*
 * Drop a released cgroup, its counts into "evicted"; without memory to read
 * them, keep it for a later pass.  Mutex held.
 */
static bool ks_evict(struct ks_cgroup *cg)
{
	struct ks_reading *r;
	bool pending;
	u32 i, n;

	/*
	 * Its path work still to run (or running) would find it freed; a dump
	 * that sent part of it would find the rest gone.
	 */
	raw_spin_lock(&cg->lock);
	pending = cg->path_pending;
	raw_spin_unlock(&cg->lock);
	if (pending || cg->dumpers || ks_read(cg, &r, &n))
		return false;
	for (i = 0; i < n; i++)
		if (KS_KEY_KIND(r[i].key) < KS_NR_ABIS)
			ks_counters_add(&ks_evicted[KS_KEY_KIND(r[i].key)],
					&r[i].c);
	kvfree(r);
	raw_spin_lock(&ks_table_lock);
	hlist_del_rcu(&cg->node);
	atomic_dec(&ks_tracked);
	raw_spin_unlock(&ks_table_lock);
	list_del(&cg->released);
	call_rcu(&cg->rcu, ks_cgroup_free_rcu);
	ks_dumpmark_forget();
	return true;
}

/**
 * ks_cgroup_maintain() - evict released cgroups past their TTL, and the
 * oldest ones while the cap is reached
 */
void ks_cgroup_maintain(void)
{
	u64 now = ktime_get_boottime_seconds();
	u32 ttl = READ_ONCE(ks_released_ttl);
	struct ks_cgroup *cg, *tmp;
	int batch = KS_EVICT_BATCH;

	mutex_lock(&ks_cgroups_mutex);
	clear_bit(0, &ks_maintain_asked);
	cpus_read_lock();
	/* At the cap, a batch of evictions, past those that must wait. */
	list_for_each_entry_safe(cg, tmp, &ks_released, released) {
		bool full = atomic_read(&ks_tracked) >= ks_max_cgroups;

		if (!full && now - cg->released_at < ttl)
			break;
		if (!ks_cached(cg) && ks_evict(cg) && full && !--batch)
			break;
	}
	cpus_read_unlock();
	mutex_unlock(&ks_cgroups_mutex);
}

static void ks_maintain_fn(struct work_struct *work)
{
	ks_cgroup_maintain();
	queue_delayed_work(ks_wq, &ks_maintain_work, KS_MAINTAIN_PERIOD);
}

/*
 * Finish releases: drain every online CPU's cached counts of the removed
 * cgroups into their slots, then announce the final counters.
 */
static void ks_release_fn(struct work_struct *work)
{
	struct ks_cgroup *cg, *tmp;
	LIST_HEAD(batch);

	raw_spin_lock(&ks_table_lock);
	list_splice_init(&ks_releasing, &batch);
	raw_spin_unlock(&ks_table_lock);
	if (list_empty(&batch))
		return;

	ks_drain_all();

	mutex_lock(&ks_cgroups_mutex);
	list_for_each_entry_safe(cg, tmp, &batch, released) {
		raw_spin_lock(&cg->lock);
		cg->state = KS_RELEASED;
		raw_spin_unlock(&cg->lock);
		list_move_tail(&cg->released, &ks_released);
		ks_event_released(cg);
	}
	mutex_unlock(&ks_cgroups_mutex);
	ks_cgroup_maintain();
}

/**
 * ks_cgroup_next() - the next tracked cgroup of a walk
 * @cur: the walk's position, zeroed to start
 *
 * Call with ks_cgroups_mutex held; the walk may drop it between calls and
 * resume: cgroups added or removed meanwhile are seen or not, the others
 * exactly once.
 *
 * Return: the cgroup, or NULL at the end.
 */
struct ks_cgroup *ks_cgroup_next(struct ks_cursor *cur)
{
	struct ks_cgroup *cg;

	for (; cur->bucket < (1U << ks_table_bits); cur->bucket++) {
		hlist_for_each_entry_rcu(cg, &ks_table[cur->bucket], node,
					 lockdep_is_held(&ks_cgroups_mutex)) {
			if (cg->id > cur->last_id) {
				cur->last_id = cg->id;
				return cg;
			}
		}
		cur->last_id = 0;
	}
	return NULL;
}

/**
 * ks_cursor_rewind() - make a walk return a cgroup again
 * @cur:	the walk's position, just past @cg
 * @cg:		the cgroup ks_cgroup_next() returned last
 *
 * The next call returns @cg while it is tracked, whatever was added
 * meanwhile.
 */
void ks_cursor_rewind(struct ks_cursor *cur, const struct ks_cgroup *cg)
{
	cur->last_id = cg->id - 1;
}

/**
 * ks_cgroup_in_subtree() - whether a cgroup is a subtree's root or in it
 * @cg:		the cgroup
 * @root_id:	id of the subtree's root
 * @root_level:	its level (0 for the root of the hierarchy)
 *
 * Return: true when @cg belongs to the subtree.
 */
bool ks_cgroup_in_subtree(const struct ks_cgroup *cg, u64 root_id,
			  u32 root_level)
{
	if (!root_level || cg->id == root_id)
		return true;
	return root_level <= KS_MAX_LEVEL && cg->level > root_level &&
	       cg->ancestors[root_level - 1] == root_id;
}

/**
 * ks_cgroup_path_settle() - resolve a cgroup's path now if it is pending
 * @cg:		the cgroup
 */
void ks_cgroup_path_settle(struct ks_cgroup *cg)
{
	if (READ_ONCE(cg->path_pending))
		flush_delayed_work(&ks_paths_work);
}

/**
 * ks_cgroup_copy_path() - copy a cgroup's path
 * @cg:		the cgroup
 * @buf:	KS_PATH_LEN bytes
 */
void ks_cgroup_copy_path(struct ks_cgroup *cg, char *buf)
{
	ks_cgroup_path_settle(cg);
	raw_spin_lock(&cg->lock);
	memcpy(buf, cg->path, KS_PATH_LEN);
	raw_spin_unlock(&cg->lock);
}

/**
 * ks_cgroup_sync() - wait until pending paths and releases are done
 *
 * Call without ks_cgroups_mutex.
 */
void ks_cgroup_sync(void)
{
	flush_delayed_work(&ks_paths_work);
	flush_workqueue(ks_wq);
}

/**
 * ks_cgroups_tracked() - number of tracked cgroups, live and released
 *
 * Return: the number.
 */
u32 ks_cgroups_tracked(void)
{
	return atomic_read(&ks_tracked);
}

/**
 * ks_read_aggregates() - the overflow and evicted aggregates
 * @overflow:	KS_NR_ABIS counters, baseline subtracted
 * @evicted:	KS_NR_ABIS counters, baseline subtracted
 *
 * Call with ks_cgroups_mutex held.
 */
void ks_read_aggregates(struct ks_counters *overflow,
			struct ks_counters *evicted)
{
	u32 abi;

	ks_read_overflow(overflow);
	for (abi = 0; abi < KS_NR_ABIS; abi++) {
		ks_counters_sub(&overflow[abi], &ks_overflow_base[abi]);
		evicted[abi] = ks_evicted[abi];
		ks_counters_sub(&evicted[abi], &ks_evicted_base[abi]);
	}
}

static u64 ks_reset_aggregates(void)
{
	struct ks_counters overflow[KS_NR_ABIS];
	u64 calls = 0;
	u32 abi;

	ks_read_overflow(overflow);
	for (abi = 0; abi < KS_NR_ABIS; abi++) {
		calls += overflow[abi].calls - ks_overflow_base[abi].calls;
		calls += ks_evicted[abi].calls - ks_evicted_base[abi].calls;
		ks_overflow_base[abi] = overflow[abi];
		ks_evicted_base[abi] = ks_evicted[abi];
	}
	return calls;
}

/**
 * ks_reset() - reset one tracked cgroup, or all of them and the aggregates
 * @cg:	the cgroup, or NULL for all
 *
 * Call with ks_cgroups_mutex held.
 */
void ks_reset(struct ks_cgroup *cg)
{
	struct ks_cursor cur = {};
	u64 gen = ++ks_generation_last;

	/* One cgroup's reset is that cgroup's; the aggregates keep theirs. */
	if (cg) {
		ks_reset_calls += ks_reset_cgroup(cg, gen);
		return;
	}
	WRITE_ONCE(ks_generation, gen);
	ks_dumpmark_forget();
	while ((cg = ks_cgroup_next(&cur)))
		ks_reset_calls += ks_reset_cgroup(cg, gen);
	ks_reset_calls += ks_reset_aggregates();
}

/**
 * ks_observed() - calls counted since load, less those reset
 *
 * Call with ks_cgroups_mutex held.
 *
 * Return: the number, which the readings of every cgroup and aggregate add
 * up to once no syscall runs.
 */
u64 ks_observed(void)
{
	return ks_read_observed() - ks_reset_calls;
}

static struct ks_tp ks_cgroup_tps[] = {
	{ .name = "cgroup_rmdir", .probe = ks_probe_cgroup_rmdir },
};

/**
 * ks_cgroup_probes_register() - follow cgroup removals
 *
 * Return: 0 or a negative errno.
 */
int ks_cgroup_probes_register(void)
{
	return ks_tp_register(ks_cgroup_tps, ARRAY_SIZE(ks_cgroup_tps));
}

/**
 * ks_cgroup_probes_unregister() - stop following cgroups
 */
void ks_cgroup_probes_unregister(void)
{
	ks_tp_unregister(ks_cgroup_tps, ARRAY_SIZE(ks_cgroup_tps));
}

/**
 * ks_cgroup_init() - allocate the table and start the maintenance
 *
 * Return: 0 or -ENOMEM.
 */
int ks_cgroup_init(void)
{
	unsigned int i;

	ks_generation = ktime_get_real_ns();
	ks_generation_last = ks_generation;
	ks_dumpmark_init(ks_generation);
	/* max_cgroups is at most KS_MAX_CGROUPS_LIMIT (main.c). */
	ks_table_bits = ilog2(roundup_pow_of_two(max(ks_max_cgroups, 64U)));
	ks_table = kvmalloc_array(1U << ks_table_bits, sizeof(*ks_table),
				  GFP_KERNEL);
	if (!ks_table)
		return -ENOMEM;
	for (i = 0; i < (1U << ks_table_bits); i++)
		INIT_HLIST_HEAD(&ks_table[i]);

	ks_wq = alloc_ordered_workqueue("kabistat", 0);
	if (!ks_wq) {
		kvfree(ks_table);
		return -ENOMEM;
	}
	INIT_WORK(&ks_release_work, ks_release_fn);
	INIT_DELAYED_WORK(&ks_maintain_work, ks_maintain_fn);
	queue_delayed_work(ks_wq, &ks_maintain_work, KS_MAINTAIN_PERIOD);
	return 0;
}

/**
 * ks_cgroup_stop() - finish pending releases and stop the maintenance
 *
 * Called once the probes are gone, while events can still be sent.
 */
void ks_cgroup_stop(void)
{
	/*
	 * The maintenance re-arms itself from a timer; once it is off, only
	 * the queue's own works queue more, and draining waits for those too.
	 * The paths' resolution queues a release for a cgroup found gone:
	 * it runs before.
	 */
	cancel_delayed_work_sync(&ks_maintain_work);
	flush_delayed_work(&ks_paths_work);
	drain_workqueue(ks_wq);
}

/**
 * ks_cgroup_exit() - free every tracked cgroup
 *
 * The probes are gone and no request runs: nothing else refers to them.
 */
void ks_cgroup_exit(void)
{
	struct hlist_node *tmp;
	struct ks_cgroup *cg;
	unsigned int i;

	destroy_workqueue(ks_wq);
	rcu_barrier();
	for (i = 0; i < (1U << ks_table_bits); i++)
		hlist_for_each_entry_safe(cg, tmp, &ks_table[i], node) {
			hlist_del(&cg->node);
			ks_cgroup_free(cg);
		}
	kvfree(ks_table);
}
