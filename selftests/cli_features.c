// SPDX-License-Identifier: GPL-2.0
/*
 * The container-facing commands on workloads with known syscalls
 * (cgtest.h): check --kernel names exactly the syscalls an older kernel
 * lacks; a seccomp profile, turned into a filter by a small loader here,
 * lets the same workload run to its end and refuses what it never made;
 * export prints exact counters that never go down, in a well-formed
 * exposition, also over HTTP; top --batch shows the rate of a paced
 * workload.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "kselftest_harness.h"
#include "abis.h"
#include "cli_run.h"
#include "jsoncheck.h"
#include "vdsosyms.h"
#include "cli_workloads.h"


/*
 * The seccomp workload: getpid 5, uname, openat + fstat + close of "/".
 * It never calls getppid; with @arg it tries once at the end and wants
 * EPERM (the profile's default).
 */
static int wl_plain(void *arg)
{
	struct utsname u;
	struct stat st;
	long fd;
	int i;

	for (i = 0; i < 5; i++)
		syscall(SYS_getpid);
	if (syscall(SYS_uname, &u))
		return 20;
	fd = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 21;
	if (syscall(SYS_fstat, fd, &st))
		return 22;
	if (syscall(SYS_close, fd))
		return 23;
	if (arg && (syscall(SYS_getppid) != -1 || errno != EPERM))
		return 24;
	return 0;
}

/* top: PACED_BATCH getppid every 10 ms (absolute deadlines), for 30 s */
#define PACED_BATCH	5
#define PACED_RATE	(PACED_BATCH * 100)
static int wl_paced(void *arg)
{
	struct timespec t;
	int i, n;

	(void)arg;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t))
		return 30;
	for (n = 0; n < 3000; n++) {
		for (i = 0; i < PACED_BATCH; i++)
			syscall(SYS_getppid);
		t.tv_nsec += 10 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_nsec -= 1000000000;
			t.tv_sec++;
		}
		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME,
			&t, NULL);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* A small JSON reader for the profile (the guest has no JSON tools)   */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	double num;
	char *str;
	size_t n;
	char **keys;		/* J_OBJ */
	struct jval *kids;	/* J_ARR, J_OBJ */
};

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_parse(const char *p, struct jval *v);

static const char *json_string_at(const char *p, char **out)
{
	char *s = malloc(strlen(p) + 1), *o = s;

	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if (*p == '\\') {
			p++;
			switch (*p) {
			case 'n': *o++ = '\n'; break;
			case 't': *o++ = '\t'; break;
			case 'u': return NULL;	/* never written by kabistat */
			default: *o++ = *p;
			}
			p++;
		} else {
			*o++ = *p++;
		}
	}
	if (*p != '"')
		return NULL;
	*o = '\0';
	*out = s;
	return p + 1;
}

