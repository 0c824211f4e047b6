// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Container ids in cgroup paths, the one place that knows the runtimes'
 * layouts.  A path component names a container when it is
 *
 *   docker-<id>.scope          docker (systemd driver), kubepods.slice
 *   libpod-<id>.scope          podman (libpod-<id> with cgroupfs)
 *   cri-containerd-<id>.scope  containerd CRI, kubepods.slice
 *   crio-<id>.scope            cri-o
 *   <id>                       docker (/docker/<id>), kubepods cgroupfs
 *                              (/kubepods/<qos>/pod<uid>/<id>)
 *
 * where <id> is 64 lowercase hex digits.  The runtimes' monitor cgroups
 * (libpod-conmon-<id>.scope, crio-conmon-<id>.scope) hold conmon, not the
 * container, and never match.  A path inside a container's cgroup (podman's
 * libpod-<id>.scope/container, a systemd inside the container) belongs to
 * the container of its last component that names one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"

#define KS_ID_HEX	64
/* deeper than any runtime nests; bounds the walk on a hostile tree */
#define KS_WALK_DEPTH	32

static const char *const ks_runtime_prefixes[] = {
	"docker-", "libpod-", "cri-containerd-", "crio-",
};

static int ks_is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The container id one path component of @len bytes names: 1, or 0. */
static int ks_component_id(const char *name, size_t len,
			   char id[KABISTAT_CONTAINER_ID_LEN])
{
	size_t i, plen;

	if (len > 6 && !memcmp(name + len - 6, ".scope", 6))
		len -= 6;
	for (i = 0; i < sizeof(ks_runtime_prefixes) /
			sizeof(ks_runtime_prefixes[0]); i++) {
		plen = strlen(ks_runtime_prefixes[i]);
		if (len > plen && !memcmp(name, ks_runtime_prefixes[i], plen)) {
			name += plen;
			len -= plen;
			break;
		}
	}
	if (len != KS_ID_HEX || !ks_is_hex(name, len))
		return 0;
	memcpy(id, name, KS_ID_HEX);
	id[KS_ID_HEX] = '\0';
	return 1;
}

int kabistat_container_id(const char *path,
			  char id[KABISTAT_CONTAINER_ID_LEN])
{
	const char *p = path, *end;
	int found = 0;

	if (!path)
		return 0;
	while (*p) {
		p += strspn(p, "/");
		end = strchrnul(p, '/');
		if (end > p && ks_component_id(p, (size_t)(end - p), id))
			found = 1;
		p = end;
	}
	return found;
}

int ks_container_spec(const char *spec)
{
	size_t len = strlen(spec);

	return len >= KABISTAT_CONTAINER_PREFIX_MIN && len <= KS_ID_HEX &&
	       ks_is_hex(spec, len);
}

struct ks_walk {
	const char *prefix;
	size_t plen;
	char path[PATH_MAX];	/* of the directory being read, relative */
	char *found;		/* relative path of the match */
	int found_depth;
	char id[KABISTAT_CONTAINER_ID_LEN];
	char other[KABISTAT_CONTAINER_ID_LEN];	/* a second, different id */
	int err;
};

static void ks_walk_match(struct ks_walk *w, const char *id, size_t plen,
			  int depth)
{
	char *path;

	if (w->found && strcmp(w->id, id)) {
		if (!w->other[0])
			snprintf(w->other, sizeof(w->other), "%s", id);
		return;
	}
	/* the same container seen again: its outermost cgroup is the one */
	if (w->found && depth >= w->found_depth)
		return;
	path = strndup(w->path, plen);
	if (!path) {
		w->err = -ENOMEM;
		return;
	}
	free(w->found);
	w->found = path;
	w->found_depth = depth;
	snprintf(w->id, sizeof(w->id), "%s", id);
}

