// SPDX-License-Identifier: GPL-2.0
/*
 * Counting: the per-CPU caches, the moves into the cgroups' shared slots,
 * the pools that first events draw on, and consistent readings.  The
 * design is described in stats.h.
 */
#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "abi.h"
#include "cgroup.h"
#include "events.h"
#include "params.h"
#include "stats.h"
#include "testing.h"

DEFINE_PER_CPU(struct ks_cpu, ks_cpus);
DEFINE_PER_CPU(u64, ks_observed_calls);
unsigned long ks_cache_mask __ro_after_init;
static struct kmem_cache *ks_chunk_cache;
static struct kmem_cache *ks_cgroup_cache;

/*
 * Kernel-internal restart codes; user space never sees them.  They are
 * 512-516 but for 515 (ENOIOCTLCMD): one compare for every other errno.
 */
static __always_inline bool ks_is_restart(long ret)
{
	BUILD_BUG_ON(ERESTARTNOINTR - ERESTARTSYS != 1 ||
		     ERESTARTNOHAND - ERESTARTSYS != 2 ||
		     ERESTART_RESTARTBLOCK - ERESTARTSYS != 4);
	return unlikely((unsigned long)(-ret - ERESTARTSYS) <= 4) &&
	       ret != -ERESTARTSYS - 3;
}

/* Slot reads retried this often while counts move, then under the lock. */
#define KS_READ_TRIES	4

/* Only the owning CPU writes; remote readers load each field once. */
static __always_inline void ks_inc(u64 *v)
{
	WRITE_ONCE(*v, *v + 1);
}

/*
 * The pools are refilled once half empty.  The work item runs as the call
 * that queued it returns (it preempts the caller on its CPU), so a
 * cgroup's first event, which a new container waits for, only arms it for
 * the next tick, unless the pools are down to a quarter; any later event
 * that takes from them queues it at once.
 */
static void ks_pool_refill_kick(struct ks_cpu *cpu, bool first)
{
	unsigned int cgs = cpu->nr_pool_cg, chunks = cpu->nr_pool_chunk;

	if (cgs >= KS_POOL_CGROUPS / 2 && chunks >= KS_POOL_CHUNKS / 2)
		return;
	if (first && cgs >= KS_POOL_CGROUPS / 4 &&
	    chunks >= KS_POOL_CHUNKS / 4)
		queue_delayed_work_on(smp_processor_id(), system_highpri_wq,
				      &cpu->refill_later, 1);
	else
		queue_work_on(smp_processor_id(), system_highpri_wq,
			      &cpu->refill);
}

/**
 * ks_pool_take_cgroup() - a zeroed, initialised cgroup from this CPU's pool
 *
 * Called with preemption disabled.  Return: NULL when the pool is empty.
 */
struct ks_cgroup *ks_pool_take_cgroup(void)
{
	struct ks_cpu *cpu = this_cpu_ptr(&ks_cpus);
	struct ks_cgroup *cg = NULL;

	if (cpu->nr_pool_cg)
		cg = cpu->pool_cg[--cpu->nr_pool_cg];
	ks_pool_refill_kick(cpu, true);
	return cg;
}

/**
 * ks_pool_return_cgroup() - give back an unused cgroup from the pool
 * @cg: a cgroup ks_pool_take_cgroup() returned on this CPU
 *
 * Called with preemption disabled, on the CPU that took @cg; it goes back
 * as it came, so that its next user inherits nothing.
 */
void ks_pool_return_cgroup(struct ks_cgroup *cg)
{
	struct ks_cpu *cpu = this_cpu_ptr(&ks_cpus);

	cg->id = 0;
	cg->state = 0;
	cg->flags = 0;
	cg->generation = 0;
	cpu->pool_cg[cpu->nr_pool_cg++] = cg;
}

/* A chunk for a cgroup, whose first one it is when @first. */
static struct ks_chunk *ks_pool_take_chunk(struct ks_cpu *cpu, bool first)
{
	struct ks_chunk *ch = NULL;

	if (cpu->nr_pool_chunk)
		ch = cpu->pool_chunk[--cpu->nr_pool_chunk];
	ks_pool_refill_kick(cpu, first);
	return ch;
}

/*
 * Chunks and their slots are published under cg->lock with release stores
 * and walked by readers without it, with the matching acquire loads.
 */
static struct ks_chunk *ks_first_chunk(struct ks_cgroup *cg)
{
	/* pairs with the release store that linked the chunk */
	return smp_load_acquire(&cg->chunks);
}

static struct ks_chunk *ks_next_chunk(struct ks_chunk *ch)
{
	/* pairs with the release store that linked the chunk */
	return smp_load_acquire(&ch->next);
}

static u32 ks_chunk_used(struct ks_chunk *ch)
{
	/* pairs with the release store that published the slot's key */
	return smp_load_acquire(&ch->used);
}