static const char *json_items(const char *p, struct jval *v, char close,
			      int object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		v->kids = realloc(v->kids, (v->n + 1) * sizeof(*v->kids));
		v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
		v->keys[v->n] = NULL;
		if (object) {
			p = json_string_at(json_ws(p), &v->keys[v->n]);
			if (!p || *(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_parse(p, &v->kids[v->n++]);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_parse(const char *p, struct jval *v)
{
	char *end;

	memset(v, 0, sizeof(*v));
	p = json_ws(p);
	switch (*p) {
	case '{':
		v->type = J_OBJ;
		return json_items(p, v, '}', 1);
	case '[':
		v->type = J_ARR;
		return json_items(p, v, ']', 0);
	case '"':
		v->type = J_STR;
		return json_string_at(p, &v->str);
	case 't':
		v->type = J_BOOL;
		v->num = 1;
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		v->type = J_BOOL;
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		v->type = J_NUM;
		v->num = strtod(p, &end);
		return end == p ? NULL : end;
	}
}

static const struct jval *json_get(const struct jval *o, const char *key)
{
	size_t i;

	for (i = 0; o && o->type == J_OBJ && i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

/* The names of a syscalls[] entry as "a,b,c". */
static void json_names(const struct jval *rule, char *buf, size_t len)
{
	const struct jval *names = json_get(rule, "names");
	size_t i;

	buf[0] = '\0';
	for (i = 0; names && i < names->n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 i ? "," : "", names->kids[i].str);
}

/* ------------------------------------------------------------------ */
/* The loader: a Docker profile as a libseccomp filter                 */

static uint32_t scmp_action(const char *action, const struct jval *errno_ret)
{
	int e = errno_ret ? (int)errno_ret->num : EPERM;

	if (!strcmp(action, "SCMP_ACT_ALLOW"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(action, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(e);
	if (!strcmp(action, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(action, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	return SCMP_ACT_KILL;
}

static uint32_t scmp_arch(const char *name)
{
	if (!strcmp(name, "SCMP_ARCH_X86_64"))
		return SCMP_ARCH_X86_64;
	if (!strcmp(name, "SCMP_ARCH_X86"))
		return SCMP_ARCH_X86;
	if (!strcmp(name, "SCMP_ARCH_X32"))
		return SCMP_ARCH_X32;
	if (!strcmp(name, "SCMP_ARCH_AARCH64"))
		return SCMP_ARCH_AARCH64;
	if (!strcmp(name, "SCMP_ARCH_ARM"))
		return SCMP_ARCH_ARM;
	return 0;
}

/* The profile prep_load_profile() loads (its argument is the workload's). */
static const struct jval *loader_profile;

/*
 * Build the filter: 0, or a code naming what failed.  Every name must be
 * one libseccomp knows.  Runs in the workload's child (prep): nothing is
 * freed once loaded, so that no munmap follows the filter.
 */
static int prep_load_profile(void *arg)
{
	const struct jval *prof = loader_profile, *archmap, *rules, *subs;
	scmp_filter_ctx ctx;
	size_t i, k;

	(void)arg;
	ctx = seccomp_init(scmp_action(json_get(prof, "defaultAction")->str,
				       json_get(prof, "defaultErrnoRet")));
	if (!ctx)
		return 40;
	archmap = json_get(prof, "archMap");
	for (i = 0; archmap && i < archmap->n; i++) {
		uint32_t a = scmp_arch(json_get(&archmap->kids[i],
						"architecture")->str);
		int err = seccomp_arch_add(ctx, a);

		if (!a || (err && err != -EEXIST))
			return 41;
		subs = json_get(&archmap->kids[i], "subArchitectures");
		for (k = 0; subs && k < subs->n; k++) {
			a = scmp_arch(subs->kids[k].str);
			err = seccomp_arch_add(ctx, a);
			if (!a || (err && err != -EEXIST))
				return 42;
		}
	}
	rules = json_get(prof, "syscalls");
	for (i = 0; rules && i < rules->n; i++) {
		const struct jval *r = &rules->kids[i];
		const struct jval *names = json_get(r, "names");
		uint32_t act = scmp_action(json_get(r, "action")->str,
					   json_get(r, "errnoRet"));

		for (k = 0; names && k < names->n; k++) {
			int nr = seccomp_syscall_resolve_name(names->kids[k].str);

			if (nr == __NR_SCMP_ERROR)
				return 43;
			if (seccomp_rule_add(ctx, act, nr, 0))
				return 44;
		}
	}
	return seccomp_load(ctx) ? 45 : 0;
}

/* ------------------------------------------------------------------ */

static struct cli_result res, res2;

FIXTURE(cli) {
	struct cgtest cg, cg2;
};

FIXTURE_SETUP(cli)
{
	char path[PATH_MAX];

	memset(self, 0, sizeof(*self));
	self->cg.dfd = self->cg2.dfd = -1;
	if (cgtest_helper_path("kabistat", path, sizeof(path)))
		SKIP(return, "no kabistat CLI in the payload: %s", cgtest_err());
	ASSERT_EQ(0, cgtest_create(&self->cg, NULL, "feat")) {
		TH_LOG("%s", cgtest_err());
	}
}

FIXTURE_TEARDOWN(cli)
{
	cgtest_remove(&self->cg2);
	cgtest_remove(&self->cg);
}

static const char *rel_path(const struct cgtest *cg)
{
	return cg->path + strlen(CGTEST_ROOT);
}

/* The fields of the line of @out that starts with @start. */
static int line_fields(const char *out, const char *start, char f[6][64])
{
	const char *line = cli_line(out, start);

	if (!line)
		return -1;
	return sscanf(line, "%63s %63s %63s %63s %63s %63s", f[0], f[1], f[2],
		      f[3], f[4], f[5]);
}

/* --- check --kernel ------------------------------------------------ */

TEST_F(cli, check_flags_openat2_and_clone3_on_4_19)
{
	char f[6][64], want[256];

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_modern, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19",
			     self->cg.path));
	EXPECT_EQ(1, res.status) {
		TH_LOG("stdout: %s\nstderr: %s", res.out, res.err);
	}
	EXPECT_HAS(res.out, "  may fail on Linux 4.19 (first in a newer kernel):\n");
	EXPECT_LACKS(res.out, "will fail");
	/* openat2  x86_64  Linux 5.6  2 calls */
	ASSERT_EQ(6, line_fields(res.out, "openat2 ", f));
	EXPECT_STREQ(TEST_ABI_NATIVE_NAME, f[1]);
	EXPECT_STREQ("5.6", f[3]);
	EXPECT_STREQ("2", f[4]);
	ASSERT_EQ(6, line_fields(res.out, "clone3 ", f));
	EXPECT_STREQ("5.3", f[3]);
	EXPECT_STREQ("1", f[4]);
	/* wait4, close, read, exit_group are older than 4.19 */
	EXPECT_LACKS(res.out, "wait4");
	EXPECT_HAS(res.out,
		   "Linux 4.19: 1 of 1 cgroup used syscalls that may fail there\n");

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "check", "--kernel", "4.19",
			     self->cg.path));
	EXPECT_EQ(1, res.status);
	snprintf(want, sizeof(want),
		 "\"may_fail\":[{\"abi\":\"" TEST_ABI_NATIVE_NAME "\",\"nr\":%d,\"name\":\"clone3\","
		 "\"since\":\"5.3\",\"calls\":1},{\"abi\":\"" TEST_ABI_NATIVE_NAME "\",\"nr\":%d,"
		 "\"name\":\"openat2\",\"since\":\"5.6\",\"calls\":2}],"
		 "\"enosys\":[]", SYS_clone3, SYS_openat2);
	EXPECT_HAS(res.out, want);
	EXPECT_HAS(res.out, "\"checked\":1,\"cgroups_may_fail\":1}");

	/* 5.3 has clone3: only openat2 remains */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.3",
			     self->cg.path));
	EXPECT_EQ(1, res.status);
	EXPECT_NE(NULL, cli_line(res.out, "openat2 "));
	EXPECT_LACKS(res.out, "clone3");
	/* 5.6 has both */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.6",
			     self->cg.path));
	EXPECT_EQ(0, res.status);
	EXPECT_HAS(res.out, "  nothing that Linux 5.6 lacks\n");

	/* every tracked cgroup: this one is among those flagged */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19"));
	EXPECT_EQ(1, res.status);
	snprintf(want, sizeof(want), "%s\n  may fail on Linux 4.19",
		 rel_path(&self->cg));
	EXPECT_HAS(res.out, want);
}

TEST_F(cli, check_passes_a_workload_of_old_syscalls)
{
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19",
			     self->cg.path));
	EXPECT_EQ(0, res.status) {
		TH_LOG("stdout: %s\nstderr: %s", res.out, res.err);
	}
	EXPECT_HAS(res.out, "  nothing that Linux 4.19 lacks\n");
	EXPECT_HAS(res.out,
		   "Linux 4.19: 0 of 1 cgroup used syscalls that may fail there\n");
	EXPECT_LACKS(res.out, "ENOSYS");
}

TEST_F(cli, check_reports_enosys_here_and_ignores_enosys_only_syscalls)
{
	struct utsname u;
	char want[256];

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, cgtest_run(&self->cg, prep_openat2_enosys, wl_modern,
				(void *)1)) {
		TH_LOG("%s", cgtest_err());
	}
	/* openat2 got only ENOSYS: not used; clone3 (5.3) was */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.4",
			     self->cg.path));
	EXPECT_EQ(0, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.2",
			     self->cg.path));
	EXPECT_EQ(1, res.status);
	EXPECT_NE(NULL, cli_line(res.out, "clone3 "));
	EXPECT_EQ(NULL, cli_line(res.out, "openat2 "));
	snprintf(want, sizeof(want),
		 "  ENOSYS here (Linux %s): openat2 " TEST_ABI_NATIVE_NAME ", 2 of 2 calls\n",
		 u.release);
	EXPECT_HAS(res.out, want);
}