/* Directory names only; every child is opened relative to its parent. */
static void ks_walk_dir(struct ks_walk *w, int dfd, size_t len, int depth)
{
	char id[KABISTAT_CONTAINER_ID_LEN];
	struct dirent *de;
	DIR *dir;

	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return;
	}
	while (!w->err && (de = readdir(dir))) {
		size_t nlen = strlen(de->d_name);
		struct stat sb;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR &&
		    (de->d_type != DT_UNKNOWN ||
		     fstatat(dirfd(dir), de->d_name, &sb,
			     AT_SYMLINK_NOFOLLOW) || !S_ISDIR(sb.st_mode)))
			continue;
		if (len + 1 + nlen + 1 > sizeof(w->path))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nlen + 1);
		if (ks_component_id(de->d_name, nlen, id) &&
		    !strncmp(id, w->prefix, w->plen))
			ks_walk_match(w, id, len + 1 + nlen, depth);
		if (depth + 1 >= KS_WALK_DEPTH)
			continue;
		fd = openat(dirfd(dir), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			ks_walk_dir(w, fd, len + 1 + nlen, depth + 1);
	}
	w->path[len] = '\0';
	closedir(dir);
}

/* Two containers match @prefix: -ENOTUNIQ, said on @ks (may be NULL). */
static int ks_container_ambiguous(struct kabistat *ks, const char *prefix,
				  const char *one, const char *other)
{
	size_t plen = strlen(prefix);
	/* enough digits to tell the two apart */
	int shown = plen + 8 < KS_ID_HEX ? (int)plen + 8 : KS_ID_HEX;

	if (!ks)
		return -ENOTUNIQ;
	return ks_error(ks, -ENOTUNIQ,
			"container id prefix %s is ambiguous: it matches %.*s... and %.*s... at least; give more digits",
			prefix, shown, one, shown, other);
}

int ks_container_find(struct kabistat *ks, int root, const char *prefix,
		      char **relpath)
{
	struct ks_walk w = { .prefix = prefix, .plen = strlen(prefix) };
	int fd;

	fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ks_walk_dir(&w, fd, 0, 0);
	if (!w.err && !w.found)
		w.err = -ENOENT;
	if (!w.err && w.other[0])
		w.err = ks_container_ambiguous(ks, prefix, w.id, w.other);
	if (w.err) {
		free(w.found);
		return w.err;
	}
	*relpath = w.found;
	return 0;
}

/*
 * A container that exited has no directory left, but the module keeps its
 * released cgroups' counters (released_ttl): the usual way to build a
 * profile is to run the container, let it end, then ask.  Among the
 * tracked cgroups, the container's own cgroup is the one whose last
 * component names it (the shortest path); when the id was reused, the
 * newest of those (cgroup ids grow with each new cgroup).
 */
struct ks_released {
	const char *prefix;
	size_t plen;
	uint64_t number;	/* the prefix as a cgroup id, or 0 */
	bool number_tracked;	/* a cgroup of that id is */
	uint64_t id;
	size_t path_len;
	char cid[KABISTAT_CONTAINER_ID_LEN];
	char other[KABISTAT_CONTAINER_ID_LEN];
};

static int ks_released_match(const struct kabistat_cgroup *cg, void *arg)
{
	struct ks_released *r = arg;
	char cid[KABISTAT_CONTAINER_ID_LEN];
	size_t len;

	if (r->number && cg->id == r->number)
		r->number_tracked = true;
	if (!cg->id || !cg->path || !kabistat_container_id(cg->path, cid) ||
	    strncmp(cid, r->prefix, r->plen))
		return 0;
	if (r->id && strcmp(cid, r->cid)) {
		if (!r->other[0])
			snprintf(r->other, sizeof(r->other), "%s", cid);
		return 0;
	}
	len = strlen(cg->path);
	if (r->id && (len > r->path_len ||
		      (len == r->path_len && cg->id < r->id)))
		return 0;
	r->id = cg->id;
	r->path_len = len;
	snprintf(r->cid, sizeof(r->cid), "%s", cid);
	return 0;
}

int ks_container_find_released(struct kabistat *ks, const char *prefix,
			       uint64_t number, uint64_t *id)
{
	struct kabistat_dump_opts opts = { .sz = sizeof(opts) };
	struct ks_released r = {
		.prefix = prefix, .plen = strlen(prefix), .number = number,
	};
	int err;

	err = kabistat_dump(ks, &opts, ks_released_match, &r);
	if (err)
		return err;
	if (r.number_tracked) {
		*id = number;
		return 0;
	}
	if (!r.id)
		return -ENOENT;
	if (r.other[0])
		return ks_container_ambiguous(ks, prefix, r.cid, r.other);
	*id = r.id;
	return 0;
}
