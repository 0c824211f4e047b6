// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The events multicast group: cgroups released with their final counters,
 * and first ENOSYS returns.  A handle that joins the group carries events
 * only (requests on it are refused with EBUSY): a reply and an event could
 * otherwise arrive interleaved on the one socket.  Open a second handle
 * for requests.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

int kabistat_events_subscribe(struct kabistat *ks)
{
	int group, err;

	if (ks->events)
		return 0;
	err = ks_need_netlink(ks, "events (multicast group)");
	if (!err)
		err = ks_request_ok(ks, "events");
	if (err)
		return err;
	/*
	 * libnl's sequence check expects an ACK for every earlier request,
	 * and do requests get none (see ks_transact()); events carry
	 * sequence number 0 anyway.
	 */
	nl_socket_disable_seq_check(ks->sock);
	group = genl_ctrl_resolve_grp(ks->sock, KABISTAT_GENL_NAME,
				      KABISTAT_MCGRP_EVENTS);
	if (group < 0)
		return ks_error(ks, -EOPNOTSUPP,
				"events: the kabistat module offers no events group (%s)",
				nl_geterror(group));
	err = nl_socket_add_membership(ks->sock, group);
	if (err < 0) {
		err = ks_nl_errno(err);
		if (err == -EPERM)
			return ks_error(ks, err,
					"events: permission denied (needs CAP_SYS_ADMIN)");
		return ks_error(ks, err, "events: cannot join the group: %s",
				strerror(-err));
	}
	ks->events = 1;
	return 0;
}

int kabistat_events_fd(const struct kabistat *ks)
{
	return ks->sock ? nl_socket_get_fd(ks->sock) : -1;
}

void kabistat_event_free(struct kabistat_event *ev)
{
	if (!ev)
		return;
	kabistat_cgroup_free(ev->cgroup);
	free(ev);
}

static const struct nla_policy ks_event_policy[KABISTAT_A_MAX + 1] = {
	[KABISTAT_A_EVENT_SEQ] = { .type = NLA_U64 },
};

/* One message of the datagram: 1 and *@out set when it is an event. */
static int ks_event_parse(struct kabistat *ks, struct nlmsghdr *nlh,
			  struct kabistat_event **out)
{
	struct nlattr *tb[KABISTAT_A_MAX + 1];
	struct kabistat_event *ev;
	struct genlmsghdr *gnlh;
	int err;

	if (nlh->nlmsg_type != ks->family ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != KABISTAT_CMD_CGROUP_RELEASED &&
	    gnlh->cmd != KABISTAT_CMD_FIRST_ENOSYS)
		return 0;	/* an event newer than this library */

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return ks_error(ks, -ENOMEM, "events: out of memory");
	ev->cmd = gnlh->cmd;
	err = genlmsg_parse(nlh, 0, tb, KABISTAT_A_MAX, ks_event_policy);
	if (!err) {
		if (tb[KABISTAT_A_EVENT_SEQ])
			ev->seq = nla_get_u64(tb[KABISTAT_A_EVENT_SEQ]);
		err = ks_cgroup_parse(nlh, &ev->cgroup);
	}
	if (err) {
		free(ev);
		return ks_error(ks, err == -ENOMEM ? err : -EPROTO,
				"events: %s", err == -ENOMEM ? "out of memory" :
				"malformed event");
	}
	*out = ev;
	return 1;
}

int ks_recv(struct kabistat *ks, const char *what)
{
	int fd = nl_socket_get_fd(ks->sock);
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	ssize_t len;
	void *buf;

	ks->ev_len = ks->ev_off = 0;
	len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENOBUFS)
			return ks_error(ks, -ENOBUFS,
					"%s: some were lost (receive buffer overrun)%s",
					what, ks->events ? "; dump to resynchronise" : "");
		return ks_error(ks, -errno, "%s: %s", what, strerror(errno));
	}
	buf = realloc(ks->ev_buf, len ? len : 1);
	if (!buf)
		return ks_error(ks, -ENOMEM, "%s: out of memory", what);
	ks->ev_buf = buf;
	len = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&from,
		       &fromlen);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 :
		       ks_error(ks, -errno, "%s: %s", what, strerror(errno));
	if (from.nl_pid == 0)		/* only the kernel sends to us */
		ks->ev_len = len;
	return 0;
}

struct nlmsghdr *ks_recv_next(struct kabistat *ks)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)
		((char *)ks->ev_buf + ks->ev_off);

	if (ks->ev_off >= ks->ev_len)
		return NULL;
	if (!nlmsg_ok(nlh, (int)(ks->ev_len - ks->ev_off))) {
		ks->ev_off = ks->ev_len;	/* a truncated rest */
		return NULL;
	}
	ks->ev_off += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

static int64_t ks_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kabistat_event_next(struct kabistat *ks, int timeout_ms,
			struct kabistat_event **out)
{
	int64_t deadline = ks_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = { .fd = -1, .events = POLLIN };
	struct nlmsghdr *nlh;
	int wait, n, err;

	if (!ks->events)
		return ks_error(ks, -EINVAL,
				"events: not subscribed (kabistat_events_subscribe())");
	pfd.fd = nl_socket_get_fd(ks->sock);
	for (;;) {
		/* a datagram may hold several messages */
		while ((nlh = ks_recv_next(ks))) {
			err = ks_event_parse(ks, nlh, out);
			if (err)
				return err < 0 ? err : 0;
		}
		wait = timeout_ms < 0 ? -1 : (int)(deadline - ks_now_ms());
		if (timeout_ms >= 0 && wait < 0)
			wait = 0;
		n = poll(&pfd, 1, wait);
		if (n < 0)
			return ks_error(ks, -errno, "events: %s",
					strerror(errno));
		if (!n)
			return ks_error(ks, -ETIMEDOUT,
					"events: none within %d ms",
					timeout_ms);
		err = ks_recv(ks, "events");
		if (err)
			return err;
	}
}
