// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GET_CGROUP: one cgroup's counters, or a dump of every tracked cgroup,
 * parsed into struct kabistat_cgroup.  The same parser reads the cgroup
 * carried by events.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

static const struct nla_policy ks_cgroup_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_GENERATION]		= { .type = NLA_U64 },
	[KABISTAT_A_TIMESTAMP_NS]	= { .type = NLA_U64 },
	[KABISTAT_A_CGROUP_ID]		= { .type = NLA_U64 },
	[KABISTAT_A_CGROUP_PATH]	= { .type = NLA_STRING },
	[KABISTAT_A_CGROUP_STATE]	= { .type = NLA_U32 },
	[KABISTAT_A_CGROUP_FLAGS]	= { .type = NLA_U32 },
	[KABISTAT_A_STAT]		= { .type = NLA_NESTED },
	[KABISTAT_A_OUT_OF_RANGE]	= { .type = NLA_NESTED },
	[KABISTAT_A_ERRNO]		= { .type = NLA_NESTED },
	[KABISTAT_A_EVENT_SEQ]		= { .type = NLA_U64 },
	[KABISTAT_A_CGROUP_MORE]	= { .type = NLA_FLAG },
	[KABISTAT_A_DUMP_MARK]		= { .type = NLA_U64 },
};

static const struct nla_policy ks_stat_policy[KABISTAT_STAT_A_MAX + 1] = {
	[KABISTAT_STAT_A_ABI]		= { .type = NLA_U32 },
	[KABISTAT_STAT_A_NR]		= { .type = NLA_U32 },
	[KABISTAT_STAT_A_CALLS]		= { .type = NLA_U64 },
	[KABISTAT_STAT_A_ERRORS]	= { .type = NLA_U64 },
	[KABISTAT_STAT_A_ENOSYS]	= { .type = NLA_U64 },
	[KABISTAT_STAT_A_DENIED]	= { .type = NLA_U64 },
	[KABISTAT_STAT_A_INTERRUPTED]	= { .type = NLA_U64 },
};

static const struct nla_policy ks_errno_policy[KABISTAT_ERRNO_A_MAX + 1] = {
	[KABISTAT_ERRNO_A_VALUE]	= { .type = NLA_U32 },
	[KABISTAT_ERRNO_A_COUNT]	= { .type = NLA_U64 },
};

void kabistat_cgroup_free(struct kabistat_cgroup *cg)
{
	if (!cg)
		return;
	free(cg->path);
	free(cg->stats);
	free(cg);
}

static void ks_counters_add(struct kabistat_counters *sum,
			    const struct kabistat_counters *c)
{
	sum->calls += c->calls;
	sum->errors += c->errors;
	sum->enosys += c->enosys;
	sum->denied += c->denied;
	sum->interrupted += c->interrupted;
}

static uint64_t ks_nla_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int ks_stat_push(struct ks_cgroup_parse *p,
			const struct kabistat_syscall_stat *st)
{
	struct kabistat_cgroup *cg = p->cg;
	struct kabistat_syscall_stat *stats;

	if (cg->nr_stats == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;

		stats = realloc(cg->stats, cap * sizeof(*stats));
		if (!stats)
			return -ENOMEM;
		cg->stats = stats;
		p->cap = cap;
	}
	cg->stats[cg->nr_stats++] = *st;
	return 0;
}

