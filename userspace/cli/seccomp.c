// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat seccomp: an OCI/Docker seccomp profile from observed behaviour.
 *
 * The profile's syscalls are names, not (architecture, number) pairs: a
 * name observed on any ABI is allowed on every architecture of archMap
 * that has it, as runc and Docker apply names.  Per name, summed over the
 * given cgroups and their ABIs:
 *   - some call returned something else than ENOSYS or EPERM: allowed;
 *   - every call returned ENOSYS: answered with ENOSYS again (errnoRet
 *     38), as Docker's default profile does for clone3, so that a libc
 *     that falls back to an older call (glibc: clone3 -> clone) keeps
 *     doing so instead of failing on the default EPERM;
 *   - every call returned EPERM (refused already, by a seccomp policy or a
 *     permission check): answered with EPERM (errnoRet 1), which keeps the
 *     workload's view even under --action kill or log.
 * The module counts EPERM and EACCES together ("denied"); the cgroup's
 * errno histogram tells them apart only as a whole, so where a cgroup saw
 * EACCES at all, a syscall refused every time is allowed rather than
 * turned from EACCES into EPERM.
 * The baseline (seccomp_baseline[]) is always allowed.  Numbers without a
 * kernel name and out-of-range numbers cannot be named and are never
 * allowed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"

/*
 * Always allowed: what the vDSO falls back to and what no program calls
 * on purpose but every program needs (signal return, restart after a
 * stop, the end of a thread and of a process).  ia32 and arm add their
 * own names.
 */
static const char *const seccomp_baseline[] = {
	"clock_gettime", "exit", "exit_group", "getcpu", "gettimeofday",
	"restart_syscall", "rt_sigreturn", "time",
};
static const char *const seccomp_baseline_ia32[] = {
	"clock_gettime64", "sigreturn",
};

enum seccomp_verdict {
	SECCOMP_ALLOW,
	SECCOMP_ENOSYS,
	SECCOMP_EPERM,
};

struct seccomp_name {
	const char *name;	/* the kernel's, static in the ABI tables */
	struct kabistat_counters c;
	bool maybe_eacces;
	bool baseline;
	enum seccomp_verdict verdict;
};

struct seccomp_set {
	struct seccomp_name *v;
	size_t n, cap;
	unsigned int abis;	/* bit per enum kabistat_abi used */
	bool arm64;		/* the kernel's native ABI is arm64 */
	unsigned long unnamed;	/* calls that no name can allow */
};

static struct seccomp_name *seccomp_find(struct seccomp_set *s,
					 const char *name)
{
	struct seccomp_name *v;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 128;

		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	v = &s->v[s->n++];
	*v = (struct seccomp_name){ .name = name };
	return v;
}

static int seccomp_add_cgroup(struct seccomp_set *s,
			      const struct kabistat_kernel_abi *abi,
			      const struct kabistat_cgroup *cg)
{
	bool eacces = cg->errno_counts[EACCES] != 0;
	char buf[24];
	size_t i;
	int id;

	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		if (cg->per_abi[id].calls)
			s->abis |= 1u << id;
		s->unnamed += cg->out_of_range[id].calls;
	}
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];
		const char *name = cli_syscall_name(abi, st->abi, st->nr, buf);
		struct seccomp_name *n;

		if (name == buf) {
			s->unnamed += st->c.calls;
			continue;
		}
		n = seccomp_find(s, name);
		if (!n)
			return -ENOMEM;
		n->c.calls += st->c.calls;
		n->c.enosys += st->c.enosys;
		n->c.denied += st->c.denied;
		if (eacces && st->c.denied)
			n->maybe_eacces = true;
	}
	return 0;
}

static int seccomp_add_baseline(struct seccomp_set *s, const char *const *names,
				size_t count)
{
	struct seccomp_name *n;
	size_t i;

	for (i = 0; i < count; i++) {
		n = seccomp_find(s, names[i]);
		if (!n)
			return -ENOMEM;
		n->baseline = true;
	}
	return 0;
}

static void seccomp_judge(struct seccomp_name *n)
{
	const struct kabistat_counters *c = &n->c;

	if (n->baseline || c->calls > c->enosys + c->denied ||
	    (c->denied && n->maybe_eacces))
		n->verdict = SECCOMP_ALLOW;
	else if (c->enosys)
		n->verdict = SECCOMP_ENOSYS;	/* a mix: let fallbacks work */
	else
		n->verdict = SECCOMP_EPERM;
}

static int seccomp_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seccomp_name *)a)->name,
		      ((const struct seccomp_name *)b)->name);
}

/* One syscalls[] entry: the names of that verdict (baseline apart). */
static void seccomp_rule(struct json *j, const struct seccomp_set *s,
			 enum seccomp_verdict verdict, int baseline,
			 const char *comment)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (s->v[i].verdict == verdict &&
		    (verdict != SECCOMP_ALLOW ||
		     (baseline ? s->v[i].baseline && !s->v[i].c.calls :
		      !!s->v[i].c.calls)))
			n++;
	if (!n)
		return;
	json_object_begin(j);
	json_key(j, "names");
	json_array_begin(j);
	for (i = 0; i < s->n; i++)
		if (s->v[i].verdict == verdict &&
		    (verdict != SECCOMP_ALLOW ||
		     (baseline ? s->v[i].baseline && !s->v[i].c.calls :
		      !!s->v[i].c.calls)))
			json_string(j, s->v[i].name);
	json_array_end(j);
	if (verdict == SECCOMP_ALLOW) {
		json_kv_string(j, "action", "SCMP_ACT_ALLOW");
	} else {
		json_kv_string(j, "action", "SCMP_ACT_ERRNO");
		json_kv_u64(j, "errnoRet",
			    verdict == SECCOMP_ENOSYS ? ENOSYS : EPERM);
	}
	json_kv_string(j, "comment", comment);
	json_object_end(j);
}

