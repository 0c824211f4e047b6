// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cgroup resolution: "self", a numeric id, or a path in the cgroup2
 * hierarchy.  A path is opened and its id read from the directory's file
 * handle (kernfs gives the 64-bit cgroup id as the handle), so the answer
 * is the directory the kernel reached, never a string comparison.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/kabistat.h>

#include "internal.h"

/* include/linux/exportfs.h: the handle type kernfs gives out */
#define KS_FILEID_KERNFS	0xfe

/* kabistat_cgroup_open() may be called without a handle. */
static int __attribute__((format(printf, 3, 4)))
ks_resolve_error(struct kabistat *ks, int err, const char *fmt, ...)
{
	va_list ap;

	if (ks) {
		va_start(ap, fmt);
		vsnprintf(ks->errmsg, sizeof(ks->errmsg), fmt, ap);
		va_end(ap);
	}
	return err;
}

static int ks_open_error(struct kabistat *ks, int err, const char *spec)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
	case -ESTALE:	/* an id of a removed cgroup */
	case -ERANGE:	/* an id too large to be one */
		return ks_resolve_error(ks, -ENOENT, "no such cgroup: %s",
					spec);
	case -EPERM:
		return ks_resolve_error(ks, err,
					"opening cgroup %s by id needs CAP_DAC_READ_SEARCH",
					spec);
	default:
		return ks_resolve_error(ks, err, "cannot open cgroup %s: %s",
					spec, strerror(-err));
	}
}