/* A KABISTAT_A_STAT or KABISTAT_A_OUT_OF_RANGE nest. */
static int ks_parse_stat(struct ks_cgroup_parse *p, struct nlattr *nest,
			 int out_of_range)
{
	struct nlattr *tb[KABISTAT_STAT_A_MAX + 1];
	struct kabistat_syscall_stat st = { 0 };
	struct kabistat_cgroup *cg = p->cg;

	if (nla_parse_nested(tb, KABISTAT_STAT_A_MAX, nest,
			     ks_stat_policy) < 0 || !tb[KABISTAT_STAT_A_ABI])
		return -EPROTO;
	st.abi = nla_get_u32(tb[KABISTAT_STAT_A_ABI]);
	if (st.abi >= KABISTAT_MAX_ABIS)
		return 0;	/* an ABI newer than this library */
	st.c.calls = ks_nla_u64(tb[KABISTAT_STAT_A_CALLS]);
	st.c.errors = ks_nla_u64(tb[KABISTAT_STAT_A_ERRORS]);
	st.c.enosys = ks_nla_u64(tb[KABISTAT_STAT_A_ENOSYS]);
	st.c.denied = ks_nla_u64(tb[KABISTAT_STAT_A_DENIED]);
	st.c.interrupted = ks_nla_u64(tb[KABISTAT_STAT_A_INTERRUPTED]);

	if (out_of_range) {
		ks_counters_add(&cg->out_of_range[st.abi], &st.c);
		return 0;
	}
	if (!tb[KABISTAT_STAT_A_NR]) {
		/* an aggregate's total for one ABI */
		ks_counters_add(&cg->per_abi[st.abi], &st.c);
		p->abi_totals[st.abi] = 1;
		return 0;
	}
	st.nr = nla_get_u32(tb[KABISTAT_STAT_A_NR]);
	return ks_stat_push(p, &st);
}

/*
 * A KABISTAT_A_STATS_PACKED array: entries of struct kabistat_stat, read
 * at the stride of this header's structure.
 */
