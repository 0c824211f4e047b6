// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus text exposition (format 0.0.4) of one reading: every
 * family once, HELP and TYPE first, its samples together.  Counters carry
 * the labels cgroup_id, cgroup (the path), container_id, syscall and abi:
 * cgroup_id keeps two cgroups apart that had the same path (a released
 * one and its successor); it adds no series, one id per cgroup.
 *
 * Series per cgroup: one per (syscall, ABI) used; "out_of_range" for
 * numbers outside the ABI's table; with --top N only the N syscalls with
 * most calls keep a series, the rest are summed per ABI into "other";
 * with --no-syscall-labels one per ABI and no syscall label.  The overflow
 * and evicted aggregates, which have no per-syscall detail, are cgroups
 * "(overflow)" and "(evicted)" with cgroup_id 0 and syscall "other".  So
 * the sum of kabistat_syscalls_total is kabistat_observed_total, as read
 * at about the same time.  kabistat_observed_total is left out when the
 * module did not report it (a reader without CAP_PERFMON or CAP_SYS_ADMIN,
 * who cannot read the counters either).
 *
 * The fleet families answer questions across nodes in PromQL, where
 * strings cannot be compared: kabistat_kernel_version is the running
 * kernel's X.Y as the number X + Y/1000 (6.1 is 6.001, 6.12 is 6.012);
 * kabistat_cgroup_min_kernel_version is, per cgroup, the newest version
 * its used syscalls need (kabistat_cgroup_min_kernel(), the "newest
 * syscall used" of show and list, and check's rule of "used": a return
 * other than ENOSYS) in the same encoding, one series per syscall that
 * needs it; kabistat_abi_info has each ABI's hash of implemented
 * syscalls and the kernel release as labels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"
#include "export.h"

struct export_row {
	unsigned int abi;
	const char *syscall;	/* NULL: no syscall label */
	char buf[24];		/* the name, when the kernel has none */
	struct kabistat_counters c;
};

struct export_cg {
	const struct kabistat_cgroup *cg;
	char id[24];
	const char *path;
	char container[KABISTAT_CONTAINER_ID_LEN];
	struct export_row *rows;
	size_t n;
};

/* --top's memory of one cgroup: keys are abi << 32 | nr, sorted. */
struct export_track {
	uint64_t id, generation;
	uint64_t *labeled, *seen;
	size_t nlabeled, nseen;
	bool used;
};

struct export_state {
	struct export_track *v;
	size_t n, cap;
};

struct export_state *export_state_new(void)
{
	return calloc(1, sizeof(struct export_state));
}

static void export_track_free(struct export_track *t)
{
	free(t->labeled);
	free(t->seen);
}

void export_state_free(struct export_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n; i++)
		export_track_free(&st->v[i]);
	free(st->v);
	free(st);
}

static int export_track_cmp(const void *a, const void *b)
{
	const struct export_track *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The cgroup's track, created unused and empty when new. */
static struct export_track *export_track_get(struct export_state *st,
					     size_t sorted, uint64_t id)
{
	struct export_track key = { .id = id }, *t;

	t = bsearch(&key, st->v, sorted, sizeof(*t), export_track_cmp);
	if (t)
		return t;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;

		t = realloc(st->v, cap * sizeof(*t));
		if (!t)
			return NULL;
		st->v = t;
		st->cap = cap;
	}
	t = &st->v[st->n++];
	*t = (struct export_track){ .id = id, .generation = UINT64_MAX };
	return t;
}

/* Drop the tracks of cgroups that are gone; sort the new ones in. */
static void export_state_settle(struct export_state *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->n; i++) {
		if (st->v[i].used)
			st->v[n++] = st->v[i];
		else
			export_track_free(&st->v[i]);
	}
	st->n = n;
	qsort(st->v, st->n, sizeof(st->v[0]), export_track_cmp);
	for (i = 0; i < st->n; i++)
		st->v[i].used = false;
}

static uint64_t export_key(const struct kabistat_syscall_stat *st)
{
	return (uint64_t)st->abi << 32 | st->nr;
}

static int export_key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool export_has(const uint64_t *keys, size_t n, uint64_t key)
{
	return bsearch(&key, keys, n, sizeof(key), export_key_cmp) != NULL;
}

static int export_calls_desc(const void *a, const void *b, void *arg)
{
	const struct kabistat_syscall_stat *stats = arg;
	const struct kabistat_syscall_stat *x = &stats[*(const size_t *)a];
	const struct kabistat_syscall_stat *y = &stats[*(const size_t *)b];

	if (x->c.calls != y->c.calls)
		return x->c.calls > y->c.calls ? -1 : 1;
	return export_key_cmp(&(uint64_t){ export_key(x) },
			      &(uint64_t){ export_key(y) });
}

