// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kabistat export: the counters in the Prometheus text format, once on
 * stdout (for node_exporter's textfile collector: write to a temporary
 * file, then rename it into the collector's directory), or served over
 * HTTP at /metrics with --listen, read afresh at every scrape.
 *
 * The HTTP side is libmicrohttpd with its one internal thread: requests
 * are answered one after another on the one library handle, which the
 * library allows to be used by one thread at a time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kabistat.h"
#include "cli.h"
#include "export.h"

#define EXPORT_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * @snap: the readings of the last scrape, brought up to date at each one
 * with an incremental dump since @mark: a cgroup that did not change is
 * served as it was read (its counters are cumulative).
 */
struct export_server {
	struct kabistat *ks;	/* NULL until opened, or after a failure */
	struct export_opts opts;
	struct export_state *state;
	struct cli_snapshot snap;
	uint64_t mark;
};

/*
 * One reading as exposition text, into a malloc'ed buffer: of @keep kept
 * up to date since *@mark, or (@keep NULL) of a dump of its own.
 */
static int export_render(struct kabistat *ks, const struct export_opts *o,
			 struct export_state *st, struct cli_snapshot *keep,
			 uint64_t *mark, char **text, size_t *len)
{
	struct kabistat_kernel_abi *abi = NULL;
	struct cli_snapshot own, *snap = keep ? keep : &own;
	FILE *f;
	int err;

	err = kabistat_get_abi(ks, &abi);
	if (err) {
		cli_error("%s", kabistat_errmsg(ks));
		return err;
	}
	err = keep ? cli_snapshot_update(ks, keep, mark) :
		     cli_snapshot_take(ks, &own);
	if (err) {
		kabistat_abi_free(abi);
		return err;
	}
	f = open_memstream(text, len);
	if (!f) {
		err = -errno;
	} else {
		err = export_write(f, abi, snap, o, st);
		if (fclose(f) && !err)
			err = -EIO;
		if (err) {
			free(*text);
			*text = NULL;
		}
	}
	if (err)
		cli_error("cannot write the exposition: %s", strerror(-err));
	if (!keep)
		cli_snapshot_free(&own);
	kabistat_abi_free(abi);
	return err;
}

static enum MHD_Result export_reply(struct MHD_Connection *conn,
				    unsigned int status, char *body,
				    size_t len, const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result export_text_reply(struct MHD_Connection *conn,
					 unsigned int status, const char *msg)
{
	char *body = strdup(msg);

	if (!body)
		return MHD_NO;
	return export_reply(conn, status, body, strlen(body),
			    "text/plain; charset=utf-8");
}

static enum MHD_Result export_request(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version, const char *upload,
				      size_t *upload_size, void **con_cls)
{
	struct export_server *srv = cls;
	char msg[KABISTAT_ERRMSG_LEN];
	char *text = NULL;
	size_t len = 0;
	int err;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return export_text_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					 "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return export_text_reply(conn, MHD_HTTP_OK,
					 "kabistat exporter: the metrics are at /metrics\n");
	if (strcmp(url, "/metrics"))
		return export_text_reply(conn, MHD_HTTP_NOT_FOUND,
					 "not found: the metrics are at /metrics\n");

	/* a module reloaded since the last scrape needs a new handle */
	err = srv->ks ? export_render(srv->ks, &srv->opts, srv->state,
				      &srv->snap, &srv->mark, &text, &len) :
			-ENOENT;
	if (err) {
		kabistat_close(srv->ks);
		srv->ks = NULL;
		if (kabistat_open(&srv->ks, msg)) {
			srv->ks = NULL;
			cli_error("%s", msg);
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 "\n");
			return export_text_reply(conn,
						 MHD_HTTP_SERVICE_UNAVAILABLE,
						 msg);
		}
		err = export_render(srv->ks, &srv->opts, srv->state,
				    &srv->snap, &srv->mark, &text, &len);
		if (err)
			return export_text_reply(conn,
						 MHD_HTTP_INTERNAL_SERVER_ERROR,
						 "cannot read the counters; see the exporter's log\n");
	}
	return export_reply(conn, MHD_HTTP_OK, text, len, EXPORT_CONTENT_TYPE);
}

/*
 * "ADDR:PORT", "[ADDR6]:PORT" or ":PORT".  ":PORT" is every address, IPv6
 * and IPv4, as the Go exporters (node_exporter's --web.listen-address)
 * read it; a bare "PORT" is refused rather than guessed.  Return 0 or -1.
 */