static int ks_parse_packed(struct ks_cgroup_parse *p, struct nlattr *a)
{
	struct kabistat_cgroup *cg = p->cg;
	const char *data = nla_data(a);
	size_t i, n = nla_len(a) / sizeof(struct kabistat_stat);
	struct kabistat_syscall_stat *st;
	struct kabistat_stat e;

	if (nla_len(a) % sizeof(e))
		return -EPROTO;
	if (cg->nr_stats + n > p->cap) {
		size_t cap = cg->nr_stats + n > 64 ? cg->nr_stats + n : 64;

		st = realloc(cg->stats, cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		cg->stats = st;
		p->cap = cap;
	}
	for (i = 0; i < n; i++) {
		memcpy(&e, data + i * sizeof(e), sizeof(e));
		if (e.abi == KABISTAT_STAT_ERRNO) {
			/* values above ours come from a newer module */
			cg->errno_counts[e.nr <= KABISTAT_ERRNO_MAX ? e.nr : 0] +=
				e.calls;
			continue;
		}
		if (e.abi >= KABISTAT_MAX_ABIS)
			continue;	/* an ABI newer than this library */
		st = &cg->stats[cg->nr_stats];
		st->abi = e.abi;
		st->nr = e.nr;
		st->c.calls = e.calls;
		st->c.errors = e.errors;
		st->c.enosys = e.enosys;
		st->c.denied = e.denied;
		st->c.interrupted = e.interrupted;
		if (e.nr == KABISTAT_NR_OUT_OF_RANGE)
			ks_counters_add(&cg->out_of_range[e.abi], &st->c);
		else
			cg->nr_stats++;
	}
	return 0;
}

static int ks_parse_errno(struct kabistat_cgroup *cg, struct nlattr *nest)
{
	struct nlattr *tb[KABISTAT_ERRNO_A_MAX + 1];
	uint32_t value;

	if (nla_parse_nested(tb, KABISTAT_ERRNO_A_MAX, nest,
			     ks_errno_policy) < 0 ||
	    !tb[KABISTAT_ERRNO_A_VALUE] || !tb[KABISTAT_ERRNO_A_COUNT])
		return -EPROTO;
	value = nla_get_u32(tb[KABISTAT_ERRNO_A_VALUE]);
	/* values above our KABISTAT_ERRNO_MAX come from a newer module */
	if (value > KABISTAT_ERRNO_MAX)
		value = 0;
	cg->errno_counts[value] += nla_get_u64(tb[KABISTAT_ERRNO_A_COUNT]);
	return 0;
}

static int ks_stat_cmp(const void *a, const void *b)
{
	const struct kabistat_syscall_stat *x = a, *y = b;

	if (x->abi != y->abi)
		return x->abi < y->abi ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return 0;
}

/* Sort by (ABI, nr), folding repeated entries into one. */
static void ks_stats_sort(struct kabistat_cgroup *cg)
{
	size_t i, n = 0;

	if (!cg->nr_stats)
		return;
	qsort(cg->stats, cg->nr_stats, sizeof(*cg->stats), ks_stat_cmp);
	for (i = 1; i < cg->nr_stats; i++) {
		if (!ks_stat_cmp(&cg->stats[n], &cg->stats[i]))
			ks_counters_add(&cg->stats[n].c, &cg->stats[i].c);
		else
			cg->stats[++n] = cg->stats[i];
	}
	cg->nr_stats = n + 1;
}

/* per_abi (where the kernel did not send it) and totals. */
static void ks_cgroup_sums(struct kabistat_cgroup *cg, const int *abi_totals)
{
	size_t i;
	int abi;

	for (i = 0; i < cg->nr_stats; i++)
		if (!abi_totals[cg->stats[i].abi])
			ks_counters_add(&cg->per_abi[cg->stats[i].abi],
					&cg->stats[i].c);
	memset(&cg->totals, 0, sizeof(cg->totals));
	for (abi = 0; abi < KABISTAT_MAX_ABIS; abi++) {
		if (!abi_totals[abi])
			ks_counters_add(&cg->per_abi[abi],
					&cg->out_of_range[abi]);
		ks_counters_add(&cg->totals, &cg->per_abi[abi]);
	}
}

void ks_cgroup_parse_drop(struct ks_cgroup_parse *p)
{
	kabistat_cgroup_free(p->cg);
	memset(p, 0, sizeof(*p));
}

/* The attributes of a message of a dump: a cgroup's or the mark. */
static int ks_dump_attrs(struct nlmsghdr *nlh, struct nlattr **tb)
{
	if (genlmsg_parse(nlh, 0, tb, KABISTAT_A_MAX, ks_cgroup_policy) < 0)
		return -EPROTO;
	return 0;
}

int ks_cgroup_attrs(struct nlmsghdr *nlh, struct nlattr **tb)
{
	if (ks_dump_attrs(nlh, tb) || !tb[KABISTAT_A_CGROUP_ID])
		return -EPROTO;
	return 0;
}

/* The header of the first part, or what a later part updates. */
static int ks_cgroup_header(struct kabistat_cgroup *cg, struct nlattr **tb)
{
	const char *path;

	if (tb[KABISTAT_A_CGROUP_STATE])
		cg->state = nla_get_u32(tb[KABISTAT_A_CGROUP_STATE]);
	if (tb[KABISTAT_A_CGROUP_FLAGS])
		cg->flags |= nla_get_u32(tb[KABISTAT_A_CGROUP_FLAGS]);
	if (tb[KABISTAT_A_TIMESTAMP_NS])
		cg->timestamp_ns = nla_get_u64(tb[KABISTAT_A_TIMESTAMP_NS]);
	/* an empty path is one the module has not resolved yet */
	path = tb[KABISTAT_A_CGROUP_PATH] ?
	       nla_get_string(tb[KABISTAT_A_CGROUP_PATH]) : NULL;
	if (!cg->path && path && *path) {
		cg->path = strdup(path);
		if (!cg->path)
			return -ENOMEM;
	}
	return 0;
}

int ks_cgroup_part(struct ks_cgroup_parse *p, struct nlmsghdr *nlh,
		   struct nlattr **tb)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *a;
	int rem, err;

	if (!p->cg) {
		p->cg = calloc(1, sizeof(*p->cg));
		if (!p->cg)
			return -ENOMEM;
		p->cg->id = nla_get_u64(tb[KABISTAT_A_CGROUP_ID]);
		p->cg->generation = ks_nla_u64(tb[KABISTAT_A_GENERATION]);
	}
	p->more = tb[KABISTAT_A_CGROUP_MORE] != NULL;
	err = ks_cgroup_header(p->cg, tb);
	if (err)
		return err;

	/* The nests repeat: walk every attribute, not the parsed table. */
	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		switch (nla_type(a)) {
		case KABISTAT_A_STAT:
			err = ks_parse_stat(p, a, 0);
			break;
		case KABISTAT_A_OUT_OF_RANGE:
			err = ks_parse_stat(p, a, 1);
			break;
		case KABISTAT_A_ERRNO:
			err = ks_parse_errno(p->cg, a);
			break;
		case KABISTAT_A_STATS_PACKED:
			err = ks_parse_packed(p, a);
			break;
		default:
			err = 0;
		}
		if (err)
			return err;
	}
	return 0;
}

