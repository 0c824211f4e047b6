// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The netlink side of libkabistat: the handle, request/reply with extended
 * ACK messages, and errors as negative errno values plus a message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/kabistat.h>

#include "internal.h"

int ks_error(struct kabistat *ks, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ks->errmsg, sizeof(ks->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *kabistat_errmsg(const struct kabistat *ks)
{
	return ks->errmsg;
}

/* libnl's own codes for what the kernel or the socket said, as errno. */
int ks_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_AGAIN:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

struct ks_reply {
	struct kabistat *ks;
	const char *what;
	ks_parse_fn parse;
	void *arg;
	int err;
	int done;
	int dump;	/* the request was a dump */
	uint32_t seq;	/* the request's sequence number */
};

const char *ks_extack_tlv_msg(struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *msg;
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0 ||
	    !tb[NLMSGERR_ATTR_MSG])
		return NULL;
	msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
	len = nla_len(tb[NLMSGERR_ATTR_MSG]);
	return len > 0 && !msg[len - 1] ? msg : NULL;
}

const char *ks_extack_msg(struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	return ks_extack_tlv_msg(nlh, off);
}

static int ks_on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ks_reply *r = arg;
	const char *msg;

	(void)who;
	r->done = 1;
	r->err = e->error;
	if (!e->error)
		return NL_STOP;
	msg = ks_extack_msg(e);
	ks_error(r->ks, e->error, "%s: %s", r->what,
		 msg ? msg : strerror(-e->error));
	return NL_STOP;
}

static int ks_on_done(struct nl_msg *msg, void *arg)
{
	struct ks_reply *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

/* The end of a dump: it carries an error when the dump failed part way. */
static int ks_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ks_reply *r = arg;
	const char *text;
	int err;

	r->done = 1;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int) || r->err)
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		text = ks_extack_tlv_msg(nlh, sizeof(int));
		r->err = ks_error(r->ks, err, "%s: %s", r->what,
				  text ? text : strerror(-err));
	}
	return NL_STOP;
}

/*
 * Only the request's own messages count; anything older left on the socket
 * (the rest of an abandoned dump) is skipped.  libnl's own check expects
 * an ACK or DONE after each request, which a do no longer gets.
 */
static int ks_on_seq(struct nl_msg *msg, void *arg)
{
	struct ks_reply *r = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == r->seq ? NL_OK : NL_SKIP;
}

static int ks_on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KABISTAT_A_MAX + 1];
	struct ks_reply *r = arg;
	int err;

	/* A do request with a reply is answered by that message alone. */
	if (r->parse && !r->dump)
		r->done = 1;
	if (r->err || !r->parse)
		return NL_SKIP;
	/* Attributes newer than this library are skipped, not refused. */
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, KABISTAT_A_MAX, NULL);
	if (err < 0) {
		r->err = ks_error(r->ks, -EPROTO, "%s: malformed reply",
				  r->what);
		return NL_SKIP;
	}
	r->err = r->parse(nlmsg_hdr(msg), tb, r->arg);
	if (r->err)
		ks_error(r->ks, r->err, "%s: %s", r->what,
			 r->err == -ENOMEM ? "out of memory" : "malformed reply");
	return NL_OK;
}

