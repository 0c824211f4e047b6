// SPDX-License-Identifier: GPL-2.0
/*
 * Host-only: libkabistat's GET_CGROUP dump parser, fed made-up messages
 * (scripts/host-tests.sh runs it under valgrind).  A dump may send a cgroup
 * as several parts, every part but the last with KABISTAT_A_CGROUP_MORE;
 * the library merges them and its callback sees each cgroup once, whole.
 * Parts that do not continue their cgroup, or a dump that ends inside one,
 * are protocol errors with a message that says so.  The parser is linked
 * from the library's objects (its functions are not exported).
 *
 * The last tests talk to the host kernel's own nlctrl family through the
 * library's request code: a "do" is answered by its reply alone, without
 * an ACK, and leaves nothing behind on the socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"
#include "internal.h"

#define X64		KABISTAT_ABI_X86_64
#define IA32		KABISTAT_ABI_IA32
#define FAMILY		0x30	/* any id: the parser does not look */
#define MAX_GOT		8

/* The header every part of a cgroup repeats. */
struct hdr {
	uint64_t id;
	uint32_t state;
	uint32_t flags;
	uint64_t generation;
	uint64_t timestamp_ns;
	const char *path;
	bool more;
};

/* An empty message of a GET_CGROUP dump. */
static struct nl_msg *dump_msg_new(void)
{
	struct nl_msg *m = nlmsg_alloc_size(1 << 20);

	if (!m || !genlmsg_put(m, 0, 0, FAMILY, 0, NLM_F_MULTI,
			       KABISTAT_CMD_GET_CGROUP, KABISTAT_GENL_VERSION))
		abort();
	return m;
}

static struct nl_msg *part_new(const struct hdr *h)
{
	struct nl_msg *m = dump_msg_new();

	if (nla_put_u64(m, KABISTAT_A_TIMESTAMP_NS, h->timestamp_ns) ||
	    nla_put_u64(m, KABISTAT_A_GENERATION, h->generation) ||
	    nla_put_u64(m, KABISTAT_A_CGROUP_ID, h->id) ||
	    nla_put_string(m, KABISTAT_A_CGROUP_PATH, h->path ? h->path : "") ||
	    nla_put_u32(m, KABISTAT_A_CGROUP_STATE, h->state) ||
	    nla_put_u32(m, KABISTAT_A_CGROUP_FLAGS, h->flags) ||
	    (h->more && nla_put_flag(m, KABISTAT_A_CGROUP_MORE)))
		abort();
	return m;
}

/* A KABISTAT_A_STAT (nr >= 0, or < 0 for an aggregate's total) nest. */
static void put_stat(struct nl_msg *m, int type, uint32_t abi, long nr,
		     uint64_t calls, uint64_t errors, uint64_t enosys)
{
	struct nlattr *nest = nla_nest_start(m, type);

	if (!nest || nla_put_u32(m, KABISTAT_STAT_A_ABI, abi) ||
	    (nr >= 0 && nla_put_u32(m, KABISTAT_STAT_A_NR, nr)) ||
	    nla_put_u64(m, KABISTAT_STAT_A_CALLS, calls) ||
	    nla_put_u64(m, KABISTAT_STAT_A_ERRORS, errors) ||
	    nla_put_u64(m, KABISTAT_STAT_A_ENOSYS, enosys))
		abort();
	nla_nest_end(m, nest);
}

static void put_errno(struct nl_msg *m, uint32_t value, uint64_t count)
{
	struct nlattr *nest = nla_nest_start(m, KABISTAT_A_ERRNO);

	if (!nest || nla_put_u32(m, KABISTAT_ERRNO_A_VALUE, value) ||
	    nla_put_u64(m, KABISTAT_ERRNO_A_COUNT, count))
		abort();
	nla_nest_end(m, nest);
}

/* What the callback was given: copies, and when to stop. */
struct got {
	struct kabistat_cgroup *cg[MAX_GOT];
	int n;
	int stop_after;		/* return 7 from this call on; 0: never */
};

static int collect(const struct kabistat_cgroup *cg, void *arg)
{
	struct got *g = arg;

	if (g->n == MAX_GOT || kabistat_cgroup_sum(&g->cg[g->n], cg))
		abort();
	g->n++;
	return g->stop_after && g->n >= g->stop_after ? 7 : 0;
}

FIXTURE(dump) {
	struct got got;
	struct ks_dump d;
};