struct kabistat_cgroup *ks_cgroup_parse_end(struct ks_cgroup_parse *p)
{
	struct kabistat_cgroup *cg = p->cg;

	ks_stats_sort(cg);
	ks_cgroup_sums(cg, p->abi_totals);
	p->cg = NULL;
	ks_cgroup_parse_drop(p);
	return cg;
}

int ks_cgroup_parse(struct nlmsghdr *nlh, struct kabistat_cgroup **out)
{
	struct nlattr *tb[KABISTAT_A_MAX + 1];
	struct ks_cgroup_parse p = { 0 };
	int err;

	err = ks_cgroup_attrs(nlh, tb);
	if (!err)
		err = ks_cgroup_part(&p, nlh, tb);
	/* only dumps split a cgroup */
	if (!err && p.more)
		err = -EPROTO;
	if (err) {
		ks_cgroup_parse_drop(&p);
		return err;
	}
	*out = ks_cgroup_parse_end(&p);
	return 0;
}

/*
 * The errors every GET_CGROUP caller meets, in words that say what to do;
 * others keep the kernel's extended ACK message.
 */
static int ks_cgroup_error(struct kabistat *ks, int err, const char *what,
			   uint64_t id, int have_id)
{
	if (err == -EPERM || err == -EACCES)
		return ks_error(ks, err,
				"%s: permission denied (needs CAP_PERFMON or CAP_SYS_ADMIN)",
				what);
	if (err == -ENOENT && have_id)
		return ks_error(ks, err, "no such cgroup tracked: %llu",
				(unsigned long long)id);
	return err;
}

struct ks_get_one {
	struct kabistat_cgroup *cg;
	int split;	/* the reply carried KABISTAT_A_CGROUP_MORE */
};

static int ks_parse_one(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct nlattr *attrs[KABISTAT_A_MAX + 1];
	struct ks_cgroup_parse p = { 0 };
	struct ks_get_one *one = arg;
	int err;

	(void)tb;
	if (one->cg)
		return -EPROTO;		/* a "do" answers with one message */
	err = ks_cgroup_attrs(nlh, attrs);
	if (!err)
		err = ks_cgroup_part(&p, nlh, attrs);
	if (!err && p.more) {
		one->split = 1;
		err = -EPROTO;
	}
	if (err) {
		ks_cgroup_parse_drop(&p);
		return err;
	}
	one->cg = ks_cgroup_parse_end(&p);
	return 0;
}

static int ks_get_cgroup(struct kabistat *ks, struct nl_msg *msg,
			 uint64_t id, int have_id, struct kabistat_cgroup **out)
{
	struct ks_get_one one = { 0 };
	int err;

	err = ks_transact(ks, msg, "GET_CGROUP", ks_parse_one, &one);
	if (!err && !one.cg)
		err = ks_error(ks, -EPROTO, "GET_CGROUP: empty reply");
	if (err == -EPROTO && one.split)
		ks_error(ks, err,
			 "GET_CGROUP: the module split its reply into parts (KABISTAT_A_CGROUP_MORE), which only a dump may do");
	if (err) {
		kabistat_cgroup_free(one.cg);
		return ks_cgroup_error(ks, err, "GET_CGROUP", id, have_id);
	}
	*out = one.cg;
	return 0;
}

/*
 * The device reads a cgroup by the fd of its directory only: open it by
 * its id (a file handle, CAP_DAC_READ_SEARCH); a released cgroup has no
 * directory left to open.
 */
static int ks_dev_get_cgroup_id(struct kabistat *ks, uint64_t id,
				struct kabistat_cgroup **out)
{
	char spec[24];
	int fd, err;

