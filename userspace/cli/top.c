// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat top: rates per cgroup, and per syscall of one cgroup, from two
 * successive dumps.  A rate is the difference of two counters over the
 * difference of the CLOCK_BOOTTIME timestamps the module put in the two
 * readings of that cgroup, so the CLI's own sleeping and scheduling do not
 * enter it.  A cgroup first seen in the second reading was not tracked at
 * the first: all its calls happened in between, over the interval of the
 * whole dumps.  A cgroup whose generation changed (reset) has no rate.
 *
 * Interactive (ncurses): arrows move the selection, Enter shows the
 * selected cgroup's syscalls, q quits.  --batch prints COUNT frames as
 * plain text, or with -j as JSON Lines (one object a frame), and exits.
 */
#define _GNU_SOURCE
#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kabistat.h"
#include "cli.h"

struct top_rate {
	const struct kabistat_cgroup *cg;	/* in the newer reading */
	double calls, errors;			/* per second; <0: no rate */
	uint64_t key;				/* syscall rows: abi << 32 | nr */
};

struct top_frame {
	struct kabistat_kernel_abi *abi;
	struct cli_snapshot old, cur;
	uint64_t old_ts, cur_ts;	/* of the dumps, for new cgroups */
	uint64_t mark;			/* of the last dump: see cli_snapshot_update() */
	struct top_rate *cgs;
	size_t ncgs;
};

