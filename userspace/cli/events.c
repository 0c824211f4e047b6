// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat events: cgroup releases and first ENOSYS returns, as they come. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kabistat.h"
#include "cli.h"

static const char *event_name(uint32_t cmd)
{
	return cmd == KABISTAT_CMD_CGROUP_RELEASED ? "released" :
	       cmd == KABISTAT_CMD_FIRST_ENOSYS ? "first_enosys" : "unknown";
}

/*
 * When the event came, as wall-clock time (UTC, RFC 3339 with
 * milliseconds): the module sends it from a workqueue, within moments.
 */
static void event_time(char buf[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (!strftime(buf, 20, "%Y-%m-%dT%H:%M:%S", &tm))
		strcpy(buf, "?");
	snprintf(buf + strlen(buf), 12, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/*
 * A first ENOSYS carries only the cgroup's id: its path from a second
 * handle (the subscribed one carries events only).  NULL when the cgroup
 * is gone or its path not known yet.
 */
static char *event_path(struct kabistat *look, uint64_t id)
{
	struct kabistat_cgroup *cg;
	char *path = NULL;

	if (look && !kabistat_get_cgroup(look, id, &cg)) {
		if (cg->path)
			path = strdup(cg->path);
		kabistat_cgroup_free(cg);
	}
	return path;
}

static void event_json(struct cli *cli, const struct kabistat_kernel_abi *abi,
		       const struct kabistat_event *ev, uint64_t lost,
		       const char *time, const char *path)
{
	const struct kabistat_cgroup *cg = ev->cgroup;
	struct json *j = &cli->j;
	struct cli_cgroup_head head;
	char name[24];

	json_object_begin(j);
	json_kv_u64(j, "seq", ev->seq);
	json_kv_string(j, "event", event_name(ev->cmd));
	json_kv_string(j, "time", time);
	json_kv_u64(j, "lost", lost);
	if (ev->cmd == KABISTAT_CMD_CGROUP_RELEASED) {
		/* the final counters, as `show --json` prints a cgroup */
		cli_cgroup_head(&head, cg);
		json_key(j, "final");
		cli_cgroup_json(j, abi, &head, cg, -1);
	} else {
		json_kv_u64(j, "cgroup_id", cg->id);
		json_kv_string(j, "path", path);
		if (cg->nr_stats) {
			const struct kabistat_syscall_stat *st = &cg->stats[0];

			json_kv_string(j, "abi", cli_abi_name(abi, st->abi));
			json_kv_u64(j, "nr", st->nr);
			json_kv_string(j, "name", cli_syscall_name(abi, st->abi,
								   st->nr,
								   name));
		}
	}
	json_object_end(j);
	json_finish(j);
}

static void event_text(const struct kabistat_kernel_abi *abi,
		       const struct kabistat_event *ev, uint64_t lost,
		       const char *time, const char *path)
{
	const struct kabistat_cgroup *cg = ev->cgroup;
	char calls[CLI_NUM_LEN], errors[CLI_NUM_LEN], enosys[CLI_NUM_LEN];
	struct cli_cgroup_head head;
	char name[24];

	if (lost)
		printf("(%" PRIu64 " event%s lost)\n", lost,
		       lost == 1 ? "" : "s");
	printf("%s %-8" PRIu64 " %-12s id %-8" PRIu64, time, ev->seq,
	       event_name(ev->cmd), cg->id);
	if (ev->cmd == KABISTAT_CMD_CGROUP_RELEASED) {
		cli_cgroup_head(&head, cg);
		printf(" %s calls, %s errors, %s ENOSYS, %zu syscalls  %s\n",
		       cli_num(calls, cg->totals.calls),
		       cli_num(errors, cg->totals.errors),
		       cli_num(enosys, cg->totals.enosys), cg->nr_stats,
		       cli_cgroup_path(&head));
	} else if (cg->nr_stats) {
		printf(" %s %s (%" PRIu32 ")  %s\n",
		       cli_abi_name(abi, cg->stats[0].abi),
		       cli_syscall_name(abi, cg->stats[0].abi, cg->stats[0].nr,
					name), cg->stats[0].nr,
		       path ? path : "(path not known)");
	} else {
		putchar('\n');
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int do_events(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi;
	uint64_t count = 0, seen = 0, timeout = 0, next_seq = 0;
	int64_t deadline = -1;
	struct kabistat *ks, *look;
	char msg[KABISTAT_ERRMSG_LEN], time[32], *path;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "n:t:", opts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_u64(optarg, UINT64_MAX, &count) || !count)
				return cli_usage_error("events",
						       "-n takes a positive number of events");
			break;
		case 't':
			if (cli_parse_u64(optarg, INT32_MAX / 1000, &timeout))
				return cli_usage_error("events",
						       "--timeout takes a number of seconds");
			deadline = now_ms() + (int64_t)timeout * 1000;
			break;
		default:
			ret = cli_common_opt(cli, "events", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage_error("events", "unexpected argument '%s'",
				       argv[optind]);

	/* names first: once subscribed, the handle carries events only */
	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	if (kabistat_open(&look, msg))
		look = NULL;	/* events without paths rather than none */
	ret = 0;
	if (kabistat_events_subscribe(ks))
		ret = cli_error("%s", kabistat_errmsg(ks));
	while (!ret && (!count || seen < count)) {
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		struct kabistat_event *ev;
		uint64_t lost;
		int err;

		if (deadline >= 0 && wait <= 0)
			break;
		err = kabistat_event_next(ks, wait, &ev);
		if (err == -ETIMEDOUT)
			break;
		if (err == -ENOBUFS || err == -EPROTO) {
			/* said once; the gap in seq numbers follows */
			cli_error("%s", kabistat_errmsg(ks));
			continue;
		}
		if (err) {
			ret = cli_error("%s", kabistat_errmsg(ks));
			break;
		}
		lost = next_seq && ev->seq > next_seq ? ev->seq - next_seq : 0;
		next_seq = ev->seq + 1;
		event_time(time);
		path = ev->cmd == KABISTAT_CMD_FIRST_ENOSYS ?
		       event_path(look, ev->cgroup->id) : NULL;
		if (cli->json)
			event_json(cli, abi, ev, lost, time, path);
		else
			event_text(abi, ev, lost, time, path);
		fflush(stdout);
		free(path);
		kabistat_event_free(ev);
		seen++;
	}
	kabistat_abi_free(abi);
	kabistat_close(look);
	kabistat_close(ks);
	return ret;
}