TEST_F(cli, check_usage_errors_exit_2)
{
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check"));
	EXPECT_EQ(2, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "5.x"));
	EXPECT_EQ(2, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "6.2-6.12"));
	EXPECT_EQ(2, res.status);
}

/* grep's convention: 1 says "may fail", so an error must not */
TEST_F(cli, check_errors_exit_2_not_1)
{
	char gone[PATH_MAX + 16];

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_modern, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	snprintf(gone, sizeof(gone), "%s/no-such-cgroup", self->cg.path);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19", gone));
	EXPECT_EQ(2, res.status) {
		TH_LOG("stdout: %s\nstderr: %s", res.out, res.err);
	}
	/* an error wins over "may fail" */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19",
			     self->cg.path, gone));
	EXPECT_EQ(2, res.status);
	EXPECT_HAS(res.out, "  may fail on Linux 4.19");
	ASSERT_EQ(0, CLI_RUN(&res, 0, "check", "--kernel", "4.19", "--bogus"));
	EXPECT_EQ(2, res.status);
}

/* --- seccomp ------------------------------------------------------- */

struct vdso_check {
	const char *abi_json;	/* `kabistat -j abi --syscalls` */
	char allowed[2048];	/* the profile's allowed names, ",a,b," */
	char missing[512];
	int fallbacks;
};

/*
 * A vDSO function whose NAME is a syscall: its fallback.  x86's vDSO
 * names them __vdso_NAME, arm64's __kernel_NAME.
 */
#ifdef __aarch64__
#define VDSO_PREFIX	"__kernel_"
/* clock_gettime, gettimeofday and clock_getres at least */
#define VDSO_FALLBACKS	3
#else
#define VDSO_PREFIX	"__vdso_"
/* clock_gettime, gettimeofday, time, getcpu and clock_getres at least */
#define VDSO_FALLBACKS	5
#endif

static void vdso_check_one(const char *fn, void *arg)
{
	struct vdso_check *vc = arg;
	const size_t pre = strlen(VDSO_PREFIX);
	char key[128];

	if (strncmp(fn, VDSO_PREFIX, pre))
		return;
	fn += pre;
	snprintf(key, sizeof(key), "\"name\":\"%s\"", fn);
	if (!strstr(vc->abi_json, key))
		return;
	vc->fallbacks++;
	snprintf(key, sizeof(key), ",%s,", fn);
	if (!strstr(vc->allowed, key))
		snprintf(vc->missing + strlen(vc->missing),
			 sizeof(vc->missing) - strlen(vc->missing), " %s", fn);
}

/*
 * The baseline holds the fallback of every function this kernel's vDSO
 * exports (clock_getres always, getrandom since 6.11): a profile made
 * from a cgroup that never needed them must not kill a program whose
 * vDSO call falls back to the syscall.
 */
TEST_F(cli, seccomp_baseline_allows_every_vdso_fallback)
{
	static struct cli_result abi_res;
	const struct jval *rules;
	struct vdso_check vc = { .allowed = "," };
	struct jval prof;
	size_t i;

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_plain, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&abi_res, 0, "-j", "abi", "--syscalls"));
	ASSERT_EQ(0, abi_res.status);
	vc.abi_json = abi_res.out;
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", self->cg.path));
	ASSERT_EQ(0, res.status);
	ASSERT_NE(NULL, json_parse(res.out, &prof));
	rules = json_get(&prof, "syscalls");
	ASSERT_NE(NULL, rules);
	for (i = 0; i < rules->n; i++) {
		if (strcmp(json_get(&rules->kids[i], "action")->str,
			   "SCMP_ACT_ALLOW"))
			continue;
		json_names(&rules->kids[i], vc.allowed + strlen(vc.allowed),
			   sizeof(vc.allowed) - strlen(vc.allowed) - 1);
		strcat(vc.allowed, ",");
	}
	ASSERT_LT(0, vdso_functions(vdso_check_one, &vc)) {
		TH_LOG("no vDSO to read");
	}
	EXPECT_LE(VDSO_FALLBACKS, vc.fallbacks);
	EXPECT_STREQ("", vc.missing) {
		TH_LOG("vDSO fallbacks the profile refuses:%s", vc.missing);
	}
}