struct nl_msg *ks_request(struct kabistat *ks, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ks->family, 0, flags,
			 cmd, KABISTAT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int ks_request_ok(struct kabistat *ks, const char *what)
{
	if (ks->events)
		return ks_error(ks, -EBUSY,
				"%s: this handle receives events; open another for requests",
				what);
	if (ks->dumping)
		return ks_error(ks, -EBUSY,
				"%s: a dump iterator is reading on this handle; free it first",
				what);
	return 0;
}

int ks_transact(struct kabistat *ks, struct nl_msg *msg, const char *what,
		ks_parse_fn parse, void *arg)
{
	struct ks_reply r = { .ks = ks, .what = what, .parse = parse,
			      .arg = arg };
	struct nlmsghdr *nlh;
	struct nl_cb *cb;
	int err;

	err = ks_request_ok(ks, what);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return ks_error(ks, -ENOMEM, "%s: out of memory", what);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ks_on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ks_on_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ks_on_finish, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, ks_on_error, &r);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ks_on_seq, &r);

	/*
	 * No ACK after a do reply.  The kernel queues a message only while
	 * the receive buffer has room, unless the queue is empty: a reply
	 * larger than the buffer (replies go up to 1 MiB, the default
	 * buffer is about 208 KiB) is always queued, but the ACK after it
	 * would be dropped, leaving ENOBUFS on the socket ahead of the
	 * reply.  Errors are sent without NLM_F_ACK too.
	 */
	nl_complete_msg(ks->sock, msg);
	nlh = nlmsg_hdr(msg);
	r.seq = nlh->nlmsg_seq;
	r.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (parse && !r.dump)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	err = nl_send(ks->sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		err = ks_error(ks, ks_nl_errno(err), "%s: %s", what,
			       nl_geterror(err));
		goto out;
	}
	while (!r.done) {
		err = nl_recvmsgs(ks->sock, cb);
		if (err == -NLE_DUMP_INTR) {
			/* libnl read on to the end of the dump */
			if (!r.err)
				r.err = ks_error(ks, -EAGAIN,
						 "%s: the dump was interrupted by a concurrent change, try again",
						 what);
			continue;
		}
		if (err < 0 && !r.err) {
			r.err = ks_error(ks, ks_nl_errno(err), "%s: %s", what,
					 nl_geterror(err));
			break;
		}
	}
	err = r.err;
out:
	nl_cb_put(cb);
	return err;
}

int ks_opts_check(struct kabistat *ks, const char *what, const void *opts,
		  size_t sz, size_t known)
{
	const unsigned char *tail = opts;
	size_t i;

	if (sz < sizeof(size_t))
		return ks_error(ks, -EINVAL,
				"%s: sz %zu is too small for any version of the options",
				what, sz);
	for (i = known; i < sz; i++)
		if (tail[i])
			return ks_error(ks, -EINVAL,
					"%s: options from a newer library: byte %zu (of %zu, this library knows %zu) is set",
					what, i, sz, known);
	return 0;
}

/*
 * Room in the receive buffer for the largest message the module sends
 * (1 MiB) with more behind it: events come in bursts, and a released
 * cgroup's event is as large as its GET_CGROUP reply; the default
 * (net.core.rmem_default) is about 208 KiB.  SO_RCVBUFFORCE, which needs
 * CAP_NET_ADMIN, may pass net.core.rmem_max, SO_RCVBUF is capped by it;
 * the kernel doubles the value for its overhead.
 */
#define KS_RCVBUF	(1 << 20)

/*
 * Set the receive buffer: the default as far as it goes, a size the caller
 * asked for exactly (-EPERM when it is beyond what the caller may have).
 */
static int ks_set_rcvbuf(struct kabistat *ks, int fd, uint32_t want)
{
	int size = want ? (int)want : KS_RCVBUF, got = 0;
	socklen_t len = sizeof(got);

	if (want > INT32_MAX / 2)
		return ks_error(ks, -EINVAL, "rcvbuf %u is too large", want);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (!want)
		return 0;
	/* the kernel reports twice what it was given */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) ||
	    got / 2 < size)
		return ks_error(ks, -EPERM,
				"cannot have a receive buffer of %u bytes (got %d): beyond net.core.rmem_max it needs CAP_NET_ADMIN",
				want, got / 2);
	return 0;
}

/* The module is loaded, whatever this network namespace can see. */
static int ks_module_loaded(void)
{
	return !access("/sys/module/kabistat/initstate", F_OK);
}

static int ks_connect(struct kabistat *ks, uint32_t rcvbuf)
{
	int one = 1;
	int fd, err;

	ks->sock = nl_socket_alloc();
	if (!ks->sock)
		return ks_error(ks, -ENOMEM, "out of memory");
	err = genl_connect(ks->sock);
	if (err < 0)
		return ks_error(ks, ks_nl_errno(err),
				"cannot open a generic netlink socket: %s",
				nl_geterror(err));
	/*
	 * Replies such as GET_ABI are larger than a page: libnl peeks at each
	 * datagram's length and reads it whole, whatever its size.
	 */
	nl_socket_enable_msg_peek(ks->sock);
	fd = nl_socket_get_fd(ks->sock);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	err = ks_set_rcvbuf(ks, fd, rcvbuf);
	if (err)
		return err;

	ks->family = genl_ctrl_resolve(ks->sock, KABISTAT_GENL_NAME);
	if (ks->family >= 0)
		return 0;
	/* the family is registered in the initial network namespace only */
	if (ks_module_loaded())
		return ks_error(ks, -ENETUNREACH,
				"the kabistat module is loaded, but its netlink family serves only the initial network namespace and this process is in another one");
	return ks_error(ks, -ENOENT,
			"the kabistat module is not loaded (load it with 'modprobe kabistat' or 'insmod kabistat.ko')");
}

