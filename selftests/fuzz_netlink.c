// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, seeded netlink fuzzer for the kabistat family.
 *
 * Every request goes out on its own send(), followed by a sentinel (an
 * NLMSG_NOOP with NLM_F_ACK, which the netlink core acknowledges for any
 * family), so that requests the kernel drops silently (nlmsg_len below the
 * netlink header, or past the datagram) still end in a known reply.
 * Everything received until the sentinel's ACK, and the end of any dump
 * the request started, must be well formed: a chain of netlink messages
 * filling the datagram exactly, each an ACK/error with an errno in
 * [-4095, 0] or a kabistat message (genl header, a reply command, a
 * well-formed attribute stream) for the request's sequence number.
 *
 * State: the fuzzer runs as root, so mutated SET and RESET requests may be
 * acted on: counting switched off, released_ttl changed, cgroups reset.
 * Resets only move baselines (no test after this one depends on a count
 * from before it started); counting and released_ttl are put back to 1
 * and 600 at the end of every test that sends SET, and checked.
 *
 * KABISTAT_FUZZ_SEED replays a run (the seed is printed); each phase is
 * also bounded in time (see fuzzutil.h) and prints what it sent.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kabistat.h>
#include "abis.h"

#include "kselftest_harness.h"
#include "kabistat.h"
#include "nlraw.h"
#include "cgtest.h"
#include "fuzzutil.h"

#define MSG_MAX		65536
#define DEFAULT_TTL	600

/* Iterations of the random phase, and its time budget. */
#define RANDOM_ITERS	20000
#define RANDOM_SECONDS	10.0

static const uint8_t known_cmds[] = {
	KABISTAT_CMD_GET_ABI, KABISTAT_CMD_GET_CGROUP, KABISTAT_CMD_RESET,
	KABISTAT_CMD_SET,
};

/* Messages sent, by all test processes of this run. */
static unsigned long *total_sent;

__attribute__((constructor)) static void shared_counter(void)
{
	total_sent = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (total_sent == MAP_FAILED)
		abort();
}

/* ------------------------------------------------------------------ */
/* Sending one request and checking everything that comes back          */

struct fz {
	int fd;
	uint16_t family;
	uint32_t seq;
	unsigned long sent;		/* requests, sentinels not counted */
	unsigned long replies;		/* messages received for requests */
	unsigned long errors, acks, dumps;
	char why[512];			/* what was wrong, on failure */
	unsigned char rbuf[MSG_MAX * 2];
};

static int fz_open(struct fz *f)
{
	struct nlraw nl;
	struct timeval tv = { .tv_sec = 10 };
	int err, big = 1 << 20, one = 1;

	err = nlraw_open(&nl);
	if (err)
		return err;
	f->fd = nl.fd;
	f->family = nl.family;
	f->seq = 1000;
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(f->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(f->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

static void fz_close(struct fz *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A well-formed attribute stream of exactly @len bytes. */
static bool attrs_ok(const unsigned char *p, size_t len)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;
		size_t step = NLA_ALIGN(a->nla_len);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		if (a->nla_type & NLA_F_NESTED &&
		    !attrs_ok(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN))
			return false;
		if (step >= len)
			return true;
		p += step;
		len -= step;
	}
	return len == 0;
}

struct xfer {
	uint32_t seq;		/* of the request */
	bool ack_seen;		/* the sentinel's */
	bool in_dump, dump_done;
	int error;		/* of the request, 1 if none came */
	int nmsgs;		/* messages for the request */
	bool got_reply;		/* a family message */
	uint8_t reply_cmd;
};

/* Check one datagram; false (and f->why) if anything is malformed. */
static bool check_datagram(struct fz *f, struct xfer *x, unsigned char *buf,
			   ssize_t n)
{
	struct nlmsghdr *nlh;
	ssize_t left = n;

	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left);
	     nlh = NLMSG_NEXT(nlh, left)) {
		bool mine = nlh->nlmsg_seq == x->seq;
		bool sentinel = nlh->nlmsg_seq == x->seq + 1;

		if (!mine && !sentinel) {
			snprintf(f->why, sizeof(f->why),
				 "message of seq %u type %u, expected %u/%u",
				 nlh->nlmsg_seq, nlh->nlmsg_type, x->seq,
				 x->seq + 1);
			return false;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				snprintf(f->why, sizeof(f->why),
					 "short error message (%u bytes)",
					 nlh->nlmsg_len);
				return false;
			}
			if (e->error > 0 || e->error < -4095) {
				snprintf(f->why, sizeof(f->why),
					 "error value %d", e->error);
				return false;
			}
			if (sentinel) {
				if (e->error) {
					snprintf(f->why, sizeof(f->why),
						 "sentinel answered %d",
						 e->error);
					return false;
				}
				x->ack_seen = true;
				continue;
			}
			x->nmsgs++;
			x->error = e->error;
			if (x->in_dump)
				x->dump_done = true;
			if (e->error)
				f->errors++;
			else
				f->acks++;
			continue;
		}
		if (sentinel) {
			snprintf(f->why, sizeof(f->why),
				 "sentinel answered with type %u",
				 nlh->nlmsg_type);
			return false;
		}
		x->nmsgs++;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int derr = 0;

			if (!(nlh->nlmsg_flags & NLM_F_MULTI) ||
			    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int))) {
				snprintf(f->why, sizeof(f->why),
					 "NLMSG_DONE of %u bytes, flags 0x%x",
					 nlh->nlmsg_len, nlh->nlmsg_flags);
				return false;
			}
			memcpy(&derr, NLMSG_DATA(nlh), sizeof(derr));
			if (derr > 0 || derr < -4095) {
				snprintf(f->why, sizeof(f->why),
					 "dump ended with %d", derr);
				return false;
			}
			if (!x->in_dump)
				f->dumps++;
			x->in_dump = true;
			x->dump_done = true;
			if (derr)
				x->error = derr;
			continue;
		}
		if (nlh->nlmsg_type != f->family) {
			snprintf(f->why, sizeof(f->why),
				 "reply of type %u, family is %u",
				 nlh->nlmsg_type, f->family);
			return false;
		}
		if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
			snprintf(f->why, sizeof(f->why),
				 "reply without a genl header");
			return false;
		}
		{
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (g->cmd != KABISTAT_CMD_GET_ABI &&
			    g->cmd != KABISTAT_CMD_GET_CGROUP) {
				snprintf(f->why, sizeof(f->why),
					 "reply with command %u", g->cmd);
				return false;
			}
			if (!attrs_ok((unsigned char *)g + GENL_HDRLEN,
				      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))) {
				snprintf(f->why, sizeof(f->why),
					 "malformed attributes in a reply of cmd %u",
					 g->cmd);
				return false;
			}
			x->got_reply = true;
			x->reply_cmd = g->cmd;
		}
		if (nlh->nlmsg_flags & NLM_F_MULTI) {
			if (!x->in_dump)
				f->dumps++;
			x->in_dump = true;
		}
	}
	if (left) {
		snprintf(f->why, sizeof(f->why),
			 "%zd trailing bytes in a datagram of %zd", left, n);
		return false;
	}
	return true;
}

