/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkabistat: read per-cgroup syscall counts and the kernel's ABI identity
 * from the kabistat module.
 *
 * Every function that can fail returns 0 or a negative errno value and
 * leaves a one-line message for kabistat_errmsg().  Structures the library
 * returns are allocated by it and only grow at their end, so a program
 * built against an older header keeps working.  There is no global state:
 * a handle may be used by one thread at a time, and several threads may use
 * a handle each.
 */
#ifndef KABISTAT_H
#define KABISTAT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kabistat.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KABISTAT_ERRMSG_LEN	256

struct kabistat;

/**
 * kabistat_open() - connect to the kabistat module
 * @out:	the new handle, on success
 * @errmsg:	on failure, a one-line explanation (may be NULL)
 *
 * Checks that the module is loaded and speaks a uapi version this library
 * understands.  Outside the initial network namespace, where the module's
 * netlink family cannot be reached, the handle uses /dev/kabistat (see
 * KABISTAT_TRANSPORT_DEVICE).  Return: 0, -ENOENT when the module is not
 * loaded, -ENETUNREACH when it is but neither netlink nor the device can
 * reach it from here, -EPROTO on a version mismatch, or another negative
 * errno.
 */
int kabistat_open(struct kabistat **out, char errmsg[KABISTAT_ERRMSG_LEN]);
void kabistat_close(struct kabistat *ks);

/* How a handle reaches the module: enum kabistat_transport. */
enum kabistat_transport {
	/*
	 * Netlink; /dev/kabistat when the module is loaded but its netlink
	 * family cannot be reached from this network namespace.
	 */
	KABISTAT_TRANSPORT_AUTO,
	KABISTAT_TRANSPORT_NETLINK,
	/*
	 * The ioctls of /dev/kabistat, which work from any network namespace
	 * but offer less: kabistat_get_abi() without syscall tables,
	 * kabistat_get_cgroup*() without paths or errno counts,
	 * kabistat_reset(); no dumps, settings or events (-EOPNOTSUPP).
	 */
	KABISTAT_TRANSPORT_DEVICE,
};

/**
 * struct kabistat_open_opts - kabistat_open_opts()
 * @sz:		sizeof(struct kabistat_open_opts); a larger structure from a
 *		newer header is accepted when what this library does not
 *		know of it is zero, else -EINVAL
 * @transport:	enum kabistat_transport
 * @rcvbuf:	netlink receive buffer in bytes, for bursts of events
 *		(0: 1 MiB, as far as the caller may have it).  A size the
 *		caller may not have (more than net.core.rmem_max without
 *		CAP_NET_ADMIN) fails with -EPERM.
 * @device:	path of the device (NULL: "/dev/kabistat")
 */
struct kabistat_open_opts {
	size_t sz;
	uint32_t transport;
	uint32_t rcvbuf;
	const char *device;
};

/*
 * kabistat_open() with options (@opts may be NULL: the defaults, which
 * are kabistat_open()'s).  Besides kabistat_open()'s errors: -ENETUNREACH
 * when the module is loaded but this process is outside the initial
 * network namespace, where its netlink family cannot be reached, and the
 * device cannot be opened either (or was not to be used).
 */
int kabistat_open_opts(struct kabistat **out,
		       const struct kabistat_open_opts *opts,
		       char errmsg[KABISTAT_ERRMSG_LEN]);
/* The transport @ks uses: KABISTAT_TRANSPORT_NETLINK or _DEVICE. */
int kabistat_transport(const struct kabistat *ks);

/* The message of the last failed call on @ks. */
const char *kabistat_errmsg(const struct kabistat *ks);

/* Room for ABIs in struct kabistat_kernel_abi, indexed by enum kabistat_abi. */
#define KABISTAT_MAX_ABIS	8

/**
 * struct kabistat_syscall_table - one syscall ABI of the running kernel
 * @present:	 the kernel offers this ABI
 * @name:	 "x86_64", "ia32", "x32", "arm64", "arm"
 * @size:	 entries in the kernel's dispatch table
 * @nr_implemented: how many of them are implemented
 * @hash:	 FNV-1a 64 over "<nr> <name>\n" of the implemented numbers
 * @names:	 @size entries; NULL where a number has no name
 * @implemented: bitmap, bit (nr % 32) of word (nr / 32)
 */