static uint64_t top_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int top_rate_cmp(const void *a, const void *b)
{
	const struct top_rate *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	if (x->errors != y->errors)
		return x->errors > y->errors ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Seconds between the readings of @new and @old (NULL: the dumps'). */
static double top_interval(const struct top_frame *f,
			   const struct kabistat_cgroup *old,
			   const struct kabistat_cgroup *new)
{
	uint64_t t0 = old && old->timestamp_ns ? old->timestamp_ns : f->old_ts;
	uint64_t t1 = new->timestamp_ns ? new->timestamp_ns : f->cur_ts;

	return t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
}

/*
 * What @new counted since its older reading, over how many seconds; NULL
 * when there is no rate (an aggregate, a reset in between, no time).
 */
static struct kabistat_cgroup *top_delta(const struct top_frame *f,
					 const struct kabistat_cgroup *new,
					 double *dt)
{
	const struct kabistat_cgroup *old = cli_snapshot_find(&f->old, new->id);
	struct kabistat_cgroup *d;

	*dt = top_interval(f, old, new);
	if (!new->id || *dt <= 0 || kabistat_cgroup_delta(old, new, &d))
		return NULL;
	return d;
}

static void top_compute(struct top_frame *f)
{
	struct kabistat_cgroup *d;
	double dt;
	size_t i;

	f->ncgs = 0;
	for (i = 0; i < f->cur.n; i++) {
		const struct kabistat_cgroup *new = f->cur.cgs[i];
		struct top_rate *r = &f->cgs[f->ncgs++];

		*r = (struct top_rate){ .cg = new, .calls = -1, .errors = -1,
					.key = new->id };
		d = top_delta(f, new, &dt);
		if (!d)
			continue;
		r->calls = (double)d->totals.calls / dt;
		r->errors = (double)d->totals.errors / dt;
		kabistat_cgroup_free(d);
	}
	qsort(f->cgs, f->ncgs, sizeof(f->cgs[0]), top_rate_cmp);
}

/* Per-syscall rates of @new against its older reading; caller frees. */
static struct top_rate *top_syscalls(const struct top_frame *f,
				     const struct kabistat_cgroup *new,
				     size_t *n)
{
	struct kabistat_cgroup *d;
	struct top_rate *v;
	double dt;
	size_t i;

	*n = 0;
	v = calloc(new->nr_stats + 1, sizeof(*v));
	d = v ? top_delta(f, new, &dt) : NULL;
	if (!d)
		return v;
	for (i = 0; i < d->nr_stats; i++) {
		const struct kabistat_syscall_stat *st = &d->stats[i];

		v[(*n)++] = (struct top_rate){
			.cg = new, .key = (uint64_t)st->abi << 32 | st->nr,
			.calls = (double)st->c.calls / dt,
			.errors = (double)st->c.errors / dt,
		};
	}
	kabistat_cgroup_free(d);
	qsort(v, *n, sizeof(*v), top_rate_cmp);
	return v;
}

/* "1,234.5", or "-" without a rate */
static const char *top_fmt(char buf[CLI_NUM_LEN + 4], double rate)
{
	char num[CLI_NUM_LEN];
	uint64_t tenths;

	if (rate < 0)
		return "-";
	tenths = (uint64_t)llround(rate * 10);
	snprintf(buf, CLI_NUM_LEN + 4, "%s.%u", cli_num(num, tenths / 10),
		 (unsigned int)(tenths % 10));
	return buf;
}

/* One syscall row, as both the batch and the screen view print it. */
static const char *top_syscall_row(char *buf, size_t len,
				   const struct top_frame *f,
				   const struct top_rate *sc)
{
	char r1[CLI_NUM_LEN + 4], r2[CLI_NUM_LEN + 4], name[24];
	unsigned int abi = (unsigned int)(sc->key >> 32);

	snprintf(buf, len, "%12s %11s  %-23s %s", top_fmt(r1, sc->calls),
		 top_fmt(r2, sc->errors),
		 cli_syscall_name(f->abi, abi, (uint32_t)sc->key, name),
		 cli_abi_name(f->abi, abi));
	return buf;
}

/* @s brought up to date: only what changed since the last frame is read. */
static int top_read(struct kabistat *ks, struct cli_snapshot *s,
		    uint64_t *ts, uint64_t *mark)
{
	*ts = top_now_ns();
	return cli_snapshot_update(ks, s, mark);
}

/* The next frame: the current reading becomes the old one. */
static int top_step(struct kabistat *ks, struct top_frame *f)
{
	struct top_rate *cgs;

	cli_snapshot_free(&f->old);
	f->old = f->cur;
	f->old_ts = f->cur_ts;
	if (cli_snapshot_copy(&f->cur, &f->old) ||
	    top_read(ks, &f->cur, &f->cur_ts, &f->mark))
		return -1;
	cgs = realloc(f->cgs, (f->cur.n + 1) * sizeof(*cgs));
	if (!cgs)
		return cli_error("out of memory"), -1;
	f->cgs = cgs;
	top_compute(f);
	return 0;
}

static const char *top_path(const struct kabistat_cgroup *cg)
{
	struct cli_cgroup_head head;

	cli_cgroup_head(&head, cg);
	return cli_cgroup_path(&head);
}

static void top_sleep(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --batch: the cgroups with calls in the interval, then @sel's syscalls. */
static void top_print_batch(const struct top_frame *f, uint64_t sel_id,
			    double interval, unsigned int frame,
			    unsigned int frames)
{
	const struct kabistat_cgroup *sel = NULL;
	char r1[CLI_NUM_LEN + 4], r2[CLI_NUM_LEN + 4], row[128];
	struct top_rate *sc;
	size_t i, n, idle = 0;

	printf("kabistat top: frame %u of %u, every %.1f s, Linux %s\n",
	       frame, frames, interval, f->abi->kernel_release);
	printf("%12s %11s  %s\n", "CALLS/S", "ERRORS/S", "CGROUP");
	for (i = 0; i < f->ncgs; i++) {
		const struct top_rate *r = &f->cgs[i];

		if (sel_id ? r->cg->id == sel_id : !sel && r->cg->id)
			sel = r->cg;
		if (r->calls == 0 || (!r->cg->id && r->calls < 0)) {
			idle++;
			continue;
		}
		printf("%12s %11s  %s\n", top_fmt(r1, r->calls),
		       top_fmt(r2, r->errors), top_path(r->cg));
	}
	if (idle)
		printf("(%zu cgroup%s without calls)\n", idle,
		       idle == 1 ? "" : "s");
	if (sel) {
		printf("\nsyscalls of %s\n", top_path(sel));
		printf("%12s %11s  %-23s %s\n", "CALLS/S", "ERRORS/S",
		       "SYSCALL", "ABI");
		sc = top_syscalls(f, sel, &n);
		for (i = 0; sc && i < n; i++) {
			if (sc[i].calls == 0)
				continue;
			puts(top_syscall_row(row, sizeof(row), f, &sc[i]));
		}
		free(sc);
	}
	fflush(stdout);
}

static void top_json_rates(struct json *j, const struct top_rate *r)
{
	json_key(j, "calls_per_s");
	json_rate(j, r->calls);
	json_key(j, "errors_per_s");
	json_rate(j, r->errors);
}

/*
 * --batch -j: one object a line, with what the text frame shows: every
 * cgroup (rates null where there is none: reset, or an aggregate seen
 * first), then the selected one's syscalls with calls.
 */
static void top_json_batch(struct json *j, const struct top_frame *f,
			   uint64_t sel_id, double interval, unsigned int frame,
			   unsigned int frames)
{
	const struct kabistat_cgroup *sel = NULL;
	struct cli_cgroup_head head;
	struct top_rate *sc;
	char name[24];
	size_t i, n;

	json_object_begin(j);
	json_kv_u64(j, "frame", frame);
	json_kv_u64(j, "frames", frames);
	json_key(j, "interval_s");
	json_rate(j, interval);
	json_kv_string(j, "kernel", f->abi->kernel_release);
	json_key(j, "cgroups");
	json_array_begin(j);
	for (i = 0; i < f->ncgs; i++) {
		const struct top_rate *r = &f->cgs[i];

		if (sel_id ? r->cg->id == sel_id : !sel && r->cg->id)
			sel = r->cg;
		json_object_begin(j);
		cli_cgroup_head(&head, r->cg);
		cli_cgroup_ident_json(j, &head);
		top_json_rates(j, r);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "selected");
	if (sel) {
		json_object_begin(j);
		cli_cgroup_head(&head, sel);
		cli_cgroup_ident_json(j, &head);
		json_key(j, "syscalls");
		json_array_begin(j);
		sc = top_syscalls(f, sel, &n);
		for (i = 0; sc && i < n; i++) {
			unsigned int abi = (unsigned int)(sc[i].key >> 32);
			uint32_t nr = (uint32_t)sc[i].key;

			if (sc[i].calls == 0)
				continue;
			json_object_begin(j);
			json_kv_string(j, "abi", cli_abi_name(f->abi, abi));
			json_kv_u64(j, "nr", nr);
			json_kv_string(j, "name",
				       cli_syscall_name(f->abi, abi, nr, name));
			top_json_rates(j, &sc[i]);
			json_object_end(j);
		}
		free(sc);
		json_array_end(j);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_object_end(j);
	json_finish(j);
	fflush(j->out);
}

static void top_draw(const struct top_frame *f, uint64_t *sel_id,
		     bool show_syscalls, double interval)
{
	char r1[CLI_NUM_LEN + 4], r2[CLI_NUM_LEN + 4], row[128];
	const struct kabistat_cgroup *sel = NULL;
	int rows = LINES, cols = COLS, half, y = 0;
	struct top_rate *sc;
	size_t i, n;

	erase();
	half = show_syscalls ? rows / 2 : rows - 1;
	mvprintw(y++, 0, "kabistat top: every %.1f s, Linux %s; arrows select, Enter: syscalls, q quits",
		 interval, f->abi->kernel_release);
	attron(A_BOLD);
	mvprintw(y++, 0, "%12s %11s  %s", "CALLS/S", "ERRORS/S", "CGROUP");
	attroff(A_BOLD);
	if (!*sel_id && f->ncgs)
		*sel_id = f->cgs[0].cg->id;
	for (i = 0; i < f->ncgs; i++) {
		const struct top_rate *r = &f->cgs[i];
		bool is_sel = r->cg->id == *sel_id;

		if (is_sel)
			sel = r->cg;
		if (y >= half)
			continue;
		if (is_sel)
			attron(A_REVERSE);
		mvprintw(y++, 0, "%12s %11s  %.*s", top_fmt(r1, r->calls),
			 top_fmt(r2, r->errors), cols > 27 ? cols - 27 : 0,
			 top_path(r->cg));
		if (is_sel)
			attroff(A_REVERSE);
	}
	if (show_syscalls && sel) {
		y = half;
		attron(A_BOLD);
		mvprintw(y++, 0, "syscalls of %.*s", cols > 13 ? cols - 13 : 0,
			 top_path(sel));
		mvprintw(y++, 0, "%12s %11s  %-23s %s", "CALLS/S", "ERRORS/S",
			 "SYSCALL", "ABI");
		attroff(A_BOLD);
		sc = top_syscalls(f, sel, &n);
		for (i = 0; sc && i < n && y < rows; i++)
			mvprintw(y++, 0, "%.*s", cols, top_syscall_row(row,
					sizeof(row), f, &sc[i]));
		free(sc);
	}
	refresh();
}

/* Move the selection by @delta rows of the sorted list. */
static void top_move(const struct top_frame *f, uint64_t *sel_id, int delta)
{
	size_t i;

	for (i = 0; i < f->ncgs; i++) {
		if (f->cgs[i].cg->id != *sel_id)
			continue;
		if (delta < 0 && i > 0)
			*sel_id = f->cgs[i - 1].cg->id;
		else if (delta > 0 && i + 1 < f->ncgs)
			*sel_id = f->cgs[i + 1].cg->id;
		return;
	}
}

static int top_interactive(struct kabistat *ks, struct top_frame *f,
			   double interval, unsigned int frames,
			   uint64_t sel_id)
{
	bool show_syscalls = sel_id != 0;
	unsigned int frame = 0;
	uint64_t due;
	int ch;

	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	top_draw(f, &sel_id, show_syscalls, interval);
	while (!frames || frame < frames) {
		due = top_now_ns() + (uint64_t)(interval * 1e9);
		for (;;) {
			uint64_t now = top_now_ns();

			if (now >= due)
				break;
			timeout((int)((due - now) / 1000000) + 1);
			ch = getch();
			if (ch == 'q' || ch == 'Q') {
				endwin();
				return 0;
			}
			if (ch == KEY_UP || ch == 'k')
				top_move(f, &sel_id, -1);
			else if (ch == KEY_DOWN || ch == 'j')
				top_move(f, &sel_id, 1);
			else if (ch == '\n' || ch == KEY_ENTER)
				show_syscalls = !show_syscalls;
			else if (ch != ERR && ch != KEY_RESIZE)
				continue;
			top_draw(f, &sel_id, show_syscalls, interval);
		}
		if (top_step(ks, f)) {
			endwin();
			return CLI_EXIT_ERROR;
		}
		frame++;
		top_draw(f, &sel_id, show_syscalls, interval);
	}
	endwin();
	return 0;
}

int do_top(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct top_frame f = { 0 };
	unsigned int frames = 0, i;
	double interval = 2.0;
	bool batch = false;
	struct kabistat *ks;
	uint64_t sel_id = 0, v;
	char *end;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "d:bn:", opts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(interval >= 0.1) ||
			    interval > 3600)
				return cli_usage_error("top",
						       "-d is seconds from 0.1 to 3600, not '%s'",
						       optarg);
			break;
		case 'b':
			batch = true;
			break;
		case 'n':
			if (cli_parse_u64(optarg, 1000000, &v) || !v)
				return cli_usage_error("top",
						       "-n is a number of frames from 1, not '%s'",
						       optarg);
			frames = (unsigned int)v;
			break;
		default:
			ret = cli_common_opt(cli, "top", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("top", "one cgroup at most");
	if (cli->json && !batch)
		return cli_usage_error("top", "JSON only with --batch (JSON Lines, a frame a line)");
	if (batch && !frames)
		frames = 1;

	if (cli_open(&ks))
		return CLI_EXIT_ERROR;
	if (optind < argc && kabistat_resolve_cgroup(ks, argv[optind], &sel_id)) {
		cli_error("%s", kabistat_errmsg(ks));
		kabistat_close(ks);
		return CLI_EXIT_ERROR;
	}
	if (kabistat_get_abi(ks, &f.abi)) {
		cli_error("%s", kabistat_errmsg(ks));
		kabistat_close(ks);
		return CLI_EXIT_ERROR;
	}
	cli_warn_cgroup_mode(f.abi);
	if (top_read(ks, &f.cur, &f.cur_ts, &f.mark)) {
		ret = CLI_EXIT_ERROR;
		goto out;
	}
	if (!batch) {
		/* a first frame at once, with rates over a short interval */
		top_sleep(interval < 0.5 ? interval : 0.5);
		if (top_step(ks, &f))
			ret = CLI_EXIT_ERROR;
		else
			ret = top_interactive(ks, &f, interval, frames, sel_id);
		goto out;
	}
	for (i = 1; i <= frames; i++) {
		top_sleep(interval);
		if (top_step(ks, &f)) {
			ret = CLI_EXIT_ERROR;
			break;
		}
		if (cli->json) {
			top_json_batch(&cli->j, &f, sel_id, interval, i,
				       frames);
			continue;
		}
		if (i > 1)
			putchar('\n');
		top_print_batch(&f, sel_id, interval, i, frames);
	}
out:
	cli_snapshot_free(&f.old);
	cli_snapshot_free(&f.cur);
	free(f.cgs);
	kabistat_abi_free(f.abi);
	kabistat_close(ks);
	return ret;
}
