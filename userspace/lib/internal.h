/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef KABISTAT_INTERNAL_H
#define KABISTAT_INTERNAL_H

#include <stddef.h>
#include <netlink/netlink.h>

#include "kabistat.h"

struct kabistat {
	int transport;		/* KABISTAT_TRANSPORT_NETLINK or _DEVICE */
	struct nl_sock *sock;	/* netlink */
	int family;
	int dev_fd;		/* the device, or -1 */
	/* the last GET_ABI with tables, whose tables later replies reuse */
	struct kabistat_kernel_abi *abi_cache;
	int abi_known_refused;	/* the module predates KABISTAT_A_ABI_KNOWN */
	int packed_refused;	/* ... and KABISTAT_A_PACKED */
	/*
	 * Joined the events group: from then on the socket may hold events
	 * between a request and its reply, so it carries events only.
	 */
	int events;
	/* a kabistat_dump_iter is reading a dump: no other request */
	int dumping;
	/* the datagram being read by kabistat_event_next() or a dump iterator */
	void *ev_buf;
	size_t ev_len;
	size_t ev_off;
	char errmsg[KABISTAT_ERRMSG_LEN];
};

/*
 * Called for each reply message with its top-level attributes parsed into
 * @tb (the last of repeated ones); @nlh gives access to all of them.
 */
typedef int (*ks_parse_fn)(struct nlmsghdr *nlh, struct nlattr **tb,
			   void *arg);

/*
 * An options structure holds @field when the caller's @sz, the size it was
 * built with, reaches past it; older callers get the default.
 */
#define KS_HAS_FIELD(opts, field) \
	((opts)->sz >= offsetof(typeof(*(opts)), field) + sizeof((opts)->field))

/*
 * Whether a caller's options structure of @sz bytes can be used by this
 * library, which knows @known bytes of it: @sz must cover the size field,
 * and what a newer caller put beyond @known must be zero.  -EINVAL (with
 * the message on @ks) otherwise.
 */
int ks_opts_check(struct kabistat *ks, const char *what, const void *opts,
		  size_t sz, size_t known);