struct kabistat_syscall_table {
	int present;
	char name[16];
	uint32_t size;
	uint32_t nr_implemented;
	uint64_t hash;
	const char **names;
	const uint32_t *implemented;
};

/**
 * struct kabistat_kernel_abi - the kernel's ABI identity and the module's state
 *
 * @observed, the syscalls counted since the last reset of all cgroups, is
 * only reported to callers with CAP_PERFMON or CAP_SYS_ADMIN: @has_observed
 * tells whether the module sent it (else @observed is 0).  @pool_cgroups
 * and @pool_chunks are the fewest cgroups and slot chunks any online CPU's
 * pool held (for a first event each), where @has_pool says the module
 * reports them.
 */
struct kabistat_kernel_abi {
	char module_version[32];
	uint32_t uapi_version;
	uint32_t family_version;
	char kernel_release[65];
	char kernel_version[65];
	char kernel_machine[65];
	uint32_t cgroup_mode;		/* enum kabistat_cgroup_mode */
	uint64_t timestamp_ns;		/* CLOCK_BOOTTIME */
	struct kabistat_syscall_table tables[KABISTAT_MAX_ABIS];
	/* the module's counting state */
	int counting;
	uint64_t generation;
	uint32_t tracked_cgroups;
	uint32_t max_cgroups;
	uint64_t memory_used;
	uint64_t max_memory;
	uint32_t released_ttl;		/* seconds */
	uint64_t events_dropped;
	uint64_t observed;		/* syscalls counted since the last reset */
	int has_observed;		/* @observed was reported */
	uint32_t pool_cgroups;
	uint32_t pool_chunks;
	int has_pool;			/* the two above were reported */
};

/**
 * kabistat_get_abi() - query the kernel's ABI identity
 * @ks:		handle
 * @out:	the result, freed with kabistat_abi_free()
 */
int kabistat_get_abi(struct kabistat *ks, struct kabistat_kernel_abi **out);
void kabistat_abi_free(struct kabistat_kernel_abi *abi);

/**
 * kabistat_abi_implemented() - whether the kernel implements a number
 */
int kabistat_abi_implemented(const struct kabistat_kernel_abi *abi,
			     unsigned int abi_id, uint32_t nr);

/**
 * kabistat_syscall_hash() - the table hash of GET_ABI, for comparing tables
 * @table: a table whose names and bitmap are filled
 */
uint64_t kabistat_syscall_hash(const struct kabistat_syscall_table *table);

struct kabistat_counters {
	uint64_t calls;
	uint64_t errors;	/* returns in [-4095, -1] */
	uint64_t enosys;
	uint64_t denied;	/* EPERM or EACCES */
	uint64_t interrupted;	/* restarted; not an error */
};

struct kabistat_syscall_stat {
	uint32_t abi;		/* enum kabistat_abi */
	uint32_t nr;
	struct kabistat_counters c;
};

/**
 * struct kabistat_cgroup - one cgroup's counters (or an aggregate)
 * @id:		cgroup id; 0 for the overflow and evicted aggregates
 * @path:	path in the cgroup2 hierarchy, NULL while not yet known
 * @state:	enum kabistat_cgroup_state
 * @flags:	KABISTAT_CGROUP_F_*
 * @generation:	changes when this cgroup is reset or the module reloaded
 * @timestamp_ns: CLOCK_BOOTTIME of the reading
 * @nr_stats:	entries in @stats
 * @stats:	one per (ABI, syscall) with counts, sorted by ABI then nr
 * @out_of_range: per ABI, calls with numbers outside the ABI's table
 * @per_abi:	per ABI, @stats and @out_of_range summed (for the
 *		aggregates, which have no per-syscall detail, only this)
 * @totals:	everything summed
 * @errno_counts: [e] for errno e in 1..KABISTAT_ERRNO_MAX, [0] other
 */
struct kabistat_cgroup {
	uint64_t id;
	char *path;
	uint32_t state;
	uint32_t flags;
	uint64_t generation;
	uint64_t timestamp_ns;
	size_t nr_stats;
	struct kabistat_syscall_stat *stats;
	struct kabistat_counters out_of_range[KABISTAT_MAX_ABIS];
	struct kabistat_counters per_abi[KABISTAT_MAX_ABIS];
	struct kabistat_counters totals;
	uint64_t errno_counts[KABISTAT_ERRNO_MAX + 1];
};