	snprintf(spec, sizeof(spec), "%llu", (unsigned long long)id);
	fd = kabistat_cgroup_open(ks, spec);
	if (fd < 0)
		return fd;
	err = ks_dev_get_cgroup_fd(ks, fd, out);
	close(fd);
	return err;
}

int kabistat_get_cgroup(struct kabistat *ks, uint64_t id,
			struct kabistat_cgroup **out)
{
	struct nl_msg *msg;

	if (ks->transport == KABISTAT_TRANSPORT_DEVICE)
		return ks_dev_get_cgroup_id(ks, id, out);
	msg = ks_request(ks, KABISTAT_CMD_GET_CGROUP, 0);
	if (!msg || nla_put_u64(msg, KABISTAT_A_CGROUP_ID, id) < 0) {
		nlmsg_free(msg);
		return ks_error(ks, -ENOMEM, "GET_CGROUP: out of memory");
	}
	return ks_get_cgroup(ks, msg, id, 1, out);
}

int kabistat_get_cgroup_fd(struct kabistat *ks, int fd,
			   struct kabistat_cgroup **out)
{
	struct nl_msg *msg;
	uint64_t id = 0;
	int have_id;

	if (ks->transport == KABISTAT_TRANSPORT_DEVICE)
		return ks_dev_get_cgroup_fd(ks, fd, out);
	msg = ks_request(ks, KABISTAT_CMD_GET_CGROUP, 0);
	if (!msg || nla_put_s32(msg, KABISTAT_A_CGROUP_FD, fd) < 0) {
		nlmsg_free(msg);
		return ks_error(ks, -ENOMEM, "GET_CGROUP: out of memory");
	}
	/* only to name the cgroup in a message */
	have_id = !ks_fd_cgroup_id(fd, &id);
	return ks_get_cgroup(ks, msg, id, have_id, out);
}

static int ks_dump_fail(struct ks_dump *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	return err;
}

/* "cgroup 42", or the aggregate an id 0 stands for */
static const char *ks_dump_name(char *buf, size_t len, uint64_t id,
				uint32_t state)
{
	if (id)
		snprintf(buf, len, "cgroup %llu", (unsigned long long)id);
	else if (state == KABISTAT_CGROUP_OVERFLOW)
		snprintf(buf, len, "the overflow aggregate");
	else if (state == KABISTAT_CGROUP_EVICTED)
		snprintf(buf, len, "the evicted aggregate");
	else
		snprintf(buf, len, "cgroup 0 (state %u)", state);
	return buf;
}

/*
 * Whether @tb, the next message, continues the cgroup being merged: the
 * same id and, for the aggregates (both id 0), the same state.  Its
 * generation must be the same too, or a reset came between the parts and
 * their sum would mix counts from before and after it.
 */
static int ks_dump_continues(struct ks_dump *d, struct nlattr **tb)
{
	const struct kabistat_cgroup *cg = d->part.cg;
	uint64_t id = nla_get_u64(tb[KABISTAT_A_CGROUP_ID]);
	uint32_t state = tb[KABISTAT_A_CGROUP_STATE] ?
			 nla_get_u32(tb[KABISTAT_A_CGROUP_STATE]) : 0;
	char a[48], b[48];

	if (id != cg->id || (!id && state != cg->state))
		return ks_dump_fail(d, -EPROTO,
				    "%s was sent in parts (KABISTAT_A_CGROUP_MORE), but %s came instead of its next part",
				    ks_dump_name(a, sizeof(a), cg->id, cg->state),
				    ks_dump_name(b, sizeof(b), id, state));
	if (ks_nla_u64(tb[KABISTAT_A_GENERATION]) != cg->generation)
		return ks_dump_fail(d, -EAGAIN,
				    "%s was reset while it was dumped, try again",
				    ks_dump_name(a, sizeof(a), id, state));
	return 0;
}

