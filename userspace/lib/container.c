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

int ks_container_find(struct kabistat *ks, int root, const char *prefix,
		      char **relpath)
{
	struct ks_walk w = { .prefix = prefix, .plen = strlen(prefix) };
	/* enough digits to tell the two apart */
	int shown = w.plen + 8 < KS_ID_HEX ? (int)w.plen + 8 : KS_ID_HEX;
	int fd;

	fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ks_walk_dir(&w, fd, 0, 0);
	if (!w.err && !w.found)
		w.err = -ENOENT;
	if (!w.err && w.other[0]) {
		w.err = -ENOTUNIQ;
		if (ks)
			ks_error(ks, w.err,
				 "container id prefix %s is ambiguous: it matches %.*s... and %.*s... at least; give more digits",
				 prefix, shown, w.id, shown, w.other);
	}
	if (w.err) {
		free(w.found);
		return w.err;
	}
	*relpath = w.found;
	return 0;
}