/*
 * Send @len bytes as one datagram (its nlmsg_seq set to the next number),
 * then the sentinel, and check all replies.  Returns false on anything
 * malformed or a timeout (f->why says what).  *@err is the request's
 * errno (0 for an ACK or a reply, 1 if the kernel sent nothing).
 */
static bool fz_xfer(struct fz *f, void *msg, size_t len, int *err,
		    struct xfer *out)
{
	struct nlmsghdr noop = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	struct xfer x = { .error = 1 };
	ssize_t n;

	f->seq += 2;
	x.seq = f->seq;
	if (len >= NLMSG_HDRLEN) {
		struct nlmsghdr *nlh = msg;

		nlh->nlmsg_seq = x.seq;
		/*
		 * One message per datagram: bytes past the first message
		 * would be parsed as a second one, whose type (random) names
		 * any generic netlink family of the host.  Fewer than
		 * NLMSG_HDRLEN trailing bytes are ignored by the core.
		 */
		if (nlh->nlmsg_len >= NLMSG_HDRLEN &&
		    NLMSG_ALIGN(nlh->nlmsg_len) + NLMSG_HDRLEN <= len)
			len = NLMSG_ALIGN(nlh->nlmsg_len) +
			      (len - NLMSG_ALIGN(nlh->nlmsg_len)) %
			      NLMSG_HDRLEN;
	}
	noop.nlmsg_seq = x.seq + 1;
	f->why[0] = '\0';
	if (send(f->fd, msg, len, 0) < 0) {
		/* a datagram the socket refuses outright is no test of ours */
		if (errno != EMSGSIZE && errno != ENOBUFS &&
		    !(errno == ENODATA && !len)) {
			snprintf(f->why, sizeof(f->why), "send: %s",
				 strerror(errno));
			return false;
		}
	}
	f->sent++;
	if (send(f->fd, &noop, sizeof(noop), 0) < 0) {
		snprintf(f->why, sizeof(f->why), "send sentinel: %s",
			 strerror(errno));
		return false;
	}
	while (!x.ack_seen || (x.in_dump && !x.dump_done)) {
		n = recv(f->fd, f->rbuf, sizeof(f->rbuf), 0);
		if (n < 0) {
			snprintf(f->why, sizeof(f->why), "recv: %s%s",
				 strerror(errno),
				 x.in_dump ? " (in a dump)" : "");
			return false;
		}
		if (!check_datagram(f, &x, f->rbuf, n))
			return false;
	}
	f->replies += x.nmsgs;
	*err = x.got_reply && x.error == 1 ? 0 : x.error;
	if (out)
		*out = x;
	return true;
}

static void hexdump(const void *p, size_t len)
{
	const unsigned char *b = p;
	char line[3 * 32 + 1];
	size_t i, o = 0;

	for (i = 0; i < len && i < 256; i++) {
		o += sprintf(line + o, "%02x ", b[i]);
		if (o >= 3 * 32) {
			fprintf(stderr, "#   %s\n", line);
			o = 0;
		}
	}
	if (o)
		fprintf(stderr, "#   %s\n", line);
}

/* ------------------------------------------------------------------ */
/* Building requests                                                   */

struct req {
	unsigned char b[MSG_MAX];
	size_t len;
};