static void ks_link_chunk(struct ks_cgroup *cg, struct ks_chunk *ch)
{
	struct ks_chunk **link = cg->last ? &cg->last->next : &cg->chunks;

	/* readers that see the chunk see it zeroed */
	smp_store_release(link, ch);
}

static bool ks_memory_charge(size_t size)
{
	if (atomic_long_add_return(size, &ks_memory_used) > ks_max_memory) {
		atomic_long_sub(size, &ks_memory_used);
		return false;
	}
	return true;
}

/* Objects are charged to ks_memory_used, and refused past max_memory. */
static void *ks_obj_alloc(struct kmem_cache *cache)
{
	void *obj;

	if (ks_fail_alloc() || !ks_memory_charge(kmem_cache_size(cache)))
		return NULL;
	obj = kmem_cache_zalloc(cache, GFP_KERNEL | __GFP_NOWARN);
	if (!obj)
		atomic_long_sub(kmem_cache_size(cache), &ks_memory_used);
	return obj;
}

static void ks_obj_free(struct kmem_cache *cache, void *obj)
{
	kmem_cache_free(cache, obj);
	atomic_long_sub(kmem_cache_size(cache), &ks_memory_used);
}

static struct ks_cgroup *ks_cgroup_alloc(void)
{
	struct ks_cgroup *cg = ks_obj_alloc(ks_cgroup_cache);

	if (!cg)
		return NULL;
	raw_spin_lock_init(&cg->lock);
	seqcount_raw_spinlock_init(&cg->seq, &cg->lock);
	INIT_LIST_HEAD(&cg->released);
	return cg;
}

/**
 * ks_cgroup_free() - free a cgroup no CPU cache refers to any more
 * @cg: the cgroup, out of every list
 */
void ks_cgroup_free(struct ks_cgroup *cg)
{
	struct ks_chunk *ch, *next;

	for (ch = cg->chunks; ch; ch = next) {
		next = ch->next;
		ks_obj_free(ks_chunk_cache, ch);
	}
	ks_obj_free(ks_cgroup_cache, cg);
}

/*
 * Refill this CPU's pools.  Allocation may sleep, so it happens first, of
 * what the pools lacked then; the objects are then handed over with
 * preemption disabled, which keeps the owner's probes out (what they took
 * meanwhile queued the work again).  Should the work run elsewhere (its
 * CPU went offline), it fills the pools of the CPU it runs on: only ever
 * the owner writes them.
 */
static void ks_pool_refill(struct work_struct *work)
{
	struct ks_cgroup *cgs[KS_POOL_CGROUPS];
	struct ks_chunk *chunks[KS_POOL_CHUNKS];
	unsigned int ncg = 0, nch = 0, want_cg, want_ch;
	struct ks_cpu *cpu;

	preempt_disable();
	cpu = this_cpu_ptr(&ks_cpus);
	want_cg = KS_POOL_CGROUPS - cpu->nr_pool_cg;
	want_ch = KS_POOL_CHUNKS - cpu->nr_pool_chunk;
	preempt_enable();

	while (ncg < want_cg && (cgs[ncg] = ks_cgroup_alloc()))
		ncg++;
	while (nch < want_ch && (chunks[nch] = ks_obj_alloc(ks_chunk_cache)))
		nch++;

	preempt_disable();
	cpu = this_cpu_ptr(&ks_cpus);
	while (ncg && cpu->nr_pool_cg < KS_POOL_CGROUPS)
		cpu->pool_cg[cpu->nr_pool_cg++] = cgs[--ncg];
	while (nch && cpu->nr_pool_chunk < KS_POOL_CHUNKS)
		cpu->pool_chunk[cpu->nr_pool_chunk++] = chunks[--nch];
	preempt_enable();

	while (ncg)
		ks_cgroup_free(cgs[--ncg]);
	while (nch)
		ks_obj_free(ks_chunk_cache, chunks[--nch]);
}

/*
 * Find or add the shared slot of @key; NULL when no chunk is to be had.
 * With @entry, a cache entry is to hold the key: the cgroup counts it.
 */
static struct ks_slot *ks_slot_get(struct ks_cpu *cpu, struct ks_cgroup *cg,
				   u32 key, bool entry)
{
	struct ks_slot *s = NULL;
	struct ks_chunk *ch;
	u32 i;

	raw_spin_lock(&cg->lock);
	for (ch = cg->chunks; ch; ch = ch->next)
		for (i = 0; i < ch->used; i++)
			if (ch->slot[i].key == key) {
				s = &ch->slot[i];
				goto out;
			}

	ch = cg->last;
	if (!ch || ch->used == KS_CHUNK_SLOTS) {
		ch = ks_pool_take_chunk(cpu, !ch);
		if (!ch) {
			cg->flags |= KABISTAT_CGROUP_F_PARTIAL;
			goto out;
		}
		ks_link_chunk(cg, ch);
		cg->last = ch;
	}
	s = &ch->slot[ch->used];
	s->key = key;
	/* readers that see the new count see the key */
	smp_store_release(&ch->used, ch->used + 1);
out:
	if (s && entry)
		cg->cached++;
	raw_spin_unlock(&cg->lock);
	return s;
}

