// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a cgroup counted between two readings.  Counters only grow within a
 * generation; a reset (or a reload of the module) starts a new one from a
 * new baseline, and counts from two generations cannot be subtracted.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/kabistat.h>

#include "internal.h"

/* @n - @o into @d; -ESTALE when a counter went backwards. */
static int ks_sub(struct kabistat_counters *d,
		  const struct kabistat_counters *n,
		  const struct kabistat_counters *o)
{
	if (n->calls < o->calls || n->errors < o->errors ||
	    n->enosys < o->enosys || n->denied < o->denied ||
	    n->interrupted < o->interrupted)
		return -ESTALE;
	d->calls = n->calls - o->calls;
	d->errors = n->errors - o->errors;
	d->enosys = n->enosys - o->enosys;
	d->denied = n->denied - o->denied;
	d->interrupted = n->interrupted - o->interrupted;
	return 0;
}

static uint64_t ks_key(const struct kabistat_syscall_stat *st)
{
	return (uint64_t)st->abi << 32 | st->nr;
}

/* Subtract @old's stats from @d's (a copy of the newer reading). */
static int ks_sub_stats(struct kabistat_cgroup *d,
			const struct kabistat_cgroup *old)
{
	size_t i, j = 0;
	int err;

	for (i = 0; i < d->nr_stats; i++) {
		/* both sorted by ABI, then nr */
		if (j < old->nr_stats &&
		    ks_key(&old->stats[j]) < ks_key(&d->stats[i]))
			return -ESTALE;	/* a syscall's counts vanished */
		if (j < old->nr_stats &&
		    ks_key(&old->stats[j]) == ks_key(&d->stats[i])) {
			err = ks_sub(&d->stats[i].c, &d->stats[i].c,
				     &old->stats[j++].c);
			if (err)
				return err;
		}
	}
	return j < old->nr_stats ? -ESTALE : 0;
}

static int ks_delta(struct kabistat_cgroup *d,
		    const struct kabistat_cgroup *old)
{
	int abi, e, err;

	err = ks_sub_stats(d, old);
	for (abi = 0; abi < KABISTAT_MAX_ABIS && !err; abi++) {
		err = ks_sub(&d->out_of_range[abi], &d->out_of_range[abi],
			     &old->out_of_range[abi]);
		if (!err)
			err = ks_sub(&d->per_abi[abi], &d->per_abi[abi],
				     &old->per_abi[abi]);
	}
	if (!err)
		err = ks_sub(&d->totals, &d->totals, &old->totals);
	for (e = 0; e <= KABISTAT_ERRNO_MAX && !err; e++) {
		if (d->errno_counts[e] < old->errno_counts[e])
			return -ESTALE;
		d->errno_counts[e] -= old->errno_counts[e];
	}
	return err;
}

int kabistat_cgroup_delta(const struct kabistat_cgroup *old,
			  const struct kabistat_cgroup *new,
			  struct kabistat_cgroup **out)
{
	struct kabistat_cgroup *d;
	int err;

	*out = NULL;
	if (old && (old->id != new->id ||
		    (!new->id && old->state != new->state)))
		return -EINVAL;
	if (old && old->generation != new->generation)
		return -ESTALE;
	d = kabistat_cgroup_dup(new);
	if (!d)
		return -ENOMEM;
	d->timestamp_ns = new->timestamp_ns;
	err = old ? ks_delta(d, old) : 0;
	if (err) {
		kabistat_cgroup_free(d);
		return err;
	}
	*out = d;
	return 0;
}
