/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unloading and reloading kabistat.ko from a test, for the tests that need
 * other module parameters.  Whatever happens, a test binary that includes
 * this leaves the module loaded with its defaults when it exits, so the
 * tests after it run against the module they expect.
 */
#ifndef KABISTAT_MODCTL_H
#define KABISTAT_MODCTL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define KO_PATH		"/lib/kabistat/kabistat.ko"
/* The test build (make module-test): the same module with test hooks. */
#define KO_TEST_PATH	"/lib/kabistat/test/kabistat.ko"
#define KO_NAME		"kabistat"
#define SYSFS_MODULE	"/sys/module/" KO_NAME

/* The defaults of kmod/main.c, as GET_ABI reports them. */
#define DEFAULT_MAX_CGROUPS	16384
#define DEFAULT_RELEASED_TTL	600

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline bool module_loaded(void)
{
	return access(SYSFS_MODULE, F_OK) == 0;
}

static inline int unload_once(void)
{
	return syscall(SYS_delete_module, KO_NAME, O_NONBLOCK) ? -errno : 0;
}

/*
 * Unload, retrying while a transient reference (EAGAIN, the errno of a
 * non-zero refcount) or an unfinished load or unload (EBUSY) is in the
 * way, for up to @timeout_ms.  0 or -errno (-ENOENT: was not loaded).
 */
static inline int unload_retry(int timeout_ms)
{
	int err, waited = 0;

	for (;;) {
		err = unload_once();
		if ((err != -EAGAIN && err != -EBUSY) || waited >= timeout_ms)
			return err;
		sleep_ms(5);
		waited += 5;
	}
}

/* finit_module() of a module file; 0 or -errno. */
static inline int load_file(const char *path, const char *params)
{
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

/* The payload's module, as users load it. */
static inline int load(const char *params)
{
	return load_file(KO_PATH, params);
}

/* Unloaded, whether or not it was loaded; 0 or -errno. */
static inline int unload(void)
{
	int err = unload_retry(5000);

	return err == -ENOENT ? 0 : err;
}

static inline int reload(const char *params)
{
	int err = unload();

	return err ? err : load(params);
}

/* The test build instead, for its test-only parameters. */
static inline int reload_test(const char *params)
{
	int err = unload();

	return err ? err : load_file(KO_TEST_PATH, params);
}

/* Whether the test build is in the payload. */
static inline bool test_build_present(void)
{
	return access(KO_TEST_PATH, R_OK) == 0;
}

/* Whether the loaded module is the test build ("+testing" version). */
static inline bool test_build_loaded(void)
{
	char buf[64] = "";
	FILE *f = fopen(SYSFS_MODULE "/version", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "+testing") != NULL;
}

/* A parameter's value from sysfs (bools read as 0), or -1. */
static inline long module_param(const char *name)
{
	char path[128], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_MODULE "/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static inline bool module_has_defaults(void)
{
	return module_loaded() && !test_build_loaded() &&
	       module_param("max_cgroups") == DEFAULT_MAX_CGROUPS &&
	       module_param("released_ttl") == DEFAULT_RELEASED_TTL;
}

/*
 * The program the kernel runs to load a module on demand: a lookup of the
 * netlink family runs it for kabistat's alias.  Put @path there ("" turns
 * loading on demand off) and the previous value in @old; 0 or -errno.
 */
static inline int modprobe_helper_swap(const char *path, char *old,
				       size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/modprobe", "r+");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(old, len, f))
		err = -EIO;
	old[strcspn(old, "\n")] = '\0';
	if (!err && (fseek(f, 0, SEEK_SET) || fprintf(f, "%s\n", path) < 0 ||
		     fflush(f)))
		err = -errno;
	fclose(f);
	return err;
}

/*
 * The end of a test that reloads the module: load it with its defaults,
 * then put back the kernel's modprobe helper @old that
 * modprobe_helper_swap() saved.  0, or -errno with *@what naming the step
 * that failed (both are tried).
 */
static inline int modctl_restore(const char *old, const char **what)
{
	char none[256];
	int err, ret;

	ret = reload("");
	if (ret)
		*what = "reloading " KO_NAME " with defaults";
	err = modprobe_helper_swap(old, none, sizeof(none));
	if (err && !ret) {
		*what = "putting back the kernel's modprobe";
		ret = err;
	}
	return ret;
}

static pid_t modctl_harness_pid;

__attribute__((constructor)) static void modctl_note_harness_pid(void)
{
	modctl_harness_pid = getpid();
}

/* The last resort, when a test died before its teardown: the defaults. */
__attribute__((destructor)) static void modctl_ensure_defaults(void)
{
	int err;

	if (getpid() != modctl_harness_pid || module_has_defaults())
		return;
	err = reload("");
	if (err)
		fprintf(stderr, "# could not reload %s with defaults: %s\n",
			KO_NAME, strerror(-err));
}

#endif /* KABISTAT_MODCTL_H */
