// SPDX-License-Identifier: GPL-2.0
/*
 * The kabistat generic netlink family: strict per-operation policies, the
 * initial network namespace only, and privilege checked with
 * netlink_capable() against the credentials of the requesting socket.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "abi.h"
#include "cgroup.h"
#include "compat.h"
#include "dumpmark.h"
#include "events.h"
#include "genl.h"
#include "params.h"
#include "testing.h"
#include "tracepoints.h"

static const struct nla_policy ks_get_abi_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_ABI_KNOWN] = { .type = NLA_U64 },
};

static const struct nla_policy ks_cgroup_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_CGROUP_ID] = { .type = NLA_U64 },
	[KABISTAT_A_CGROUP_FD] = { .type = NLA_S32 },
	[KABISTAT_A_PACKED] = { .type = NLA_FLAG },
	[KABISTAT_A_CHANGED_SINCE] = { .type = NLA_U64 },
};

static const struct nla_policy ks_reset_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_CGROUP_ID] = { .type = NLA_U64 },
	[KABISTAT_A_CGROUP_FD] = { .type = NLA_S32 },
	[KABISTAT_A_RESET_ALL] = { .type = NLA_FLAG },
};

static const struct nla_policy ks_set_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_COUNTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[KABISTAT_A_RELEASED_TTL] = { .type = NLA_U32 },
};

static const struct genl_multicast_group ks_mcgrps[] = {
	KS_GENL_MCGRP_SYS_ADMIN(KABISTAT_MCGRP_EVENTS),
};

static int ks_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

static int ks_put_counters(struct sk_buff *skb, const struct ks_counters *c)
{
	if (ks_put_u64(skb, KABISTAT_STAT_A_CALLS, c->calls,
		       KABISTAT_STAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_STAT_A_ERRORS, c->errors,
		       KABISTAT_STAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_STAT_A_ENOSYS, c->enosys,
		       KABISTAT_STAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_STAT_A_DENIED, c->denied,
		       KABISTAT_STAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_STAT_A_INTERRUPTED, c->interrupted,
		       KABISTAT_STAT_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* One counter nest; @nr < 0 leaves the number out. */