FIXTURE_SETUP(dump)
{
	memset(&self->got, 0, sizeof(self->got));
	memset(&self->d, 0, sizeof(self->d));
	self->d.fn = collect;
	self->d.arg = &self->got;
}

FIXTURE_TEARDOWN(dump)
{
	int i;

	ks_dump_release(&self->d);
	for (i = 0; i < self->got.n; i++)
		kabistat_cgroup_free(self->got.cg[i]);
}

/* Feed one message (consumed) to the dump parser. */
static int feed(struct ks_dump *d, struct nl_msg *m)
{
	int err = ks_dump_msg(d, nlmsg_hdr(m));

	nlmsg_free(m);
	return err;
}

static const struct kabistat_syscall_stat *
find_stat(const struct kabistat_cgroup *cg, uint32_t abi, uint32_t nr)
{
	size_t i;

	for (i = 0; i < cg->nr_stats; i++)
		if (cg->stats[i].abi == abi && cg->stats[i].nr == nr)
			return &cg->stats[i];
	return NULL;
}

/* A KABISTAT_A_STATS_PACKED array of @n entries. */
static void put_packed(struct nl_msg *m, const struct kabistat_stat *e,
		       size_t n)
{
	if (nla_put(m, KABISTAT_A_STATS_PACKED, n * sizeof(*e), e))
		abort();
}

/*
 * Packed counters, split between two parts: syscalls, out-of-range and
 * errno entries land where the nests' would, entries of an ABI newer than
 * the library are skipped, and the mark that ends an incremental dump is
 * kept, not taken for a cgroup.
 */
TEST_F(dump, packed_parts_merge_as_nests_do)
{
	struct hdr p1 = { .id = 7, .generation = 2, .timestamp_ns = 5,
			  .path = "/p", .more = true };
	struct hdr p2 = { .id = 7, .generation = 2, .timestamp_ns = 6,
			  .path = "/p" };
	const struct kabistat_stat one[] = {
		{ .abi = X64, .nr = 39, .calls = 5 },
		{ .abi = KABISTAT_STAT_ERRNO, .nr = EBADF, .calls = 3 },
		{ .abi = X64, .nr = 3, .calls = 3, .errors = 3 },
	}, two[] = {
		{ .abi = X64, .nr = KABISTAT_NR_OUT_OF_RANGE, .calls = 2,
		  .errors = 2, .enosys = 2 },
		{ .abi = 99, .nr = 1, .calls = 100 },
		{ .abi = IA32, .nr = 20, .calls = 4 },
		{ .abi = KABISTAT_STAT_ERRNO, .nr = 4000, .calls = 1 },
	};
	const struct kabistat_cgroup *cg;
	struct nl_msg *m;

	m = part_new(&p1);
	put_packed(m, one, 3);
	ASSERT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(0, self->got.n);
	m = part_new(&p2);
	put_packed(m, two, 4);
	ASSERT_EQ(0, feed(&self->d, m));
	ASSERT_EQ(1, self->got.n);
	m = dump_msg_new();
	ASSERT_EQ(0, nla_put_u64(m, KABISTAT_A_TIMESTAMP_NS, 9));
	ASSERT_EQ(0, nla_put_u64(m, KABISTAT_A_DUMP_MARK, 1234));
	ASSERT_EQ(0, feed(&self->d, m));
	ASSERT_EQ(0, ks_dump_end(&self->d));
	EXPECT_EQ(1, self->got.n) TH_LOG("the mark was taken for a cgroup");
	EXPECT_EQ(1234, self->d.mark);

	cg = self->got.cg[0];
	ASSERT_EQ(3, cg->nr_stats);
	EXPECT_EQ(3, cg->stats[0].nr);
	EXPECT_EQ(3, cg->stats[0].c.errors);
	EXPECT_EQ(39, cg->stats[1].nr);
	EXPECT_EQ(5, cg->stats[1].c.calls);
	EXPECT_EQ(IA32, cg->stats[2].abi);
	EXPECT_EQ(4, cg->stats[2].c.calls);
	EXPECT_EQ(2, cg->out_of_range[X64].enosys);
	EXPECT_EQ(3, cg->errno_counts[EBADF]);
	EXPECT_EQ(1, cg->errno_counts[0]) TH_LOG("an errno above ours is other");
	EXPECT_EQ(3 + 5 + 2, cg->per_abi[X64].calls);
	EXPECT_EQ(3 + 5 + 2 + 4, cg->totals.calls);
}

