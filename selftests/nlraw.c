// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* The extended ACK text in the TLVs from @off bytes into @nlh, if any. */
static void nlraw_tlv_msg(const struct nlmsghdr *nlh, size_t off, char *out,
			  size_t outlen)
{
	const struct nlattr *a;
	int rem;

	out[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > nlh->nlmsg_len)
		return;
	nlraw_for_each_attr(a, (const struct nlattr *)((const char *)nlh + off),
			    (int)(nlh->nlmsg_len - off), rem) {
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - NLA_HDRLEN;

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, nlraw_attr_data(a), n);
			out[n] = '\0';
		}
	}
}

/* Where an NLMSG_ERROR's TLVs start: after the request, unless capped. */
static size_t nlraw_err_tlvs(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	return off;
}

static void nlraw_extack(struct nlraw *nl, struct nlmsghdr *nlh)
{
	nlraw_tlv_msg(nlh, nlraw_err_tlvs(nlh), nl->extack,
		      sizeof(nl->extack));
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
	const struct nlattr *a;
	uint16_t *family = arg;
	int rem;

	nlraw_for_each_msg_attr(a, nlh, rem)
		if (nlraw_attr_type(a) == CTRL_ATTR_FAMILY_ID &&
		    a->nla_len >= NLA_HDRLEN + sizeof(*family))
			memcpy(family, nlraw_attr_data(a), sizeof(*family));
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

int nlraw_collect(const struct nlraw *nl, uint8_t cmd, uint16_t flags,
		  const void *attrs, size_t len, size_t bufsize, int timeout_s,
		  int (*on_msg)(const struct nlmsghdr *nlh, void *arg),
		  void *arg, struct nlraw_result *res)
{
	struct timeval tv = { .tv_sec = timeout_s };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	char *buf;
	int fd, one = 1, err = 0;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (len > NLRAW_BUF - NLMSG_HDRLEN - GENL_HDRLEN)
		return -EMSGSIZE;
	buf = malloc(bufsize > NLRAW_BUF ? bufsize : NLRAW_BUF);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	nlh = (struct nlmsghdr *)buf;
	g = NLMSG_DATA(nlh);
	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + len;
	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (!(flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g->cmd = cmd;
	g->version = 1;
	if (len)
		memcpy((char *)g + GENL_HDRLEN, attrs, len);
	if (send(fd, buf, nlh->nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}

	while (!res->done && !err) {
		struct iovec iov = { .iov_base = buf, .iov_len = bufsize };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			err = -errno;
			break;
		}
		res->datagrams++;
		if ((size_t)n > res->largest)
			res->largest = n;
		if (mh.msg_flags & MSG_TRUNC) {
			res->truncated = true;
			err = -EMSGSIZE;
			break;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				res->done = true;
				if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&res->error, NLMSG_DATA(nlh),
					       sizeof(int));
				nlraw_tlv_msg(nlh, NLMSG_HDRLEN + sizeof(int),
					      res->extack,
					      sizeof(res->extack));
				err = res->error;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				res->error = e->error;
				res->done = !e->error &&
					    !(flags & NLM_F_DUMP);
				nlraw_tlv_msg(nlh, nlraw_err_tlvs(nlh),
					      res->extack,
					      sizeof(res->extack));
				err = e->error || res->done ? e->error :
							      -EPROTO;
				break;
			}
			if (nlh->nlmsg_type != nl->family)
				continue;
			res->messages++;
			if (on_msg && on_msg(nlh, arg)) {
				err = -ECANCELED;
				break;
			}
		}
	}
out:
	close(fd);
	free(buf);
	return err;
}

int nlraw_request_cb(struct nlraw *nl, uint8_t cmd, uint16_t flags,
		     const void *attrs, size_t len, nlraw_reply_fn fn,
		     void *arg)
{
	return nlraw_xfer(nl, nl->family, cmd, flags, attrs, len, fn, arg);
}