static int ks_put_stat(struct sk_buff *skb, int type, u32 abi, long nr,
		       const struct ks_counters *c)
{
	struct nlattr *nest;

	if (!c->calls && !c->errors && !c->interrupted)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest || nla_put_u32(skb, KABISTAT_STAT_A_ABI, abi) ||
	    (nr >= 0 && nla_put_u32(skb, KABISTAT_STAT_A_NR, nr)) ||
	    ks_put_counters(skb, c) ||
	    (ks_test_unknown_attr &&
	     nla_put_u32(skb, KABISTAT_STAT_A_MAX + 1, 0xdeadbeef))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ks_put_errno(struct sk_buff *skb, u32 value, u64 count)
{
	struct nlattr *nest;

	if (!count)
		return 0;
	nest = nla_nest_start(skb, KABISTAT_A_ERRNO);
	if (!nest || nla_put_u32(skb, KABISTAT_ERRNO_A_VALUE, value) ||
	    ks_put_u64(skb, KABISTAT_ERRNO_A_COUNT, count,
		       KABISTAT_ERRNO_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ks_put_header(struct sk_buff *skb, u64 generation)
{
	if (ks_put_u64(skb, KABISTAT_A_TIMESTAMP_NS, ktime_get_boottime_ns(),
		       KABISTAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_A_GENERATION, generation, KABISTAT_A_PAD))
		return -EMSGSIZE;
	/* What a newer module would send and this library must skip. */
	if (ks_test_unknown_attr &&
	    nla_put_u32(skb, KABISTAT_A_MAX + 1, 0xdeadbeef))
		return -EMSGSIZE;
	return 0;
}

static int ks_put_reading(struct sk_buff *skb, const struct ks_reading *r)
{
	u32 kind = KS_KEY_KIND(r->key), nr = KS_KEY_NR(r->key);

	if (kind == KS_KIND_ERRNO)
		return ks_put_errno(skb, nr, r->c.calls);
	if (nr == KS_NR_OOR)
		return ks_put_stat(skb, KABISTAT_A_OUT_OF_RANGE, kind, -1, &r->c);
	return ks_put_stat(skb, KABISTAT_A_STAT, kind, nr, &r->c);
}

/* Whether a reading is sent at all. */
static bool ks_reading_counts(const struct ks_reading *r)
{
	return r->c.calls || r->c.errors || r->c.interrupted;
}

/* The KABISTAT_A_STATS_PACKED entry of a reading. */
static void ks_pack_reading(struct kabistat_stat *e, const struct ks_reading *r)
{
	u32 kind = KS_KEY_KIND(r->key), nr = KS_KEY_NR(r->key);

	e->abi = kind == KS_KIND_ERRNO ? KABISTAT_STAT_ERRNO : kind;
	e->nr = nr == KS_NR_OOR && kind != KS_KIND_ERRNO ?
		KABISTAT_NR_OUT_OF_RANGE : nr;
	e->calls = r->c.calls;
	e->errors = r->c.errors;
	e->enosys = r->c.enosys;
	e->denied = r->c.denied;
	e->interrupted = r->c.interrupted;
}

/*
 * The readings from *@from on as one KABISTAT_A_STATS_PACKED array: as
 * many as fit, keeping room for KABISTAT_A_CGROUP_MORE; *@from moves past
 * those sent.  Return: 0, or -EMSGSIZE when none fit.
 */
static int ks_put_packed(struct sk_buff *skb, const struct ks_reading *r,
			 u32 n, u32 *from)
{
	int room = skb_tailroom(skb) - 2 * NLA_HDRLEN - nla_total_size(0);
	u32 i, k, fit = room > 0 ? room / sizeof(struct kabistat_stat) : 0;
	struct kabistat_stat *e;
	struct nlattr *a;

	for (i = *from, k = 0; i < n; i++) {
		if (!ks_reading_counts(&r[i]))
			continue;
		if (k == fit)
			break;
		k++;
	}
	if (!k) {
		*from = i;
		return i < n ? -EMSGSIZE : 0;
	}
	a = nla_reserve_64bit(skb, KABISTAT_A_STATS_PACKED, k * sizeof(*e),
			      KABISTAT_A_PAD);
	if (!a)
		return -EMSGSIZE;
	e = nla_data(a);
	for (k = 0; *from < i; ++*from)
		if (ks_reading_counts(&r[*from]))
			ks_pack_reading(&e[k++], &r[*from]);
	return 0;
}

/* How ks_put_cgroup_msg() puts the readings. */
#define KS_MSG_SPLIT	BIT(0)	/* in parts, when they do not fit */
#define KS_MSG_PACKED	BIT(1)	/* KABISTAT_A_STATS_PACKED */

/*
 * The readings from *@from on, in nests; the rest as ks_put_packed().
 * Without @split, all of them or -EMSGSIZE.
 */
static int ks_put_nests(struct sk_buff *skb, const struct ks_reading *r,
			u32 n, u32 *from, bool split)
{
	u32 i;

	for (i = *from; i < n; i++) {
		unsigned char *mark = skb_tail_pointer(skb);

		/* Keep room for the flag that says more is to come. */
		if (ks_put_reading(skb, &r[i]) ||
		    (split && skb_tailroom(skb) < nla_total_size(0))) {
			nlmsg_trim(skb, mark);
			if (!split || i == *from)
				return -EMSGSIZE;
			break;
		}
	}
	*from = i;
	return 0;
}

/*
 * A message of @cg with its readings from *@from on.  With KS_MSG_SPLIT,
 * as many as fit, the message saying KABISTAT_A_CGROUP_MORE when some are
 * left and *@from moved past those sent; without, all of them or nothing.
 * Return: 0, or -EMSGSIZE when nothing was added to @skb.
 */
static int ks_put_cgroup_msg(struct sk_buff *skb, u32 portid, u32 seq,
			     int flags, u8 cmd, struct ks_cgroup *cg,
			     const struct ks_reading *r, u32 n, u32 *from,
			     unsigned int how, u64 event_seq)
{
	bool split = how & KS_MSG_SPLIT;
	char path[KS_PATH_LEN];
	u32 state, i = *from;
	void *hdr;

	ks_cgroup_copy_path(cg, path);
	state = READ_ONCE(cg->state) == KS_LIVE ? KABISTAT_CGROUP_LIVE :
						  KABISTAT_CGROUP_RELEASED;
	hdr = genlmsg_put(skb, portid, seq, &ks_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (ks_put_header(skb, READ_ONCE(cg->generation)) ||
	    ks_put_u64(skb, KABISTAT_A_CGROUP_ID, cg->id, KABISTAT_A_PAD) ||
	    nla_put_string(skb, KABISTAT_A_CGROUP_PATH, path) ||
	    nla_put_u32(skb, KABISTAT_A_CGROUP_STATE, state) ||
	    nla_put_u32(skb, KABISTAT_A_CGROUP_FLAGS, READ_ONCE(cg->flags)) ||
	    (event_seq && ks_put_u64(skb, KABISTAT_A_EVENT_SEQ, event_seq,
				     KABISTAT_A_PAD)))
		goto cancel;
	if (how & KS_MSG_PACKED ? ks_put_packed(skb, r, n, &i) :
				  ks_put_nests(skb, r, n, &i, split))
		goto cancel;
	if (i < n && (!split || nla_put_flag(skb, KABISTAT_A_CGROUP_MORE)))
		goto cancel;
	*from = i;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* The most a message of a cgroup with @n readings takes. */
static size_t ks_cgroup_msg_size(u32 n)
{
	size_t reading = nla_total_size(0) + 3 * nla_total_size(sizeof(u32)) +
			 5 * nla_total_size_64bit(sizeof(u64));

	return 4 * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(KS_PATH_LEN) + 3 * nla_total_size(sizeof(u32)) +
	       (size_t)n * reading;
}

/**
 * ks_genl_cgroup_msg() - one cgroup's whole message, as GET_CGROUP reports it
 * @portid:	destination port
 * @seq:	sequence number of the request
 * @cmd:	command of the message
 * @cg:		the cgroup, kept alive by ks_cgroups_mutex
 * @event_seq:	KABISTAT_A_EVENT_SEQ to add, or 0
 *
 * Return: the message, sized for it, or an ERR_PTR().
 */
struct sk_buff *ks_genl_cgroup_msg(u32 portid, u32 seq, u8 cmd,
				   struct ks_cgroup *cg, u64 event_seq)
{
	struct ks_reading *r;
	struct sk_buff *skb;
	u32 n, from = 0;
	int err;

	err = ks_read(cg, &r, &n);
	if (err)
		return ERR_PTR(err);
	skb = genlmsg_new(ks_cgroup_msg_size(n), GFP_KERNEL);
	if (!skb) {
		kvfree(r);
		return ERR_PTR(-ENOMEM);
	}
	err = ks_put_cgroup_msg(skb, portid, seq, 0, cmd, cg, r, n, &from, 0,
				event_seq);
	kvfree(r);
	if (err) {
		nlmsg_free(skb);
		return ERR_PTR(err);
	}
	return skb;
}

/*
 * A dump's message of @cg from its reading *@from on; *@from ends at the
 * number of readings once they are all sent.  A cgroup is split only where
 * it does not fit a message of its own: one that merely finds the message
 * full goes whole into the next.  Return: 0 or a negative errno, -EMSGSIZE
 * when @skb had no room for any.
 */
static int ks_dump_put_cgroup(struct sk_buff *skb, u32 portid, u32 seq,
			      struct ks_cgroup *cg, u32 *from, bool packed,
			      bool *more)
{
	unsigned int how = (skb->len ? 0 : KS_MSG_SPLIT) |
			   (packed ? KS_MSG_PACKED : 0);
	struct ks_reading *r;
	u32 n;
	int err;

	err = ks_read(cg, &r, &n);
	if (err)
		return err;
	*from = min(*from, n);
	err = ks_put_cgroup_msg(skb, portid, seq, NLM_F_MULTI,
				KABISTAT_CMD_GET_CGROUP, cg, r, n, from, how,
				0);
	*more = *from < n;
	kvfree(r);
	return err;
}

/* An aggregate: id 0, per-ABI totals only. */
static int ks_put_aggregate(struct sk_buff *skb, u32 portid, u32 seq,
			    u32 state, const struct ks_counters *per_abi)
{
	void *hdr;
	u32 abi;

	hdr = genlmsg_put(skb, portid, seq, &ks_family, NLM_F_MULTI,
			  KABISTAT_CMD_GET_CGROUP);
	if (!hdr)
		return -EMSGSIZE;
	if (ks_put_header(skb, ks_generation) ||
	    ks_put_u64(skb, KABISTAT_A_CGROUP_ID, 0, KABISTAT_A_PAD) ||
	    nla_put_u32(skb, KABISTAT_A_CGROUP_STATE, state))
		goto cancel;
	for (abi = 0; abi < KS_NR_ABIS; abi++)
		if (ks_put_stat(skb, KABISTAT_A_STAT, abi, -1, &per_abi[abi]))
			goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static bool ks_capable_read(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_PERFMON) ||
	       netlink_capable(skb, CAP_SYS_ADMIN);
}

/*
 * Whether the requester (GET_ABI runs in its context) may see host-wide
 * activity: an optional field, so a "no" is not worth an audit record.
 */
static bool ks_reader_noaudit(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_PERFMON) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/*
 * The cgroup a request names, by id or by fd, with its level in the
 * hierarchy when it is live (for subtree dumps; released cgroups keep it).
 * None named: *@id is 0, which no cgroup has.  A fd must name a live
 * cgroup2 directory: a removed one is an error, never "none".
 */
static int ks_request_cgroup(struct nlattr **attrs, struct netlink_ext_ack *ea,
			     u64 *id, u32 *level)
{
	struct nlattr *a_id = attrs[KABISTAT_A_CGROUP_ID];
	struct nlattr *a_fd = attrs[KABISTAT_A_CGROUP_FD];
	struct cgroup *cgrp;

	*id = 0;
	if (a_id && a_fd) {
		NL_SET_ERR_MSG_ATTR(ea, a_fd,
				    "give a cgroup id or a cgroup fd, not both");
		return -EINVAL;
	}
	if (a_fd) {
		cgrp = cgroup_get_from_fd(nla_get_s32(a_fd));
		if (PTR_ERR_OR_ZERO(cgrp) == -ENOENT) {
			NL_SET_ERR_MSG_ATTR(ea, a_fd, "cgroup removed");
			return -ENOENT;
		}
		if (IS_ERR(cgrp)) {
			NL_SET_ERR_MSG_ATTR(ea, a_fd,
					    "not an open cgroup2 directory");
			return PTR_ERR(cgrp);
		}
	} else if (a_id) {
		if (!nla_get_u64(a_id)) {
			NL_SET_ERR_MSG_ATTR(ea, a_id, "cgroup id 0");
			return -EINVAL;
		}
		cgrp = ks_cgroup_get_from_id(nla_get_u64(a_id));
		if (IS_ERR(cgrp)) {
			*id = nla_get_u64(a_id);
			*level = U32_MAX;	/* not live: ask the table */
			return 0;
		}
	} else {
		return 0;
	}
	*id = cgroup_id(cgrp);
	*level = cgrp->level;
	cgroup_put(cgrp);
	return 0;
}

static int ks_get_cgroup_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ks_cgroup *cg;
	struct sk_buff *msg;
	u32 level;
	u64 id;
	int err;

	if (!ks_capable_read(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "needs CAP_PERFMON or CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (info->attrs[KABISTAT_A_PACKED] ||
	    info->attrs[KABISTAT_A_CHANGED_SINCE]) {
		NL_SET_ERR_MSG(info->extack,
			       "PACKED and CHANGED_SINCE are for dumps only");
		return -EINVAL;
	}
	err = ks_request_cgroup(info->attrs, info->extack, &id, &level);
	if (err)
		return err;
	if (!id) {
		NL_SET_ERR_MSG(info->extack, "missing cgroup id or fd");
		return -EINVAL;
	}

	mutex_lock(&ks_cgroups_mutex);
	cg = ks_cgroup_find(id);
	msg = cg ? ks_genl_cgroup_msg(info->snd_portid, info->snd_seq,
				      KABISTAT_CMD_GET_CGROUP, cg, 0) :
		   ERR_PTR(-ENOENT);
	mutex_unlock(&ks_cgroups_mutex);
	if (!cg)
		NL_SET_ERR_MSG(info->extack, "cgroup not tracked");
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

enum ks_dump_phase { KS_DUMP_CGROUPS, KS_DUMP_OVERFLOW, KS_DUMP_EVICTED,
		     KS_DUMP_MARK, KS_DUMP_DONE };

/*
 * @part_id and @from: the cgroup a message could not hold whole, and the
 * reading its next message starts at.  Once a part of it is sent (@from is
 * not 0), the dump keeps it from being evicted (ks_cgroup.dumpers) until
 * its last part is sent or the dump ends.  @mark: this dump's mark when
 * @marked (the request had KABISTAT_A_CHANGED_SINCE @since).  Larger than
 * the callback's context on older kernels: allocated, its pointer there.
 */
struct ks_dump {
	struct ks_cursor cur;
	u64 root_id;
	u32 root_level;
	u32 phase;
	u32 from;
	u64 part_id;
	bool packed;
	bool marked;
	u64 since;
	u64 mark;
};

static struct ks_dump *ks_dump_of(struct netlink_callback *cb)
{
	return *(struct ks_dump **)cb->ctx;
}

/* The request's options for the body of the dump, and its mark. */
static int ks_dump_options(struct ks_dump *d, struct nlattr **attrs,
			   struct netlink_ext_ack *extack)
{
	int err = 0;

	d->packed = nla_get_flag(attrs[KABISTAT_A_PACKED]);
	if (!attrs[KABISTAT_A_CHANGED_SINCE])
		return 0;
	d->marked = true;
	d->since = nla_get_u64(attrs[KABISTAT_A_CHANGED_SINCE]);
	mutex_lock(&ks_cgroups_mutex);
	err = ks_dumpmark_check(d->since, extack);
	if (!err)
		d->mark = ks_dumpmark_start();
	mutex_unlock(&ks_cgroups_mutex);
	return err;
}

/* The subtree a dump request names, if any. */
static int ks_dump_subtree(struct ks_dump *d, struct nlattr **attrs,
			   struct netlink_ext_ack *extack)
{
	struct ks_cgroup *cg;
	int err;

	err = ks_request_cgroup(attrs, extack, &d->root_id, &d->root_level);
	if (err || !d->root_id)
		return err;		/* no subtree: everything */
	/* Paths and ancestors of new cgroups are resolved by then. */
	ks_cgroup_sync();
	if (d->root_level == U32_MAX) {
		mutex_lock(&ks_cgroups_mutex);
		cg = ks_cgroup_find(d->root_id);
		if (cg)
			d->root_level = cg->level;
		mutex_unlock(&ks_cgroups_mutex);
		if (!cg) {
			NL_SET_ERR_MSG(extack, "no such cgroup");
			return -ENOENT;
		}
	}
	if (d->root_level > KS_MAX_LEVEL) {
		NL_SET_ERR_MSG(extack, "subtree root too deep");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int ks_get_cgroup_start(struct netlink_callback *cb)
{
	struct nlattr *attrs[KABISTAT_A_MAX + 1];
	struct ks_dump *d;
	int err;

	BUILD_BUG_ON(sizeof(d) > sizeof(cb->ctx));
	*(struct ks_dump **)cb->ctx = NULL;
	err = ks_genl_check_header(cb->nlh, cb->extack);
	if (err)
		return err;
	if (!ks_capable_read(cb->skb)) {
		NL_SET_ERR_MSG(cb->extack, "needs CAP_PERFMON or CAP_SYS_ADMIN");
		return -EPERM;
	}
	/*
	 * The core validated the request already; parsing it here again
	 * spares depending on where each kernel version keeps the result.
	 */
	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, KABISTAT_A_MAX,
			  ks_cgroup_policy, cb->extack);
	if (err)
		return err;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = ks_dump_subtree(d, attrs, cb->extack);
	if (!err)
		err = ks_dump_options(d, attrs, cb->extack);
	if (err) {
		kfree(d);
		return err;
	}
	*(struct ks_dump **)cb->ctx = d;
	return 0;
}

/* The last message of a marked dump. */
static int ks_put_dump_mark(struct sk_buff *skb, u32 portid, u32 seq, u64 mark)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ks_family, NLM_F_MULTI,
			  KABISTAT_CMD_GET_CGROUP);
	if (!hdr)
		return -EMSGSIZE;
	if (ks_put_header(skb, ks_generation) ||
	    ks_put_u64(skb, KABISTAT_A_DUMP_MARK, mark, KABISTAT_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int ks_get_cgroup_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ks_dump *d = ks_dump_of(cb);
	struct ks_counters overflow[KS_NR_ABIS], evicted[KS_NR_ABIS];
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;
	struct ks_cgroup *cg;
	bool more;
	u32 inside;
	int err = 0;

	mutex_lock(&ks_cgroups_mutex);
	while (d->phase == KS_DUMP_CGROUPS) {
		cg = ks_cgroup_next(&d->cur);
		if (!cg) {
			/* A subtree has no aggregates. */
			d->phase = d->root_id ? KS_DUMP_MARK : KS_DUMP_OVERFLOW;
			break;
		}
		if (!ks_cgroup_in_subtree(cg, d->root_id, d->root_level))
			continue;
		/* Resume inside the cgroup a message could not hold whole. */
		if (cg->id != d->part_id)
			d->from = 0;
		inside = d->from;
		if (!inside && d->marked &&
		    !ks_dumpmark_visit(cg, d->mark, d->since)) {
			cond_resched();
			continue;
		}
		err = ks_dump_put_cgroup(skb, portid, seq, cg, &d->from,
					 d->packed, &more);
		if (err || more) {
			if (!inside && d->from)
				cg->dumpers++;
			ks_cursor_rewind(&d->cur, cg);
			d->part_id = cg->id;
			goto out;
		}
		if (inside)
			cg->dumpers--;
		d->part_id = 0;
		d->from = 0;
	}
	ks_read_aggregates(overflow, evicted);
	if (d->phase == KS_DUMP_OVERFLOW) {
		err = ks_put_aggregate(skb, portid, seq,
				       KABISTAT_CGROUP_OVERFLOW, overflow);
		if (err)
			goto out;
		d->phase = KS_DUMP_EVICTED;
	}
	if (d->phase == KS_DUMP_EVICTED) {
		err = ks_put_aggregate(skb, portid, seq,
				       KABISTAT_CGROUP_EVICTED, evicted);
		if (err)
			goto out;
		d->phase = KS_DUMP_MARK;
	}
	if (d->phase == KS_DUMP_MARK) {
		if (d->marked) {
			err = ks_put_dump_mark(skb, portid, seq, d->mark);
			if (err)
				goto out;
		}
		d->phase = KS_DUMP_DONE;
	}
out:
	mutex_unlock(&ks_cgroups_mutex);
	/* A full message: continue with the next one; progress was made. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/* A dump left inside a cgroup lets it go. */
static int ks_get_cgroup_done(struct netlink_callback *cb)
{
	struct ks_dump *d = ks_dump_of(cb);
	struct ks_cgroup *cg;

	if (d && d->from) {
		mutex_lock(&ks_cgroups_mutex);
		cg = ks_cgroup_find(d->part_id);
		if (cg && !WARN_ON_ONCE(!cg->dumpers))
			cg->dumpers--;
		mutex_unlock(&ks_cgroups_mutex);
	}
	kfree(d);
	return 0;
}

static int ks_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool all = nla_get_flag(info->attrs[KABISTAT_A_RESET_ALL]);
	struct ks_cgroup *cg = NULL;
	u32 level;
	u64 id;
	int err;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	err = ks_request_cgroup(info->attrs, info->extack, &id, &level);
	if (err)
		return err;
	if (id && all) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[KABISTAT_A_RESET_ALL],
				    "give a cgroup or RESET_ALL, not both");
		return -EINVAL;
	}
	if (!id && !all) {
		NL_SET_ERR_MSG(info->extack,
			       "missing cgroup id, cgroup fd or RESET_ALL");
		return -EINVAL;
	}

	mutex_lock(&ks_cgroups_mutex);
	if (!all) {
		cg = ks_cgroup_find(id);
		if (!cg) {
			NL_SET_ERR_MSG(info->extack, "cgroup not tracked");
			err = -ENOENT;
			goto out;
		}
	}
	ks_reset(cg);
	err = 0;
out:
	mutex_unlock(&ks_cgroups_mutex);
	return err;
}

static int ks_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *counting = info->attrs[KABISTAT_A_COUNTING];
	struct nlattr *ttl = info->attrs[KABISTAT_A_RELEASED_TTL];

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (!counting && !ttl) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	if (counting) {
		int err = ks_probes_count(nla_get_u8(counting));

		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "cannot switch the sys_exit probe");
			return err;
		}
	}
	if (ttl) {
		WRITE_ONCE(ks_released_ttl, nla_get_u32(ttl));
		ks_cgroup_maintain();
	}
	return 0;
}

/* The counting state; how many calls were seen only for readers. */
static int ks_put_state(struct sk_buff *skb, bool reader)
{
	size_t memory = atomic_long_read(&ks_memory_used) + ks_cache_bytes();
	u32 pool_cgroups, pool_chunks;

	ks_pool_low(&pool_cgroups, &pool_chunks);
	mutex_lock(&ks_cgroups_mutex);
	if (ks_put_header(skb, ks_generation) ||
	    nla_put_u8(skb, KABISTAT_A_COUNTING,
		       static_key_enabled(&ks_counting)) ||
	    nla_put_u32(skb, KABISTAT_A_TRACKED_CGROUPS,
			ks_cgroups_tracked()) ||
	    nla_put_u32(skb, KABISTAT_A_MAX_CGROUPS, ks_max_cgroups) ||
	    ks_put_u64(skb, KABISTAT_A_MEMORY_USED, memory, KABISTAT_A_PAD) ||
	    ks_put_u64(skb, KABISTAT_A_MAX_MEMORY, ks_max_memory,
		       KABISTAT_A_PAD) ||
	    nla_put_u32(skb, KABISTAT_A_RELEASED_TTL,
			READ_ONCE(ks_released_ttl)) ||
	    ks_put_u64(skb, KABISTAT_A_EVENTS_DROPPED, ks_events_dropped(),
		       KABISTAT_A_PAD) ||
	    nla_put_u32(skb, KABISTAT_A_POOL_CGROUPS, pool_cgroups) ||
	    nla_put_u32(skb, KABISTAT_A_POOL_CHUNKS, pool_chunks) ||
	    (reader && ks_put_u64(skb, KABISTAT_A_OBSERVED, ks_observed(),
				  KABISTAT_A_PAD))) {
		mutex_unlock(&ks_cgroups_mutex);
		return -EMSGSIZE;
	}
	mutex_unlock(&ks_cgroups_mutex);
	return 0;
}

static int ks_get_abi_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t size = ks_abi_msg_size() + 6 * nla_total_size_64bit(8) +
		      7 * nla_total_size(sizeof(u32)) + nla_total_size(1);
	struct nlattr *known = info->attrs[KABISTAT_A_ABI_KNOWN];
	/* the tables change only with the module, and so does the generation */
	bool tables = !known || nla_get_u64(known) != READ_ONCE(ks_generation);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ks_family, 0,
				KABISTAT_CMD_GET_ABI);
	if (!hdr || ks_put_state(msg, ks_reader_noaudit()) ||
	    ks_abi_fill(msg, tables)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops ks_ops[] = {
	{
		.cmd = KABISTAT_CMD_GET_ABI,
		.doit = ks_get_abi_doit,
		.policy = ks_get_abi_policy,
		.maxattr = KABISTAT_A_MAX,
	},
	{
		.cmd = KABISTAT_CMD_GET_CGROUP,
		.doit = ks_get_cgroup_doit,
		.start = ks_get_cgroup_start,
		.dumpit = ks_get_cgroup_dumpit,
		.done = ks_get_cgroup_done,
		.policy = ks_cgroup_policy,
		.maxattr = KABISTAT_A_MAX,
	},
	{
		.cmd = KABISTAT_CMD_RESET,
		.doit = ks_reset_doit,
		.policy = ks_reset_policy,
		.maxattr = KABISTAT_A_MAX,
	},
	{
		.cmd = KABISTAT_CMD_SET,
		.doit = ks_set_doit,
		.policy = ks_set_policy,
		.maxattr = KABISTAT_A_MAX,
	},
};

struct genl_family ks_family __ro_after_init = {
	.name = KABISTAT_GENL_NAME,
	.version = KABISTAT_GENL_VERSION,
	.maxattr = KABISTAT_A_MAX,
	.netnsok = false,
	/* Requests serialise on ks_cgroups_mutex, not on genl_mutex. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ks_ops,
	.n_ops = ARRAY_SIZE(ks_ops),
	.mcgrps = ks_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ks_mcgrps),
	KS_GENL_FAMILY_STRICT(KABISTAT_CMD_GET_ABI),
};

/**
 * ks_genl_init() - register the kabistat family
 *
 * Return: 0 or a negative errno.
 */
int __init ks_genl_init(void)
{
	return genl_register_family(&ks_family);
}

/**
 * ks_genl_exit() - unregister the family; no request runs afterwards
 */
void ks_genl_exit(void)
{
	genl_unregister_family(&ks_family);
}

MODULE_ALIAS_GENL_FAMILY(KABISTAT_GENL_NAME);