int ks_error(struct kabistat *ks, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * -EOPNOTSUPP, saying so, when @ks uses the device, which cannot do
 * @what; else 0.
 */
int ks_need_netlink(struct kabistat *ks, const char *what);
int ks_nl_errno(int nlerr);
struct nl_msg *ks_request(struct kabistat *ks, uint8_t cmd, int flags);
/*
 * Send @msg (consumed) and pass each reply message to @parse (NULL: the
 * request is answered by an acknowledgement only).  A do with @parse is
 * answered by its one reply message and asks for no acknowledgement (see
 * ks_transact()).  A dump is read to its end even after @parse failed, so
 * the socket stays usable.
 */
int ks_transact(struct kabistat *ks, struct nl_msg *msg, const char *what,
		ks_parse_fn parse, void *arg);

/*
 * One cgroup message (GET_CGROUP do reply or event) into a new struct
 * kabistat_cgroup: -EPROTO when malformed or when it carries
 * KABISTAT_A_CGROUP_MORE (only dumps split a cgroup), -ENOMEM.
 */
int ks_cgroup_parse(struct nlmsghdr *nlh, struct kabistat_cgroup **out);

/* A cgroup being read from one message or merged from several parts. */
struct ks_cgroup_parse {
	struct kabistat_cgroup *cg;	/* NULL before the first part */
	size_t cap;			/* room in cg->stats */
	/* the kernel sent per-ABI totals (aggregates): use them as they are */
	int abi_totals[KABISTAT_MAX_ABIS];
	int more;	/* the last part carried KABISTAT_A_CGROUP_MORE */
};

/* A cgroup message's top-level attributes: -EPROTO without a cgroup id. */
int ks_cgroup_attrs(struct nlmsghdr *nlh, struct nlattr **tb);
/*
 * Add one part (@tb from ks_cgroup_attrs()) to @p: the first part sets
 * the id and generation, every part the state, the timestamp and the
 * path if none was known yet; flags are or'ed; the counters are added.
 * The caller checks that a part belongs to the cgroup in @p.
 */
int ks_cgroup_part(struct ks_cgroup_parse *p, struct nlmsghdr *nlh,
		   struct nlattr **tb);
/* The complete cgroup (sorted, summed), handed over; @p is reset. */
struct kabistat_cgroup *ks_cgroup_parse_end(struct ks_cgroup_parse *p);
/* Free what @p holds and reset it. */
void ks_cgroup_parse_drop(struct ks_cgroup_parse *p);

/*
 * kabistat_dump()'s state: the dump's messages go to ks_dump_msg() one by
 * one, parts of a cgroup are merged, and @fn gets each complete cgroup.
 * Its protocol errors leave their explanation in @why.
 */
struct ks_dump {
	kabistat_cgroup_fn fn;	/* NULL: leave each cgroup in @ready */
	void *arg;
	struct kabistat_cgroup *ready;	/* complete, handed over */
	int stopped;	/* @fn's non-zero return; the rest is drained */
	struct ks_cgroup_parse part;	/* the cgroup being merged */
	uint64_t mark;	/* KABISTAT_A_DUMP_MARK, 0 until it came */
	int cgroups;	/* messages of cgroups seen */
	char why[200];
};

/*
 * One message of the dump.  -EPROTO when it is malformed or does not
 * continue the cgroup a KABISTAT_A_CGROUP_MORE part began, -EAGAIN when the
 * cgroup's generation changed between its parts, -ENOMEM.
 */
int ks_dump_msg(struct ks_dump *d, struct nlmsghdr *nlh);
/* After the last message: -EPROTO when a cgroup was left incomplete. */
int ks_dump_end(struct ks_dump *d);
/*
 * The GET_CGROUP dump request for @opts (checked), and the subtree it
 * asks for; the message is on @ks on failure.
 */
int ks_dump_request(struct kabistat *ks, const struct kabistat_dump_opts *opts,
		    struct nl_msg **msg, uint64_t *subtree);
/*
 * Whether a dump that failed with @err before any cgroup came is worth
 * asking again of a module that predates KABISTAT_A_PACKED (which the
 * request then leaves out).
 */
int ks_dump_retry_unpacked(struct kabistat *ks, const struct ks_dump *d,
			   int err);
/* A dump's failure @err, explained on @ks; returns @err. */
int ks_dump_error(struct kabistat *ks, struct ks_dump *d, int err,
		  uint64_t subtree);
/* Free a cgroup left incomplete (after an error); always call it. */
void ks_dump_release(struct ks_dump *d);

/*
 * Read the next datagram the kernel sent, without waiting, into ks->ev_buf
 * (ev_len 0: nothing there).  @what names the reader in messages.
 */
int ks_recv(struct kabistat *ks, const char *what);
/* The next whole message of that datagram, or NULL. */
struct nlmsghdr *ks_recv_next(struct kabistat *ks);
/* The extended ACK text in the TLVs at @off bytes into @nlh's payload. */
const char *ks_extack_tlv_msg(struct nlmsghdr *nlh, size_t off);
/* The text of an NLMSG_ERROR's extended ACK, or NULL. */
const char *ks_extack_msg(struct nlmsgerr *e);
/* -EOPNOTSUPP / -EBUSY with the message when @ks cannot take a request. */
int ks_request_ok(struct kabistat *ks, const char *what);

/* The cgroup id of an open cgroup2 directory, through its file handle. */
int ks_fd_cgroup_id(int fd, uint64_t *id);

/* container.c: whether @spec may be a container id prefix */
int ks_container_spec(const char *spec);
/*
 * Find the cgroup of the container whose id starts with @prefix under the
 * cgroup2 root @root: its path relative to @root in *@relpath (malloc'ed).
 * -ENOENT: none; -ENOTUNIQ: several containers (message set on @ks).
 */
int ks_container_find(struct kabistat *ks, int root, const char *prefix,
		      char **relpath);
/*
 * The newest tracked cgroup of the container whose id starts with
 * @prefix, live or released (the module's dump): 0, -ENOENT, -ENOTUNIQ;
 * or @number, the prefix read as a cgroup id (0: none), when a tracked
 * cgroup has that id.
 */
int ks_container_find_released(struct kabistat *ks, const char *prefix,
			       uint64_t number, uint64_t *id);

/* abi.c: a zeroed ABI that kabistat_abi_free() frees, or NULL. */
struct kabistat_kernel_abi *ks_abi_alloc(void);

/* device.c: the requests /dev/kabistat answers (see device.c). */
int ks_dev_open(struct kabistat *ks, const char *path);
int ks_dev_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out);
int ks_dev_get_cgroup_fd(struct kabistat *ks, int fd,
			 struct kabistat_cgroup **out);
int ks_dev_reset(struct kabistat *ks, int cgroup_fd);

#endif /* KABISTAT_INTERNAL_H */
