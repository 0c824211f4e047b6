// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat seccomp: a seccomp profile from observed behaviour, in the
 * format of Docker, of the OCI runtime spec, or of the Security Profiles
 * Operator (seccomp_fmt.c).
 *
 * The profile's syscalls are names, not (architecture, number) pairs: a
 * name observed on any ABI is allowed on every architecture of archMap
 * that has it, as runc and Docker apply names; a name the installed
 * libseccomp (the runtimes' resolver) does not know on an architecture of
 * the profile is warned about.  Per name, summed over the
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
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "cli.h"
#include "seccomp.h"

/*
 * Always allowed: what the vDSO falls back to and what no program calls
 * on purpose but every program needs (signal return, restart after a
 * stop, the end of a thread and of a process).  ia32 and arm add their
 * own names (the same: both have sigreturn and the 64-bit time calls).
 *
 * The vDSO fallbacks are the functions __vdso_NAME that the x86 vDSOs of
 * the version table's kernels (5.10, 6.1, 6.12, 7.3) export where NAME
 * is a syscall, which each calls when it cannot answer in user space
 * (readelf --dyn-syms on vdso64.so and vdso32.so, or vdso.lds.S):
 *   64-bit: clock_gettime, gettimeofday, time, getcpu, clock_getres;
 *           getrandom since 6.11 (sgx_enter_enclave and, in 7.x,
 *           futex_robust_list*_try_unlock are no syscalls);
 *   32-bit: clock_gettime, gettimeofday, time, clock_getres,
 *           clock_gettime64; getcpu and clock_getres_time64 in 7.3, not
 *           in 6.1; and its sigreturn trampolines.
 * arm64's vDSO names them __kernel_NAME: clock_gettime, gettimeofday,
 * clock_getres and its rt_sigreturn trampoline (getrandom where a kernel
 * has it): all in the list below.
 * selftests/cli_features.c checks every kernel it runs on against this.
 */
static const char *const seccomp_baseline[] = {
	"clock_getres", "clock_gettime", "exit", "exit_group", "getcpu",
	"getrandom", "gettimeofday", "restart_syscall", "rt_sigreturn", "time",
};
static const char *const seccomp_baseline_ia32[] = {
	"clock_getres_time64", "clock_gettime64", "sigreturn",
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

static int seccomp_parse_format(const char *s, enum seccomp_format *f)
{
	static const char *const names[] = {
		[SECCOMP_FMT_DOCKER] = "docker",
		[SECCOMP_FMT_OCI] = "oci",
		[SECCOMP_FMT_SPO] = "spo",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*f = (enum seccomp_format)i;
			return 0;
		}
	return -1;
}

/* A Kubernetes object name: a DNS subdomain (RFC 1123), lowercase. */
static bool seccomp_valid_name(const char *s)
{
	size_t len = strlen(s);

	return len && len <= 253 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == len &&
	       isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[len - 1]);
}

/* The SPO resource's default name: after the container, or the cgroup. */
static void seccomp_default_name(char *buf, size_t len,
				 const struct cli_cgroup_head *head)
{
	char id[KABISTAT_CONTAINER_ID_LEN];

	if (kabistat_container_id(head->path, id))
		snprintf(buf, len, "kabistat-%.12s", id);
	else
		snprintf(buf, len, "kabistat-cgroup-%" PRIu64, head->id);
}

int do_seccomp(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "merge", no_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct seccomp_out out = { .format = SECCOMP_FMT_DOCKER,
				   .action = "SCMP_ACT_ERRNO" };
	struct kabistat_kernel_abi *abi = NULL;
	struct seccomp_set set = { 0 };
	bool merge = false, recursive = false;
	char name[64];
	struct kabistat *ks;
	int c, i, ret = 0;
	size_t k;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "a:mf:rn:", opts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "errno"))
				out.action = "SCMP_ACT_ERRNO";
			else if (!strcmp(optarg, "kill"))
				out.action = "SCMP_ACT_KILL_PROCESS";
			else if (!strcmp(optarg, "log"))
				out.action = "SCMP_ACT_LOG";
			else
				return cli_usage_error("seccomp",
						       "--action is errno, kill or log, not '%s'",
						       optarg);
			break;
		case 'm':
			merge = true;
			break;
		case 'f':
			if (seccomp_parse_format(optarg, &out.format))
				return cli_usage_error("seccomp",
						       "--format is docker, oci or spo, not '%s'",
						       optarg);
			break;
		case 'r':
			recursive = true;
			break;
		case 'n':
			if (!seccomp_valid_name(optarg))
				return cli_usage_error("seccomp",
						       "--name must be a Kubernetes object name (lowercase letters, digits, '-' and '.'), not '%s'",
						       optarg);
			out.name = optarg;
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
	set.native = abi->tables[KABISTAT_ABI_ARM64].present ?
		     KABISTAT_ABI_ARM64 : KABISTAT_ABI_X86_64;
	for (i = optind; i < argc && !ret; i++) {
		struct cli_cgroup_head head;
		struct kabistat_cgroup *cg;
		char *path_copy;

		if (cli_fetch_subtree(ks, argv[i], recursive, &head,
				      &path_copy, &cg)) {
			ret = CLI_EXIT_ERROR;
			break;
		}
		if (!out.name) {
			seccomp_default_name(name, sizeof(name), &head);
			out.name = name;
		}
		if (seccomp_add_cgroup(&set, abi, cg))
			ret = cli_error("out of memory");
		free(path_copy);
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
		seccomp_check_names(&set);
		seccomp_write(&set, &out);
	}
	free(set.v);
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return ret;
}