static void req_start(struct fz *f, struct req *r, uint8_t cmd,
		      uint16_t flags)
{
	struct nlmsghdr *nlh = (void *)r->b;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(r->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = f->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g->cmd = cmd;
	g->version = KABISTAT_GENL_VERSION;
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* Append an attribute; false if it does not fit. */
static bool req_put(struct req *r, uint16_t type, const void *data,
		    size_t len)
{
	if (r->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(r->b) ||
	    NLA_HDRLEN + len > 0xffff)
		return false;
	r->len = nlraw_put(r->b, r->len, type, data, len);
	return true;
}

static void req_end(struct req *r)
{
	((struct nlmsghdr *)r->b)->nlmsg_len = r->len;
}

/* ------------------------------------------------------------------ */

FIXTURE(fz) {
	struct fz *f;
	struct req *r;
	struct cgtest cg;
	struct fuzz_rng rng;
	bool touched_settings;
};

static int wl_busy(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 10; i++)
		syscall(SYS_getppid);
	syscall(100000);	/* out of range: an ENOSYS event */
	return 0;
}

FIXTURE_SETUP(fz)
{
	self->f = calloc(1, sizeof(*self->f));
	self->r = calloc(1, sizeof(*self->r));
	ASSERT_NE(NULL, self->f);
	ASSERT_NE(NULL, self->r);
	self->f->fd = -1;
	ASSERT_EQ(0, fz_open(self->f)) TH_LOG("kabistat family not found");
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "fuzznl"))
		TH_LOG("%s", cgtest_err());
	/* a tracked cgroup of our own, for valid GET_CGROUP and RESET */
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_busy, NULL))
		TH_LOG("%s", cgtest_err());
	fuzz_seed(&self->rng, fuzz_run_seed(), 0);
}

/* counting 1, released_ttl 600, through the library, and checked */
static int restore_settings(void)
{
	struct kabistat_settings s = {
		.sz = sizeof(s), .counting = 1, .released_ttl = DEFAULT_TTL,
	};
	struct kabistat_kernel_abi *abi = NULL;
	struct kabistat *ks;
	int err;

	err = kabistat_open(&ks, NULL);
	if (err)
		return err;
	err = kabistat_set(ks, &s);
	if (!err)
		err = kabistat_get_abi(ks, &abi);
	if (!err && (abi->counting != 1 || abi->released_ttl != DEFAULT_TTL))
		err = -EPROTO;
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return err;
}

FIXTURE_TEARDOWN(fz)
{
	int err;

	fz_close(self->f);
	__atomic_add_fetch(total_sent, self->f->sent, __ATOMIC_RELAXED);
	if (cgtest_remove(&self->cg))
		TH_LOG("%s", cgtest_err());
	if (self->touched_settings) {
		err = restore_settings();
		EXPECT_EQ(0, err) TH_LOG("restoring counting 1, ttl 600: %s",
					 strerror(-err));
	}
	free(self->f);
	free(self->r);
}

#define XFER_OK(f, buf, len, err)					\
	do {								\
		bool __ok = fz_xfer(f, buf, len, err, NULL);		\
		if (!__ok)						\
			hexdump(buf, len);				\
		ASSERT_TRUE(__ok) TH_LOG("%s", (f)->why);		\
	} while (0)

/* ---- structured cases: exact answers ---- */

TEST_F(fz, unknown_commands_are_eopnotsupp)
{
	int cmd, err, flags;

	/* 0, the event commands (no operation), and 7..255 */
	for (flags = 0; flags <= 1; flags++)
		for (cmd = 0; cmd <= 255; cmd++) {
			if (cmd >= KABISTAT_CMD_GET_ABI &&
			    cmd <= KABISTAT_CMD_SET)
				continue;
			req_start(self->f, self->r, cmd,
				  flags ? NLM_F_DUMP : 0);
			req_end(self->r);
			XFER_OK(self->f, self->r->b, self->r->len, &err);
			EXPECT_EQ(-EOPNOTSUPP, err)
				TH_LOG("cmd %d%s: %d", cmd,
				       flags ? " (dump)" : "", err);
		}
	TH_LOG("%lu requests", self->f->sent);
}

TEST_F(fz, dump_flag_on_do_only_commands_is_eopnotsupp)
{
	static const uint8_t do_only[] = {
		KABISTAT_CMD_GET_ABI, KABISTAT_CMD_RESET, KABISTAT_CMD_SET,
	};
	uint8_t v1 = 1;
	size_t i;
	int err;

	for (i = 0; i < sizeof(do_only); i++) {
		req_start(self->f, self->r, do_only[i], NLM_F_DUMP);
		if (do_only[i] == KABISTAT_CMD_SET) {
			self->touched_settings = true;
			req_put(self->r, KABISTAT_A_COUNTING, &v1, 1);
		}
		if (do_only[i] == KABISTAT_CMD_RESET)
			req_put(self->r, KABISTAT_A_CGROUP_ID, &self->cg.id, 8);
		req_end(self->r);
		XFER_OK(self->f, self->r->b, self->r->len, &err);
		EXPECT_EQ(-EOPNOTSUPP, err) TH_LOG("cmd %u: %d", do_only[i], err);
	}
}