/* The netlink handle's failure, then why the device did not open. */
static int ks_dev_fallback(struct kabistat *ks, const char *path)
{
	char nlmsg[KABISTAT_ERRMSG_LEN];
	int err;

	nl_socket_free(ks->sock);
	ks->sock = NULL;
	err = ks_dev_open(ks, path);
	if (!err)
		return 0;
	snprintf(nlmsg, sizeof(nlmsg), "%s", ks->errmsg);
	if (err == -ENOENT || err == -ENXIO || err == -ENODEV)
		return ks_error(ks, -ENETUNREACH,
				"%s, and %s, the device that serves any namespace, is not there (%s): give the container the device, or host networking",
				nlmsg, path, strerror(-err));
	return ks_error(ks, err, "%s, and %s cannot be opened: %s", nlmsg,
			path, strerror(-err));
}

static int ks_check_version(struct kabistat *ks)
{
	struct kabistat_kernel_abi *abi;
	int err;

	err = kabistat_get_abi(ks, &abi);
	if (err)
		return err;
	if (abi->uapi_version != KABISTAT_UAPI_VERSION)
		err = ks_error(ks, -EPROTO,
			       "kabistat module speaks uapi version %u, this library version %u: install matching versions",
			       abi->uapi_version, KABISTAT_UAPI_VERSION);
	kabistat_abi_free(abi);
	return err;
}

static int ks_open(struct kabistat *ks, const struct kabistat_open_opts *opts)
{
	struct kabistat_open_opts o = { .sz = sizeof(o) };
	const char *path;
	int err;

	if (opts) {
		err = ks_opts_check(ks, "kabistat_open_opts", opts, opts->sz,
				    sizeof(o));
		if (err)
			return err;
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	}
	path = o.device ? o.device : "/dev/kabistat";
	switch (o.transport) {
	case KABISTAT_TRANSPORT_DEVICE:
		err = ks_dev_open(ks, path);
		if (err)
			return ks_error(ks, err, "cannot open %s: %s", path,
					strerror(-err));
		break;
	case KABISTAT_TRANSPORT_AUTO:
	case KABISTAT_TRANSPORT_NETLINK:
		ks->transport = KABISTAT_TRANSPORT_NETLINK;
		err = ks_connect(ks, o.rcvbuf);
		if (err == -ENETUNREACH &&
		    o.transport == KABISTAT_TRANSPORT_AUTO)
			err = ks_dev_fallback(ks, path);
		if (err)
			return err;
		break;
	default:
		return ks_error(ks, -EINVAL, "unknown transport %u",
				o.transport);
	}
	return ks_check_version(ks);
}

int kabistat_open_opts(struct kabistat **out,
		       const struct kabistat_open_opts *opts,
		       char errmsg[KABISTAT_ERRMSG_LEN])
{
	struct kabistat *ks = calloc(1, sizeof(*ks));
	int err;

	if (!ks) {
		if (errmsg)
			snprintf(errmsg, KABISTAT_ERRMSG_LEN, "out of memory");
		return -ENOMEM;
	}
	ks->dev_fd = -1;
	err = ks_open(ks, opts);
	if (err) {
		if (errmsg)
			snprintf(errmsg, KABISTAT_ERRMSG_LEN, "%s", ks->errmsg);
		kabistat_close(ks);
		return err;
	}
	*out = ks;
	return 0;
}

int kabistat_open(struct kabistat **out, char errmsg[KABISTAT_ERRMSG_LEN])
{
	return kabistat_open_opts(out, NULL, errmsg);
}

int kabistat_transport(const struct kabistat *ks)
{
	return ks->transport;
}

void kabistat_close(struct kabistat *ks)
{
	if (!ks)
		return;
	nl_socket_free(ks->sock);
	if (ks->dev_fd >= 0)
		close(ks->dev_fd);
	kabistat_abi_free(ks->abi_cache);
	free(ks->ev_buf);
	free(ks);
}