static int export_index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Which of @cg's syscalls keep a series of their own under --top: those
 * that had one at the last scrape, then new ones by calls while fewer
 * than @top have one.  Without a track (a single run): the @top with most
 * calls.
 */
static int export_pick(const struct kabistat_cgroup *cg, unsigned int top,
		       struct export_track *t, bool *keep)
{
	size_t i, n = 0, kept = 0, *cand;
	bool known = t && t->generation == cg->generation;
	uint64_t *labeled = NULL, *seen = NULL;

	cand = calloc(cg->nr_stats + 1, sizeof(*cand));
	if (!cand)
		return -ENOMEM;
	for (i = 0; i < cg->nr_stats; i++) {
		uint64_t key = export_key(&cg->stats[i]);

		keep[i] = known && export_has(t->labeled, t->nlabeled, key);
		if (keep[i])
			kept++;
		else if (!known || !export_has(t->seen, t->nseen, key))
			cand[n++] = i;
	}
	qsort_r(cand, n, sizeof(*cand), export_calls_desc,
		(void *)cg->stats);
	for (i = 0; i < n && kept < top; i++, kept++)
		keep[cand[i]] = true;
	free(cand);
	if (!t)
		return 0;

	labeled = malloc((kept + 1) * sizeof(*labeled));
	seen = malloc((cg->nr_stats + 1) * sizeof(*seen));
	if (!labeled || !seen) {
		free(labeled);
		free(seen);
		return -ENOMEM;
	}
	for (i = 0, n = 0; i < cg->nr_stats; i++) {
		seen[i] = export_key(&cg->stats[i]);
		if (keep[i])
			labeled[n++] = seen[i];
	}
	export_track_free(t);
	t->labeled = labeled;
	t->nlabeled = n;
	t->seen = seen;
	t->nseen = cg->nr_stats;
	t->generation = cg->generation;
	return 0;
}

static void export_add(struct kabistat_counters *a,
		       const struct kabistat_counters *b)
{
	a->calls += b->calls;
	a->errors += b->errors;
	a->enosys += b->enosys;
	a->denied += b->denied;
	a->interrupted += b->interrupted;
}

static struct export_row *export_row(struct export_cg *e, unsigned int abi,
				     const char *syscall,
				     const struct kabistat_counters *c)
{
	struct export_row *r = &e->rows[e->n++];

	r->abi = abi;
	r->syscall = syscall;
	r->c = *c;
	return r;
}

static int export_rows(struct export_cg *e, const struct kabistat_kernel_abi *abi,
		       const struct export_opts *o, struct export_track *t)
{
	const struct kabistat_cgroup *cg = e->cg;
	struct kabistat_counters other[KABISTAT_MAX_ABIS] = { 0 };
	bool has_other[KABISTAT_MAX_ABIS] = { 0 }, *keep = NULL;
	unsigned int id;
	size_t i;
	int err;

	/* at most: each stat, and per ABI out_of_range and other */
	e->rows = calloc(cg->nr_stats + 2 * KABISTAT_MAX_ABIS,
			 sizeof(*e->rows));
	if (!e->rows)
		return -ENOMEM;
	if (o->no_syscall_labels || !cg->id) {
		for (id = 0; id < KABISTAT_MAX_ABIS; id++)
			if (cg->per_abi[id].calls)
				export_row(e, id, o->no_syscall_labels ?
					   NULL : "other", &cg->per_abi[id]);
		return 0;
	}
	if (o->top) {
		keep = calloc(cg->nr_stats + 1, sizeof(*keep));
		if (!keep)
			return -ENOMEM;
		err = export_pick(cg, o->top, t, keep);
		if (err) {
			free(keep);
			return err;
		}
	}
	for (i = 0; i < cg->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[i];
		struct export_row *r;

		if (keep && !keep[i]) {
			export_add(&other[st->abi % KABISTAT_MAX_ABIS], &st->c);
			has_other[st->abi % KABISTAT_MAX_ABIS] = true;
			continue;
		}
		r = export_row(e, st->abi, NULL, &st->c);
		r->syscall = cli_syscall_name(abi, st->abi, st->nr, r->buf);
	}
	free(keep);
	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		if (cg->out_of_range[id].calls)
			export_row(e, id, "out_of_range",
				   &cg->out_of_range[id]);
		if (has_other[id])
			export_row(e, id, "other", &other[id]);
	}
	return 0;
}

/*
 * A label value: backslash, double quote and line feed escaped, as the
 * text format wants; bytes that are not UTF-8 become U+FFFD (utf8.c).
 */