/*
 * Headers that do not hold together.  Below the netlink header, or longer
 * than the datagram, the core drops the message without a word (1: no
 * answer); below the genl header the family refuses it with EINVAL.
 */
TEST_F(fz, truncated_headers)
{
	struct nlmsghdr *nlh = (void *)self->r->b;
	size_t i, len;
	int err;

	for (i = 0; i < sizeof(known_cmds); i++) {
		/* datagrams shorter than a netlink header */
		for (len = 1; len < NLMSG_HDRLEN; len++) {
			req_start(self->f, self->r, known_cmds[i], 0);
			nlh->nlmsg_len = len;
			XFER_OK(self->f, self->r->b, len, &err);
			EXPECT_EQ(1, err) TH_LOG("%zu bytes: %d", len, err);
		}
		/* nlmsg_len below the netlink header */
		for (len = 0; len < NLMSG_HDRLEN; len++) {
			req_start(self->f, self->r, known_cmds[i], 0);
			nlh->nlmsg_len = len;
			XFER_OK(self->f, self->r->b,
				NLMSG_HDRLEN + GENL_HDRLEN, &err);
			EXPECT_EQ(1, err) TH_LOG("nlmsg_len %zu: %d", len, err);
		}
		/* a netlink header, part of a genl header (or none) */
		for (len = NLMSG_HDRLEN; len < NLMSG_HDRLEN + GENL_HDRLEN;
		     len++) {
			req_start(self->f, self->r, known_cmds[i], 0);
			nlh->nlmsg_len = len;
			XFER_OK(self->f, self->r->b, len, &err);
			EXPECT_EQ(-EINVAL, err) TH_LOG("cmd %u, nlmsg_len %zu: %d",
						       known_cmds[i], len, err);
		}
		/* nlmsg_len past the datagram */
		req_start(self->f, self->r, known_cmds[i], 0);
		nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + 64;
		XFER_OK(self->f, self->r->b, NLMSG_HDRLEN + GENL_HDRLEN, &err);
		EXPECT_EQ(1, err) TH_LOG("cmd %u, nlmsg_len past the end: %d",
					 known_cmds[i], err);
	}
	TH_LOG("%lu requests", self->f->sent);
}

/*
 * Malformed attribute streams are refused with EINVAL before any handler
 * runs: nla_len below 4, nla_len past the message, for every command that
 * has a handler (GET_ABI too: strict validation of an empty policy).
 */
TEST_F(fz, malformed_attribute_headers_are_einval)
{
	struct nlattr *a;
	size_t i;
	int err, l, dump;

	for (i = 0; i < sizeof(known_cmds); i++)
		for (dump = 0; dump <= (known_cmds[i] ==
					KABISTAT_CMD_GET_CGROUP); dump++) {
			/* nla_len 0..3 */
			for (l = 0; l < NLA_HDRLEN; l++) {
				req_start(self->f, self->r, known_cmds[i],
					  dump ? NLM_F_DUMP : 0);
				a = (void *)(self->r->b + self->r->len);
				a->nla_len = l;
				a->nla_type = KABISTAT_A_CGROUP_ID;
				self->r->len += 8;
				req_end(self->r);
				XFER_OK(self->f, self->r->b, self->r->len,
					&err);
				EXPECT_EQ(-EINVAL, err)
					TH_LOG("cmd %u%s nla_len %d: %d",
					       known_cmds[i],
					       dump ? " dump" : "", l, err);
			}
			/* nla_len past the end of the message */
			for (l = 13; l < 64; l += 7) {
				req_start(self->f, self->r, known_cmds[i],
					  dump ? NLM_F_DUMP : 0);
				a = (void *)(self->r->b + self->r->len);
				a->nla_len = l;
				a->nla_type = KABISTAT_A_CGROUP_ID;
				self->r->len += 12;
				req_end(self->r);
				XFER_OK(self->f, self->r->b, self->r->len,
					&err);
				EXPECT_EQ(-EINVAL, err)
					TH_LOG("cmd %u%s nla_len %d > 8 left: %d",
					       known_cmds[i],
					       dump ? " dump" : "", l, err);
			}
		}
}

/*
 * Every attribute type (and some past the maximum, with and without the
 * nested and byte-order bits) with every length 0..17 and random content,
 * to every command: the answer is well formed, and a refusal is EINVAL,
 * ERANGE, EBADF, ENOENT or EOPNOTSUPP.  SET may be acted on (counting,
 * ttl): restored by the teardown.
 */