int ks_dump_msg(struct ks_dump *d, struct nlmsghdr *nlh)
{
	struct nlattr *tb[KABISTAT_A_MAX + 1];
	struct kabistat_cgroup *cg;
	int err;

	if (d->stopped)
		return 0;
	err = ks_dump_attrs(nlh, tb);
	if (!err && !tb[KABISTAT_A_CGROUP_ID] && tb[KABISTAT_A_DUMP_MARK] &&
	    !d->part.cg) {
		d->mark = nla_get_u64(tb[KABISTAT_A_DUMP_MARK]);
		return 0;
	}
	if (!err && !tb[KABISTAT_A_CGROUP_ID])
		err = -EPROTO;
	d->cgroups++;
	if (!err && d->part.cg)
		err = ks_dump_continues(d, tb);
	if (!err)
		err = ks_cgroup_part(&d->part, nlh, tb);
	if (err || d->part.more)
		return err;
	cg = ks_cgroup_parse_end(&d->part);
	if (!d->fn) {
		d->ready = cg;
		return 0;
	}
	d->stopped = d->fn(cg, d->arg);
	kabistat_cgroup_free(cg);
	return 0;
}

int ks_dump_end(struct ks_dump *d)
{
	char a[48];

	if (!d->part.cg)
		return 0;
	return ks_dump_fail(d, -EPROTO,
			    "the dump ended inside %s: its last part carried KABISTAT_A_CGROUP_MORE",
			    ks_dump_name(a, sizeof(a), d->part.cg->id,
					 d->part.cg->state));
}

void ks_dump_release(struct ks_dump *d)
{
	kabistat_cgroup_free(d->ready);
	d->ready = NULL;
	ks_cgroup_parse_drop(&d->part);
}

static int ks_parse_dump(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)tb;
	return ks_dump_msg(arg, nlh);
}

int ks_dump_request(struct kabistat *ks, const struct kabistat_dump_opts *opts,
		    struct nl_msg **msg, uint64_t *subtree)
{
	const uint64_t *mark = NULL;
	int err;

	*subtree = 0;
	err = ks_need_netlink(ks, "dumps (GET_CGROUP dump)");
	if (!err && opts)
		err = ks_opts_check(ks, "GET_CGROUP dump", opts, opts->sz,
				    sizeof(*opts));
	if (err)
		return err;
	/* fields beyond the caller's @sz are left at their defaults */
	if (opts && KS_HAS_FIELD(opts, subtree_id))
		*subtree = opts->subtree_id;
	if (opts && KS_HAS_FIELD(opts, mark))
		mark = opts->mark;
	if (mark && ks->packed_refused)
		return ks_error(ks, -EOPNOTSUPP,
				"GET_CGROUP dump: the module predates incremental dumps (KABISTAT_A_CHANGED_SINCE)");
	*msg = ks_request(ks, KABISTAT_CMD_GET_CGROUP, NLM_F_DUMP);
	if (!*msg || (*subtree &&
		      nla_put_u64(*msg, KABISTAT_A_CGROUP_ID, *subtree) < 0) ||
	    (!ks->packed_refused && nla_put_flag(*msg, KABISTAT_A_PACKED) < 0) ||
	    (mark &&
	     nla_put_u64(*msg, KABISTAT_A_CHANGED_SINCE, *mark) < 0)) {
		nlmsg_free(*msg);
		return ks_error(ks, -ENOMEM, "GET_CGROUP dump: out of memory");
	}
	return 0;
}

int ks_dump_error(struct kabistat *ks, struct ks_dump *d, int err,
		  uint64_t subtree)
{
	if (d->why[0])
		return ks_error(ks, err, "GET_CGROUP dump: %s", d->why);
	/* older kernels (5.10) drop the reason a dump's start gives */
	if (err == -ESTALE && strstr(ks->errmsg, strerror(ESTALE)))
		return ks_error(ks, err,
				"GET_CGROUP dump: the module cannot tell what changed since that mark (it was reloaded, reset everything or evicted cgroups since): dump everything");
	return ks_cgroup_error(ks, err, "GET_CGROUP dump", subtree,
			       subtree != 0);
}

int ks_dump_retry_unpacked(struct kabistat *ks, const struct ks_dump *d,
			   int err)
{
	if (err != -EINVAL || ks->packed_refused || d->cgroups)
		return 0;
	ks->packed_refused = 1;
	return 1;
}