/*
 * A change of what readers sum (see ks_activity()): under the lock, so
 * that moves hold off, and the seqcount, so that lockless readers retry.
 */
static void ks_write_begin(struct ks_cgroup *cg)
	__acquires(&cg->lock)
{
	raw_spin_lock(&cg->lock);
	write_seqcount_begin(&cg->seq);
	cg->moves++;
}

static void ks_write_end(struct ks_cgroup *cg)
	__releases(&cg->lock)
{
	write_seqcount_end(&cg->seq);
	raw_spin_unlock(&cg->lock);
}

/*
 * Move the errors a cache slot holds for the errno histogram into their
 * errno key's shared slot.  The cgroup's lock and seqcount held.
 */
static void ks_cslot_errno_flush(struct ks_cslot *cs)
{
	if (cs->err_tag)
		cs->err_shared->c.calls += cs->c.errors - cs->err_base;
}

/* Move a cache slot's counts into its cgroup and empty it. */
static void ks_cslot_flush(struct ks_cslot *cs)
{
	struct ks_cgroup *cg = cs->cg;

	ks_write_begin(cg);
	ks_counters_add(&cs->shared->c, &cs->c);
	ks_cslot_errno_flush(cs);
	WRITE_ONCE(cs->cgid, 0);
	memset(&cs->c, 0, sizeof(cs->c));
	WRITE_ONCE(cs->err_tag, 0);
	WRITE_ONCE(cs->err_base, 0);
	cg->cached--;
	ks_write_end(cg);
	WRITE_ONCE(cs->cg, NULL);
	cs->shared = NULL;
	cs->err_shared = NULL;
}

/* Whether the probe may count a syscall of @key in its cache entry alone. */
static bool ks_key_plain(u32 key)
{
	u32 kind = KS_KEY_KIND(key), nr = KS_KEY_NR(key);

	return kind >= KS_NR_ABIS ||
	       (nr != KS_NR_OOR && ks_syscall_kind(kind, nr) == KS_SYS_PLAIN);
}

/* The slow path of a (cgroup, key) this CPU's cache does not hold. */
static noinline struct ks_cslot *ks_cache_fill(struct ks_cpu *cpu,
					       struct ks_cslot *cs, u64 cgid,
					       u32 key)
{
	struct ks_cgroup *cg;
	struct ks_slot *shared;

	/*
	 * Events that go to overflow leave the cached slot in place.  A
	 * cgroup that could not be tracked is remembered, to be marked
	 * partial once it is; one left without a slot is marked already.
	 */
	cg = ks_cgroup_track(cgid);
	if (!cg) {
		ks_cgroup_overflowed(cgid);
		return NULL;
	}
	shared = ks_slot_get(cpu, cg, key, true);
	if (!shared)
		return NULL;
	if (cs->cgid)
		ks_cslot_flush(cs);
	WRITE_ONCE(cs->tag, ks_key_tag(key) |
			    (ks_key_plain(key) ? 0 : KS_TAG_SLOW));
	WRITE_ONCE(cs->cg, cg);
	cs->shared = shared;
	/* A reader that sees the id sees the zeroed counters too. */
	smp_store_release(&cs->cgid, cgid);
	return cs;
}

static __always_inline struct ks_cslot *ks_cache_get(struct ks_cpu *cpu,
						     u64 cgid, u32 key)
{
	u64 tag = ks_key_tag(key);
	struct ks_cslot *cs = ks_cache_at(cpu->cache, cgid, tag);

	if (likely(cs->cgid == cgid && (cs->tag & ~KS_TAG_SLOW) == tag))
		return cs;
	return ks_cache_fill(cpu, cs, cgid, key);
}

/* The errno histogram's key number of errno @err. */
static u32 ks_errno_bucket(u32 err)
{
	return err <= KABISTAT_ERRNO_MAX ? err : 0;
}

/*
 * A syscall's cache slot fails with another errno than before (@err):
 * what it held for the last one moves into that
 * errno's shared slot, and it holds the new one's from here on.  The new
 * errno's slot is found through this CPU's cache, where its entry keeps it
 * (but never in place of @cs).  Without a chunk for it, the cgroup is
 * partial and the errors are in no errno key until the next change.
 */
