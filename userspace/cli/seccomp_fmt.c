// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat seccomp's output, one profile in the format a runtime reads:
 *
 *   docker  Docker, podman and CRI-O's JSON: archMap (an architecture and
 *           its sub-architectures) and a comment on every rule;
 *   oci     the OCI runtime spec's linux.seccomp object, for config.json:
 *           architectures, and no key the spec does not define;
 *   spo     a Security Profiles Operator SeccompProfile resource (YAML,
 *           security-profiles-operator.x-k8s.io/v1beta1) for Kubernetes.
 *
 * All three hold the same rules: the names allowed because they were
 * used, the baseline, the names answered with ENOSYS, then with EPERM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>

#include "cli.h"
#include "seccomp.h"

static const char *const seccomp_comments[] = {
	"observed by kabistat: at least one call returned something else than ENOSYS or EPERM",
	"kabistat baseline: vDSO fallbacks, signal return, restart, exit",
	"observed by kabistat: every call returned ENOSYS; kept so that fallbacks still work",
	"observed by kabistat: every call returned EPERM",
};

/* The rules, in their order: a verdict, and for ALLOW which half. */
static const struct {
	enum seccomp_verdict verdict;
	bool baseline;
} seccomp_rules[] = {
	{ SECCOMP_ALLOW, false },
	{ SECCOMP_ALLOW, true },
	{ SECCOMP_ENOSYS, false },
	{ SECCOMP_EPERM, false },
};
#define SECCOMP_NR_RULES	(sizeof(seccomp_rules) / sizeof(seccomp_rules[0]))

/* The architectures a profile names: the native one, and the compat ABIs used. */
struct seccomp_arch {
	const char *name;
	uint32_t token;		/* libseccomp's */
	unsigned int abi;	/* enum kabistat_abi */
};

static const struct seccomp_arch seccomp_arches[] = {
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, KABISTAT_ABI_X86_64 },
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86, KABISTAT_ABI_IA32 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32, KABISTAT_ABI_X32 },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, KABISTAT_ABI_ARM64 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM, KABISTAT_ABI_ARM },
};
#define SECCOMP_NR_ARCHES	(sizeof(seccomp_arches) / sizeof(seccomp_arches[0]))

/*
 * The container's first execve is made by the runtime's native process
 * under the filter: the native ABI is always there; the compat ABIs only
 * when used (a filter refuses other architectures outright).
 */
static bool seccomp_has_arch(const struct seccomp_set *s, size_t i)
{
	return seccomp_arches[i].abi == s->native ||
	       (s->abis & (1u << seccomp_arches[i].abi));
}

static size_t seccomp_native_arch(const struct seccomp_set *s)
{
	size_t i;

	for (i = 0; i < SECCOMP_NR_ARCHES; i++)
		if (seccomp_arches[i].abi == s->native)
			break;
	return i;
}

static bool seccomp_in_rule(const struct seccomp_name *n, size_t rule)
{
	if (n->verdict != seccomp_rules[rule].verdict)
		return false;
	if (n->verdict != SECCOMP_ALLOW)
		return true;
	/* a baseline name that was used counts as used */
	return seccomp_rules[rule].baseline ? n->baseline && !n->c.calls :
					      !!n->c.calls;
}

static size_t seccomp_rule_size(const struct seccomp_set *s, size_t rule)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += seccomp_in_rule(&s->v[i], rule);
	return n;
}

/* The errnoRet of a rule; 0 for ALLOW. */
static int seccomp_rule_errno(size_t rule)
{
	switch (seccomp_rules[rule].verdict) {
	case SECCOMP_ENOSYS:
		return ENOSYS;
	case SECCOMP_EPERM:
		return EPERM;
	default:
		return 0;
	}
}

unsigned int seccomp_check_names(const struct seccomp_set *s)
{
	const struct scmp_version *v = seccomp_version();
	unsigned int unknown = 0;
	size_t i, a;

	for (i = 0; i < s->n; i++)
		for (a = 0; a < SECCOMP_NR_ARCHES; a++) {
			if (!seccomp_has_arch(s, a) ||
			    seccomp_syscall_resolve_name_arch(
				    seccomp_arches[a].token, s->v[i].name) !=
			    __NR_SCMP_ERROR)
				continue;
			fprintf(stderr,
				"kabistat: warning: libseccomp %u.%u.%u does not know %s on %s: a runtime linked with it cannot apply that rule\n",
				v ? v->major : 0, v ? v->minor : 0,
				v ? v->micro : 0, s->v[i].name,
				seccomp_arches[a].name);
			unknown++;
		}
	return unknown;
}

