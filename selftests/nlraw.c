// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>

#include "nlraw.h"

#define NLRAW_BUF	65536

size_t nlraw_put(void *buf, size_t off, uint16_t type, const void *data,
		 size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)buf + off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return off + NLA_HDRLEN + NLA_ALIGN(len);
}

static void nlraw_extack(struct nlraw *nl, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;

	nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		a = (struct nlattr *)((char *)nlh + off);
		if (a->nla_len < NLA_HDRLEN ||
		    off + a->nla_len > nlh->nlmsg_len)
			return;
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - NLA_HDRLEN;

			if (n >= sizeof(nl->extack))
				n = sizeof(nl->extack) - 1;
			memcpy(nl->extack, (char *)a + NLA_HDRLEN, n);
			nl->extack[n] = '\0';
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/* Send a request; return the first error or 0 at its ACK or DONE. */
static int nlraw_xfer(struct nlraw *nl, uint16_t type, uint8_t cmd,
		      uint16_t flags, const void *attrs, size_t len,
		      int (*on_reply)(struct nlmsghdr *, void *), void *arg)
{
	static char buf[NLRAW_BUF];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	uint32_t seq = ++nl->seq;
	ssize_t n;

	if (NLMSG_HDRLEN + GENL_HDRLEN + len > sizeof(buf))
		return -EMSGSIZE;
	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = 1;
	g->reserved = nl->reserved;
	memcpy((char *)g + GENL_HDRLEN, attrs, len);
	if (send(nl->fd, buf, nlh->nlmsg_len, 0) < 0)
		return -errno;

	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				nlraw_extack(nl, nlh);
				return ((struct nlmsgerr *)
					NLMSG_DATA(nlh))->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (on_reply && on_reply(nlh, arg))
				return -EPROTO;
		}
	}
}

static int nlraw_family_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	int rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	uint16_t *family = arg;

	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(family, (char *)a + NLA_HDRLEN, 2);
		rem -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

int nlraw_open(struct nlraw *nl)
{
	char attrs[64];
	size_t len;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	len = nlraw_put(attrs, 0, CTRL_ATTR_FAMILY_NAME, KABISTAT_GENL_NAME,
			sizeof(KABISTAT_GENL_NAME));
	err = nlraw_xfer(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, len,
			 nlraw_family_reply, &nl->family);
	if (!err && !nl->family)
		err = -ENOENT;
	if (err)
		nlraw_close(nl);
	return err;
}

void nlraw_close(struct nlraw *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int nlraw_request(struct nlraw *nl, uint8_t cmd, uint16_t flags,
		  const void *attrs, size_t len)
{
	return nlraw_xfer(nl, nl->family, cmd, flags, attrs, len, NULL, NULL);
}