static noinline void ks_errno_switch(struct ks_cpu *cpu, struct ks_cslot *cs,
				     u64 cgid, u32 err)
{
	u32 bucket = ks_errno_bucket(err);
	u32 key = KS_KEY(KS_KIND_ERRNO, bucket);
	u64 tag = ks_key_tag(key);
	struct ks_cslot *es = ks_cache_at(cpu->cache, cgid, tag);
	struct ks_cgroup *cg = cs->cg;
	struct ks_slot *shared;

	if (es->cgid == cgid && es->tag == tag)
		shared = es->shared;
	else if (es != cs && ks_cache_fill(cpu, es, cgid, key))
		shared = es->shared;
	else
		shared = ks_slot_get(cpu, cg, key, false);

	ks_write_begin(cg);
	ks_cslot_errno_flush(cs);
	WRITE_ONCE(cs->err_base, cs->c.errors);
	if (!shared)
		WRITE_ONCE(cs->err_tag, 0);
	else if (err == ENOSYS || err == EPERM || err == EACCES)
		WRITE_ONCE(cs->err_tag, (bucket + 1) | KS_ERR_TAG_CLASSIFY);
	else
		WRITE_ONCE(cs->err_tag, bucket + 1);
	cs->err_shared = shared;
	ks_write_end(cg);
}

/**
 * ks_count_error() - count how a syscall failed
 * @cs:		the cache slot of the call
 * @cgid:	cgroup id of the caller
 * @ret:	the return value, in [-4095, -1]
 *
 * Called from the syscall probes with preemption disabled.  The errno
 * histogram's count stays in @cs while the errno repeats.
 */
noinline notrace void ks_count_error(struct ks_cslot *cs, u64 cgid, long ret)
{
	struct ks_counters *c = &cs->c;
	u32 err = -ret;

	if (ks_is_restart(ret)) {
		ks_inc(&c->interrupted);
		return;
	}
	if (unlikely((cs->err_tag & KS_ERR_TAG_KEY) != ks_errno_bucket(err) + 1))
		ks_errno_switch(this_cpu_ptr(&ks_cpus), cs, cgid, err);
	ks_inc(&c->errors);
	if (err == ENOSYS) {
		ks_inc(&c->enosys);
		/* The locked operation only for the first ENOSYS. */
		if (!test_bit(KS_SLOT_ENOSYS_SEEN, &cs->shared->flags) &&
		    !test_and_set_bit(KS_SLOT_ENOSYS_SEEN, &cs->shared->flags))
			ks_event_first_enosys(cgid, ks_tag_key(cs->tag));
	} else if (err == EPERM || err == EACCES) {
		ks_inc(&c->denied);
	}
}

static noinline void ks_count_overflow(struct ks_cpu *cpu, u32 abi, long ret,
				       bool call)
{
	struct ks_counters *c = &cpu->overflow[abi];

	if (call)
		ks_inc(&c->calls);
	if (!IS_ERR_VALUE(ret))
		return;
	if (ks_is_restart(ret)) {
		ks_inc(&c->interrupted);
		return;
	}
	ks_inc(&c->errors);
	if (ret == -ENOSYS)
		ks_inc(&c->enosys);
	else if (ret == -EPERM || ret == -EACCES)
		ks_inc(&c->denied);
}

/**
 * ks_count() - count one syscall, whatever this CPU's cache holds
 * @cpu:	this CPU's state
 * @cgid:	cgroup id of the caller
 * @key:	the call's (ABI, number) key, see ks_key()
 * @ret:	its return value
 * @call:	whether to count the call itself, or only how it ended (for
 *		a failed exec, whose call was counted when it entered)
 *
 * The probes' general path, taken when the cache does not hold the key or
 * the syscall is one of those counted specially.  Called with preemption
 * disabled; allocates nothing, a new cgroup or key drawing on the pools.
 */
noinline void ks_count(struct ks_cpu *cpu, u64 cgid, u32 key, long ret,
		       bool call)
{
	struct ks_cslot *cs = ks_cache_get(cpu, cgid, key);

	if (likely(cs)) {
		if (call)
			ks_inc(&cs->c.calls);
		if (IS_ERR_VALUE(ret))
			ks_count_error(cs, cgid, ret);
	} else {
		ks_count_overflow(cpu, KS_KEY_KIND(key), ret, call);
	}
	if (call)
		this_cpu_inc(ks_observed_calls);
}

#define KS_DRAIN_BATCH	64

/* Move cached counts of released cgroups in [@from, @to) into their slots. */
static void ks_drain_cache(struct ks_cpu *cpu, unsigned int from,
			   unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		struct ks_cslot *cs = &cpu->cache[i];

		if (cs->cgid && READ_ONCE(cs->cg->state) == KS_RELEASING)
			ks_cslot_flush(cs);
	}
}

/*
 * An online CPU drains its own cache (the work is bound to it), keeping its
 * probes out batch by batch, so that preemption is never off for long.
 */
static void ks_drain_cpu(struct work_struct *work)
{
	unsigned int i;

	for (i = 0; i < ks_cache_slots; i += KS_DRAIN_BATCH) {
		preempt_disable();
		ks_drain_cache(this_cpu_ptr(&ks_cpus), i,
			       min(i + KS_DRAIN_BATCH, ks_cache_slots));
		preempt_enable();
		cond_resched();
	}
}

