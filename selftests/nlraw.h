/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the selftests: requests built byte by byte, so
 * that tests can send what no well-behaved library would.
 */
#ifndef KABISTAT_NLRAW_H
#define KABISTAT_NLRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

struct nlraw {
	int fd;
	uint16_t family;
	uint32_t seq;
	uint16_t reserved;	/* genlmsghdr.reserved of requests: 0 */
	char extack[256];	/* text of the last error's extended ACK */
};

/* Open a socket with extended ACKs and resolve the kabistat family. */
int nlraw_open(struct nlraw *nl);
void nlraw_close(struct nlraw *nl);

/*
 * Send one request with @attrs (already encoded) and wait for its ACK.
 * Return: 0, or the negative errno the kernel answered with.
 */
int nlraw_request(struct nlraw *nl, uint8_t cmd, uint16_t flags,
		  const void *attrs, size_t len);

/*
 * As nlraw_request(), and call @fn with every message the kernel answers
 * before the final ACK or DONE (a do's reply, a dump's messages).  A
 * non-zero return of @fn stops reading: -EPROTO.
 */
struct nlmsghdr;
typedef int (*nlraw_reply_fn)(struct nlmsghdr *nlh, void *arg);
int nlraw_request_cb(struct nlraw *nl, uint8_t cmd, uint16_t flags,
		     const void *attrs, size_t len, nlraw_reply_fn fn,
		     void *arg);

/* Append one attribute to @buf at *@off; returns the new offset. */
size_t nlraw_put(void *buf, size_t off, uint16_t type, const void *data,
		 size_t len);

/* How a request of nlraw_collect() went. */
struct nlraw_result {
	int error;		/* what NLMSG_DONE or NLMSG_ERROR carried */
	bool done;		/* it ended with NLMSG_DONE or the ACK */
	bool truncated;		/* a datagram did not fit the buffer */
	unsigned int datagrams;	/* recv() calls that returned something */
	unsigned int messages;	/* family messages handed to the callback */
	size_t largest;		/* bytes of the largest datagram */
	char extack[256];	/* the extended ACK text it ended with */
};

/*
 * Send @cmd with @attrs and @flags (NLM_F_DUMP for a dump; otherwise an
 * ACK is asked for) on a netlink socket of its own, whose every recv()
 * offers @bufsize bytes, and hand every message of the family to @on_msg
 * (may be NULL) until NLMSG_DONE or the ACK; a non-zero return of @on_msg
 * stops.  Each recv() waits up to @timeout_s seconds.  The kernel sizes
 * dump messages from what a socket's reader offered before, hence the
 * socket of its own.
 *
 * Return: 0 when it ended with an NLMSG_DONE or ACK carrying no error; the
 * negative error the kernel ended it with; -EMSGSIZE when a datagram was
 * truncated; -ECANCELED when @on_msg stopped it; another -errno when the
 * socket failed.  @res has the details either way.
 */
int nlraw_collect(const struct nlraw *nl, uint8_t cmd, uint16_t flags,
		  const void *attrs, size_t len, size_t bufsize, int timeout_s,
		  int (*on_msg)(const struct nlmsghdr *nlh, void *arg),
		  void *arg, struct nlraw_result *res);

/*
 * Walking attributes received, as the kernel sent them or not: @rem bytes
 * from @a, each one whole inside them.
 */
static inline bool nlraw_attr_ok(const struct nlattr *a, int rem)
{
	return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem;
}

static inline const struct nlattr *nlraw_attr_next(const struct nlattr *a,
						   int *rem)
{
	*rem -= NLA_ALIGN(a->nla_len);
	return (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
}

#define nlraw_for_each_attr(a, start, len, rem)				\
	for ((a) = (start), (rem) = (len); nlraw_attr_ok(a, rem);	\
	     (a) = nlraw_attr_next(a, &(rem)))

/* The attributes of a generic netlink message, after its header. */
#define nlraw_for_each_msg_attr(a, nlh, rem)				\
	nlraw_for_each_attr(a, (const struct nlattr *)			\
			    ((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN), \
			    (int)(nlh)->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, \
			    rem)

/* The attributes inside the nest @nest. */
#define nlraw_for_each_nested(a, nest, rem)				\
	nlraw_for_each_attr(a, (const struct nlattr *)			\
			    ((const char *)(nest) + NLA_HDRLEN),	\
			    (int)(nest)->nla_len - NLA_HDRLEN, rem)

static inline int nlraw_attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *nlraw_attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

/* A u32 or u64 attribute's value; false when it is not that long. */
static inline bool nlraw_get_u32(const struct nlattr *a, uint32_t *v)
{
	if (a->nla_len != NLA_HDRLEN + sizeof(*v))
		return false;
	memcpy(v, nlraw_attr_data(a), sizeof(*v));
	return true;
}

static inline bool nlraw_get_u64(const struct nlattr *a, uint64_t *v)
{
	if (a->nla_len != NLA_HDRLEN + sizeof(*v))
		return false;
	memcpy(v, nlraw_attr_data(a), sizeof(*v));
	return true;
}

/* The u64 attribute @type of a message, the last if several: whether any. */
static inline bool nlraw_msg_u64(const struct nlmsghdr *nlh, int type,
				 uint64_t *v)
{
	const struct nlattr *a;
	bool found = false;
	int rem;

	nlraw_for_each_msg_attr(a, nlh, rem)
		if (nlraw_attr_type(a) == type && nlraw_get_u64(a, v))
			found = true;
	return found;
}

#endif /* KABISTAT_NLRAW_H */