TEST_F_TIMEOUT(fz, every_attribute_with_every_length, 120)
{
	unsigned char data[64];
	double t0 = fuzz_now(), budget = fuzz_budget(6.0);
	unsigned int type, len, flagbits;
	size_t i;
	int err;
	bool out_of_time = false;

	self->touched_settings = true;
	for (i = 0; i < sizeof(known_cmds) && !out_of_time; i++)
		for (type = 0; type <= KABISTAT_A_MAX + 2 && !out_of_time;
		     type++)
			for (flagbits = 0; flagbits < 3; flagbits++)
				for (len = 0; len <= 17; len++) {
					uint16_t t = type;

					if (flagbits == 1)
						t |= NLA_F_NESTED;
					if (flagbits == 2)
						t |= NLA_F_NET_BYTEORDER;
					fuzz_fill(&self->rng, data, len);
					/* never a stale-fd race: our cgroup */
					if (type == KABISTAT_A_CGROUP_FD &&
					    len == 4 && fuzz_chance(&self->rng, 2))
						memcpy(data, &self->cg.dfd, 4);
					req_start(self->f, self->r, known_cmds[i],
						  known_cmds[i] ==
						  KABISTAT_CMD_GET_CGROUP &&
						  (len & 1) ? NLM_F_DUMP : 0);
					req_put(self->r, t, data, len);
					req_end(self->r);
					XFER_OK(self->f, self->r->b,
						self->r->len, &err);
					EXPECT_TRUE(err == 0 || err == -EINVAL ||
						    err == -ERANGE ||
						    err == -EBADF ||
						    err == -ENOENT ||
						    err == -EOPNOTSUPP)
						TH_LOG("cmd %u type 0x%x len %u: %d",
						       known_cmds[i], t, len,
						       err);
					if (fuzz_now() - t0 > budget)
						out_of_time = true;
				}
	printf("# every_attribute_with_every_length: %lu messages in %.1f s%s\n",
	       self->f->sent, fuzz_now() - t0,
	       out_of_time ? " (time budget reached)" : "");
}

/* ---- random and mutated messages ---- */

/* A valid (or nearly) request for @cmd into @r. */
static void gen_valid(FIXTURE_DATA(fz) *self, uint8_t cmd)
{
	struct fuzz_rng *g = &self->rng;
	struct req *r = self->r;
	uint64_t id;
	int32_t fd;
	uint32_t ttl;
	uint8_t on;

	req_start(self->f, r, cmd,
		  cmd == KABISTAT_CMD_GET_CGROUP && fuzz_chance(g, 2) ?
		  NLM_F_DUMP : 0);
	switch (cmd) {
	case KABISTAT_CMD_GET_CGROUP:
	case KABISTAT_CMD_RESET:
		switch (fuzz_below(g, 4)) {
		case 0:
			id = self->cg.id;
			req_put(r, KABISTAT_A_CGROUP_ID, &id, 8);
			break;
		case 1:
			fd = self->cg.dfd;
			req_put(r, KABISTAT_A_CGROUP_FD, &fd, 4);
			break;
		case 2:
			id = fuzz_next(g) & 0xffff;
			req_put(r, KABISTAT_A_CGROUP_ID, &id, 8);
			break;
		default:
			if (cmd == KABISTAT_CMD_RESET)
				req_put(r, KABISTAT_A_RESET_ALL, NULL, 0);
			break;
		}
		break;
	case KABISTAT_CMD_SET:
		/* valid SETs only ever carry the defaults */
		on = 1;
		ttl = DEFAULT_TTL;
		if (fuzz_chance(g, 2))
			req_put(r, KABISTAT_A_COUNTING, &on, 1);
		if (fuzz_chance(g, 2))
			req_put(r, KABISTAT_A_RELEASED_TTL, &ttl, 4);
		break;
	default:
		break;
	}
	req_end(r);
}

/* Random attributes, possibly nested, @depth levels at most. */
static size_t gen_attrs(struct fuzz_rng *g, unsigned char *p, size_t room,
			int depth)
{
	size_t off = 0;
	int n = fuzz_below(g, 6);

	if (room > 8192)
		room = 8192;	/* nested lengths stay within a u16 */

	while (n-- > 0 && off + NLA_HDRLEN <= room) {
		struct nlattr *a = (void *)(p + off);
		size_t len = fuzz_chance(g, 8) ? fuzz_below(g, 300) :
						  fuzz_below(g, 17);
		uint16_t type = fuzz_chance(g, 4) ? (uint16_t)fuzz_next(g) :
						    fuzz_below(g,
							       KABISTAT_A_MAX + 3);

		if (off + NLA_HDRLEN + NLA_ALIGN(len) > room)
			break;
		if (depth > 0 && fuzz_chance(g, 3)) {
			type |= NLA_F_NESTED;
			len = gen_attrs(g, p + off + NLA_HDRLEN,
					room - off - NLA_HDRLEN, depth - 1);
		} else {
			fuzz_fill(g, p + off + NLA_HDRLEN, NLA_ALIGN(len));
		}
		a->nla_type = type;
		a->nla_len = NLA_HDRLEN + len;
		off += NLA_HDRLEN + NLA_ALIGN(len);
	}
	return off;
}