TEST_F(cli, seccomp_profile_runs_the_workload_and_refuses_the_rest)
{
	const struct jval *archmap, *rules;
	struct jval prof;
	char names[1024], want[512];

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_plain, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", self->cg.path));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	ASSERT_NE(NULL, json_parse(res.out, &prof)) {
		TH_LOG("not JSON: %s", res.out);
	}
	EXPECT_STREQ("SCMP_ACT_ERRNO", json_get(&prof, "defaultAction")->str);
	ASSERT_NE(NULL, json_get(&prof, "defaultErrnoRet"));
	EXPECT_EQ(EPERM, (int)json_get(&prof, "defaultErrnoRet")->num);
	archmap = json_get(&prof, "archMap");
	ASSERT_NE(NULL, archmap);
	ASSERT_EQ(1, archmap->n);
	EXPECT_STREQ(TEST_SCMP_ARCH,
		     json_get(&archmap->kids[0], "architecture")->str);
	EXPECT_EQ(0, json_get(&archmap->kids[0], "subArchitectures")->n);
	rules = json_get(&prof, "syscalls");
	ASSERT_NE(NULL, rules);
	/* what it made (and the moving read), then the rest of the baseline */
	ASSERT_EQ(2, rules->n) {
		TH_LOG("%s", res.out);
	}
	json_names(&rules->kids[0], names, sizeof(names));
	EXPECT_STREQ("close,exit_group,fstat,getpid,openat,read,uname", names);
	EXPECT_STREQ("SCMP_ACT_ALLOW",
		     json_get(&rules->kids[0], "action")->str);
	json_names(&rules->kids[1], names, sizeof(names));
	EXPECT_STREQ("clock_getres,clock_gettime,exit,getcpu,getrandom,"
		     "gettimeofday,restart_syscall,rt_sigreturn,time", names);
	EXPECT_STREQ("SCMP_ACT_ALLOW",
		     json_get(&rules->kids[1], "action")->str);

	/* the same workload under it, to its end; getppid refused */
	ASSERT_EQ(0, cgtest_create(&self->cg2, NULL, "feat-sc"));
	loader_profile = &prof;
	ASSERT_EQ(0, cgtest_run(&self->cg2, prep_load_profile, wl_plain,
				(void *)1)) {
		TH_LOG("%s", cgtest_err());
	}
	/* and kabistat saw the refusal: one call, one error, denied */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "show", self->cg2.path));
	snprintf(want, sizeof(want),
		 "{\"abi\":\"" TEST_ABI_NATIVE_NAME "\",\"nr\":%d,\"name\":\"getppid\","
		 "\"calls\":1,\"errors\":1,\"enosys\":0,\"denied\":1,"
		 "\"interrupted\":0,", SYS_getppid);
	EXPECT_HAS(res.out, want);

	/* several cgroups need --merge */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", self->cg.path,
			     self->cg2.path));
	EXPECT_EQ(2, res.status);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--merge", self->cg.path,
			     self->cg2.path));
	EXPECT_EQ(0, res.status);
	/* getppid: every call EPERM, so answered with EPERM, not allowed */
	ASSERT_NE(NULL, json_parse(res.out, &prof));
	rules = json_get(&prof, "syscalls");
	ASSERT_EQ(3, rules->n);
	json_names(&rules->kids[0], names, sizeof(names));
	EXPECT_STREQ("close,exit_group,fstat,getpid,openat,read,uname", names);
	json_names(&rules->kids[2], names, sizeof(names));
	EXPECT_STREQ("getppid", names);
	EXPECT_EQ(EPERM, (int)json_get(&rules->kids[2], "errnoRet")->num);
}

/*
 * A syscall that only ever got ENOSYS keeps getting ENOSYS (so a libc
 * fallback still works), even under --action kill: the workload that
 * expects ENOSYS from openat2 runs to its end.
 */
TEST_F(cli, seccomp_keeps_enosys_answers_under_kill)
{
	const struct jval *rules;
	struct jval prof;
	char names[1024];

	ASSERT_EQ(0, cgtest_run(&self->cg, prep_openat2_enosys, wl_modern,
				(void *)1));
	ASSERT_EQ(0, CLI_RUN(&res, 0, "seccomp", "--action", "kill",
			     self->cg.path));
	ASSERT_EQ(0, res.status);
	ASSERT_NE(NULL, json_parse(res.out, &prof));
	EXPECT_STREQ("SCMP_ACT_KILL_PROCESS",
		     json_get(&prof, "defaultAction")->str);
	EXPECT_EQ(NULL, json_get(&prof, "defaultErrnoRet"));
	rules = json_get(&prof, "syscalls");
	ASSERT_EQ(3, rules->n) {
		TH_LOG("%s", res.out);
	}
	json_names(&rules->kids[0], names, sizeof(names));
	EXPECT_STREQ("clone3,exit_group,read,wait4", names);
	json_names(&rules->kids[2], names, sizeof(names));
	EXPECT_STREQ("openat2", names);
	EXPECT_STREQ("SCMP_ACT_ERRNO",
		     json_get(&rules->kids[2], "action")->str);
	EXPECT_EQ(ENOSYS, (int)json_get(&rules->kids[2], "errnoRet")->num);

	ASSERT_EQ(0, cgtest_create(&self->cg2, NULL, "feat-kill"));
	loader_profile = &prof;
	EXPECT_EQ(0, cgtest_run(&self->cg2, prep_load_profile, wl_modern,
				(void *)1)) {
		TH_LOG("%s", cgtest_err());
	}
}

/* --- export -------------------------------------------------------- */