/*
 * One cgroup, by id, by an open fd of its cgroup2 directory, or by path
 * (absolute, or relative to the cgroup2 mount; resolved through an fd).
 * Needs CAP_PERFMON or CAP_SYS_ADMIN.  -ENOENT: the module does not track
 * it (yet).  Free the result with kabistat_cgroup_free().
 */
int kabistat_get_cgroup(struct kabistat *ks, uint64_t id,
			struct kabistat_cgroup **out);
int kabistat_get_cgroup_fd(struct kabistat *ks, int fd,
			   struct kabistat_cgroup **out);
void kabistat_cgroup_free(struct kabistat_cgroup *cg);

/**
 * kabistat_cgroup_sum() - add one cgroup's counters into a sum
 * @sum:	the sum; when *@sum is NULL, a copy of @cg (id, path, state
 *		and generation included) is allocated into it
 * @cg:		the counters to add
 *
 * For summing a subtree.  Stats stay sorted; flags are or'ed; the id,
 * path, state and generation remain the first cgroup's.  Free the sum
 * with kabistat_cgroup_free().  Return: 0 or -ENOMEM.
 */
int kabistat_cgroup_sum(struct kabistat_cgroup **sum,
			const struct kabistat_cgroup *cg);

/*
 * A copy of @cg that outlives it (a dump's callback gets cgroups valid
 * during the call only), freed with kabistat_cgroup_free(); NULL when out
 * of memory.
 */
struct kabistat_cgroup *kabistat_cgroup_dup(const struct kabistat_cgroup *cg);

/**
 * kabistat_cgroup_delta() - what a cgroup counted between two readings
 * @old:	the earlier reading of the same cgroup, or NULL when it was
 *		not tracked then (everything it counted is new)
 * @new:	the later reading
 * @out:	a copy of @new (id, path, state, flags, generation, timestamp)
 *		whose counters are @new's less @old's: every stat of @new,
 *		unchanged ones at zero.  Free it with kabistat_cgroup_free().
 *
 * For rates: divide by the difference of the two timestamp_ns.
 * Return: 0; -ESTALE when the readings cannot be subtracted: the
 * generations differ (the cgroup was reset, or the module reloaded, in
 * between, so its counters started again) or a counter went backwards;
 * -EINVAL when they are readings of different cgroups; -ENOMEM.
 */
int kabistat_cgroup_delta(const struct kabistat_cgroup *old,
			  const struct kabistat_cgroup *new,
			  struct kabistat_cgroup **out);

/**
 * struct kabistat_dump_opts - what kabistat_dump() returns
 * @sz:		sizeof(struct kabistat_dump_opts)
 * @subtree_id:	only this cgroup and its descendants (0: all, aggregates
 *		included)
 * @mark:	NULL, or an incremental dump: *@mark is 0 (every cgroup) or
 *		the mark an earlier complete dump with the same @subtree_id
 *		stored there, and the dump returns only the cgroups that
 *		changed (counters, state, flags, path or reset) since that
 *		dump read them, and the aggregates; once the dump is complete,
 *		*@mark is this dump's mark.  -ESTALE, before any cgroup, when
 *		the module cannot tell (it was reloaded, reset everything or
 *		evicted cgroups since): dump again with *@mark 0 and forget
 *		the cgroups that dump does not return.  -EOPNOTSUPP from a
 *		module older than incremental dumps.
 */
struct kabistat_dump_opts {
	size_t sz;
	uint64_t subtree_id;
	uint64_t *mark;
};

/*
 * Call @fn for every tracked cgroup, then the aggregates.  @cg is valid
 * during the call only.  A non-zero return of @fn stops the dump and is
 * returned.  A cgroup the module sends in several parts
 * (KABISTAT_A_CGROUP_MORE) is merged first: @fn sees each cgroup once,
 * complete.  -EPROTO when the parts do not follow each other or the dump
 * ends inside a cgroup; -EAGAIN when the dump was interrupted or a cgroup
 * was reset between two of its parts (try again).
 */
typedef int (*kabistat_cgroup_fn)(const struct kabistat_cgroup *cg,
				  void *arg);
int kabistat_dump(struct kabistat *ks, const struct kabistat_dump_opts *opts,
		  kabistat_cgroup_fn fn, void *arg);