/* Mutate the request in place: bit flips, lengths, cuts, appends. */
static void mutate(FIXTURE_DATA(fz) *self)
{
	struct fuzz_rng *g = &self->rng;
	struct req *r = self->r;
	struct nlmsghdr *nlh = (void *)r->b;
	size_t body = NLMSG_HDRLEN + GENL_HDRLEN, pos;
	int n = 1 + fuzz_below(g, 4);

	while (n-- > 0) {
		switch (fuzz_below(g, 8)) {
		case 0:	/* flip bits past the netlink header */
		case 1:
			if (r->len > NLMSG_HDRLEN) {
				pos = NLMSG_HDRLEN +
				      fuzz_below(g, r->len - NLMSG_HDRLEN);
				r->b[pos] ^= 1 << fuzz_below(g, 8);
			}
			break;
		case 2:	/* an attribute length */
			if (r->len >= body + NLA_HDRLEN) {
				struct nlattr *a = (void *)(r->b + body);

				a->nla_len = fuzz_chance(g, 2) ?
					fuzz_below(g, 8) :
					(uint16_t)fuzz_next(g);
			}
			break;
		case 3:	/* cut the message short */
			r->len = fuzz_below(g, r->len + 1);
			break;
		case 4:	/* nlmsg_len off by a little */
			nlh->nlmsg_len = r->len + (int)fuzz_below(g, 17) - 8;
			continue;
		case 5:	/* append garbage attributes */
			r->len = NLA_ALIGN(r->len);
			r->len += gen_attrs(g, r->b + r->len,
					    sizeof(r->b) - r->len, 3);
			break;
		case 6:	/* flags */
			nlh->nlmsg_flags ^= 1 << fuzz_below(g, 16);
			continue;
		default: /* the genl version and reserved bytes */
			r->b[NLMSG_HDRLEN + 1 + fuzz_below(g, 3)] =
				(unsigned char)fuzz_next(g);
			break;
		}
		if (r->len >= NLMSG_HDRLEN)
			nlh->nlmsg_len = r->len;
	}
}

/* Thousands of attributes in one message. */
static void gen_many(FIXTURE_DATA(fz) *self, uint8_t cmd)
{
	struct fuzz_rng *g = &self->rng;
	int n = 1000 + fuzz_below(g, 8000);
	uint64_t v = 0;

	req_start(self->f, self->r, cmd, 0);
	while (n-- > 0) {
		uint16_t type = fuzz_chance(g, 2) ? KABISTAT_A_MAX + 1 +
			fuzz_below(g, 100) : fuzz_below(g, KABISTAT_A_MAX + 1);
		size_t len = fuzz_below(g, 3) * 4;

		if (!req_put(self->r, type, &v, len))
			break;
	}
	req_end(self->r);
}

static uint8_t pick_cmd(struct fuzz_rng *g)
{
	if (fuzz_chance(g, 10))
		return (uint8_t)fuzz_next(g);	/* mostly unknown */
	return known_cmds[fuzz_below(g, sizeof(known_cmds))];
}

TEST_F_TIMEOUT(fz, random_and_mutated_messages, 180)
{
	struct fuzz_rng *g = &self->rng;
	double t0 = fuzz_now(), budget = fuzz_budget(RANDOM_SECONDS);
	unsigned long i, by_kind[4] = { 0 };
	uint8_t cmd;
	int err, kind;
	unsigned long ok = 0, refused = 0, silent = 0;

	fuzz_seed(g, fuzz_run_seed(), 1);
	self->touched_settings = true;
	for (i = 0; i < RANDOM_ITERS; i++) {
		if (fuzz_now() - t0 > budget)
			break;
		cmd = pick_cmd(g);
		kind = fuzz_below(g, 20);
		if (kind < 10) {		/* valid, then mutated */
			gen_valid(self, cmd);
			mutate(self);
			kind = 0;
		} else if (kind < 16) {		/* random attributes */
			req_start(self->f, self->r, cmd,
				  fuzz_chance(g, 4) ? NLM_F_DUMP : 0);
			self->r->len += gen_attrs(g, self->r->b + self->r->len,
						  4096, 4);
			req_end(self->r);
			if (fuzz_chance(g, 3))
				mutate(self);
			kind = 1;
		} else if (kind < 19) {		/* pure garbage after the header */
			req_start(self->f, self->r, cmd, 0);
			self->r->len = fuzz_below(g, 512);
			fuzz_fill(g, self->r->b + 6, self->r->len > 6 ?
				  self->r->len - 6 : 0);
			if (self->r->len >= 4)
				((struct nlmsghdr *)self->r->b)->nlmsg_len =
					fuzz_chance(g, 2) ? self->r->len :
					(uint32_t)fuzz_next(g);
			kind = 2;
		} else {			/* huge attribute counts */
			gen_many(self, cmd);
			kind = 3;
		}
		by_kind[kind]++;
		if (!fz_xfer(self->f, self->r->b, self->r->len, &err, NULL)) {
			fprintf(stderr, "# iteration %lu (seed 0x%llx), kind %d, cmd %u, %zu bytes:\n",
				i, (unsigned long long)fuzz_run_seed(), kind,
				cmd, self->r->len);
			hexdump(self->r->b, self->r->len);
			ASSERT_TRUE(false) TH_LOG("%s", self->f->why);
		}
		if (err == 1)
			silent++;
		else if (err)
			refused++;
		else
			ok++;
		EXPECT_NE(-ENOMEM, err) TH_LOG("iteration %lu", i);
		EXPECT_NE(-EPERM, err) TH_LOG("iteration %lu: EPERM as root", i);
	}
	printf("# random_and_mutated: %lu messages, seed 0x%llx, %.1f s (mutated %lu, random attrs %lu, garbage %lu, huge %lu; answered ok %lu, refused %lu, no answer %lu, dumps %lu)%s\n",
	       self->f->sent, (unsigned long long)fuzz_run_seed(),
	       fuzz_now() - t0, by_kind[0], by_kind[1], by_kind[2],
	       by_kind[3], ok, refused, silent, self->f->dumps,
	       i < RANDOM_ITERS ? " (time budget reached)" : "");
	EXPECT_LT(0, ok);
	EXPECT_LT(0, refused);
}