/*
 * The exposition's shape: every family once, "# HELP" then "# TYPE"
 * before its samples, each sample of the family just typed, each value
 * an unsigned integer; a gauge's may have a fraction (a kernel version,
 * 6.012).  Return the number of samples, or -1.
 */
static int exposition_check(struct __test_metadata *_metadata,
			    const char *text)
{
	char family[128] = "", seen[8192] = " ";
	const char *p = text;
	bool gauge = false;
	int samples = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[4096], name[128], type[32], key[140];
		size_t len;

		if (!nl) {
			TH_LOG("no newline at the end");
			return -1;
		}
		len = (size_t)(nl - p) < sizeof(line) - 1 ?
		      (size_t)(nl - p) : sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (!strncmp(line, "# HELP ", 7)) {
			if (sscanf(line, "# HELP %127s", name) != 1)
				return -1;
			snprintf(key, sizeof(key), " %s ", name);
			if (strstr(seen, key)) {
				TH_LOG("family twice: %s", name);
				return -1;
			}
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			snprintf(family, sizeof(family), "%s", name);
			/* TYPE next */
			if (sscanf(p, "# TYPE %127s %31s", name, type) != 2 ||
			    strcmp(name, family) ||
			    (strcmp(type, "counter") && strcmp(type, "gauge"))) {
				TH_LOG("no TYPE after HELP of %s", family);
				return -1;
			}
			gauge = !strcmp(type, "gauge");
			if (!gauge &&
			    strcmp(family + strlen(family) - 6, "_total")) {
				TH_LOG("counter without _total: %s", family);
				return -1;
			}
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7))
			continue;
		{
			size_t n = strcspn(line, "{ ");
			const char *v = strrchr(line, ' ');
			size_t digits;

			if (n != strlen(family) || strncmp(line, family, n)) {
				TH_LOG("sample outside its family %s: %s",
				       family, line);
				return -1;
			}
			digits = v ? strspn(v + 1, "0123456789") : 0;
			if (gauge && digits && v[1 + digits] == '.' &&
			    v[2 + digits] >= '0' && v[2 + digits] <= '9')
				digits += 1 + strspn(v + 2 + digits,
						     "0123456789");
			if (!v || !digits || digits != strlen(v + 1)) {
				TH_LOG("value is not a number: %s", line);
				return -1;
			}
		}
		samples++;
	}
	return samples;
}

/* Every *_total sample of @a whose series is in @b is <= there. */
static int exposition_monotonic(struct __test_metadata *_metadata,
				const char *a, const char *b)
{
	const char *p = a;
	int compared = 0;

	for (; *p; p = strchr(p, '\n') + 1) {
		const char *nl = strchr(p, '\n'), *sp, *q;
		char series[4096];
		unsigned long long va, vb;
		size_t len;

		if (*p == '#')
			continue;
		sp = memrchr(p, ' ', (size_t)(nl - p));
		len = (size_t)(sp - p);
		if (len >= sizeof(series) || !memmem(p, len, "_total", 6))
			continue;
		memcpy(series, p, len);
		series[len] = ' ';
		series[len + 1] = '\0';
		va = strtoull(sp + 1, NULL, 10);
		for (q = b; (q = strstr(q, series)); q++) {
			if (q != b && q[-1] != '\n')
				continue;
			vb = strtoull(q + len + 1, NULL, 10);
			if (vb < va) {
				TH_LOG("went down: %s%llu -> %llu", series,
				       va, vb);
				return -1;
			}
			compared++;
			break;
		}
	}
	return compared;
}

/* How many times @needle occurs in @text. */
static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

/* A label value as the exposition format escapes it. */
static void label_escape(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

static void series(char *buf, size_t len, const char *family,
		   const struct cgtest *cg, const char *path,
		   const char *syscall_name, unsigned long long v)
{
	snprintf(buf, len,
		 "\n%s{cgroup_id=\"%" PRIu64 "\",cgroup=\"%s\",container_id=\"\","
		 "%s%s%sabi=\"" TEST_ABI_NATIVE_NAME "\"} %llu\n", family, cg->id, path,
		 syscall_name ? "syscall=\"" : "",
		 syscall_name ? syscall_name : "",
		 syscall_name ? "\"," : "", v);
}

TEST_F(cli, export_is_exact_well_formed_and_monotonic)
{
	char want[2048], esc[512];
	int n;

	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));
	/* a child cgroup whose name needs escaping: kst-esc"q\b-PID-N */
	ASSERT_EQ(0, cgtest_create(&self->cg2, &self->cg, "esc\"q\\b"));
	ASSERT_EQ(0, cgtest_run(&self->cg2, NULL, wl_counts, NULL));

	ASSERT_EQ(0, CLI_RUN(&res, 0, "export"));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	n = exposition_check(_metadata, res.out);
	EXPECT_LT(0, n);
	EXPECT_HAS(res.out, "\nkabistat_info{kernel_release=\"");
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
	       rel_path(&self->cg), "getppid", NR_GETPPID);
	EXPECT_HAS(res.out, want);
	series(want, sizeof(want), "kabistat_syscall_errors_total", &self->cg,
	       rel_path(&self->cg), "close", NR_BADCLOSE);
	EXPECT_HAS(res.out, want);
	series(want, sizeof(want), "kabistat_syscall_denied_total", &self->cg,
	       rel_path(&self->cg), "close", 0);
	EXPECT_HAS(res.out, want);
	/* " and \ escaped as \" and \\ */
	label_escape(esc, sizeof(esc), rel_path(&self->cg2));
	EXPECT_NE(NULL, strstr(esc, "/kst-esc\\\"q\\\\b-"));
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg2, esc,
	       "getppid", NR_GETPPID);
	EXPECT_HAS(res.out, want);

	/* more calls, then the second scrape: nothing went down */
	ASSERT_EQ(0, cgtest_run(&self->cg2, NULL, wl_counts, NULL));
	ASSERT_EQ(0, CLI_RUN(&res2, 0, "export"));
	ASSERT_EQ(0, res2.status);
	EXPECT_LT(0, exposition_check(_metadata, res2.out));
	n = exposition_monotonic(_metadata, res.out, res2.out);
	TH_LOG("%d counter samples compared between the scrapes", n);
	EXPECT_LT(100, n);
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg2, esc,
	       "getppid", 2 * NR_GETPPID);
	EXPECT_HAS(res2.out, want);

	/* --top 1: getppid, and "other" = 7 close + read + exit_group */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "export", "--top", "1"));
	ASSERT_EQ(0, res.status);
	EXPECT_LT(0, exposition_check(_metadata, res.out));
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
	       rel_path(&self->cg), "getppid", NR_GETPPID);
	EXPECT_HAS(res.out, want);
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
	       rel_path(&self->cg), "other",
	       NR_BADCLOSE + CGTEST_OVERHEAD_CALLS);
	EXPECT_HAS(res.out, want);

	/* per cgroup and ABI only */
	ASSERT_EQ(0, CLI_RUN(&res, 0, "export", "--no-syscall-labels"));
	ASSERT_EQ(0, res.status);
	EXPECT_LT(0, exposition_check(_metadata, res.out));
	EXPECT_LACKS(res.out, "syscall=\"");
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
	       rel_path(&self->cg), NULL,
	       NR_GETPPID + NR_BADCLOSE + CGTEST_OVERHEAD_CALLS);
	EXPECT_HAS(res.out, want);
}