/* The mount point as /proc/self/mountinfo escapes it (\040 for a space). */
static void ks_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Open the root of the first cgroup2 mount: -ENODEV when there is none. */
static int ks_cgroup2_root(char **mnt_out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *mnt = NULL;
	size_t len = 0;
	int fd = -ENODEV;

	if (!f)
		return -errno;
	while (getline(&line, &len, f) > 0) {
		char *sep = strstr(line, " - "), *save, *tok;
		int field = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		/* id parent major:minor root mount-point ... */
		for (tok = strtok_r(line, " ", &save); tok && field < 4;
		     tok = strtok_r(NULL, " ", &save))
			field++;
		if (!tok)
			continue;
		ks_unescape(tok);
		/* not O_PATH: open_by_handle_at() refuses such a mount fd */
		fd = open(tok, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		mnt = strdup(tok);
		if (!mnt) {
			close(fd);
			fd = -ENOMEM;
		}
		break;
	}
	free(line);
	fclose(f);
	if (fd >= 0 && mnt_out)
		*mnt_out = mnt;
	else
		free(mnt);
	return fd;
}

/* The caller's cgroup2 path, from the "0::" line of /proc/self/cgroup. */
static int ks_self_path(char **path)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t len = 0;
	ssize_t n;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((n = getline(&line, &len, f)) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		*path = strdup(line + 3);
		err = *path ? 0 : -ENOMEM;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

static int ks_parse_id(const char *spec, uint64_t *id)
{
	char *end;

	if (!*spec || strspn(spec, "0123456789") != strlen(spec))
		return 0;
	errno = 0;
	*id = strtoull(spec, &end, 10);
	return errno ? -ERANGE : 1;
}

int ks_fd_cgroup_id(int fd, uint64_t *id)
{
	union {
		struct file_handle fh;
		char room[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	int mnt_id;

	h.fh.handle_bytes = sizeof(uint64_t);
	if (name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EPROTO;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

/* The cgroup of the container whose id starts with @prefix. */
static int ks_container_open(struct kabistat *ks, int root,
			     const char *prefix, int flags)
{
	char *rel;
	int fd, err;

	err = ks_container_find(ks, root, prefix, &rel);
	if (err)
		return err;
	fd = openat(root, rel + strspn(rel, "/"), flags);
	err = fd < 0 ? -errno : fd;
	free(rel);
	return err;
}

/*
 * Open the cgroup2 directory @spec names with @flags.  Paths under the
 * cgroup2 mount are taken as they are; any other absolute path, and a
 * relative one, is relative to the mount.  What names no cgroup that way
 * may still be a container id prefix.
 */
static int ks_cgroup_open(struct kabistat *ks, const char *spec, int flags)
{
	char *mnt = NULL, *self = NULL;
	const char *rel = spec;
	struct statfs sfs;
	size_t mlen;
	uint64_t id;
	int root, fd, err;

	if (!*spec)
		return ks_open_error(ks, -ENOENT, spec);
	root = ks_cgroup2_root(&mnt);
	if (root == -ENODEV)
		return ks_resolve_error(ks, -ENODEV,
					"no cgroup2 hierarchy is mounted");
	if (root < 0)
		return ks_resolve_error(ks, root,
					"cannot find the cgroup2 mount: %s",
					strerror(-root));

	err = ks_parse_id(spec, &id);
	if (err > 0) {
		union {
			struct file_handle fh;
			char room[sizeof(struct file_handle) + sizeof(id)];
		} h;

		h.fh.handle_bytes = sizeof(id);
		h.fh.handle_type = KS_FILEID_KERNFS;
		memcpy(h.fh.f_handle, &id, sizeof(id));
		fd = open_by_handle_at(root, &h.fh, flags);
		err = fd < 0 ? -errno : 0;
		if (err != -ESTALE || !ks_container_spec(spec))
			goto out;
		/* no cgroup has that id: a container id of decimal digits? */
		fd = ks_container_open(ks, root, spec, flags);
		err = fd < 0 ? fd : 0;
		goto out;
	}
	fd = -1;
	if (err < 0)
		goto out;

	if (!strcmp(spec, "self")) {
		err = ks_self_path(&self);
		if (err)
			goto out;
		rel = self;
	} else if (spec[0] == '/') {
		mlen = strlen(mnt);
		while (mlen > 1 && mnt[mlen - 1] == '/')
			mlen--;
		if (mlen == 1 || (!strncmp(spec, mnt, mlen) &&
				  (spec[mlen] == '/' || !spec[mlen])))
			rel = spec + mlen;
	}
	rel += strspn(rel, "/");
	fd = openat(root, *rel ? rel : ".", flags);
	err = fd < 0 ? -errno : 0;
	if (err == -ENOENT && ks_container_spec(spec)) {
		fd = ks_container_open(ks, root, spec, flags);
		err = fd < 0 ? fd : 0;
	}
	/* "../.." leads out of the hierarchy without failing to open */
	if (!err && (fstatfs(fd, &sfs) < 0 ||
		     sfs.f_type != CGROUP2_SUPER_MAGIC))
		err = -ENOENT;
out:
	if (err) {
		if (fd >= 0)
			close(fd);
		/* ks_container_open() said what was ambiguous */
		fd = err == -ENOTUNIQ ? err : ks_open_error(ks, err, spec);
	}
	free(self);
	free(mnt);
	close(root);
	return fd;
}

int kabistat_cgroup_open(struct kabistat *ks, const char *spec)
{
	return ks_cgroup_open(ks, spec, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int kabistat_resolve_cgroup(struct kabistat *ks, const char *spec,
			    uint64_t *id)
{
	int fd, err;

	err = ks_parse_id(spec, id);
	/*
	 * An id is taken as it is (the module may still hold a removed
	 * cgroup's counters), unless it could be a container id prefix:
	 * then it must name a live cgroup, or the prefix is looked up.
	 */
	if (err > 0 && !ks_container_spec(spec))
		return 0;
	if (err < 0)
		return ks_error(ks, -ENOENT, "no such cgroup: %s", spec);
	fd = ks_cgroup_open(ks, spec, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -EPERM && err > 0)
		return 0;	/* no CAP_DAC_READ_SEARCH to check the id */
	if (fd == -ENOENT && ks && ks_container_spec(spec)) {
		/*
		 * A container that has exited: its counters may be kept.  A
		 * prefix of decimal digits is the id of a tracked cgroup of
		 * that id, else the prefix of such a container, else an id
		 * all the same.
		 */
		int found = ks_container_find_released(ks, spec,
						       err > 0 ? *id : 0, id);

		if (found && found != -ENOTUNIQ && err > 0)
			return 0;
		if (found == -ENOENT)
			return ks_error(ks, found, "no such cgroup: %s", spec);
		return found;
	}
	if (fd == -ENOENT && err > 0)
		return 0;	/* perhaps a released cgroup's */
	if (fd < 0)
		return fd;
	err = ks_fd_cgroup_id(fd, id);
	close(fd);
	if (err)
		return ks_error(ks, err, "cannot read the id of cgroup %s: %s",
				spec, strerror(-err));
	return 0;
}