static int export_parse_listen(const char *s, struct sockaddr_storage *ss,
			       socklen_t *len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char addr[INET6_ADDRSTRLEN + 2] = "::";
	const char *colon = strrchr(s, ':');
	uint64_t port;
	size_t alen;

	if (!colon || cli_parse_u64(colon + 1, 65535, &port) || !port)
		return -1;
	if (colon > s) {
		alen = (size_t)(colon - s);
		if (s[0] == '[') {
			if (alen < 3 || s[alen - 1] != ']')
				return -1;
			s++;
			alen -= 2;
		}
		if (alen >= sizeof(addr))
			return -1;
		memcpy(addr, s, alen);
		addr[alen] = '\0';
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* ":PORT" (and "[::]:PORT"): IPv4 too, on the one IPv6 socket */
static bool export_any6(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET6 &&
	       IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

static struct MHD_Daemon *export_start(struct sockaddr_storage *ss,
				       struct export_server *srv)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_ERROR_LOG |
				(export_any6(ss) ? MHD_USE_DUAL_STACK :
				 ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, export_request, srv,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
				MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				MHD_OPTION_CONNECTION_LIMIT, 16u,
				MHD_OPTION_END);
}

static int export_listen(const char *listen, const struct export_opts *o)
{
	struct export_server srv = { .opts = *o };
	char msg[KABISTAT_ERRMSG_LEN];
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	socklen_t sslen;
	sigset_t set;
	int sig;

	if (export_parse_listen(listen, &ss, &sslen))
		return cli_usage_error("export",
				       "--listen is ADDR:PORT, [ADDR6]:PORT or :PORT (every address), not '%s'",
				       listen);
	/* fail at start when the module is missing, not at the first scrape */
	if (kabistat_open(&srv.ks, msg))
		return cli_error("%s", msg);
	srv.state = export_state_new();
	if (!srv.state) {
		kabistat_close(srv.ks);
		return cli_error("out of memory");
	}
	/* block them in every thread, the daemon's included; sigwait below */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = export_start(&ss, &srv);
	/* every address on a host without IPv6: IPv4's */
	if (!d && export_any6(&ss)) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		uint16_t port = ((struct sockaddr_in6 *)&ss)->sin6_port;

		memset(&ss, 0, sizeof(ss));
		in->sin_family = AF_INET;
		in->sin_port = port;
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		d = export_start(&ss, &srv);
	}
	if (!d) {
		kabistat_close(srv.ks);
		export_state_free(srv.state);
		return cli_error("cannot listen on %s: %s", listen,
				 strerror(errno ? errno : EADDRINUSE));
	}
	fprintf(stderr, "kabistat: serving http://%s/metrics\n", listen);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	kabistat_close(srv.ks);
	export_state_free(srv.state);
	cli_snapshot_free(&srv.snap);
	return 0;
}

int do_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 't' },
		{ "no-syscall-labels", no_argument, NULL, 'S' },
		{ "listen", required_argument, NULL, 'l' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct export_opts o = { 0 };
	const char *listen = NULL;
	struct kabistat *ks;
	char *text = NULL;
	size_t len = 0;
	uint64_t top;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "t:Sl:", opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_u64(optarg, 100000, &top) || !top)
				return cli_usage_error("export",
						       "--top is a number of syscalls from 1, not '%s'",
						       optarg);
			o.top = (unsigned int)top;
			break;
		case 'S':
			o.no_syscall_labels = true;
			break;
		case 'l':
			listen = optarg;
			break;
		default:
			ret = cli_common_opt(cli, "export", c, argv);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage_error("export", "unexpected argument '%s'",
				       argv[optind]);
	if (o.top && o.no_syscall_labels)
		return cli_usage_error("export",
				       "--top and --no-syscall-labels exclude each other");
	if (listen)
		return export_listen(listen, &o);

	if (cli_open(&ks))
		return CLI_EXIT_ERROR;
	ret = export_render(ks, &o, NULL, NULL, NULL, &text, &len);
	kabistat_close(ks);
	if (ret)
		return CLI_EXIT_ERROR;
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
		free(text);
		return cli_error("cannot write the exposition: %s",
				 strerror(errno));
	}
	free(text);
	return 0;
}