/*
 * The same dump, one cgroup at a time and never waiting, for an event
 * loop: kabistat_dump_iter_start() sends the request; poll
 * kabistat_dump_iter_fd() for POLLIN and call kabistat_dump_iter_next()
 * until it returns -EAGAIN (nothing more has arrived yet).  It returns 1
 * with a complete cgroup in *@out (the caller's, kabistat_cgroup_free()),
 * 0 once the dump is complete, or an error, after which the dump is over:
 * -EINTR when a concurrent change interrupted the dump or reset a cgroup
 * between two of its parts (start again), -EPROTO as kabistat_dump().
 * Until kabistat_dump_iter_free(), which may also abandon the dump early,
 * other requests on @ks fail with -EBUSY.
 */
struct kabistat_dump_iter;
int kabistat_dump_iter_start(struct kabistat *ks,
			     const struct kabistat_dump_opts *opts,
			     struct kabistat_dump_iter **out);
int kabistat_dump_iter_fd(const struct kabistat_dump_iter *it);
int kabistat_dump_iter_next(struct kabistat_dump_iter *it,
			    struct kabistat_cgroup **out);
void kabistat_dump_iter_free(struct kabistat_dump_iter *it);

/* Reset one cgroup's counters (id != 0) or all (id 0).  CAP_SYS_ADMIN. */
int kabistat_reset(struct kabistat *ks, uint64_t id);

/* Bits of struct kabistat_settings.mask: the fields to change. */
#define KABISTAT_SET_COUNTING		(1U << 0)
#define KABISTAT_SET_RELEASED_TTL	(1U << 1)

/**
 * struct kabistat_settings - kabistat_set()
 * @sz:		sizeof(struct kabistat_settings)
 * @counting:	0 or 1
 * @released_ttl: seconds a released cgroup is kept
 * @mask:	KABISTAT_SET_* bits: exactly the fields to change.
 *
 * A @mask of 0 (code written before it existed) changes the fields that
 * are not negative, but refuses @counting 0 with -EINVAL: a designated
 * initializer that names only another field leaves @counting 0, which would
 * turn counting off host-wide.  Turning counting off takes
 * KABISTAT_SET_COUNTING.  Programs built against a header without @mask
 * (a smaller @sz) keep the old meaning: fields left negative are not
 * changed.
 */
struct kabistat_settings {
	size_t sz;
	int counting;
	int64_t released_ttl;
	uint32_t mask;
};
int kabistat_set(struct kabistat *ks, const struct kabistat_settings *set);

/**
 * struct kabistat_event - a multicast event
 * @cmd:	KABISTAT_CMD_CGROUP_RELEASED or KABISTAT_CMD_FIRST_ENOSYS
 * @seq:	event sequence number; a gap means events were dropped
 * @cgroup:	RELEASED: the final counters; FIRST_ENOSYS: id, and one stat
 */
struct kabistat_event {
	uint32_t cmd;
	uint64_t seq;
	struct kabistat_cgroup *cgroup;
};

/*
 * Join the events group (CAP_SYS_ADMIN) on a handle of its own, then wait
 * for the next event, up to @timeout_ms (-1: forever); -ETIMEDOUT when
 * none came.  Free each event with kabistat_event_free().
 *
 * Once subscribed, a handle carries events only: other requests on it fail
 * with -EBUSY, since their replies could arrive between events.  Use a
 * second handle (kabistat_open() again) for GET_ABI, GET_CGROUP and so on.
 * kabistat_events_fd() is the descriptor to poll for POLLIN.
 * kabistat_event_next() returns -ENOBUFS once when the socket overflowed
 * and events were lost (a gap in @seq tells the same): dump to
 * resynchronise, then keep reading.
 */
int kabistat_events_subscribe(struct kabistat *ks);
int kabistat_events_fd(const struct kabistat *ks);
int kabistat_event_next(struct kabistat *ks, int timeout_ms,
			struct kabistat_event **out);
void kabistat_event_free(struct kabistat_event *ev);

/*
 * Resolve a cgroup: an absolute cgroup2 path, a path relative to the
 * cgroup2 mount, "self", a numeric id, or a container id prefix.  Paths
 * are opened and their id read through the fd (name_to_handle_at), never
 * compared as strings.  An absolute path outside the cgroup2 mount
 * ("/system.slice") is taken as relative to it.
 *
 * A spec that names no cgroup as a path (nor, if decimal, as an id) and is
 * KABISTAT_CONTAINER_PREFIX_MIN to 64 lowercase hex digits is looked up as
 * the prefix of a container id: the cgroup2 tree is walked (directory
 * names only, see kabistat_container_id()) for the one container whose id
 * starts with it.  When no live cgroup matches, the cgroups the module
 * still tracks are searched as well (a container that has exited keeps
 * its released cgroup for released_ttl): the container's own cgroup (the
 * shortest path naming it), and when the id was reused, the newest.
 *
 * -ENOENT: no such cgroup; -ENOTUNIQ: the prefix matches several
 * containers; -ENODEV: no cgroup2 hierarchy is mounted.
 */