/**
 * ks_drain_all() - drain every CPU's cache of released cgroups
 *
 * Once cgroups are marked KS_RELEASING, each online CPU moves their cached
 * counts into their shared slots itself.  An offline CPU cannot, and runs
 * no probe while hotplug is held off: its cache is drained from here, the
 * one exception to "only the owner writes".  On return no CPU's cache
 * refers to them.  May sleep.
 */
void ks_drain_all(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		queue_work_on(cpu, system_highpri_wq,
			      &per_cpu_ptr(&ks_cpus, cpu)->drain);
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			ks_drain_cache(per_cpu_ptr(&ks_cpus, cpu), 0,
				       ks_cache_slots);
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(&ks_cpus, cpu)->drain);
	cpus_read_unlock();
}

/**
 * ks_cached() - whether any CPU's cache still refers to a cgroup
 * @cg: the cgroup
 *
 * Released cgroups are drained from every CPU, online or not, before they
 * are evicted; this is the check.  Call with cpus_read_lock() held.
 *
 * Return: true when @cg must not be freed yet.
 */
bool ks_cached(struct ks_cgroup *cg)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct ks_cslot *cache = per_cpu(ks_cpus, cpu).cache;

		for (i = 0; i < ks_cache_slots; i++)
			if (READ_ONCE(cache[i].cg) == cg)
				return true;
	}
	return false;
}

static u32 ks_slot_count(struct ks_cgroup *cg)
{
	struct ks_chunk *ch;
	u32 n = 0;

	for (ch = ks_first_chunk(cg); ch; ch = ks_next_chunk(ch))
		n += ks_chunk_used(ch);
	return n;
}

/* Whether another CPU's cache slot @cs holds (@cgid, @tag). */
static bool ks_cslot_holds(const struct ks_cslot *cs, u64 cgid, u64 tag)
{
	/* pairs with the release store in ks_cache_fill() */
	return smp_load_acquire(&cs->cgid) == cgid &&
	       (READ_ONCE(cs->tag) & ~KS_TAG_SLOW) == tag;
}

/*
 * What @cs holds for (@cgid, @tag) into @c, each field loaded once, and
 * how many of its errors belong to its errno key into @pending.  Return:
 * -1 when it holds another key, else its errno tag (0: none).
 */
static int ks_cslot_load(const struct ks_cslot *cs, u64 cgid, u64 tag,
			 struct ks_counters *c, u64 *pending)
{
	if (!ks_cslot_holds(cs, cgid, tag))
		return -1;
	c->calls = READ_ONCE(cs->c.calls);
	c->errors = READ_ONCE(cs->c.errors);
	c->enosys = READ_ONCE(cs->c.enosys);
	c->denied = READ_ONCE(cs->c.denied);
	c->interrupted = READ_ONCE(cs->c.interrupted);
	*pending = c->errors - READ_ONCE(cs->err_base);
	return READ_ONCE(cs->err_tag) & KS_ERR_TAG_KEY;
}

/*
 * A reading of all of a cgroup's keys at once, so that the errno counts
 * that sit in its syscalls' cache slots are folded into their errno keys:
 * @errno_at says where each errno key's reading is.
 */
struct ks_snap {
	u32 max;			/* room in @r */
	u32 n;
	struct ks_reading *r;
	u32 errno_at[KABISTAT_ERRNO_MAX + 1];	/* index in @r, or U32_MAX */
};

/*
 * Add what every CPU's cache holds for reading @i, a syscall's, and the
 * errno counts its slots hold to their errno keys' readings.  Return:
 * false when an errno key is not in the reading (added since: retry).
 */
static bool ks_sum_caches(struct ks_cgroup *cg, struct ks_snap *sn, u32 i)
{
	u64 tag = ks_key_tag(sn->r[i].key), pending;
	struct ks_counters c;
	unsigned int cpu;
	int et;
	u32 at;

	for_each_possible_cpu(cpu) {
		et = ks_cslot_load(ks_cache_at(per_cpu_ptr(&ks_cpus, cpu)->cache,
					       cg->id, tag),
				   cg->id, tag, &c, &pending);
		if (et < 0)
			continue;
		ks_counters_add(&sn->r[i].c, &c);
		if (!et)
			continue;
		at = et <= ARRAY_SIZE(sn->errno_at) ? sn->errno_at[et - 1] :
						      U32_MAX;
		if (at == U32_MAX)
			return false;
		sn->r[at].c.calls += pending;
	}
	return true;
}

/*
 * Read every key of @cg into @sn, baselines subtracted when @base.  The
 * caller holds the lock, or retries when the seqcount says counts moved.
 * Return: 0, -ENOSPC when @sn has too little room, -EAGAIN to retry.
 */