static void export_value(FILE *f, const char *s)
{
	uint32_t cp;
	size_t len;

	for (; *s; s += len ? len : 1) {
		len = cli_utf8_char(s, &cp);
		if (!len)
			fputs(CLI_UTF8_REPLACEMENT, f);
		else if (cp == '\\' || cp == '"')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else
			fwrite(s, 1, len, f);
	}
}

static void export_family(FILE *f, const char *name, const char *type,
			  const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void export_cgroup_labels(FILE *f, const struct export_cg *e)
{
	fprintf(f, "cgroup_id=\"%s\",cgroup=\"", e->id);
	export_value(f, e->path);
	fputs("\",container_id=\"", f);
	export_value(f, e->container);
	fputc('"', f);
}

static const struct {
	const char *name, *help;
	size_t offset;
} export_counters[] = {
	{ "kabistat_syscalls_total",
	  "System calls made, counted when they return (exit, exit_group and exec at entry).",
	  offsetof(struct kabistat_counters, calls) },
	{ "kabistat_syscall_errors_total",
	  "System calls that returned an error (-4095..-1).",
	  offsetof(struct kabistat_counters, errors) },
	{ "kabistat_syscall_enosys_total",
	  "System calls that returned ENOSYS.",
	  offsetof(struct kabistat_counters, enosys) },
	{ "kabistat_syscall_denied_total",
	  "System calls that returned EPERM or EACCES.",
	  offsetof(struct kabistat_counters, denied) },
	{ "kabistat_syscall_interrupted_total",
	  "System calls interrupted and restarted by the kernel (not errors).",
	  offsetof(struct kabistat_counters, interrupted) },
};

/*
 * The "X.Y[.Z]" at the start of @s, each part capped at 999; *@end is
 * where it stops.  Return false unless it has at least X.Y.
 */
static bool export_version_parse(const char *s, unsigned long part[3],
				 const char **end)
{
	int n = 0;
	char *e;

	part[0] = part[1] = part[2] = 0;
	while (n < 3 && *s >= '0' && *s <= '9') {
		part[n] = strtoul(s, &e, 10);
		if (part[n] > 999)
			part[n] = 999;
		n++;
		s = e;
		if (*s != '.' || n == 3 || s[1] < '0' || s[1] > '9')
			break;
		s++;
	}
	*end = s;
	return n >= 2;
}

/* X + Y/1000 + Z/1000000, written exactly: 5.006, 2.006016. */
static void export_version_write(FILE *f, const unsigned long part[3])
{
	if (part[2])
		fprintf(f, "%lu.%03lu%03lu", part[0], part[1], part[2]);
	else
		fprintf(f, "%lu.%03lu", part[0], part[1]);
}

/*
 * A version of the syscall table ("5.6", "2.6.16") as that number; a
 * range ("6.2-6.12") by its upper bound, which is what
 * kabistat_kernel_version_needs_cmp() orders by; a syscall newer than the
 * table (">7.3") as the release after.  False if it is none of these.
 */
static bool export_since_number(const char *since, unsigned long part[3])
{
	const char *dash = strchr(since, '-'), *end;

	/* ">7.3", newer than the table: the first release after, 7.004 */
	if (since[0] == '>') {
		if (!export_version_parse(since + 1, part, &end) || *end)
			return false;
		part[1]++;
		part[2] = 0;
		return true;
	}
	return export_version_parse(dash ? dash + 1 : since, part, &end) &&
	       !*end;
}

/*
 * Per node: the running kernel's X.Y as a number ("6.1.0-57-cloud-amd64"
 * is 6.001: distribution kernels' third part says little of what they
 * offer), and each ABI's table hash with the release.
 */
static void export_fleet_gauges(FILE *f, const struct kabistat_kernel_abi *abi)
{
	unsigned long part[3];
	const char *end;
	unsigned int id;

	if (export_version_parse(abi->kernel_release, part, &end)) {
		part[2] = 0;
		export_family(f, "kabistat_kernel_version", "gauge",
			      "The running kernel's version X.Y as the number X + Y/1000 (6.1 is 6.001).");
		fputs("kabistat_kernel_version ", f);
		export_version_write(f, part);
		fputc('\n', f);
	}
	export_family(f, "kabistat_abi_info", "gauge",
		      "Each syscall ABI of the kernel: the hash of its implemented syscalls, equal on nodes that offer the same ones, and the kernel release; always 1.");
	for (id = 0; id < KABISTAT_MAX_ABIS; id++) {
		const struct kabistat_syscall_table *t = &abi->tables[id];

		if (!t->present)
			continue;
		fprintf(f, "kabistat_abi_info{abi=\"%s\",hash=\"%016" PRIx64
			"\",release=\"", cli_abi_name(abi, id), t->hash);
		export_value(f, abi->kernel_release);
		fputs("\"} 1\n", f);
	}
}

static void export_gauges(FILE *f, const struct kabistat_kernel_abi *abi)
{
	export_family(f, "kabistat_info", "gauge",
		      "The kabistat module and the kernel it runs in; always 1.");
	fputs("kabistat_info{kernel_release=\"", f);
	export_value(f, abi->kernel_release);
	fputs("\",module_version=\"", f);
	export_value(f, abi->module_version);
	fputs("\"} 1\n", f);
	export_family(f, "kabistat_generation", "gauge",
		      "Reset generation of the module; changes at every load and every reset of all cgroups.");
	fprintf(f, "kabistat_generation %" PRIu64 "\n", abi->generation);
	export_family(f, "kabistat_tracked_cgroups", "gauge",
		      "Cgroups the module tracks, live and released.");
	fprintf(f, "kabistat_tracked_cgroups %" PRIu32 "\n",
		abi->tracked_cgroups);
	export_family(f, "kabistat_memory_bytes", "gauge",
		      "Memory the module uses for counters.");
	fprintf(f, "kabistat_memory_bytes %" PRIu64 "\n", abi->memory_used);
	export_family(f, "kabistat_events_dropped_total", "counter",
		      "Multicast events the module could not send.");
	fprintf(f, "kabistat_events_dropped_total %" PRIu64 "\n",
		abi->events_dropped);
	export_fleet_gauges(f, abi);
	/* only CAP_PERFMON or CAP_SYS_ADMIN get it */
	if (!abi->has_observed)
		return;
	export_family(f, "kabistat_observed_total", "counter",
		      "System calls the module counted since the last reset of all cgroups.");
	fprintf(f, "kabistat_observed_total %" PRIu64 "\n", abi->observed);
}

/*
 * kabistat_cgroup_min_kernel_version of one cgroup: a series per syscall
 * that needs the newest version (cli_stat_needs(), as show lists them),
 * at most @o->top of them, those with most calls; one series without
 * syscall and abi under --no-syscall-labels.  None when no used syscall
 * has a known version, and none for the aggregates.
 */
static int export_min_kernel(FILE *f, const struct kabistat_kernel_abi *abi,
			     const struct export_cg *e,
			     const struct export_opts *o)
{
	const struct kabistat_cgroup *cg = e->cg;
	const char *min = kabistat_cgroup_min_kernel(abi, cg);
	unsigned long part[3];
	size_t i, n = 0, *idx;
	char name[24];

	if (!cg->id || !min || !export_since_number(min, part))
		return 0;
	if (o->no_syscall_labels) {
		fputs("kabistat_cgroup_min_kernel_version{", f);
		export_cgroup_labels(f, e);
		fputs(",since=\"", f);
		export_value(f, min);
		fputs("\"} ", f);
		export_version_write(f, part);
		fputc('\n', f);
		return 0;
	}
	idx = calloc(cg->nr_stats + 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < cg->nr_stats; i++)
		if (cli_stat_needs(abi, &cg->stats[i], min))
			idx[n++] = i;
	if (o->top && n > o->top) {
		qsort_r(idx, n, sizeof(*idx), export_calls_desc,
			(void *)cg->stats);
		n = o->top;
		qsort(idx, n, sizeof(*idx), export_index_cmp);
	}
	for (i = 0; i < n; i++) {
		const struct kabistat_syscall_stat *st = &cg->stats[idx[i]];

		fputs("kabistat_cgroup_min_kernel_version{", f);
		export_cgroup_labels(f, e);
		fputs(",syscall=\"", f);
		export_value(f, cli_syscall_name(abi, st->abi, st->nr, name));
		fprintf(f, "\",abi=\"%s\",since=\"", cli_abi_name(abi, st->abi));
		export_value(f, kabistat_stat_since(abi, st));
		fputs("\"} ", f);
		export_version_write(f, part);
		fputc('\n', f);
	}
	free(idx);
	return 0;
}

/*
 * kabistat_syscall_errno_total: per cgroup, the errors by errno, as the
 * module counts them (errno 1..KABISTAT_ERRNO_MAX, the rest "other"): at
 * most that many series a cgroup, and only for errnos it saw.
 */
static void export_errno(FILE *f, const struct cli_snapshot *snap,
			 const struct export_cg *cgs)
{
	unsigned int e, v;
	char name[16];
	size_t i;

	export_family(f, "kabistat_syscall_errno_total", "counter",
		      "System calls that returned an error, by errno (\"other\": beyond the errnos the module counts one by one).");
	for (i = 0; i < snap->n; i++) {
		for (e = 1; e <= KABISTAT_ERRNO_MAX + 1; e++) {
			v = e % (KABISTAT_ERRNO_MAX + 1); /* "other" last */
			if (!cgs[i].cg->errno_counts[v])
				continue;
			fputs("kabistat_syscall_errno_total{", f);
			export_cgroup_labels(f, &cgs[i]);
			fprintf(f, ",errno=\"%s\"} %" PRIu64 "\n",
				cli_errno_name(v, name),
				cgs[i].cg->errno_counts[v]);
		}
	}
}

int export_write(FILE *f, const struct kabistat_kernel_abi *abi,
		 const struct cli_snapshot *snap, const struct export_opts *o,
		 struct export_state *st)
{
	size_t sorted = st ? st->n : 0, i, k, m;
	struct export_cg *cgs;
	int err = 0;

	cgs = calloc(snap->n + 1, sizeof(*cgs));
	if (!cgs)
		return -ENOMEM;
	for (i = 0; i < snap->n && !err; i++) {
		struct export_cg *e = &cgs[i];
		struct export_track *t = NULL;

		e->cg = snap->cgs[i];
		snprintf(e->id, sizeof(e->id), "%" PRIu64, e->cg->id);
		if (!e->cg->id)
			e->path = e->cg->state == KABISTAT_CGROUP_OVERFLOW ?
				  "(overflow)" : "(evicted)";
		else
			e->path = e->cg->path ? e->cg->path : "";
		if (!kabistat_container_id(e->cg->path, e->container))
			e->container[0] = '\0';
		if (st && o->top && e->cg->id) {
			t = export_track_get(st, sorted, e->cg->id);
			if (!t) {
				err = -ENOMEM;
				break;
			}
			t->used = true;
		}
		err = export_rows(e, abi, o, t);
	}
	if (st)
		export_state_settle(st);
	if (err)
		goto out;

	export_gauges(f, abi);
	export_family(f, "kabistat_cgroup_generation", "gauge",
		      "Reset generation of a cgroup's counters; a change means they started again from zero.");
	for (i = 0; i < snap->n; i++) {
		if (!cgs[i].cg->id)
			continue;
		fputs("kabistat_cgroup_generation{", f);
		export_cgroup_labels(f, &cgs[i]);
		fprintf(f, "} %" PRIu64 "\n", cgs[i].cg->generation);
	}
	export_family(f, "kabistat_cgroup_path_truncated", "gauge",
		      "1 for a cgroup whose path the module kept only the beginning of: its cgroup label is a prefix of the real path.");
	for (i = 0; i < snap->n; i++) {
		if (!cgs[i].cg->id ||
		    !(cgs[i].cg->flags & KABISTAT_CGROUP_F_PATH_TRUNC))
			continue;
		fputs("kabistat_cgroup_path_truncated{", f);
		export_cgroup_labels(f, &cgs[i]);
		fputs("} 1\n", f);
	}
	export_errno(f, snap, cgs);
	export_family(f, "kabistat_cgroup_min_kernel_version", "gauge",
		      "The newest kernel version the cgroup's used syscalls need (returned other than ENOSYS), X.Y as X + Y/1000, a range by its upper bound; one series per syscall that needs it.");
	for (i = 0; i < snap->n && !err; i++)
		err = export_min_kernel(f, abi, &cgs[i], o);
	if (err)
		goto out;
	for (k = 0; k < sizeof(export_counters) / sizeof(export_counters[0]);
	     k++) {
		export_family(f, export_counters[k].name, "counter",
			      export_counters[k].help);
		for (i = 0; i < snap->n; i++) {
			for (m = 0; m < cgs[i].n; m++) {
				const struct export_row *r = &cgs[i].rows[m];
				uint64_t v;

				memcpy(&v, (const char *)&r->c +
				       export_counters[k].offset, sizeof(v));
				fprintf(f, "%s{", export_counters[k].name);
				export_cgroup_labels(f, &cgs[i]);
				if (r->syscall) {
					fputs(",syscall=\"", f);
					export_value(f, r->syscall);
					fputc('"', f);
				}
				fprintf(f, ",abi=\"%s\"} %" PRIu64 "\n",
					cli_abi_name(abi, r->abi), v);
			}
		}
	}
	err = ferror(f) ? -EIO : 0;
out:
	for (i = 0; i < snap->n; i++)
		free(cgs[i].rows);
	free(cgs);
	return err;
}