/* An array whose length is no whole number of entries is refused. */
TEST_F(dump, packed_array_of_a_partial_entry_is_refused)
{
	struct hdr h = { .id = 8, .path = "/q" };
	const struct kabistat_stat e = { .abi = X64, .nr = 1, .calls = 1 };
	struct nl_msg *m = part_new(&h);

	ASSERT_EQ(0, nla_put(m, KABISTAT_A_STATS_PACKED, sizeof(e) - 8, &e));
	EXPECT_EQ(-EPROTO, feed(&self->d, m));
}

TEST_F(dump, whole_cgroups_and_aggregates_pass_through)
{
	struct hdr a = { .id = 100, .generation = 1, .timestamp_ns = 10,
			 .path = "/a" };
	struct hdr ovf = { .state = KABISTAT_CGROUP_OVERFLOW, .generation = 1 };
	struct hdr evi = { .state = KABISTAT_CGROUP_EVICTED, .generation = 1 };
	struct nl_msg *m;

	m = part_new(&a);
	put_stat(m, KABISTAT_A_STAT, X64, 39, 5, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	m = part_new(&ovf);
	put_stat(m, KABISTAT_A_STAT, X64, -1, 11, 1, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	m = part_new(&evi);
	put_stat(m, KABISTAT_A_STAT, IA32, -1, 12, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	ASSERT_EQ(0, ks_dump_end(&self->d));

	ASSERT_EQ(3, self->got.n);
	EXPECT_EQ(100, self->got.cg[0]->id);
	EXPECT_EQ(1, self->got.cg[0]->nr_stats);
	EXPECT_EQ(5, self->got.cg[0]->totals.calls);
	EXPECT_EQ(0, self->got.cg[1]->id);
	EXPECT_EQ(KABISTAT_CGROUP_OVERFLOW, self->got.cg[1]->state);
	EXPECT_EQ(11, self->got.cg[1]->per_abi[X64].calls);
	EXPECT_EQ(1, self->got.cg[1]->totals.errors);
	EXPECT_EQ(KABISTAT_CGROUP_EVICTED, self->got.cg[2]->state);
	EXPECT_EQ(12, self->got.cg[2]->totals.calls);
}

/*
 * Three parts, the middle one with no counters at all: one cgroup with
 * every part's stats (sorted), out-of-range counters and errno buckets,
 * the flags of all parts, and the state, timestamp and path of the latest
 * part that had them.  The next cgroup comes through on its own.
 */
TEST_F(dump, three_parts_merge_into_one_cgroup)
{
	struct hdr p1 = { .id = 100, .generation = 5, .timestamp_ns = 1000,
			  .path = "", .more = true };
	struct hdr p2 = { .id = 100, .generation = 5, .timestamp_ns = 1001,
			  .path = "/a/b", .flags = KABISTAT_CGROUP_F_PARTIAL,
			  .more = true };
	struct hdr p3 = { .id = 100, .generation = 5, .timestamp_ns = 1002,
			  .path = "/a/b", .state = KABISTAT_CGROUP_RELEASED };
	struct hdr next = { .id = 101, .generation = 6, .timestamp_ns = 1003,
			    .path = "/c" };
	const struct kabistat_syscall_stat *st;
	const struct kabistat_cgroup *cg;
	struct nl_msg *m;

	m = part_new(&p1);
	put_stat(m, KABISTAT_A_STAT, X64, 5, 3, 0, 0);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 1, 0);
	put_errno(m, ENOENT, 1);
	ASSERT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(0, self->got.n) TH_LOG("a part with MORE was passed on");
	ASSERT_EQ(0, feed(&self->d, part_new(&p2)));
	EXPECT_EQ(0, self->got.n);
	m = part_new(&p3);
	put_stat(m, KABISTAT_A_STAT, X64, 1, 7, 0, 0);
	put_stat(m, KABISTAT_A_STAT, IA32, 3, 2, 0, 0);
	put_stat(m, KABISTAT_A_OUT_OF_RANGE, X64, -1, 4, 4, 4);
	put_errno(m, EBADF, 2);
	ASSERT_EQ(0, feed(&self->d, m));
	ASSERT_EQ(1, self->got.n);
	m = part_new(&next);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 1, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	ASSERT_EQ(0, ks_dump_end(&self->d));
	ASSERT_EQ(2, self->got.n);

	cg = self->got.cg[0];
	EXPECT_EQ(100, cg->id);
	EXPECT_EQ(5, cg->generation);
	EXPECT_EQ(KABISTAT_CGROUP_RELEASED, cg->state);
	EXPECT_EQ(KABISTAT_CGROUP_F_PARTIAL, cg->flags);
	EXPECT_EQ(1002, cg->timestamp_ns);
	ASSERT_NE(NULL, cg->path);
	EXPECT_STREQ("/a/b", cg->path);
	ASSERT_EQ(4, cg->nr_stats);
	EXPECT_EQ(X64, cg->stats[0].abi);
	EXPECT_EQ(0, cg->stats[0].nr);
	EXPECT_EQ(1, cg->stats[1].nr);
	EXPECT_EQ(5, cg->stats[2].nr);
	EXPECT_EQ(IA32, cg->stats[3].abi);
	st = find_stat(cg, X64, 0);
	ASSERT_NE(NULL, st);
	EXPECT_EQ(10, st->c.calls);
	EXPECT_EQ(1, st->c.errors);
	EXPECT_EQ(4, cg->out_of_range[X64].calls);
	EXPECT_EQ(4, cg->out_of_range[X64].enosys);
	EXPECT_EQ(10 + 3 + 7 + 4, cg->per_abi[X64].calls);
	EXPECT_EQ(2, cg->per_abi[IA32].calls);
	EXPECT_EQ(26, cg->totals.calls);
	EXPECT_EQ(5, cg->totals.errors);
	EXPECT_EQ(1, cg->errno_counts[ENOENT]);
	EXPECT_EQ(2, cg->errno_counts[EBADF]);

	cg = self->got.cg[1];
	EXPECT_EQ(101, cg->id);
	EXPECT_EQ(1, cg->totals.calls);
	EXPECT_EQ(1003, cg->timestamp_ns);
}

/* What an 8 KiB reader gets: 1000 keys in parts of 37, merged exactly. */
TEST_F(dump, a_thousand_keys_in_many_parts_merge_exactly)
{
	struct hdr h = { .id = 7, .generation = 2, .path = "/big" };
	const struct kabistat_cgroup *cg;
	struct nl_msg *m = NULL;
	uint64_t want = 0;
	int nr, parts = 0;

	for (nr = 0; nr < 1000; nr++) {
		if (!m) {
			h.timestamp_ns = nr;
			h.more = nr + 37 < 1000;
			m = part_new(&h);
		}
		/* ia32 for the odd numbers, in descending order */
		put_stat(m, KABISTAT_A_STAT, nr % 2 ? IA32 : X64, 1000 - nr,
			 nr + 1, 0, 0);
		want += nr + 1;
		if (nr % 37 == 36 || nr == 999) {
			ASSERT_EQ(0, feed(&self->d, m));
			m = NULL;
			parts++;
		}
	}
	ASSERT_EQ(0, ks_dump_end(&self->d));
	EXPECT_EQ(28, parts);
	ASSERT_EQ(1, self->got.n);
	cg = self->got.cg[0];
	ASSERT_EQ(1000, cg->nr_stats);
	EXPECT_EQ(want, cg->totals.calls);
	EXPECT_EQ(500 * 500, cg->per_abi[X64].calls);	/* 1 + 3 + ... + 999 */
	EXPECT_EQ(2, cg->stats[0].nr);
	EXPECT_EQ(999, cg->stats[0].c.calls);
	EXPECT_EQ(IA32, cg->stats[500].abi);
	EXPECT_EQ(1, cg->stats[500].nr);
}

TEST_F(dump, part_followed_by_another_cgroup_is_a_protocol_error)
{
	struct hdr p1 = { .id = 100, .generation = 1, .more = true };
	struct hdr other = { .id = 101, .generation = 1 };
	struct nl_msg *m;

	m = part_new(&p1);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	put_errno(m, ENOENT, 1);
	ASSERT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(-EPROTO, feed(&self->d, part_new(&other)));
	EXPECT_EQ(0, self->got.n);
	TH_LOG("%s", self->d.why);
	EXPECT_STREQ("cgroup 100 was sent in parts (KABISTAT_A_CGROUP_MORE), but cgroup 101 came instead of its next part",
		     self->d.why);
}

TEST_F(dump, dump_ending_after_a_more_part_is_a_protocol_error)
{
	struct hdr p1 = { .id = 100, .generation = 1, .more = true };
	struct nl_msg *m;

	m = part_new(&p1);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(-EPROTO, ks_dump_end(&self->d));
	EXPECT_EQ(0, self->got.n);
	EXPECT_STREQ("the dump ended inside cgroup 100: its last part carried KABISTAT_A_CGROUP_MORE",
		     self->d.why);
}

/* The aggregates share id 0: their state tells them apart. */
TEST_F(dump, overflow_part_is_not_continued_by_the_evicted_aggregate)
{
	struct hdr ovf = { .state = KABISTAT_CGROUP_OVERFLOW, .more = true };
	struct hdr evi = { .state = KABISTAT_CGROUP_EVICTED };

	ASSERT_EQ(0, feed(&self->d, part_new(&ovf)));
	EXPECT_EQ(-EPROTO, feed(&self->d, part_new(&evi)));
	EXPECT_EQ(0, self->got.n);
	EXPECT_STREQ("the overflow aggregate was sent in parts (KABISTAT_A_CGROUP_MORE), but the evicted aggregate came instead of its next part",
		     self->d.why);
}

/* A reset between two parts: their sum would mix two baselines. */
TEST_F(dump, generation_change_between_parts_asks_to_retry)
{
	struct hdr p1 = { .id = 100, .generation = 1, .more = true };
	struct hdr p2 = { .id = 100, .generation = 2 };
	struct nl_msg *m;

	m = part_new(&p1);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(-EAGAIN, feed(&self->d, part_new(&p2)));
	EXPECT_EQ(0, self->got.n);
	EXPECT_STREQ("cgroup 100 was reset while it was dumped, try again",
		     self->d.why);
}

/* A message without a cgroup id while a cgroup is being merged. */
TEST_F(dump, malformed_message_after_a_part_is_refused)
{
	struct hdr p1 = { .id = 100, .generation = 1, .more = true };
	struct nl_msg *m;

	m = part_new(&p1);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	ASSERT_EQ(0, feed(&self->d, m));
	m = dump_msg_new();
	ASSERT_EQ(0, nla_put_u64(m, KABISTAT_A_GENERATION, 1));
	EXPECT_EQ(-EPROTO, feed(&self->d, m));
	EXPECT_EQ(0, self->got.n);
}

/* After the callback stops, the rest is drained: parts are not merged. */
TEST_F(dump, callback_stop_drains_the_rest_without_error)
{
	struct hdr a = { .id = 100, .generation = 1 };
	struct hdr b = { .id = 101, .generation = 1, .more = true };
	struct hdr c = { .id = 102, .generation = 1 };
	struct nl_msg *m;

	self->got.stop_after = 1;
	ASSERT_EQ(0, feed(&self->d, part_new(&a)));
	EXPECT_EQ(7, self->d.stopped);
	m = part_new(&b);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	EXPECT_EQ(0, feed(&self->d, m));
	EXPECT_EQ(0, feed(&self->d, part_new(&c)));
	EXPECT_EQ(0, feed(&self->d, part_new(&b)));
	EXPECT_EQ(0, ks_dump_end(&self->d));
	EXPECT_EQ(1, self->got.n);
}

/* A do reply or an event is one message: MORE there is an error. */
TEST(single_message_with_more_is_refused)
{
	struct hdr h = { .id = 100, .generation = 1, .path = "/a" };
	struct kabistat_cgroup *cg = NULL;
	struct nl_msg *m;

	m = part_new(&h);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	ASSERT_EQ(0, ks_cgroup_parse(nlmsg_hdr(m), &cg));
	nlmsg_free(m);
	ASSERT_NE(NULL, cg);
	EXPECT_EQ(10, cg->totals.calls);
	kabistat_cgroup_free(cg);

	cg = NULL;
	h.more = true;
	m = part_new(&h);
	put_stat(m, KABISTAT_A_STAT, X64, 0, 10, 0, 0);
	EXPECT_EQ(-EPROTO, ks_cgroup_parse(nlmsg_hdr(m), &cg));
	nlmsg_free(m);
	EXPECT_EQ(NULL, cg);
}

/* ------------------------------------------------------------------ */
/* Requests, against the host kernel's nlctrl family                   */

FIXTURE(nlctrl) {
	struct kabistat ks;
};

FIXTURE_SETUP(nlctrl)
{
	memset(&self->ks, 0, sizeof(self->ks));
	self->ks.sock = nl_socket_alloc();
	ASSERT_NE(NULL, self->ks.sock);
	if (genl_connect(self->ks.sock) < 0)
		SKIP(return, "no generic netlink socket on this host");
	self->ks.family = GENL_ID_CTRL;
}

FIXTURE_TEARDOWN(nlctrl)
{
	nl_socket_free(self->ks.sock);
}

static int count_msgs(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	(void)tb;
	++*(int *)arg;
	return 0;
}

/* The length of the last message. */
static int msg_len(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)tb;
	*(int *)arg = nlh->nlmsg_len;
	return 0;
}

static struct nl_msg *getfamily_of(struct kabistat *ks, int flags,
				   const char *name)
{
	struct nl_msg *m = ks_request(ks, CTRL_CMD_GETFAMILY, flags);

	if (m && !(flags & NLM_F_DUMP) &&
	    nla_put_string(m, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static struct nl_msg *getfamily(struct kabistat *ks, int flags)
{
	return getfamily_of(ks, flags, "nlctrl");
}

/*
 * Each do is answered by its one reply and completes without waiting for
 * an ACK; nothing is left on the socket (a stray ACK would fail the next
 * request's sequence check), and a dump and another do still work.
 */
TEST_F(nlctrl, do_completes_on_its_reply_and_leaves_nothing_behind)
{
	int i, n;

	for (i = 0; i < 3; i++) {
		n = 0;
		ASSERT_EQ(0, ks_transact(&self->ks, getfamily(&self->ks, 0),
					 "GETFAMILY", count_msgs, &n))
			TH_LOG("%s", self->ks.errmsg);
		EXPECT_EQ(1, n);
	}
	n = 0;
	ASSERT_EQ(0, ks_transact(&self->ks, getfamily(&self->ks, NLM_F_DUMP),
				 "GETFAMILY dump", count_msgs, &n))
		TH_LOG("%s", self->ks.errmsg);
	EXPECT_LE(1, n);
	n = 0;
	ASSERT_EQ(0, ks_transact(&self->ks, getfamily(&self->ks, 0),
				 "GETFAMILY", count_msgs, &n));
	EXPECT_EQ(1, n);
}

/*
 * A reply that fills the receive buffer is still queued (the queue was
 * empty), but an ACK behind it is not: the kernel drops it and flags the
 * socket ENOBUFS, which recvmsg() reports ahead of the reply.  A do must
 * not depend on that ACK.  nlctrl's description of the ethtool family
 * (about 1 KiB, in an skb of about 2 KiB) fills the smallest buffer.
 */
TEST_F(nlctrl, do_reply_that_fills_the_receive_buffer_completes)
{
	int rcvbuf = 1, got, i, n;
	socklen_t len = sizeof(got);
	int fd = nl_socket_get_fd(self->ks.sock);

	n = 0;
	if (ks_transact(&self->ks, getfamily_of(&self->ks, 0, "ethtool"),
			"GETFAMILY", msg_len, &n))
		SKIP(return, "no ethtool family: %s", self->ks.errmsg);
	/* the kernel raises it to its minimum, about 2 KiB */
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len));
	TH_LOG("reply %d bytes, receive buffer %d bytes", n, got);
	ASSERT_LT(got / 3, n);
	for (i = 0; i < 3; i++) {
		n = 0;
		ASSERT_EQ(0, ks_transact(&self->ks,
					 getfamily_of(&self->ks, 0, "ethtool"),
					 "GETFAMILY", count_msgs, &n))
			TH_LOG("%s", self->ks.errmsg);
		EXPECT_EQ(1, n);
	}
}

/* An error still ends a do request, with the kernel's message. */
TEST_F(nlctrl, do_error_arrives_without_an_ack_request)
{
	struct nl_msg *m = ks_request(&self->ks, CTRL_CMD_GETFAMILY, 0);
	int n = 0;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, nla_put_string(m, CTRL_ATTR_FAMILY_NAME,
				    "nosuchfamily"));
	EXPECT_EQ(-ENOENT, ks_transact(&self->ks, m, "GETFAMILY", count_msgs,
				       &n));
	EXPECT_EQ(0, n);
	TH_LOG("%s", self->ks.errmsg);
	n = 0;
	ASSERT_EQ(0, ks_transact(&self->ks, getfamily(&self->ks, 0),
				 "GETFAMILY", count_msgs, &n));
	EXPECT_EQ(1, n);
}

TEST_HARNESS_MAIN