static int ks_snap_take(struct ks_cgroup *cg, struct ks_snap *sn, bool base)
{
	struct ks_chunk *ch;
	u32 i, used;

	sn->n = 0;
	memset(sn->errno_at, 0xff, sizeof(sn->errno_at));
	for (ch = ks_first_chunk(cg); ch; ch = ks_next_chunk(ch)) {
		used = ks_chunk_used(ch);
		if (used > sn->max - sn->n)
			return -ENOSPC;
		for (i = 0; i < used; i++) {
			const struct ks_slot *s = &ch->slot[i];
			struct ks_reading *r = &sn->r[sn->n];

			r->key = s->key;
			r->c = s->c;
			if (base)
				ks_counters_sub(&r->c, &s->base);
			if (KS_KEY_KIND(s->key) == KS_KIND_ERRNO)
				sn->errno_at[KS_KEY_NR(s->key)] = sn->n;
			sn->n++;
		}
	}
	/* Errno keys' cache slots count nothing. */
	for (i = 0; i < sn->n; i++)
		if (KS_KEY_KIND(sn->r[i].key) != KS_KIND_ERRNO &&
		    !ks_sum_caches(cg, sn, i))
			return -EAGAIN;
	return 0;
}

static struct ks_snap *ks_snap_alloc(struct ks_cgroup *cg)
{
	struct ks_snap *sn = kmalloc(sizeof(*sn), GFP_KERNEL);

	if (!sn)
		return NULL;
	/* Slots may be added meanwhile: room for a chunk more. */
	sn->max = ks_slot_count(cg) + KS_CHUNK_SLOTS;
	sn->r = kvmalloc_array(sn->max, sizeof(*sn->r), GFP_KERNEL);
	if (!sn->r) {
		kfree(sn);
		return NULL;
	}
	return sn;
}

static void ks_snap_free(struct ks_snap *sn)
{
	kvfree(sn->r);
	kfree(sn);
}

/*
 * Read @cg into @sn.  A move of any of the cgroup's counts on any CPU makes
 * the lockless read retry; past a few tries the lock holds moves off (and
 * keys from being added), so a read ends however busy the cgroup is.
 */
static int ks_snap_read(struct ks_cgroup *cg, struct ks_snap *sn)
{
	unsigned int seq, tries;
	int err;

	for (tries = 0; tries < KS_READ_TRIES; tries++) {
		seq = read_seqcount_begin(&cg->seq);
		err = ks_snap_take(cg, sn, true);
		if (err == -ENOSPC)
			return err;
		if (!err && !read_seqcount_retry(&cg->seq, seq))
			return 0;
	}
	raw_spin_lock(&cg->lock);
	err = ks_snap_take(cg, sn, true);
	raw_spin_unlock(&cg->lock);
	return err;
}

/**
 * ks_read() - a reading of a cgroup's counters, consistent
 * @cg:		the cgroup; the caller keeps it from being freed
 * @out:	one reading per key, baseline subtracted, in the order the keys
 *		were first seen (later keys are appended); kvfree() it
 * @nr:		number of readings
 *
 * May sleep.  Return: 0 or -ENOMEM.
 */
int ks_read(struct ks_cgroup *cg, struct ks_reading **out, u32 *nr)
{
	struct ks_snap *sn;
	int err;

	for (;;) {
		sn = ks_snap_alloc(cg);
		if (!sn)
			return -ENOMEM;
		err = ks_snap_read(cg, sn);
		if (!err)
			break;
		/* only -ENOSPC: under the lock, every errno key is there */
		ks_snap_free(sn);
		cond_resched();
	}
	*out = sn->r;
	*nr = sn->n;
	kfree(sn);
	return 0;
}

/* Every increment a set of counters holds. */
static u64 ks_increments(const struct ks_counters *c)
{
	return READ_ONCE(c->calls) + READ_ONCE(c->errors) +
	       READ_ONCE(c->interrupted);
}

/*
 * ks_activity() in one pass per CPU over all the keys, the CPUs outside,
 * and the moves it was read with: false when a move made it
 * inconsistent.  Of a cache slot, only the three counters the sum takes
 * are read.
 */
static bool ks_activity_once(struct ks_cgroup *cg, u64 *sum, u64 *moves)
{
	unsigned int seq = read_seqcount_begin(&cg->seq), cpu;
	struct ks_chunk *ch;
	u32 i, used, n = 0, left;

	*moves = READ_ONCE(cg->moves);
	*sum = 0;
	for (ch = ks_first_chunk(cg); ch; ch = ks_next_chunk(ch)) {
		used = ks_chunk_used(ch);
		for (i = 0; i < used; i++)
			if (KS_KEY_KIND(ch->slot[i].key) != KS_KIND_ERRNO)
				*sum += ks_increments(&ch->slot[i].c);
		n += used;
	}
	/* the same keys: one added meanwhile counts from the next reading */
	for_each_possible_cpu(cpu) {
		const struct ks_cslot *cache = per_cpu(ks_cpus, cpu).cache;

		left = n;
		for (ch = ks_first_chunk(cg); ch && left; ch = ks_next_chunk(ch)) {
			used = min(ks_chunk_used(ch), left);
			left -= used;
			for (i = 0; i < used; i++) {
				u32 key = ch->slot[i].key;
				u64 tag = ks_key_tag(key);
				const struct ks_cslot *cs =
					&cache[ks_cache_index(cg->id, tag)];

				if (KS_KEY_KIND(key) != KS_KIND_ERRNO &&
				    ks_cslot_holds(cs, cg->id, tag))
					*sum += ks_increments(&cs->c);
			}
		}
	}
	return !read_seqcount_retry(&cg->seq, seq);
}