/* Where a complete dump asked for it, its mark. */
static int ks_dump_mark_out(struct kabistat *ks, const struct ks_dump *d,
			    const struct kabistat_dump_opts *opts)
{
	if (!opts || !KS_HAS_FIELD(opts, mark) || !opts->mark)
		return 0;
	if (!d->mark)
		return ks_error(ks, -EPROTO,
				"GET_CGROUP dump: no KABISTAT_A_DUMP_MARK at the end of an incremental dump");
	*opts->mark = d->mark;
	return 0;
}

int kabistat_dump(struct kabistat *ks, const struct kabistat_dump_opts *opts,
		  kabistat_cgroup_fn fn, void *arg)
{
	struct ks_dump d;
	uint64_t subtree;
	struct nl_msg *msg;
	int err;

again:
	memset(&d, 0, sizeof(d));
	d.fn = fn;
	d.arg = arg;
	err = ks_dump_request(ks, opts, &msg, &subtree);
	if (err)
		return err;
	err = ks_transact(ks, msg, "GET_CGROUP dump", ks_parse_dump, &d);
	if (!err && !d.stopped)
		err = ks_dump_end(&d);
	ks_dump_release(&d);
	if (ks_dump_retry_unpacked(ks, &d, err))
		goto again;
	if (err)
		return ks_dump_error(ks, &d, err, subtree);
	if (d.stopped)
		return ks_error(ks, d.stopped, "dump stopped by its callback");
	return ks_dump_mark_out(ks, &d, opts);
}

/* Fold @src's counters into @dst; both have sorted stats. */
static int ks_cgroup_fold(struct kabistat_cgroup *dst,
			  const struct kabistat_cgroup *src)
{
	struct kabistat_syscall_stat *stats;
	size_t i = 0, j = 0, n = 0;
	int abi, e;

	stats = malloc((dst->nr_stats + src->nr_stats + 1) * sizeof(*stats));
	if (!stats)
		return -ENOMEM;
	while (i < dst->nr_stats || j < src->nr_stats) {
		int cmp = i == dst->nr_stats ? 1 : j == src->nr_stats ? -1 :
			  ks_stat_cmp(&dst->stats[i], &src->stats[j]);

		if (cmp < 0) {
			stats[n++] = dst->stats[i++];
		} else if (cmp > 0) {
			stats[n++] = src->stats[j++];
		} else {
			stats[n] = dst->stats[i++];
			ks_counters_add(&stats[n++].c, &src->stats[j++].c);
		}
	}
	free(dst->stats);
	dst->stats = stats;
	dst->nr_stats = n;
	for (abi = 0; abi < KABISTAT_MAX_ABIS; abi++) {
		ks_counters_add(&dst->out_of_range[abi], &src->out_of_range[abi]);
		ks_counters_add(&dst->per_abi[abi], &src->per_abi[abi]);
	}
	ks_counters_add(&dst->totals, &src->totals);
	for (e = 0; e <= KABISTAT_ERRNO_MAX; e++)
		dst->errno_counts[e] += src->errno_counts[e];
	dst->flags |= src->flags;
	if (src->timestamp_ns > dst->timestamp_ns)
		dst->timestamp_ns = src->timestamp_ns;
	return 0;
}

int kabistat_cgroup_sum(struct kabistat_cgroup **sum,
			const struct kabistat_cgroup *cg)
{
	struct kabistat_cgroup *s = *sum;
	int err;

	if (s)
		return ks_cgroup_fold(s, cg);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = cg->id;
	s->state = cg->state;
	s->generation = cg->generation;
	if (cg->path && !(s->path = strdup(cg->path))) {
		free(s);
		return -ENOMEM;
	}
	err = ks_cgroup_fold(s, cg);
	if (err) {
		kabistat_cgroup_free(s);
		return err;
	}
	*sum = s;
	return 0;
}

struct kabistat_cgroup *kabistat_cgroup_dup(const struct kabistat_cgroup *cg)
{
	struct kabistat_cgroup *copy = NULL;

	return kabistat_cgroup_sum(&copy, cg) ? NULL : copy;
}