/*
 * The fleet families on this kernel: its X.Y as X + Y/1000; each ABI's
 * hash as `kabistat abi` prints it, with the release; per cgroup the
 * newest version its used syscalls need: openat2 (5.6) where it
 * succeeded, clone3 (5.3) where openat2 only got ENOSYS, which does not
 * count, as for check.
 */
TEST_F(cli, export_has_the_fleet_families)
{
	char want[1024], f[6][64];
	unsigned int major, minor;
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(2, sscanf(u.release, "%u.%u", &major, &minor));
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_modern, NULL)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, cgtest_create(&self->cg2, &self->cg, "enosys"));
	ASSERT_EQ(0, cgtest_run(&self->cg2, prep_openat2_enosys, wl_modern,
				(void *)1)) {
		TH_LOG("%s", cgtest_err());
	}
	ASSERT_EQ(0, CLI_RUN(&res2, 0, "abi"));
	ASSERT_EQ(0, res2.status);
	/* "x86_64  TABLE  IMPLEMENTED  HASH" (and the next line's fields) */
	ASSERT_LE(4, line_fields(res2.out, TEST_ABI_NATIVE_NAME " ", f));

	ASSERT_EQ(0, CLI_RUN(&res, 0, "export"));
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_LT(0, exposition_check(_metadata, res.out));
	snprintf(want, sizeof(want), "\nkabistat_kernel_version %u.%03u\n",
		 major, minor);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "\nkabistat_abi_info{abi=\"" TEST_ABI_NATIVE_NAME "\",hash=\"%s\",release=\"%s\"} 1\n",
		 f[3], u.release);
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "\nkabistat_cgroup_min_kernel_version{cgroup_id=\"%" PRIu64
		 "\",cgroup=\"%s\",container_id=\"\",syscall=\"openat2\","
		 "abi=\"" TEST_ABI_NATIVE_NAME "\",since=\"5.6\"} 5.006\n",
		 self->cg.id, rel_path(&self->cg));
	EXPECT_HAS(res.out, want);
	snprintf(want, sizeof(want),
		 "\nkabistat_cgroup_min_kernel_version{cgroup_id=\"%" PRIu64
		 "\",cgroup=\"%s\",container_id=\"\",syscall=\"clone3\","
		 "abi=\"" TEST_ABI_NATIVE_NAME "\",since=\"5.3\"} 5.003\n",
		 self->cg2.id, rel_path(&self->cg2));
	EXPECT_HAS(res.out, want);
	/* one series each: no other syscall they used is as new */
	snprintf(want, sizeof(want),
		 "\nkabistat_cgroup_min_kernel_version{cgroup_id=\"%" PRIu64 "\",",
		 self->cg.id);
	EXPECT_EQ(1, count_of(res.out, want));
	snprintf(want, sizeof(want),
		 "\nkabistat_cgroup_min_kernel_version{cgroup_id=\"%" PRIu64 "\",",
		 self->cg2.id);
	EXPECT_EQ(1, count_of(res.out, want));
}

/* The guest's loopback may still be down: bring it up. */
static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			err = -errno;
	}
	close(fd);
	return err;
}

/* GET @path from @ip:@port; the whole response into @buf. */
static int http_get_from(const char *ip, int port, const char *path,
			 char *buf, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	char req[256];
	size_t got = 0;
	ssize_t n;
	int fd, i;

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return -EINVAL;
	for (i = 0; i < 200; i++) {	/* up to 20 s for the server */
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		fd = -1;
		usleep(100 * 1000);
	}
	if (fd < 0)
		return -ECONNREFUSED;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		 path, ip);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -EIO;
	}
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return 0;
}

static int http_get(int port, const char *path, char *buf, size_t len)
{
	return http_get_from("127.0.0.1", port, path, buf, len);
}

/* `kabistat export --listen @addr` in a child: its pid, or -1. */
static pid_t exporter_start(const char *addr)
{
	char cli[PATH_MAX];
	pid_t pid;

	if (cgtest_helper_path("kabistat", cli, sizeof(cli)))
		return -1;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		execl(cli, cli, "export", "--listen", addr, (char *)NULL);
		_exit(126);
	}
	return pid;
}