/*
 * Whether @cg's sum is still the one read with @moves: no CPU's cache
 * holds any of its keys, where events count without the cgroup knowing,
 * and nothing was written under its seqcount since.  An entry taken since
 * and let go again wrote, as did each move into its shared slots.
 */
static bool ks_activity_still(struct ks_cgroup *cg, u64 moves)
{
	unsigned int seq = read_seqcount_begin(&cg->seq);
	bool still = READ_ONCE(cg->moves) == moves && !READ_ONCE(cg->cached);

	return !read_seqcount_retry(&cg->seq, seq) && still;
}

/**
 * ks_activity() - how much a cgroup has counted since it was first seen
 * @cg:		the cgroup; the caller keeps it from being freed
 * @moves:	in: @cg's moves when @last was read (0 with @last 0 for
 *		none); out: those the result was read with
 * @last:	an earlier result, returned as it is when it cannot have
 *		changed since
 *
 * Every event adds at least one to its syscall key's calls, errors or
 * interruptions, baselines not subtracted: the sum of those only grows, and
 * grows with every event.  The errno keys are left out: their counts repeat
 * their syscalls' errors, and reach them late, when a cache slot hands over
 * the count of the errno it held, which would look like a change.  Read as
 * ks_read() reads: a move retries, and past a few tries the lock holds
 * moves off.  A cgroup no cache holds, and which nothing moved into since
 * the last reading, is not read again.  May sleep.
 *
 * Return: the sum over the cgroup's keys.
 */
u64 ks_activity(struct ks_cgroup *cg, u64 *moves, u64 last)
{
	unsigned int tries;
	u64 sum;

	if (ks_activity_still(cg, *moves))
		return last;
	for (tries = 0; tries < KS_READ_TRIES; tries++)
		if (ks_activity_once(cg, &sum, moves))
			return sum;
	raw_spin_lock(&cg->lock);
	ks_activity_once(cg, &sum, moves);
	raw_spin_unlock(&cg->lock);
	return sum;
}

/*
 * Add what every CPU's cache holds for @s, a syscall's slot, to its
 * baseline, and the errno counts its cache slots hold to their errno
 * keys'.  The cgroup's lock held.
 */
static void ks_base_add_caches(struct ks_cgroup *cg, struct ks_slot *s)
{
	u64 tag = ks_key_tag(s->key), pending;
	struct ks_counters c;
	unsigned int cpu;
	int et;

	for_each_possible_cpu(cpu) {
		struct ks_cslot *cs = ks_cache_at(per_cpu_ptr(&ks_cpus, cpu)->cache,
						  cg->id, tag);

		et = ks_cslot_load(cs, cg->id, tag, &c, &pending);
		if (et < 0)
			continue;
		ks_counters_add(&s->base, &c);
		if (et)
			cs->err_shared->base.calls += pending;
	}
}

/**
 * ks_reset_cgroup() - make a cgroup's counters read zero from now on
 * @cg:		the cgroup; the caller keeps it from being freed
 * @generation:	the new generation to report for it
 *
 * Counters are never decremented: each slot's baseline becomes its current
 * count, so readers stay monotonic between resets.  May sleep.
 *
 * Return: the calls the reset took out of the readings.
 */
u64 ks_reset_cgroup(struct ks_cgroup *cg, u64 generation)
{
	struct ks_chunk *ch;
	u64 calls = 0;
	u32 i;

	/*
	 * The whole cgroup under the lock, which holds every move off: the
	 * errno counts in its syscalls' cache slots belong to other keys.
	 */
	ks_write_begin(cg);
	for (ch = cg->chunks; ch; ch = ch->next)
		for (i = 0; i < ch->used; i++) {
			struct ks_slot *s = &ch->slot[i];

			if (KS_KEY_KIND(s->key) != KS_KIND_ERRNO)
				calls -= s->base.calls;
			s->base = s->c;
		}
	for (ch = cg->chunks; ch; ch = ch->next)
		for (i = 0; i < ch->used; i++) {
			struct ks_slot *s = &ch->slot[i];

			if (KS_KEY_KIND(s->key) == KS_KIND_ERRNO)
				continue;
			ks_base_add_caches(cg, s);
			calls += s->base.calls;
		}
	ks_write_end(cg);
	WRITE_ONCE(cg->generation, generation);
	return calls;
}

