// SPDX-License-Identifier: GPL-2.0
/* Fresh cgroups and exactly counted workloads; see cgtest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgtest.h"

/* Exit code of a child whose moving read did not return one byte. */
#define CGTEST_EXIT_NO_GO	99

static char cgtest_msg[512];
static unsigned int cgtest_seq;

static int cgtest_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cgtest_msg, sizeof(cgtest_msg), fmt, ap);
	va_end(ap);
	return err;
}

const char *cgtest_err(void)
{
	return cgtest_msg;
}

int cgtest_id_of_fd(int fd, uint64_t *id)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[sizeof(uint64_t)];
	} h;
	int mount_id;

	/* On cgroupfs the handle is the kernfs node id: the cgroup id. */
	h.fh.handle_bytes = sizeof(h.bytes);
	if (name_to_handle_at(fd, "", &h.fh, &mount_id, AT_EMPTY_PATH))
		return cgtest_fail(-errno, "name_to_handle_at: %s",
				   strerror(errno));
	if (h.fh.handle_bytes != sizeof(*id))
		return cgtest_fail(-EPROTO, "cgroup handle has %u bytes, not 8",
				   h.fh.handle_bytes);
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

static int cgtest_write_file(const char *dir, const char *file,
			     const char *text)
{
	char path[PATH_MAX + 32];
	ssize_t n, len = strlen(text);
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cgtest_fail(-errno, "open %s: %s", path,
				   strerror(errno));
	n = write(fd, text, len);
	if (n != len)
		err = cgtest_fail(n < 0 ? -errno : -EIO, "write '%s' to %s: %s",
				  text, path, n < 0 ? strerror(errno) : "short");
	close(fd);
	return err;
}

int cgtest_create(struct cgtest *cg, const struct cgtest *parent,
		  const char *tag)
{
	int err, n;

	memset(cg, 0, sizeof(*cg));
	cg->dfd = -1;
	n = snprintf(cg->path, sizeof(cg->path), "%s/kst-%s-%d-%u",
		     parent ? parent->path : CGTEST_ROOT, tag, (int)getpid(),
		     cgtest_seq++);
	if (n < 0 || (size_t)n >= sizeof(cg->path))
		return cgtest_fail(-ENAMETOOLONG, "cgroup path too long");
	if (mkdir(cg->path, 0755))
		return cgtest_fail(-errno, "mkdir %s: %s", cg->path,
				   strerror(errno));
	cg->created = true;
	cg->dfd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dfd < 0) {
		err = cgtest_fail(-errno, "open %s: %s", cg->path,
				  strerror(errno));
		cgtest_remove(cg);
		return err;
	}
	err = cgtest_id_of_fd(cg->dfd, &cg->id);
	if (err)
		cgtest_remove(cg);
	return err;
}

static void cgtest_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int cgtest_remove(struct cgtest *cg)
{
	int i;

	if (cg->dfd >= 0) {
		close(cg->dfd);
		cg->dfd = -1;
	}
	if (!cg->created)
		return 0;
	/*
	 * A failed test may leave a workload behind.  Exited tasks leave
	 * the cgroup at exit, so a few retries cover the time a killed task
	 * takes to get there.
	 */
	for (i = 0; i < 200; i++) {
		if (!rmdir(cg->path) || errno == ENOENT) {
			cg->created = false;
			return 0;
		}
		if (errno != EBUSY)
			break;
		if (i == 0)
			cgtest_write_file(cg->path, "cgroup.kill", "1");
		cgtest_sleep_ms(10);
	}
	return cgtest_fail(-errno, "rmdir %s: %s", cg->path, strerror(errno));
}

int cgtest_move(const struct cgtest *cg, pid_t pid)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	return cgtest_write_file(cg->path, "cgroup.procs", text);
}

int cgtest_enter(const char *dir)
{
	return cgtest_write_file(dir, "cgroup.procs", "0");
}

static char cgtest_home_dir[PATH_MAX] = CGTEST_ROOT;

/* Before any test can move: the cgroup2 line of /proc/self/cgroup. */
__attribute__((constructor)) static void cgtest_note_home(void)
{
	char line[PATH_MAX - sizeof(CGTEST_ROOT)];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::/", 4) && line[4])
			snprintf(cgtest_home_dir, sizeof(cgtest_home_dir),
				 "%s%s", CGTEST_ROOT, line + 3);
	}
	fclose(f);
}

const char *cgtest_home(void)
{
	return cgtest_home_dir;
}