/* ---- dumps ---- */

static int dump_socket(uint16_t family, int rcvbuf, uint32_t seq,
		       uint64_t *subtree_id)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		unsigned char attrs[16];
	} req;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	req.g.cmd = KABISTAT_CMD_GET_CGROUP;
	req.g.version = KABISTAT_GENL_VERSION;
	if (subtree_id) {
		nlraw_put(&req.g, GENL_HDRLEN, KABISTAT_A_CGROUP_ID,
			  subtree_id, 8);
		req.nlh.nlmsg_len += NLA_HDRLEN + 8;
	}
	if (send(fd, &req, req.nlh.nlmsg_len, 0) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Start dumps on sockets with tiny receive buffers, read one datagram of
 * each (or none), and close: the dump state is freed with the socket.
 * kmemleak/KASAN (debug kernel) and the clean unload at the end of the run
 * (a dump holds a module reference) would show a leak.
 */
TEST_F_TIMEOUT(fz, interrupted_dumps, 120)
{
	static unsigned char buf[MSG_MAX];
	double t0 = fuzz_now(), budget = fuzz_budget(4.0);
	int i, fd, n, read_first = 0, done_first = 0;
	struct nlmsghdr *nlh;
	const int rounds = 400;

	for (i = 0; i < rounds && fuzz_now() - t0 < budget; i++) {
		fd = dump_socket(self->f->family,
				 fuzz_chance(&self->rng, 2) ? 1 : 4096, i + 1,
				 fuzz_chance(&self->rng, 4) ? &self->cg.id :
							      NULL);
		ASSERT_LE(0, fd) TH_LOG("dump: %s", strerror(-fd));
		if (i % 4) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0) {
				read_first++;
				nlh = (void *)buf;
				ASSERT_TRUE(NLMSG_OK(nlh, n));
				if (nlh->nlmsg_type == NLMSG_DONE) {
					done_first++;
				} else if (nlh->nlmsg_type == NLMSG_ERROR) {
					ASSERT_EQ(0, ((struct nlmsgerr *)
						      NLMSG_DATA(nlh))->error);
				} else {
					ASSERT_EQ(self->f->family,
						  nlh->nlmsg_type);
				}
			}
		}
		close(fd);
	}
	printf("# interrupted_dumps: %d dumps started and abandoned (%d read one datagram, %d of those already done) in %.1f s\n",
	       i, read_first, done_first, fuzz_now() - t0);
	self->f->sent += i;
	EXPECT_LT(0, read_first);
}

/* Churn: a child process makes cgroups come and go until told to stop. */
static pid_t start_churner(const char *tag)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	for (;;) {
		struct cgtest c = { .dfd = -1 };

		if (cgtest_create(&c, NULL, tag))
			_exit(1);
		/* this process moves in: the write's return is counted there */
		if (cgtest_move(&c, getpid()))
			_exit(2);
		syscall(SYS_getppid);
		syscall(100001);
		if (cgtest_enter(cgtest_home()))
			_exit(3);
		if (cgtest_remove(&c))
			_exit(4);
		if (getppid() == 1)
			_exit(0);
	}
}

/* A churner killed between mkdir and rmdir leaves an empty cgroup. */
static void remove_leftovers(pid_t churner)
{
	char prefix[64], path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(CGTEST_ROOT);

	snprintf(prefix, sizeof(prefix), "kst-fuzznl-churn-%d-", (int)churner);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			snprintf(path, sizeof(path), CGTEST_ROOT "/%s",
				 e->d_name);
			rmdir(path);
		}
	if (d)
		closedir(d);
}

struct dumper {
	uint16_t family;
	volatile int *stop;
	unsigned long dumps, msgs, cgroups;
	char why[256];
	int thread;
};

/* A full dump, read to its end and checked; false on anything wrong. */
static bool full_dump(struct dumper *d, uint32_t seq)
{
	static __thread unsigned char buf[MSG_MAX];
	struct nlmsghdr *nlh;
	int fd, n, aggregates = 0;
	bool done = false;
	struct timeval tv = { .tv_sec = 10 };

	fd = dump_socket(d->family, 0, seq, NULL);
	if (fd < 0) {
		snprintf(d->why, sizeof(d->why), "dump: %s", strerror(-fd));
		return false;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!done) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			snprintf(d->why, sizeof(d->why), "recv: %s",
				 strerror(errno));
			close(fd);
			return false;
		}
		for (nlh = (void *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct genlmsghdr *g = NLMSG_DATA(nlh);

			d->msgs++;
			if (nlh->nlmsg_seq != seq) {
				snprintf(d->why, sizeof(d->why), "seq %u",
					 nlh->nlmsg_seq);
				goto bad;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				snprintf(d->why, sizeof(d->why),
					 "dump failed: %d",
					 ((struct nlmsgerr *)
					  NLMSG_DATA(nlh))->error);
				goto bad;
			}
			if (nlh->nlmsg_type != d->family ||
			    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    g->cmd != KABISTAT_CMD_GET_CGROUP ||
			    !attrs_ok((unsigned char *)g + GENL_HDRLEN,
				      nlh->nlmsg_len -
				      NLMSG_LENGTH(GENL_HDRLEN))) {
				snprintf(d->why, sizeof(d->why),
					 "malformed dump message");
				goto bad;
			}
			{
				/* the aggregates: id 0 */
				uint64_t id = 1;

				nlraw_msg_u64(nlh, KABISTAT_A_CGROUP_ID, &id);
				if (!id)
					aggregates++;
				else
					d->cgroups++;
			}
		}
		if (n) {
			snprintf(d->why, sizeof(d->why), "trailing bytes");
			goto bad;
		}
	}
	close(fd);
	if (aggregates != 2) {
		snprintf(d->why, sizeof(d->why), "%d aggregates", aggregates);
		return false;
	}
	d->dumps++;
	return true;