/**
 * ks_read_overflow() - sum the per-CPU overflow counters
 * @per_abi: KS_NR_ABIS counters, filled
 */
void ks_read_overflow(struct ks_counters *per_abi)
{
	unsigned int cpu, abi;

	memset(per_abi, 0, KS_NR_ABIS * sizeof(*per_abi));
	for_each_possible_cpu(cpu) {
		const struct ks_cpu *c = per_cpu_ptr(&ks_cpus, cpu);

		for (abi = 0; abi < KS_NR_ABIS; abi++) {
			per_abi[abi].calls += READ_ONCE(c->overflow[abi].calls);
			per_abi[abi].errors +=
				READ_ONCE(c->overflow[abi].errors);
			per_abi[abi].enosys +=
				READ_ONCE(c->overflow[abi].enosys);
			per_abi[abi].denied +=
				READ_ONCE(c->overflow[abi].denied);
			per_abi[abi].interrupted +=
				READ_ONCE(c->overflow[abi].interrupted);
		}
	}
}

/**
 * ks_read_observed() - calls counted since load, on all CPUs
 *
 * Return: the sum.
 */
u64 ks_read_observed(void)
{
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(&ks_observed_calls, cpu));
	return sum;
}

/**
 * ks_pool_low() - the fewest pooled cgroups and chunks of any online CPU
 * @cgroups:	set to the fewest pooled cgroups
 * @chunks:	set to the fewest pooled slot chunks
 *
 * A reading for the selftests, which wait for the pools' refill instead
 * of sleeping; each CPU's counts may change as they are read.
 */
void ks_pool_low(u32 *cgroups, u32 *chunks)
{
	unsigned int cpu;

	*cgroups = KS_POOL_CGROUPS;
	*chunks = KS_POOL_CHUNKS;
	for_each_online_cpu(cpu) {
		const struct ks_cpu *c = per_cpu_ptr(&ks_cpus, cpu);

		*cgroups = min_t(u32, *cgroups, READ_ONCE(c->nr_pool_cg));
		*chunks = min_t(u32, *chunks, READ_ONCE(c->nr_pool_chunk));
	}
}

/**
 * ks_cache_bytes() - memory of all CPU caches
 *
 * Return: bytes.
 */
size_t ks_cache_bytes(void)
{
	return (size_t)num_possible_cpus() * ks_cache_slots *
	       sizeof(struct ks_cslot);
}

/**
 * ks_stats_init() - allocate every possible CPU's cache and fill its pools
 *
 * Return: 0 or -ENOMEM.
 */
int ks_stats_init(void)
{
	unsigned int cpu;

	/* main.c checked it is a power of two in range. */
	ks_cache_mask = ks_cache_slots - 1;

	ks_chunk_cache = KMEM_CACHE(ks_chunk, 0);
	ks_cgroup_cache = KMEM_CACHE(ks_cgroup, 0);
	if (!ks_chunk_cache || !ks_cgroup_cache)
		goto err;

	for_each_possible_cpu(cpu) {
		struct ks_cpu *c = per_cpu_ptr(&ks_cpus, cpu);

		INIT_WORK(&c->refill, ks_pool_refill);
		INIT_DELAYED_WORK(&c->refill_later, ks_pool_refill);
		INIT_WORK(&c->drain, ks_drain_cpu);
		c->cache = kvzalloc_node(array_size(ks_cache_slots,
						    sizeof(*c->cache)),
					 GFP_KERNEL, cpu_to_node(cpu));
		if (!c->cache)
			goto err;
	}
	for_each_online_cpu(cpu)
		queue_work_on(cpu, system_highpri_wq,
			      &per_cpu_ptr(&ks_cpus, cpu)->refill);
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(&ks_cpus, cpu)->refill);
	return 0;
err:
	ks_stats_exit();
	return -ENOMEM;
}

/**
 * ks_stats_exit() - free the caches and pools; no probe runs any more
 */
void ks_stats_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct ks_cpu *c = per_cpu_ptr(&ks_cpus, cpu);

		if (c->refill.func) {
			cancel_delayed_work_sync(&c->refill_later);
			cancel_work_sync(&c->refill);
		}
		while (c->nr_pool_cg)
			ks_cgroup_free(c->pool_cg[--c->nr_pool_cg]);
		while (c->nr_pool_chunk)
			ks_obj_free(ks_chunk_cache,
				    c->pool_chunk[--c->nr_pool_chunk]);
		kvfree(c->cache);
		c->cache = NULL;
	}
	kmem_cache_destroy(ks_chunk_cache);
	kmem_cache_destroy(ks_cgroup_cache);
	ks_chunk_cache = NULL;
	ks_cgroup_cache = NULL;
}