int kabistat_resolve_cgroup(struct kabistat *ks, const char *spec,
			    uint64_t *id);

/*
 * Open a cgroup's cgroup2 directory read-only (O_DIRECTORY | O_CLOEXEC),
 * for kabistat_get_cgroup_fd(): the same specs as above; a numeric id is
 * opened by file handle, which needs CAP_DAC_READ_SEARCH.  @ks, for the
 * message, may be NULL.  Return: the fd, or a negative errno.
 */
int kabistat_cgroup_open(struct kabistat *ks, const char *spec);

/* 64 hex digits and the NUL */
#define KABISTAT_CONTAINER_ID_LEN	65
/* shorter prefixes would match nearly every container */
#define KABISTAT_CONTAINER_PREFIX_MIN	4

/**
 * kabistat_container_id() - the container a cgroup path belongs to
 * @path:	a cgroup2 path (may be NULL)
 * @id:		the container id, when found
 *
 * Recognises the layouts of docker (docker-<id>.scope, /docker/<id>),
 * podman (libpod-<id>.scope, not libpod-conmon-), containerd
 * (cri-containerd-<id>.scope), cri-o (crio-<id>.scope, not crio-conmon-)
 * and kubepods (…/pod<uid>/<id> and the *.scope forms above); the last
 * component of @path that names a container wins.
 * Return: 1 when @path names a container, else 0.
 */
int kabistat_container_id(const char *path,
			  char id[KABISTAT_CONTAINER_ID_LEN]);

/*
 * Kernel versions.  A version is "5.6" or, when only bounds are known, a
 * range "6.2-6.12": first present somewhere in 6.2..6.12 (absent from the
 * 6.1 table, present in the 6.12 one).  What a program "needs at least" is
 * the upper bound: that is the oldest kernel known to have the syscall,
 * while any kernel inside the range may lack it.  A syscall the running
 * kernel names and the table does not know is newer than the newest
 * kernel the table was made from: ">7.3", which needs more than every
 * other version (kabistat_stat_since() only).
 */

/*
 * The first kernel version with syscall @name of ABI @abi (enum
 * kabistat_abi, names as GET_ABI gives them), and where that version comes
 * from ("syscalls(2)", "linux-6.12 table, not in linux-6.1", "override:
 * ...").  NULL when the library's table does not know the syscall.  The
 * strings are static.
 */
const char *kabistat_syscall_since(unsigned int abi, const char *name);
const char *kabistat_syscall_since_source(unsigned int abi, const char *name);

/*
 * Order versions and ranges by what they need: by upper bound, then by
 * lower bound ("6.2-6.12" < "6.12" < "6.13-7.3").  NULL (unknown) is
 * below every version.  Return: <0, 0 or >0.
 */
int kabistat_kernel_version_cmp(const char *a, const char *b);
/* By upper bound only: 0 when @a and @b need the same kernel. */
int kabistat_kernel_version_needs_cmp(const char *a, const char *b);

/*
 * Whether a syscall counts as used for the kernel a cgroup needs: at least
 * one return other than ENOSYS (a call refused with ENOSYS, by an older
 * kernel or a seccomp profile, shows the program copes without it).
 */
int kabistat_syscall_used(const struct kabistat_counters *c);

/*
 * The first kernel version of @st's syscall (see above): ">X.Y" when the
 * table does not know its name; NULL when the kernel gives it no name.
 */
const char *kabistat_stat_since(const struct kabistat_kernel_abi *abi,
				const struct kabistat_syscall_stat *st);

/*
 * The newest kernel version among the syscalls @cg used, or NULL when it
 * used none with a name.  The syscalls that need it are those whose
 * kabistat_stat_since() is kabistat_kernel_version_needs_cmp()-equal.
 */
const char *kabistat_cgroup_min_kernel(const struct kabistat_kernel_abi *abi,
				       const struct kabistat_cgroup *cg);

#ifdef __cplusplus
}
#endif

#endif /* KABISTAT_H */