static void seccomp_json_rule(struct json *j, const struct seccomp_set *s,
			      size_t rule, bool comment)
{
	int e = seccomp_rule_errno(rule);
	size_t i;

	if (!seccomp_rule_size(s, rule))
		return;
	json_object_begin(j);
	json_key(j, "names");
	json_array_begin(j);
	for (i = 0; i < s->n; i++)
		if (seccomp_in_rule(&s->v[i], rule))
			json_string(j, s->v[i].name);
	json_array_end(j);
	json_kv_string(j, "action", e ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
	if (e)
		json_kv_u64(j, "errnoRet", e);
	if (comment)
		json_kv_string(j, "comment", seccomp_comments[rule]);
	json_object_end(j);
}

static void seccomp_json(const struct seccomp_set *s,
			 const struct seccomp_out *o)
{
	bool docker = o->format == SECCOMP_FMT_DOCKER;
	struct json j;
	size_t i;

	/* a profile is a file to read and keep: always indented */
	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_kv_string(&j, "defaultAction", o->action);
	if (!strcmp(o->action, "SCMP_ACT_ERRNO"))
		json_kv_u64(&j, "defaultErrnoRet", EPERM);
	if (docker) {
		json_key(&j, "archMap");
		json_array_begin(&j);
		json_object_begin(&j);
		json_kv_string(&j, "architecture",
			       seccomp_arches[seccomp_native_arch(s)].name);
		json_key(&j, "subArchitectures");
		json_array_begin(&j);
		for (i = 0; i < SECCOMP_NR_ARCHES; i++)
			if (seccomp_arches[i].abi != s->native &&
			    seccomp_has_arch(s, i))
				json_string(&j, seccomp_arches[i].name);
		json_array_end(&j);
		json_object_end(&j);
		json_array_end(&j);
	} else {
		json_key(&j, "architectures");
		json_array_begin(&j);
		for (i = 0; i < SECCOMP_NR_ARCHES; i++)
			if (seccomp_has_arch(s, i))
				json_string(&j, seccomp_arches[i].name);
		json_array_end(&j);
	}
	json_key(&j, "syscalls");
	json_array_begin(&j);
	for (i = 0; i < SECCOMP_NR_RULES; i++)
		seccomp_json_rule(&j, s, i, docker);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

/*
 * Every string of the resource is a syscall name ([a-z0-9_]), an SCMP_*
 * constant or the checked metadata.name: plain YAML scalars, no quoting.
 */
static void seccomp_spo(const struct seccomp_set *s,
			const struct seccomp_out *o)
{
	size_t i, r;
	int e;

	printf("# kabistat seccomp: the syscalls the cgroups used, and a baseline\n");
	printf("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n");
	printf("kind: SeccompProfile\n");
	printf("metadata:\n  name: %s\n", o->name);
	printf("spec:\n  defaultAction: %s\n", o->action);
	printf("  architectures:\n");
	for (i = 0; i < SECCOMP_NR_ARCHES; i++)
		if (seccomp_has_arch(s, i))
			printf("  - %s\n", seccomp_arches[i].name);
	printf("  syscalls:\n");
	for (r = 0; r < SECCOMP_NR_RULES; r++) {
		if (!seccomp_rule_size(s, r))
			continue;
		e = seccomp_rule_errno(r);
		printf("  # %s\n", seccomp_comments[r]);
		printf("  - action: %s\n",
		       e ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
		if (e)
			printf("    errnoRet: %d\n", e);
		printf("    names:\n");
		for (i = 0; i < s->n; i++)
			if (seccomp_in_rule(&s->v[i], r))
				printf("    - %s\n", s->v[i].name);
	}
}

void seccomp_write(const struct seccomp_set *s, const struct seccomp_out *o)
{
	if (o->format == SECCOMP_FMT_SPO)
		seccomp_spo(s, o);
	else
		seccomp_json(s, o);
}
