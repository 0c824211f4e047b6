// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A dump read one cgroup at a time, for programs with an event loop: the
 * request is sent, and each call takes what the socket already holds,
 * never waiting.  The handle carries only this dump until the iterator is
 * freed (its messages could otherwise arrive between a request and its
 * reply); what an abandoned dump leaves on the socket is skipped by the
 * next request, whose sequence number differs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

#define KS_ITER_WHAT	"GET_CGROUP dump"

struct kabistat_dump_iter {
	struct kabistat *ks;
	uint32_t seq;		/* the request's */
	struct kabistat_dump_opts opts;	/* the caller's, as far as it knew */
	uint64_t subtree;
	struct ks_dump d;
	int done;		/* the dump ended; @err says how */
	int err;
};

/* Send the dump request of @it's options. */
static int ks_iter_send(struct kabistat_dump_iter *it)
{
	struct kabistat *ks = it->ks;
	struct nl_msg *msg;
	int err;

	err = ks_dump_request(ks, &it->opts, &msg, &it->subtree);
	if (err)
		return err;
	nl_complete_msg(ks->sock, msg);
	it->seq = nlmsg_hdr(msg)->nlmsg_seq;
	err = nl_send(ks->sock, msg);
	nlmsg_free(msg);
	if (err < 0)
		return ks_error(ks, ks_nl_errno(err), KS_ITER_WHAT ": %s",
				nl_geterror(err));
	return 0;
}

int kabistat_dump_iter_start(struct kabistat *ks,
			     const struct kabistat_dump_opts *opts,
			     struct kabistat_dump_iter **out)
{
	struct kabistat_dump_iter *it;
	int err;

	err = ks_request_ok(ks, KS_ITER_WHAT);
	if (!err && opts)
		err = ks_opts_check(ks, KS_ITER_WHAT, opts, opts->sz,
				    sizeof(*opts));
	if (err)
		return err;
	it = calloc(1, sizeof(*it));
	if (!it)
		return ks_error(ks, -ENOMEM, KS_ITER_WHAT ": out of memory");
	it->ks = ks;
	/* what an older caller's structure lacks stays zero: the defaults */
	if (opts)
		memcpy(&it->opts, opts, opts->sz < sizeof(it->opts) ?
					opts->sz : sizeof(it->opts));
	it->opts.sz = sizeof(it->opts);
	err = ks_iter_send(it);
	if (err) {
		free(it);
		return err;
	}
	ks->dumping = 1;
	ks->ev_len = ks->ev_off = 0;
	*out = it;
	return 0;
}

int kabistat_dump_iter_fd(const struct kabistat_dump_iter *it)
{
	return nl_socket_get_fd(it->ks->sock);
}

/* The end of the dump, or its failure: @err, explained. */
static int ks_iter_end(struct kabistat_dump_iter *it, int err)
{
	it->done = 1;
	if (!err)
		err = ks_dump_end(&it->d);
	if (err)
		err = ks_dump_error(it->ks, &it->d, err, it->subtree);
	if (!err && KS_HAS_FIELD(&it->opts, mark) && it->opts.mark) {
		if (it->d.mark)
			*it->opts.mark = it->d.mark;
		else
			err = ks_error(it->ks, -EPROTO,
				       KS_ITER_WHAT ": no KABISTAT_A_DUMP_MARK at the end of an incremental dump");
	}
	it->err = err;
	return err;
}

/* An NLMSG_DONE, which carries an error when the dump failed part way. */
static int ks_iter_done(struct kabistat_dump_iter *it, struct nlmsghdr *nlh)
{
	const char *text;
	int err = 0;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err))
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		text = ks_extack_tlv_msg(nlh, sizeof(err));
		ks_error(it->ks, err, KS_ITER_WHAT ": %s",
			 text ? text : strerror(-err));
		it->done = 1;
		it->err = err;
		return err;
	}
	return ks_iter_end(it, 0);
}

static int ks_iter_error(struct kabistat_dump_iter *it, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	const char *text;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return ks_iter_end(it, -EPROTO);
	if (!e->error)		/* an acknowledgement: the dump is over */
		return ks_iter_end(it, 0);
	/* a module older than KABISTAT_A_PACKED: ask it again without */
	if (ks_dump_retry_unpacked(it->ks, &it->d, e->error)) {
		it->err = ks_iter_send(it);
		if (it->err)
			it->done = 1;
		return it->err;
	}
	text = ks_extack_msg(e);
	ks_error(it->ks, e->error, KS_ITER_WHAT ": %s",
		 text ? text : strerror(-e->error));
	it->done = 1;
	it->err = ks_dump_error(it->ks, &it->d, e->error, it->subtree);
	return it->err;
}

/* One message of ours: a cgroup may become ready in @it->d. */
static int ks_iter_msg(struct kabistat_dump_iter *it, struct nlmsghdr *nlh)
{
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE)
		return ks_iter_done(it, nlh);
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ks_iter_error(it, nlh);
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		ks_error(it->ks, -EINTR,
			 KS_ITER_WHAT ": interrupted by a concurrent change, start again");
		it->done = 1;
		it->err = -EINTR;
		return -EINTR;
	}
	err = ks_dump_msg(&it->d, nlh);
	if (err)
		return ks_iter_end(it, err == -EAGAIN ? -EINTR : err);
	return 0;
}

int kabistat_dump_iter_next(struct kabistat_dump_iter *it,
			    struct kabistat_cgroup **out)
{
	struct kabistat *ks = it->ks;
	struct nlmsghdr *nlh;
	int err;

	*out = NULL;
	for (;;) {
		if (it->d.ready) {
			*out = it->d.ready;
			it->d.ready = NULL;
			return 1;
		}
		if (it->done)
			return it->err;
		/* the rest of the datagram, message by message */
		while (!it->d.ready && !it->done && (nlh = ks_recv_next(ks))) {
			if (nlh->nlmsg_seq != it->seq)
				continue;	/* an older request's */
			err = ks_iter_msg(it, nlh);
			if (err && !it->done)
				return err;
		}
		if (it->d.ready || it->done)
			continue;
		err = ks_recv(ks, KS_ITER_WHAT);
		if (err) {
			it->done = 1;
			it->err = err;
			return err;
		}
		if (!ks->ev_len)
			return -EAGAIN;
	}
}

void kabistat_dump_iter_free(struct kabistat_dump_iter *it)
{
	if (!it)
		return;
	ks_dump_release(&it->d);
	it->ks->dumping = 0;
	it->ks->ev_len = it->ks->ev_off = 0;
	free(it);
}