bad:
	close(fd);
	return false;
}

static void *dumper_fn(void *arg)
{
	struct dumper *d = arg;
	uint32_t seq = 1 + d->thread * 1000000;

	while (!*d->stop)
		if (!full_dump(d, seq++))
			return d;
	return NULL;
}

/*
 * Full dumps in two threads while a child process creates, uses and
 * removes cgroups: every dump is well formed, ends, and has both
 * aggregates.
 */
TEST_F_TIMEOUT(fz, concurrent_dumps_while_cgroups_come_and_go, 120)
{
	struct dumper d[2];
	pthread_t t[2];
	volatile int stop = 0;
	double t0 = fuzz_now(), budget = fuzz_budget(4.0);
	void *ret;
	pid_t churner;
	int i, status;

	churner = start_churner("fuzznl-churn");
	ASSERT_LT(0, churner);
	for (i = 0; i < 2; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].family = self->f->family;
		d[i].stop = &stop;
		d[i].thread = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, dumper_fn, &d[i]));
	}
	while (fuzz_now() - t0 < budget && d[0].dumps + d[1].dumps < 2000)
		usleep(20000);
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], &ret);
		EXPECT_EQ(NULL, ret) TH_LOG("dumper %d: %s", i, d[i].why);
	}
	kill(churner, SIGKILL);
	ASSERT_EQ(churner, waitpid(churner, &status, 0));
	remove_leftovers(churner);
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("churner exited %d early",
						 WEXITSTATUS(status));
	printf("# concurrent_dumps: %lu full dumps (%lu messages, %lu cgroup entries) in %.1f s while cgroups came and went\n",
	       d[0].dumps + d[1].dumps, d[0].msgs + d[1].msgs,
	       d[0].cgroups + d[1].cgroups, fuzz_now() - t0);
	EXPECT_LT(0, d[0].dumps + d[1].dumps);
	self->f->sent += d[0].dumps + d[1].dumps;
}

/* ---- afterwards ---- */

/*
 * After all of the above (this runs last): GET_ABI and GET_CGROUP of a
 * fresh workload still answer, with exact counts, counting is on and
 * released_ttl is 600 again.
 */
TEST_F(fz, family_still_works_afterwards)
{
	struct kabistat_kernel_abi *abi = NULL;
	struct kabistat_cgroup *cg = NULL;
	struct kabistat *ks;
	struct cgtest c = { .dfd = -1 };
	char msg[KABISTAT_ERRMSG_LEN];
	size_t i;
	uint64_t getppid_calls = 0;
	int err;

	self->touched_settings = true;
	ASSERT_EQ(0, restore_settings());
	ASSERT_EQ(0, kabistat_open(&ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(ks, &abi)) TH_LOG("%s",
						       kabistat_errmsg(ks));
	EXPECT_EQ(1, abi->counting);
	EXPECT_EQ(DEFAULT_TTL, abi->released_ttl);
	EXPECT_EQ(KABISTAT_UAPI_VERSION, abi->uapi_version);
	kabistat_abi_free(abi);

	ASSERT_EQ(0, cgtest_create(&c, NULL, "fuzznl-after"))
		TH_LOG("%s", cgtest_err());
	ASSERT_EQ(0, cgtest_run(&c, NULL, wl_busy, NULL))
		TH_LOG("%s", cgtest_err());
	err = kabistat_get_cgroup(ks, c.id, &cg);
	EXPECT_EQ(0, err) TH_LOG("%s", kabistat_errmsg(ks));
	if (!err) {
		for (i = 0; i < cg->nr_stats; i++)
			if (cg->stats[i].abi == TEST_ABI_NATIVE &&
			    cg->stats[i].nr == SYS_getppid)
				getppid_calls = cg->stats[i].c.calls;
		EXPECT_EQ(10, getppid_calls);
		/* 10 getppid, 1 out of range, the read, the exit_group */
		EXPECT_EQ(10 + 1 + CGTEST_OVERHEAD_CALLS, cg->totals.calls);
		EXPECT_EQ(1, cg->out_of_range[TEST_ABI_NATIVE].calls);
		kabistat_cgroup_free(cg);
	}
	cgtest_remove(&c);
	kabistat_close(ks);
	/* the tests before this one have added theirs */
	printf("# fuzz_netlink: %lu messages, seed 0x%llx\n",
	       *total_sent, (unsigned long long)fuzz_run_seed());
}

TEST_HARNESS_MAIN