/* SIGTERM, then its wait status: 0 when it stopped as it should. */
static int exporter_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/*
 * ":PORT" is every address, as the Go exporters read it: 127.0.0.2 (any
 * address of lo but 127.0.0.1) answers, which a loopback-only listener
 * would refuse.  A bare PORT is refused.
 */
TEST_F_TIMEOUT(cli, export_listen_colon_port_is_every_address, 120)
{
	char addr[32], port_s[16];
	int port = 20000 + (getpid() + 5000) % 10000, ws, i, status = -1;
	pid_t pid;

	ASSERT_EQ(0, loopback_up());
	/* refused at once; one that serves instead is stopped after 10 s */
	snprintf(port_s, sizeof(port_s), "%d", port);
	pid = exporter_start(port_s);
	ASSERT_LT(0, pid);
	for (i = 0; i < 100 && !waitpid(pid, &status, WNOHANG); i++)
		usleep(100 * 1000);
	if (i == 100) {
		TH_LOG("--listen %s was not refused", port_s);
		status = exporter_stop(pid);
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		TH_LOG("status %#x", status);
	}

	snprintf(addr, sizeof(addr), ":%d", port);
	pid = exporter_start(addr);
	ASSERT_LT(0, pid);
	ws = http_get_from("127.0.0.2", port, "/metrics", res.out,
			   sizeof(res.out));
	EXPECT_EQ(0, exporter_stop(pid));
	ASSERT_EQ(0, ws);
	EXPECT_EQ(0, strncmp(res.out, "HTTP/1.1 200 OK\r\n", 17)) {
		TH_LOG("response: %.500s", res.out);
	}
}

TEST_F_TIMEOUT(cli, export_listen_serves_metrics_on_loopback, 120)
{
	char addr[32], want[1024];
	int port = 20000 + getpid() % 10000, ws;
	pid_t pid;

	ASSERT_EQ(0, loopback_up());
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	pid = exporter_start(addr);
	ASSERT_LT(0, pid);
	ws = http_get(port, "/metrics", res.out, sizeof(res.out));
	if (!ws)
		ws = http_get(port, "/nope", res2.out, sizeof(res2.out));
	EXPECT_EQ(0, exporter_stop(pid));
	ASSERT_EQ(0, ws);
	ASSERT_EQ(0, strncmp(res.out, "HTTP/1.1 200 OK\r\n", 17)) {
		TH_LOG("response: %.500s", res.out);
	}
	EXPECT_HAS(res.out, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n");
	ASSERT_NE(NULL, strstr(res.out, "\r\n\r\n"));
	EXPECT_LT(0, exposition_check(_metadata, strstr(res.out, "\r\n\r\n") + 4));
	series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
	       rel_path(&self->cg), "getppid", NR_GETPPID);
	EXPECT_HAS(res.out, want);
	EXPECT_EQ(0, strncmp(res2.out, "HTTP/1.1 404 ", 13)) {
		TH_LOG("response: %.500s", res2.out);
	}
}

/*
 * The exporter reads only what changed since its last scrape
 * (incremental dumps): each scrape still serves every cgroup with its
 * exact cumulative counts, the one that ran more and the one that did not.
 */
/*
 * Remove self->cg2, wait until kabistat shows it released, scrape once more:
 * its getppid series appears once, with its count.  Return: http_get()'s.
 */
static int scrape_after_release(struct __test_metadata *_metadata,
				FIXTURE_DATA(cli) *self, int port,
				char *want, size_t len)
{
	char id[32], *p;
	int tries, n = 0, ws;

	snprintf(id, sizeof(id), "%" PRIu64, self->cg2.id);
	EXPECT_EQ(0, cgtest_remove(&self->cg2));
	for (tries = 0; tries < 100; tries++) {
		if (CLI_RUN(&res, 0, "-j", "show", id))
			break;
		if (strstr(res.out, "\"state\":\"released\""))
			break;
		usleep(50 * 1000);
	}
	EXPECT_NE(NULL, strstr(res.out, "\"state\":\"released\""))
		TH_LOG("cgroup %s not released: %s", id, res.out);
	ws = http_get(port, "/metrics", res.out, sizeof(res.out));
	if (ws)
		return ws;
	series(want, len, "kabistat_syscalls_total", &self->cg2,
	       rel_path(&self->cg2), "getppid", NR_GETPPID);
	EXPECT_HAS(res.out, want);
	/* the same series without its value: once */
	*strrchr(want, ' ') = '\0';
	for (p = res.out; (p = strstr(p, want)); p++)
		n++;
	EXPECT_EQ(1, n) TH_LOG("%d series of the released cgroup", n);
	return 0;
}

TEST_F_TIMEOUT(cli, export_listen_scrapes_stay_exact_between_changes, 120)
{
	char addr[32], want[1024];
	int port = 20000 + (getpid() + 1) % 10000, ws, i;
	pid_t pid;

	ASSERT_EQ(0, loopback_up());
	ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));
	ASSERT_EQ(0, cgtest_create(&self->cg2, &self->cg, "still"));
	ASSERT_EQ(0, cgtest_run(&self->cg2, NULL, wl_counts, NULL));
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	pid = exporter_start(addr);
	ASSERT_LT(0, pid);
	for (i = 1; i <= 3; i++) {
		ws = http_get(port, "/metrics", res.out, sizeof(res.out));
		if (ws)
			break;
		ASSERT_NE(NULL, strstr(res.out, "\r\n\r\n"));
		EXPECT_LT(0, exposition_check(_metadata,
					      strstr(res.out, "\r\n\r\n") + 4));
		series(want, sizeof(want), "kabistat_syscalls_total", &self->cg,
		       rel_path(&self->cg), "getppid", i * NR_GETPPID);
		EXPECT_HAS(res.out, want);
		series(want, sizeof(want), "kabistat_syscalls_total",
		       &self->cg2, rel_path(&self->cg2), "getppid", NR_GETPPID);
		EXPECT_HAS(res.out, want);
		/* the first cgroup runs again before the next scrape */
		ASSERT_EQ(0, cgtest_run(&self->cg, NULL, wl_counts, NULL));
	}
	/* released since the last scrape, the second is still one series */
	if (!ws)
		ws = scrape_after_release(_metadata, self, port, want,
					  sizeof(want));
	EXPECT_EQ(0, exporter_stop(pid));
	ASSERT_EQ(0, ws);
}