static void seccomp_print(struct json *j, const struct seccomp_set *s,
			  const char *action)
{
	json_object_begin(j);
	json_kv_string(j, "defaultAction", action);
	if (!strcmp(action, "SCMP_ACT_ERRNO"))
		json_kv_u64(j, "defaultErrnoRet", EPERM);
	/*
	 * The container's first execve is made by the runtime's native
	 * process under the filter: the native ABI is always there; the
	 * compat ABIs only when used (a filter refuses other architectures
	 * outright).
	 */
	json_key(j, "archMap");
	json_array_begin(j);
	json_object_begin(j);
	json_kv_string(j, "architecture",
		       s->arm64 ? "SCMP_ARCH_AARCH64" : "SCMP_ARCH_X86_64");
	json_key(j, "subArchitectures");
	json_array_begin(j);
	if (s->abis & (1u << KABISTAT_ABI_IA32))
		json_string(j, "SCMP_ARCH_X86");
	if (s->abis & (1u << KABISTAT_ABI_X32))
		json_string(j, "SCMP_ARCH_X32");
	if (s->abis & (1u << KABISTAT_ABI_ARM))
		json_string(j, "SCMP_ARCH_ARM");
	json_array_end(j);
	json_object_end(j);
	json_array_end(j);

	json_key(j, "syscalls");
	json_array_begin(j);
	seccomp_rule(j, s, SECCOMP_ALLOW, 0,
		     "observed by kabistat: at least one call returned something else than ENOSYS or EPERM");
	seccomp_rule(j, s, SECCOMP_ALLOW, 1,
		     "kabistat baseline: vDSO fallbacks, signal return, restart, exit");
	seccomp_rule(j, s, SECCOMP_ENOSYS, 0,
		     "observed by kabistat: every call returned ENOSYS; kept so that fallbacks still work");
	seccomp_rule(j, s, SECCOMP_EPERM, 0,
		     "observed by kabistat: every call returned EPERM");
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

int do_seccomp(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "merge", no_argument, NULL, 'm' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi = NULL;
	const char *action = "SCMP_ACT_ERRNO";
	struct seccomp_set set = { 0 };
	struct kabistat *ks;
	bool merge = false;
	int c, i, ret = 0;
	struct json j;
	size_t k;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "a:m", opts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "errno"))
				action = "SCMP_ACT_ERRNO";
			else if (!strcmp(optarg, "kill"))
				action = "SCMP_ACT_KILL_PROCESS";
			else if (!strcmp(optarg, "log"))
				action = "SCMP_ACT_LOG";
			else
				return cli_usage_error("seccomp",
						       "--action is errno, kill or log, not '%s'",
						       optarg);
			break;
		case 'm':
			merge = true;
			break;
		default:
			ret = cli_common_opt(cli, "seccomp", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind == argc)
		return cli_usage_error("seccomp", "which cgroup?");
	/* a union widens the profile: only when asked for */
	if (argc - optind > 1 && !merge)
		return cli_usage_error("seccomp",
				       "%d cgroups: --merge makes one profile allowing what any of them used",
				       argc - optind);

	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	cli_warn_cgroup_mode(abi);
	set.arm64 = abi->tables[KABISTAT_ABI_ARM64].present;
	for (i = optind; i < argc && !ret; i++) {
		struct kabistat_cgroup *cg;

		if (cli_fetch_cgroup(ks, argv[i], &cg)) {
			ret = CLI_EXIT_ERROR;
			break;
		}
		if (seccomp_add_cgroup(&set, abi, cg))
			ret = cli_error("out of memory");
		kabistat_cgroup_free(cg);
	}
	if (!ret && (seccomp_add_baseline(&set, seccomp_baseline,
					  sizeof(seccomp_baseline) /
					  sizeof(seccomp_baseline[0])) ||
		     ((set.abis & (1u << KABISTAT_ABI_IA32 |
				    1u << KABISTAT_ABI_ARM)) &&
		      seccomp_add_baseline(&set, seccomp_baseline_ia32,
					   sizeof(seccomp_baseline_ia32) /
					   sizeof(seccomp_baseline_ia32[0])))))
		ret = cli_error("out of memory");
	if (!ret) {
		for (k = 0; k < set.n; k++)
			seccomp_judge(&set.v[k]);
		qsort(set.v, set.n, sizeof(set.v[0]), seccomp_name_cmp);
		if (set.unnamed)
			fprintf(stderr,
				"kabistat: warning: %lu calls had numbers without a name; the profile cannot allow them\n",
				set.unnamed);
		/* a profile is a file to read and keep: always indented */
		json_init(&j, stdout, true);
		seccomp_print(&j, &set, action);
	}
	free(set.v);
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret;
}
