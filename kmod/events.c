// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast events: a cgroup released (with its final counters) and the
 * first ENOSYS of a (cgroup, ABI, syscall).  The probes only queue the
 * latter on their CPU; messages are built and sent from a workqueue, at
 * most KS_EVENTS_PER_SEC a second.  Every event takes a sequence number,
 * sent or dropped, so a listener sees a gap where events were lost.
 */
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>

#include "cgroup.h"
#include "compat.h"
#include "events.h"
#include "genl.h"

#define KS_EVENTS_PER_SEC	1000
#define KS_ENOSYS_QUEUE		64

struct ks_enosys {
	u64 cgid;
	u32 key;
};

/* Per CPU, first ENOSYS events the probes queued; only that CPU writes. */
struct ks_evq {
	unsigned int n;
	u64 dropped;
	struct ks_enosys ev[KS_ENOSYS_QUEUE];
	struct work_struct work;
};

static DEFINE_PER_CPU(struct ks_evq, ks_evqs);
static atomic64_t ks_event_seq = ATOMIC64_INIT(0);
static atomic64_t ks_dropped = ATOMIC64_INIT(0);

/* Token bucket, refilled by elapsed time; under ks_rate_lock. */
static DEFINE_SPINLOCK(ks_rate_lock);
static unsigned long ks_rate_stamp;
static unsigned int ks_rate_tokens = KS_EVENTS_PER_SEC;

static bool ks_rate_allow(void)
{
	unsigned long now = jiffies, refill;
	bool ok;

	spin_lock(&ks_rate_lock);
	refill = (now - ks_rate_stamp) * KS_EVENTS_PER_SEC / HZ;
	if (refill) {
		ks_rate_tokens = min_t(unsigned long, KS_EVENTS_PER_SEC,
				       ks_rate_tokens + refill);
		ks_rate_stamp = now;
	}
	ok = ks_rate_tokens > 0;
	if (ok)
		ks_rate_tokens--;
	spin_unlock(&ks_rate_lock);
	return ok;
}

static void ks_drop(void)
{
	atomic64_inc(&ks_event_seq);
	atomic64_inc(&ks_dropped);
}

static void ks_send(struct sk_buff *skb)
{
	/* No listener is no loss. */
	ks_genl_multicast(&ks_family, skb, 0, GFP_KERNEL);
}

static void ks_send_enosys(const struct ks_enosys *ev)
{
	u32 nr = KS_KEY_NR(ev->key) == KS_NR_OOR ? KABISTAT_NR_OUT_OF_RANGE :
						   KS_KEY_NR(ev->key);
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!ks_rate_allow()) {
		ks_drop();
		return;
	}
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb) {
		ks_drop();
		return;
	}
	hdr = genlmsg_put(skb, 0, 0, &ks_family, 0, KABISTAT_CMD_FIRST_ENOSYS);
	if (!hdr)
		goto err;
	if (nla_put_u64_64bit(skb, KABISTAT_A_EVENT_SEQ,
			      atomic64_inc_return(&ks_event_seq),
			      KABISTAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KABISTAT_A_CGROUP_ID, ev->cgid,
			      KABISTAT_A_PAD))
		goto err;
	nest = nla_nest_start(skb, KABISTAT_A_STAT);
	if (!nest ||
	    nla_put_u32(skb, KABISTAT_STAT_A_ABI, KS_KEY_KIND(ev->key)) ||
	    nla_put_u32(skb, KABISTAT_STAT_A_NR, nr))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	ks_send(skb);
	return;
err:
	nlmsg_free(skb);
	atomic64_inc(&ks_dropped);
}

/*
 * Runs on the CPU that queued the events (or, were it offline, on another
 * one, taking that CPU's own queue): take them with preemption disabled,
 * which keeps the owner's probes out, then send them.
 */
static void ks_enosys_work(struct work_struct *work)
{
	struct ks_enosys ev[KS_ENOSYS_QUEUE];
	unsigned int i, n;
	struct ks_evq *q;
	u64 dropped;

	preempt_disable();
	q = this_cpu_ptr(&ks_evqs);
	n = q->n;
	memcpy(ev, q->ev, n * sizeof(ev[0]));
	q->n = 0;
	dropped = q->dropped;
	q->dropped = 0;
	preempt_enable();

	atomic64_add(dropped, &ks_event_seq);
	atomic64_add(dropped, &ks_dropped);
	for (i = 0; i < n; i++)
		ks_send_enosys(&ev[i]);
}

/**
 * ks_event_first_enosys() - announce a first ENOSYS
 * @cgid:	cgroup id
 * @key:	the (ABI, number) key
 *
 * Called from the syscall probes with preemption disabled.
 */
void ks_event_first_enosys(u64 cgid, u32 key)
{
	struct ks_evq *q = this_cpu_ptr(&ks_evqs);

	if (q->n < KS_ENOSYS_QUEUE)
		q->ev[q->n++] = (struct ks_enosys){ .cgid = cgid, .key = key };
	else
		q->dropped++;
	queue_work_on(smp_processor_id(), system_wq, &q->work);
}

/**
 * ks_event_released() - announce a released cgroup's final counters
 * @cg: the cgroup, kept alive by ks_cgroups_mutex
 */
void ks_event_released(struct ks_cgroup *cg)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&ks_family, &init_net, 0))
		return;
	if (!ks_rate_allow()) {
		ks_drop();
		return;
	}
	skb = ks_genl_cgroup_msg(0, 0, KABISTAT_CMD_CGROUP_RELEASED, cg,
				 atomic64_inc_return(&ks_event_seq));
	if (IS_ERR(skb)) {
		atomic64_inc(&ks_dropped);
		return;
	}
	ks_send(skb);
}

/**
 * ks_events_dropped() - events not sent since load
 *
 * Return: the number.
 */
u64 ks_events_dropped(void)
{
	return atomic64_read(&ks_dropped);
}

/**
 * ks_events_init() - prepare the per-CPU queues
 *
 * Return: 0.
 */
int ks_events_init(void)
{
	unsigned int cpu;

	ks_rate_stamp = jiffies;
	for_each_possible_cpu(cpu)
		INIT_WORK(&per_cpu_ptr(&ks_evqs, cpu)->work, ks_enosys_work);
	return 0;
}

/**
 * ks_events_exit() - wait for queued events; the probes are gone
 */
void ks_events_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		cancel_work_sync(&per_cpu_ptr(&ks_evqs, cpu)->work);
}