/* --- top ----------------------------------------------------------- */

/*
 * The paced workload makes PACED_RATE getppid per second (5 every 10 ms,
 * deadlines absolute so that a late wake-up catches up) and 100
 * clock_nanosleep.  Over a 1 s interval between two module timestamps the
 * count is the rate times the interval, give or take one batch at each end
 * (1%) and what a late wake-up under TCG has not yet caught up: +-20%.
 */
TEST_F_TIMEOUT(cli, top_batch_shows_the_rate_of_a_paced_workload, 120)
{
	/*
	 * The workload keeps its pace by catching up after it was kept off
	 * the CPU, so one frame on a loaded host can be off by more than the
	 * mean of the two: each frame within half the rate, the mean within
	 * a fifth.
	 */
	double lo = PACED_RATE * 0.8, hi = PACED_RATE * 1.2, sum = 0;
	const char *p;
	int frames = 0;
	pid_t pid;

	ASSERT_EQ(0, cgtest_spawn(&self->cg, NULL, wl_paced, NULL, &pid)) {
		TH_LOG("%s", cgtest_err());
	}
	usleep(300 * 1000);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "top", "--batch", "-n", "2", "-d", "1",
			     self->cg.path));
	kill(pid, SIGKILL);
	cgtest_reap(pid);
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	TH_LOG("%s", res.out);
	for (p = res.out; (p = strstr(p, "kabistat top: frame ")); p++) {
		char f[6][64], num[64];
		const char *sys = strstr(p, "\nsyscalls of ");
		double rate;
		size_t i, o = 0;

		frames++;
		ASSERT_NE(NULL, sys);
		ASSERT_EQ(0, strncmp(sys + 13, rel_path(&self->cg),
				     strlen(rel_path(&self->cg))));
		{
			const char *line = strstr(sys, " getppid ");
			const char *start = line;

			ASSERT_NE(NULL, line);
			while (start > sys && start[-1] != '\n')
				start--;
			ASSERT_EQ(1, sscanf(start, "%63s", f[0]));
		}
		for (i = 0; f[0][i] && o < sizeof(num) - 1; i++)
			if (f[0][i] != ',')
				num[o++] = f[0][i];
		num[o] = '\0';
		rate = strtod(num, NULL);
		TH_LOG("frame %d: getppid %.1f/s", frames, rate);
		EXPECT_LE(PACED_RATE * 0.5, rate);
		EXPECT_GE(PACED_RATE * 1.5, rate);
		sum += rate;
	}
	EXPECT_EQ(2, frames);
	TH_LOG("mean %.1f/s, band [%.0f, %.0f]", sum / 2, lo, hi);
	EXPECT_LE(lo, sum / 2);
	EXPECT_GE(hi, sum / 2);
}

/*
 * top --batch -j: a frame a line, each strict JSON (jsoncheck.h), with the
 * named cgroup selected and its getppid rate; -j without --batch refused.
 */
TEST_F_TIMEOUT(cli, top_batch_json_gives_a_json_frame_a_line, 120)
{
	char want[256];
	const char *p, *nl;
	size_t off;
	int frames = 0;
	pid_t pid;

	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "top"));
	EXPECT_EQ(2, res.status);
	ASSERT_EQ(0, cgtest_spawn(&self->cg, NULL, wl_paced, NULL, &pid)) {
		TH_LOG("%s", cgtest_err());
	}
	usleep(300 * 1000);
	ASSERT_EQ(0, CLI_RUN(&res, 0, "-j", "top", "--batch", "-n", "2",
			     "-d", "0.5", self->cg.path));
	kill(pid, SIGKILL);
	cgtest_reap(pid);
	ASSERT_EQ(0, res.status) {
		TH_LOG("stderr: %s", res.err);
	}
	EXPECT_EQ(NULL, jsoncheck(res.out, true, &off)) {
		TH_LOG("not JSON Lines at %zu: %s", off, res.out);
	}
	snprintf(want, sizeof(want),
		 "\"selected\":{\"cgroup\":{\"id\":%" PRIu64 ",\"path\":\"%s\",",
		 self->cg.id, rel_path(&self->cg));
	for (p = res.out; *p; p = nl + 1) {
		char line[65536];

		nl = strchr(p, '\n');
		ASSERT_NE(NULL, nl);
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		frames++;
		EXPECT_EQ(0, strncmp(line, "{\"frame\":", 9));
		EXPECT_NE(NULL, strstr(line, want)) {
			TH_LOG("%.2000s", line);
		}
		EXPECT_NE(NULL, strstr(line, ",\"name\":\"getppid\",\"calls_per_s\":"));
	}
	EXPECT_EQ(2, frames);
	EXPECT_HAS(res.out, "{\"frame\":2,\"frames\":2,\"interval_s\":0.500,");
}

TEST_HARNESS_MAIN