/* 1: asleep in @nr(@arg0, ...); 0: not (yet); -errno: cannot tell. */
static int cgtest_blocked_in(pid_t pid, long nr, long arg0)
{
	char path[64], buf[256];
	long cur_nr;
	unsigned long cur_arg0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	/*
	 * "running" while on a CPU; "NR ARG0 ... SP PC" only when the task
	 * is not runnable, i.e. asleep inside syscall NR.  The syscall
	 * entered before that, and it cannot return until woken.
	 */
	if (sscanf(buf, "%ld 0x%lx", &cur_nr, &cur_arg0) != 2)
		return 0;
	return cur_nr == nr && cur_arg0 == (unsigned long)arg0;
}

int cgtest_wait_blocked(pid_t pid, long nr, long arg0, int timeout_ms)
{
	int waited, ret, status;

	for (waited = 0; waited <= timeout_ms; waited++) {
		ret = cgtest_blocked_in(pid, nr, arg0);
		if (ret == 1)
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return cgtest_fail(-ECHILD,
					   "child %d ended (status 0x%x) instead of blocking in syscall %ld",
					   (int)pid, status, nr);
		if (ret < 0 && ret != -ENOENT && ret != -ESRCH)
			return cgtest_fail(ret, "/proc/%d/syscall: %s",
					   (int)pid, strerror(-ret));
		cgtest_sleep_ms(1);
	}
	return cgtest_fail(-ETIMEDOUT,
			   "child %d not blocked in syscall %ld(%ld) after %d ms",
			   (int)pid, nr, arg0, timeout_ms);
}

static __attribute__((noreturn)) void
cgtest_child(int go, cgtest_fn prep, cgtest_fn fn, void *arg)
{
	char c;
	int code;

	if (prep) {
		code = prep(arg);
		if (code)
			_exit(code);
	}
	/* From the moment this read returns: raw syscalls only. */
	if (syscall(SYS_read, go, &c, 1) != 1)
		code = CGTEST_EXIT_NO_GO;
	else
		code = fn(arg);
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

int cgtest_spawn(const struct cgtest *cg, cgtest_fn prep, cgtest_fn fn,
		 void *arg, pid_t *pid)
{
	int go[2], err;

	if (pipe2(go, O_CLOEXEC))
		return cgtest_fail(-errno, "pipe2: %s", strerror(errno));
	/*
	 * Resolve syscall()'s PLT slot here, so that lazy binding happens
	 * in the parent and the child inherits a resolved GOT.
	 */
	syscall(SYS_getppid);
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		err = cgtest_fail(-errno, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return err;
	}
	if (*pid == 0) {
		close(go[1]);
		cgtest_child(go[0], prep, fn, arg);
	}
	/* the child's descriptor has the same number as ours */
	err = cgtest_wait_blocked(*pid, SYS_read, go[0], 10000);
	close(go[0]);
	if (!err)
		err = cgtest_move(cg, *pid);
	if (!err && write(go[1], "g", 1) != 1)
		err = cgtest_fail(-errno, "write go pipe: %s",
				  strerror(errno));
	close(go[1]);
	if (err && err != -ECHILD) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	return err;
}

int cgtest_reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return cgtest_fail(-errno, "waitpid %d: %s", (int)pid,
				   strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int cgtest_run(const struct cgtest *cg, cgtest_fn prep, cgtest_fn fn,
	       void *arg)
{
	pid_t pid;
	int ret;

	ret = cgtest_spawn(cg, prep, fn, arg, &pid);
	if (ret)
		return ret;
	ret = cgtest_reap(pid);
	if (ret > 0)
		cgtest_fail(ret, "workload in %s exited with code %d",
			    cg->path, ret);
	return ret;
}

int cgtest_helper_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return cgtest_fail(-errno, "readlink /proc/self/exe: %s",
				   strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/../bin/%s", exe, name);
	if (access(buf, X_OK))
		return cgtest_fail(-errno, "helper %s: %s", buf,
				   strerror(errno));
	return 0;
}

int cgtest_slowdown(void)
{
	const char *v = getenv("KABISTAT_TIMEOUT_SCALE");
	int n = v ? atoi(v) : 1;

	return n > 0 ? n : 1;
}

int cgtest_scaled(int full, int min, const char *what)
{
	int n = full / cgtest_slowdown();

	if (n < min)
		n = min;
	if (n < full)
		printf("# %d %s, not %d: this kernel runs the tests %d times slower\n",
		       n, what, full, cgtest_slowdown());
	return n;
}

bool cgtest_kernel_at_least(unsigned int major, unsigned int minor)
{
	unsigned int ma = 0, mi = 0;
	FILE *f = fopen("/proc/sys/kernel/osrelease", "re");

	if (f) {
		if (fscanf(f, "%u.%u", &ma, &mi) != 2)
			ma = mi = 0;
		fclose(f);
	}
	return ma > major || (ma == major && mi >= minor);
}
