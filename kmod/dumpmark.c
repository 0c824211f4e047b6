// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental dumps.  A clock of marks counts up from the module's load:
 * each marked dump takes the next value as its mark when it starts, and
 * each visit of such a dump that finds a cgroup changed stamps the cgroup
 * with the next value and the visiting dump's mark.  A dump asked for the
 * changes since mark M sends a cgroup when its stamp is later than M and
 * the dump of M did not make it: then some visit after M's start found a
 * change that M's own readings may lack.  Visits compare ks_activity(),
 * which grows with every event, and the cgroup's state, flags, generation
 * and whether its path is known, so the counting pays nothing for this;
 * the sum is not read again while nothing can have changed it.
 *
 * What a stamp cannot say: that a cgroup is gone.  Evictions, a reset of
 * everything and the load itself move the floor: a mark below it is
 * refused (ESTALE), and the requester dumps everything again.
 */
#include <linux/netlink.h>

#include "cgroup.h"
#include "dumpmark.h"

static u64 ks_dumpmark_clock;	/* the last value given */
static u64 ks_dumpmark_floor;	/* marks below are stale */
static u64 ks_dumpmark_loaded;	/* the clock at load: older marks are foreign */

/**
 * ks_dumpmark_init() - start the clock for this module instance
 * @start:	a value above any the previous instance could have given
 *		(the load generation, wall-clock nanoseconds)
 */
void ks_dumpmark_init(u64 start)
{
	ks_dumpmark_clock = start;
	ks_dumpmark_floor = start;
	ks_dumpmark_loaded = start;
}

/**
 * ks_dumpmark_forget() - refuse every mark given so far
 *
 * For changes a stamp cannot carry: a cgroup evicted, everything reset.
 */
void ks_dumpmark_forget(void)
{
	ks_dumpmark_floor = ++ks_dumpmark_clock;
}

/**
 * ks_dumpmark_start() - the mark of a dump that starts now
 *
 * Return: the mark.
 */
u64 ks_dumpmark_start(void)
{
	return ++ks_dumpmark_clock;
}

/**
 * ks_dumpmark_check() - whether the changes since a mark can be told
 * @since:	the mark, 0 for everything
 * @extack:	says why not
 *
 * Return: 0, or -ESTALE.
 */
int ks_dumpmark_check(u64 since, struct netlink_ext_ack *extack)
{
	if (!since)
		return 0;
	if (since < ks_dumpmark_loaded || since > ks_dumpmark_clock) {
		NL_SET_ERR_MSG(extack,
			       "dump mark of another module instance (reloaded): dump everything");
		return -ESTALE;
	}
	if (since < ks_dumpmark_floor) {
		NL_SET_ERR_MSG(extack,
			       "cgroups were evicted or everything was reset since that dump: dump everything");
		return -ESTALE;
	}
	return 0;
}

/*
 * What a visit compares besides the counts.  Read without the lock: a
 * change it misses now is seen by the next visit, as a later event is.
 */
static u64 ks_dumpmark_meta(struct ks_cgroup *cg)
{
	return (u64)READ_ONCE(cg->state) | (u64)READ_ONCE(cg->flags) << 8 |
	       (u64)(READ_ONCE(cg->path[0]) != 0) << 40;
}

/**
 * ks_dumpmark_visit() - a marked dump's visit of a cgroup
 * @cg:		the cgroup
 * @mark:	the visiting dump's mark
 * @since:	the mark it reports changes since, 0 for everything
 *
 * Return: whether the dump sends @cg.
 */
bool ks_dumpmark_visit(struct ks_cgroup *cg, u64 mark, u64 since)
{
	struct ks_seen *seen = &cg->mark;
	u64 activity, meta, generation;

	/* as the message will show it: or the next visit sees a change */
	ks_cgroup_path_settle(cg);
	activity = ks_activity(cg, &seen->moves, seen->activity);
	meta = ks_dumpmark_meta(cg);
	generation = READ_ONCE(cg->generation);

	if (!seen->stamp || activity != seen->activity || meta != seen->meta ||
	    generation != seen->generation) {
		seen->activity = activity;
		seen->meta = meta;
		seen->generation = generation;
		seen->stamp = ++ks_dumpmark_clock;
		seen->by = mark;
	}
	return !since || (seen->stamp > since && seen->by != since);
}
