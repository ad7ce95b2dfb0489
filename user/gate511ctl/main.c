// SPDX-License-Identifier: GPL-2.0
/*
 * gate511ctl - the admin CLI of gate511d, shaped like ip(8)/bpftool(8):
 * `gate511ctl [OPTIONS] COMMAND [ARGS]`, any unique prefix of a command,
 * `gate511ctl COMMAND help`, -j/-p JSON output with errors as
 * {"error": "..."}, and the stable exit codes listed in gate511ctl.h.
 *
 * It talks to gate511d over the control socket (one request per
 * connection). When the daemon is down, list, show and stats read the
 * pinned maps instead and say so.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "addr.h"
#include "conf.h"
#include "ctl_io.h"
#include "duration.h"
#include "gate511ctl.h"

struct cli cli = {
	.sock_path = G511_CTL_PATH_DEFAULT,
	.pin_dir = G511_PIN_DIR_DEFAULT,
};

#define SRC_DAEMON	"daemon"
#define SRC_PINNED	"pinned-maps"
#define RPC_TIMEOUT_S	60

/* ---------------------------------------------------------------- errors */

int cli_error(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli.jw) {
		jw_start_object(cli.jw);
		jw_string_field(cli.jw, "error", msg);
		jw_end_object(cli.jw);
	} else {
		fprintf(stderr, "gate511ctl: %s\n", msg);
	}
	return code;
}

int cli_exit_for(int code)
{
	switch (code) {
	case EINVAL:
		return EXIT_USAGE;
	case ENOENT:
		return EXIT_NOTFOUND;
	case ENOSPC:
		return EXIT_FULL;
	default:
		return EXIT_ERROR;
	}
}

static void note_pinned(void)
{
	if (!cli.json)
		fprintf(stderr, "gate511ctl: daemon not running; read from pinned "
			"maps in %s\n", cli.pin_dir);
}

/* ------------------------------------------------------------- the wire */

static struct {
	int fd;
	__u32 seq;
	int connect_err;	/* -errno of connect() */
	struct ctl_conn conn;
} rpc = { .fd = -1 };

static bool daemon_down(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED || err == -ENOTDIR;
}

/* 0, or -errno of the connect (nothing reported yet). */
static int rpc_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = RPC_TIMEOUT_S };
	int fd;

	if (strlen(cli.sock_path) >= sizeof(sun.sun_path))
		return rpc.connect_err = -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", cli.sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rpc.connect_err = -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rpc.connect_err = -errno;
		close(fd);
		return rpc.connect_err;
	}
	rpc.fd = fd;
	rpc.seq = (__u32)getpid();
	ctl_conn_init(&rpc.conn, fd);
	return 0;
}

/* Report a failed connect; the exit code. */
static int rpc_open_error(int err)
{
	if (daemon_down(err))
		return cli_error(EXIT_DOWN, "gate511d is not running (cannot "
				 "connect to %s: %s)", cli.sock_path,
				 strerror(-err));
	if (err == -EACCES || err == -EPERM)
		return cli_error(EXIT_ERROR, "permission denied on %s: root or "
				 "the control group only", cli.sock_path);
	return cli_error(EXIT_ERROR, "cannot connect to %s: %s", cli.sock_path,
			 strerror(-err));
}

/* Connect, or report why not: 0 or an exit code. */
static int rpc_connect(void)
{
	int err = rpc_open();

	return err ? rpc_open_error(err) : 0;
}

static int rpc_send(unsigned int type, const void *body)
{
	int err = ctl_send(&rpc.conn, type, rpc.seq, body);

	if (err)
		return cli_error(EXIT_ERROR, "cannot send to gate511d: %s",
				 strerror(-err));
	return 0;
}

static int rpc_flush(void)
{
	int err = ctl_flush(&rpc.conn);

	if (err)
		return cli_error(EXIT_ERROR, "cannot send to gate511d: %s",
				 strerror(-err));
	return 0;
}

static int rpc_request(unsigned int type, const void *body)
{
	int ret = rpc_send(type, body);

	return ret ? ret : rpc_flush();
}

/*
 * The next reply: 0 with *m filled, or an exit code (reported). An ERROR
 * from the daemon becomes its exit code; want (if not 0) is the one type
 * besides END the caller accepts.
 */
static int rpc_reply(struct g511_ctl_msg *m, unsigned int want)
{
	int err = ctl_recv(&rpc.conn, m);

	switch (err) {
	case 0:
		break;
	case -ENODATA:
	case -ECONNRESET:
		return cli_error(EXIT_ERROR, "gate511d closed the connection");
	case -EAGAIN:
		return cli_error(EXIT_ERROR, "no answer from gate511d in %d s",
				 RPC_TIMEOUT_S);
	case -EPROTONOSUPPORT:
		return cli_error(EXIT_ERROR, "gate511d speaks protocol version %u, "
				 "this gate511ctl %u", m->hdr.version,
				 G511_CTL_VERSION);
	default:
		return cli_error(EXIT_ERROR, "bad reply from gate511d: %s",
				 strerror(-err));
	}
	if (m->hdr.type == G511_CTL_ERROR)
		return cli_error(cli_exit_for(m->body.error.code), "%s",
				 m->body.error.msg);
	if (m->hdr.seq != rpc.seq)
		return cli_error(EXIT_ERROR, "reply out of sequence");
	if (want && m->hdr.type != want && m->hdr.type != G511_CTL_END)
		return cli_error(EXIT_ERROR, "unexpected %s reply from gate511d",
				 ctl_type_name(m->hdr.type));
	return 0;
}

/* Read a stream of want messages up to END into a growing array. */
static int rpc_collect(unsigned int want, size_t size, void **out, size_t *n)
{
	struct g511_ctl_msg m;
	size_t cap = 0;
	char *v = NULL;
	int ret;

	*n = 0;
	for (;;) {
		ret = rpc_reply(&m, want);
		if (ret)
			goto fail;
		if (m.hdr.type == G511_CTL_END)
			break;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			char *nv = realloc(v, ncap * size);

			if (!nv) {
				ret = cli_error(EXIT_ERROR, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		memcpy(v + *n * size, &m.body, size);
		(*n)++;
	}
	if (m.body.count.count != *n) {
		ret = cli_error(EXIT_ERROR, "gate511d announced %u entries, sent %zu",
				m.body.count.count, *n);
		goto fail;
	}
	*out = v;
	return 0;
fail:
	free(v);
	return ret;
}

/* ----------------------------------------------------------- arguments */

enum cmd_opt {
	OPT_TTL = 1 << 0,
	OPT_IDLE = 1 << 1,
	OPT_MAC = 1 << 2,
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* usage after the name */
	const char *help;	/* what it does */
	unsigned int opts;	/* enum cmd_opt it accepts */
	int min_args, max_args;	/* positional, after the name */
};

static const struct cmd *cmd_current;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd_current)
		return cli_error(EXIT_USAGE, "%s (usage: gate511ctl %s%s%s)", msg,
				 cmd_current->name, cmd_current->args[0] ? " " : "",
				 cmd_current->args);
	return cli_error(EXIT_USAGE, "%s (try gate511ctl help)", msg);
}

static int parse_client_arg(const char *s, struct g511_client *c)
{
	if (client_parse(s, c))
		return usage_error("'%s' is not an IPv4/IPv6 address or MAC a "
				   "client can have", s);
	return 0;
}

/* ------------------------------------------------------------ commands */

static uint64_t now_wall(void)
{
	return (uint64_t)time(NULL);
}

static int cmd_allow(int argc, char **argv)
{
	struct g511_ctl_grant_req req = { 0 };
	struct g511_ctl_msg m;
	char who[G511_CLIENT_STRLEN], t[32], d[32];
	int ret;

	(void)argc;
	ret = parse_client_arg(argv[1], &req.client);
	if (ret)
		return ret;
	if (cli.has_ttl) {
		req.flags |= G511_CTL_F_TTL;
		req.ttl_s = cli.ttl_s;
	}
	if (cli.has_idle) {
		req.flags |= G511_CTL_F_IDLE;
		req.idle_s = cli.idle_s;
	}
	if (cli.has_mac) {
		if (req.client.kind != G511_CLIENT_ADDR)
			return usage_error("--mac binds an address grant to a MAC; "
					   "%s is a MAC already", argv[1]);
		req.flags |= G511_CTL_F_MAC;
		memcpy(req.mac, cli.mac, 6);
	}
	ret = rpc_connect();
	if (!ret)
		ret = rpc_request(G511_CTL_ALLOW, &req);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_GRANT);
	if (ret)
		return ret;
	if (m.hdr.type != G511_CTL_GRANT)
		return cli_error(EXIT_ERROR, "unexpected reply from gate511d");
	if (cli.json) {
		print_grant_json(&m.body.grant, now_wall());
		return EXIT_OK;
	}
	client_format(&m.body.grant.client, who, sizeof(who));
	if (m.body.grant.expires_wall) {
		print_time(m.body.grant.expires_wall, t, sizeof(t));
		duration_format(m.body.grant.ttl_s, d, sizeof(d));
		printf("allowed %s until %s (%s)", who, t, d);
	} else {
		printf("allowed %s without a deadline", who);
	}
	if (m.body.grant.idle_s) {
		duration_format(m.body.grant.idle_s, d, sizeof(d));
		printf(", idle timeout %s", d);
	}
	if (m.body.grant.flags & G511_CTL_GF_MAC_BOUND) {
		mac_format(m.body.grant.mac, t, sizeof(t));
		printf(", bound to %s", t);
	}
	printf("\n");
	return EXIT_OK;
}

static int cmd_deny(int argc, char **argv)
{
	struct g511_ctl_client_req req = { 0 };
	struct g511_ctl_msg m;
	char who[G511_CLIENT_STRLEN];
	int ret;

	(void)argc;
	ret = parse_client_arg(argv[1], &req.client);
	if (!ret)
		ret = rpc_connect();
	if (!ret)
		ret = rpc_request(G511_CTL_DENY, &req);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_SESSION);
	if (ret)
		return ret;
	if (m.hdr.type != G511_CTL_SESSION)
		return cli_error(EXIT_ERROR, "unexpected reply from gate511d");
	if (cli.json) {
		print_session_json(&m.body.session);
		return EXIT_OK;
	}
	client_format(&m.body.session.client, who, sizeof(who));
	printf("revoked %s (%llu packets, %llu bytes)\n", who,
	       (unsigned long long)m.body.session.packets,
	       (unsigned long long)m.body.session.bytes);
	return EXIT_OK;
}

static void print_grants(const struct g511_ctl_grant *g, size_t n,
			 const char *source)
{
	uint64_t now = now_wall();
	size_t i;

	if (cli.json) {
		jw_start_object(cli.jw);
		jw_string_field(cli.jw, "source", source);
		jw_name(cli.jw, "grants");
		jw_start_array(cli.jw);
		for (i = 0; i < n; i++)
			print_grant_json(&g[i], now);
		jw_end_array(cli.jw);
		jw_end_object(cli.jw);
		return;
	}
	print_grant_header();
	for (i = 0; i < n; i++)
		print_grant_row(&g[i], now);
}

struct grant_vec {
	struct g511_ctl_grant *v;
	size_t n, cap;
	bool oom;
};

static void grant_vec_add(const struct g511_ctl_grant *g, void *arg)
{
	struct grant_vec *gv = arg;

	if (gv->n == gv->cap) {
		size_t ncap = gv->cap ? gv->cap * 2 : 256;
		void *nv = realloc(gv->v, ncap * sizeof(*gv->v));

		if (!nv) {
			gv->oom = true;
			return;
		}
		gv->v = nv;
		gv->cap = ncap;
	}
	gv->v[gv->n++] = *g;
}

static int pinned_error(int err)
{
	if (err == -ENOENT)
		return cli_error(EXIT_DOWN, "gate511d is not running (cannot connect "
				 "to %s: %s) and no maps are pinned in %s",
				 cli.sock_path, strerror(-rpc.connect_err),
				 cli.pin_dir);
	if (err == -EINVAL)
		return cli_error(EXIT_ERROR, "the maps pinned in %s do not have "
				 "gate511's layout", cli.pin_dir);
	return cli_error(EXIT_ERROR, "cannot read the maps pinned in %s: %s",
			 cli.pin_dir, strerror(-err));
}

static int cmd_list(int argc, char **argv)
{
	struct grant_vec gv = { 0 };
	void *v = NULL;
	size_t n;
	int err, ret;

	(void)argc;
	(void)argv;
	err = rpc_open();
	if (daemon_down(err)) {
		err = pinned_list(grant_vec_add, &gv);
		if (err || gv.oom) {
			free(gv.v);
			return gv.oom ? cli_error(EXIT_ERROR, "out of memory") :
					pinned_error(err);
		}
		note_pinned();
		print_grants(gv.v, gv.n, SRC_PINNED);
		free(gv.v);
		return EXIT_OK;
	}
	if (err)
		return rpc_open_error(err);
	ret = rpc_request(G511_CTL_LIST, NULL);
	if (!ret)
		ret = rpc_collect(G511_CTL_GRANT, sizeof(struct g511_ctl_grant), &v, &n);
	if (ret)
		return ret;
	print_grants(v, n, SRC_DAEMON);
	free(v);
	return EXIT_OK;
}

static void print_one_grant(const struct g511_ctl_grant *g, const char *source)
{
	if (cli.json) {
		jw_start_object(cli.jw);
		jw_string_field(cli.jw, "source", source);
		jw_name(cli.jw, "grant");
		print_grant_json(g, now_wall());
		jw_end_object(cli.jw);
	} else {
		print_grant_block(g, now_wall());
	}
}

static int cmd_show(int argc, char **argv)
{
	struct g511_ctl_client_req req = { 0 };
	struct g511_ctl_grant g;
	struct g511_ctl_msg m;
	bool found;
	int err, ret;

	(void)argc;
	ret = parse_client_arg(argv[1], &req.client);
	if (ret)
		return ret;
	err = rpc_open();
	if (daemon_down(err)) {
		err = pinned_show(&req.client, &g, &found);
		if (err)
			return pinned_error(err);
		note_pinned();
		if (!found)
			return cli_error(EXIT_NOTFOUND, "%s holds no grant", argv[1]);
		print_one_grant(&g, SRC_PINNED);
		return EXIT_OK;
	}
	if (err)
		return rpc_open_error(err);
	ret = rpc_request(G511_CTL_SHOW, &req);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_GRANT);
	if (ret)
		return ret;
	if (m.hdr.type != G511_CTL_GRANT)
		return cli_error(EXIT_ERROR, "unexpected reply from gate511d");
	print_one_grant(&m.body.grant, SRC_DAEMON);
	return EXIT_OK;
}

static int cmd_stats(int argc, char **argv)
{
	struct g511_ctl_stats s;
	struct g511_ctl_msg m;
	int err, ret;

	(void)argc;
	(void)argv;
	err = rpc_open();
	if (daemon_down(err)) {
		err = pinned_stats(&s);
		if (err)
			return pinned_error(err);
		note_pinned();
		print_stats(&s, SRC_PINNED);
		return EXIT_OK;
	}
	if (err)
		return rpc_open_error(err);
	ret = rpc_request(G511_CTL_STATS, NULL);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_STATS_REPLY);
	if (ret)
		return ret;
	if (m.hdr.type != G511_CTL_STATS_REPLY)
		return cli_error(EXIT_ERROR, "unexpected reply from gate511d");
	print_stats(&m.body.stats, SRC_DAEMON);
	return EXIT_OK;
}

static int cmd_status(int argc, char **argv)
{
	const struct g511_ctl_status *st;
	struct g511_ctl_msg m;
	char t[32], ttl[32], idle[32];
	unsigned int i;
	int ret;

	(void)argc;
	(void)argv;
	ret = rpc_connect();
	if (!ret)
		ret = rpc_request(G511_CTL_STATUS, NULL);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_STATUS_REPLY);
	if (ret)
		return ret;
	if (m.hdr.type != G511_CTL_STATUS_REPLY)
		return cli_error(EXIT_ERROR, "unexpected reply from gate511d");
	st = &m.body.status;
	if (cli.json) {
		struct json_writer *jw = cli.jw;

		jw_start_object(jw);
		jw_bool_field(jw, "running", true);
		jw_string_field(jw, "version", st->version);
		jw_u64_field(jw, "pid", st->pid);
		jw_u64_field(jw, "started", st->started_wall);
		jw_u64_field(jw, "uptime", st->now_wall > st->started_wall ?
			     st->now_wall - st->started_wall : 0);
		jw_name(jw, "interfaces");
		jw_start_array(jw);
		for (i = 0; i < st->n_ifaces; i++)
			jw_string(jw, st->ifaces[i]);
		jw_end_array(jw);
		jw_u64_field(jw, "address_grants", st->n_clients);
		jw_u64_field(jw, "clients_max", st->clients_max);
		jw_u64_field(jw, "mac_grants", st->n_macs);
		jw_u64_field(jw, "macs_max", st->macs_max);
		jw_u64_field(jw, "garden_entries", st->n_garden);
		jw_u64_field(jw, "session_timeout", st->default_ttl_s);
		jw_u64_field(jw, "idle_timeout", st->default_idle_s);
		jw_string_field(jw, "portal_url", st->portal_url);
		jw_string_field(jw, "state_db", st->state_path);
		jw_string_field(jw, "config", st->conf_path);
		jw_name(jw, "responder");
		jw_start_object(jw);
		jw_u64_field(jw, "sockets", st->xsk_sockets);
		jw_u64_field(jw, "zerocopy", st->xsk_zerocopy);
		jw_u64_field(jw, "rx", st->resp_rx);
		jw_u64_field(jw, "tx", st->resp_tx);
		jw_u64_field(jw, "synack", st->resp_synack);
		jw_u64_field(jw, "http_511", st->resp_511);
		jw_u64_field(jw, "http_302", st->resp_302);
		jw_u64_field(jw, "rst", st->resp_rst);
		jw_u64_field(jw, "silent", st->resp_silent);
		jw_u64_field(jw, "lost", st->resp_lost);
		jw_u64_field(jw, "rx_dropped", st->resp_rx_dropped);
		jw_end_object(jw);
		jw_end_object(jw);
		return EXIT_OK;
	}
	print_time(st->started_wall, t, sizeof(t));
	duration_format(st->now_wall > st->started_wall ?
			st->now_wall - st->started_wall : 0, ttl, sizeof(ttl));
	printf("gate511d %s, pid %u, running since %s (%s)\n", st->version,
	       st->pid, t, ttl);
	printf("interfaces:      ");
	for (i = 0; i < st->n_ifaces; i++)
		printf("%s%s", i ? " " : "", st->ifaces[i]);
	printf("%s\n", st->n_ifaces ? "" : "-");
	printf("address grants:  %u of %u\n", st->n_clients, st->clients_max);
	printf("MAC grants:      %u of %u\n", st->n_macs, st->macs_max);
	printf("garden entries:  %u\n", st->n_garden);
	duration_format(st->default_ttl_s, ttl, sizeof(ttl));
	duration_format(st->default_idle_s, idle, sizeof(idle));
	printf("defaults:        session %s, idle %s\n",
	       st->default_ttl_s ? ttl : "none", st->default_idle_s ? idle : "none");
	printf("portal:          %s\n", st->portal_url);
	printf("state db:        %s\n", st->state_path);
	printf("config:          %s\n", st->conf_path[0] ? st->conf_path : "-");
	printf("responder:       %u socket%s (%u zero-copy)\n", st->xsk_sockets,
	       st->xsk_sockets == 1 ? "" : "s", st->xsk_zerocopy);
	printf("  frames:        %llu in, %llu out, %llu dropped by the kernel, "
	       "%llu replies lost\n", (unsigned long long)st->resp_rx,
	       (unsigned long long)st->resp_tx, (unsigned long long)st->resp_rx_dropped,
	       (unsigned long long)st->resp_lost);
	printf("  answers:       %llu SYN-ACK, %llu 511, %llu 302, %llu RST, %llu silent\n",
	       (unsigned long long)st->resp_synack, (unsigned long long)st->resp_511,
	       (unsigned long long)st->resp_302, (unsigned long long)st->resp_rst,
	       (unsigned long long)st->resp_silent);
	return EXIT_OK;
}

static const char *const garden_subs[] = { "add", "del", "list", NULL };

static int cmd_garden(int argc, char **argv)
{
	struct g511_ctl_garden req = { 0 };
	struct g511_ctl_garden *v = NULL;
	struct g511_ctl_msg m;
	const char *sub = NULL;
	char text[G511_GARDEN_STRLEN];
	size_t n, i, len = strlen(argv[1]);
	int ret, k;

	for (k = 0; garden_subs[k]; k++) {
		if (strncmp(argv[1], garden_subs[k], len) == 0) {
			if (sub)
				return usage_error("ambiguous '%s'", argv[1]);
			sub = garden_subs[k];
		}
	}
	if (!sub && strcmp(argv[1], "delete") == 0)
		sub = "del";
	if (!sub)
		return usage_error("unknown garden command '%s'", argv[1]);

	if (strcmp(sub, "list") == 0) {
		if (argc != 2)
			return usage_error("garden list takes no argument");
		ret = rpc_connect();
		if (!ret)
			ret = rpc_request(G511_CTL_GARDEN_LIST, NULL);
		if (!ret)
			ret = rpc_collect(G511_CTL_GARDEN, sizeof(*v), (void **)&v, &n);
		if (ret)
			return ret;
		if (cli.json) {
			jw_start_object(cli.jw);
			jw_name(cli.jw, "garden");
			jw_start_array(cli.jw);
			for (i = 0; i < n; i++)
				print_garden_json(&v[i]);
			jw_end_array(cli.jw);
			jw_end_object(cli.jw);
		} else {
			printf("%-50s %s\n", "ENTRY", "SOURCE");
			for (i = 0; i < n; i++) {
				garden_format(&v[i].key, &v[i].val, text, sizeof(text));
				printf("%-50s %s\n", text,
				       v[i].source == G511_GARDEN_SRC_CONFIG ?
				       "config" : "runtime");
			}
		}
		free(v);
		return EXIT_OK;
	}

	if (argc != 3)
		return usage_error("garden %s takes one CIDR[:PORT[,PORT...]]", sub);
	if (garden_parse(argv[2], &req.key, &req.val))
		return usage_error("bad garden entry '%s' (CIDR[:PORT[,PORT...]], "
				   "[IPv6/LEN]:PORT, host bits zero)", argv[2]);
	if (strcmp(sub, "del") == 0)
		memset(&req.val, 0, sizeof(req.val));	/* the prefix names it */
	ret = rpc_connect();
	if (!ret)
		ret = rpc_request(strcmp(sub, "add") == 0 ? G511_CTL_GARDEN_ADD :
				  G511_CTL_GARDEN_DEL, &req);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_OK);
	if (ret)
		return ret;
	garden_format(&req.key, &req.val, text, sizeof(text));
	if (cli.json) {
		jw_start_object(cli.jw);
		jw_string_field(cli.jw, "result", "ok");
		jw_string_field(cli.jw, sub[0] == 'a' ? "added" : "deleted", text);
		jw_end_object(cli.jw);
	} else {
		printf("%s %s\n", sub[0] == 'a' ? "added" : "deleted", text);
	}
	return EXIT_OK;
}

static int cmd_history(int argc, char **argv)
{
	struct g511_ctl_history_req req = { 0 };
	struct g511_ctl_session *v = NULL;
	size_t n, i;
	int ret;

	if (argc == 2) {
		ret = parse_client_arg(argv[1], &req.client);
		if (ret)
			return ret;
		req.flags = G511_CTL_F_FILTER;
	}
	ret = rpc_connect();
	if (!ret)
		ret = rpc_request(G511_CTL_HISTORY, &req);
	if (!ret)
		ret = rpc_collect(G511_CTL_SESSION, sizeof(*v), (void **)&v, &n);
	if (ret)
		return ret;
	if (cli.json) {
		jw_start_object(cli.jw);
		jw_name(cli.jw, "history");
		jw_start_array(cli.jw);
		for (i = 0; i < n; i++)
			print_session_json(&v[i]);
		jw_end_array(cli.jw);
		jw_end_object(cli.jw);
	} else {
		print_session_header();
		for (i = 0; i < n; i++)
			print_session_row(&v[i]);
	}
	free(v);
	return EXIT_OK;
}

static int cmd_import(int argc, char **argv)
{
	struct g511_ctl_grant_req *reqs = NULL;
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_msg m;
	size_t n, i;
	int ret;

	(void)argc;
	ret = import_file_parse(argv[1], &reqs, &n);
	if (ret)
		return ret;
	ret = rpc_connect();
	if (!ret)
		ret = rpc_send(G511_CTL_IMPORT_BEGIN, NULL);
	for (i = 0; i < n && !ret; i++)
		ret = rpc_send(G511_CTL_IMPORT_ITEM, &reqs[i]);
	end.count = n;
	if (!ret)
		ret = rpc_request(G511_CTL_IMPORT_END, &end);
	if (!ret)
		ret = rpc_reply(&m, G511_CTL_OK);
	free(reqs);
	if (ret)
		return ret;
	if (cli.json) {
		jw_start_object(cli.jw);
		jw_u64_field(cli.jw, "imported", m.body.count.count);
		jw_u64_field(cli.jw, "skipped", n - m.body.count.count);
		jw_end_object(cli.jw);
	} else {
		printf("imported %u grants", m.body.count.count);
		if (n > m.body.count.count)
			printf(" (%zu skipped: deadline passed)",
			       n - m.body.count.count);
		printf("\n");
	}
	return EXIT_OK;
}

static int cmd_export(int argc, char **argv)
{
	struct g511_ctl_grant *v = NULL;
	size_t n, i;
	int ret;

	(void)argc;
	(void)argv;
	ret = rpc_connect();
	if (!ret)
		ret = rpc_request(G511_CTL_EXPORT, NULL);
	if (!ret)
		ret = rpc_collect(G511_CTL_GRANT, sizeof(*v), (void **)&v, &n);
	if (ret)
		return ret;
	if (cli.json) {
		print_grants(v, n, SRC_DAEMON);
	} else {
		printf("# gate511 grants, exported %llu; gate511ctl import FILE\n",
		       (unsigned long long)now_wall());
		for (i = 0; i < n; i++)
			print_export_line(&v[i]);
	}
	free(v);
	return EXIT_OK;
}

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "allow", cmd_allow, "ADDR|MAC [--ttl DURATION] [--idle DURATION] [--mac MAC]",
	  "Grant ADDR (IPv4 or IPv6) or MAC access. --ttl sets the session\n"
	  "length, --idle the idle timeout (N[s|m|h|d], 0 = none; default: the\n"
	  "daemon's session_timeout and idle_timeout). --mac binds an address\n"
	  "grant to one MAC. A client that holds a grant gets a new one (the old\n"
	  "session is recorded as replaced). Exit 4 if the map is full: nobody\n"
	  "is evicted.", OPT_TTL | OPT_IDLE | OPT_MAC, 1, 1 },
	{ "deny", cmd_deny, "ADDR|MAC",
	  "Revoke the grant of ADDR or MAC now. Exit 2 if it holds none.", 0, 1, 1 },
	{ "list", cmd_list, "",
	  "List the grants: client, deadline, time left, idle timeout, bound\n"
	  "MAC, packets, bytes, last seen. Reads the pinned maps when the\n"
	  "daemon is not running.", 0, 0, 0 },
	{ "show", cmd_show, "ADDR|MAC",
	  "Show one grant. Exit 2 if the client holds none. Reads the pinned\n"
	  "maps when the daemon is not running.", 0, 1, 1 },
	{ "stats", cmd_stats, "",
	  "Show the XDP program's counters (summed over CPUs and interfaces).\n"
	  "Reads the pinned maps when the daemon is not running.", 0, 0, 0 },
	{ "status", cmd_status, "",
	  "Show the daemon: version, interfaces, grant counts and map sizes,\n"
	  "defaults. Exit 3 if it is not running.", 0, 0, 0 },
	{ "garden", cmd_garden, "add|del CIDR[:PORT[,PORT...]] | list",
	  "Walled garden: destinations unauthenticated clients may reach.\n"
	  "IPv4 10.0.0.0/8:80,443, IPv6 [2001:db8::/32]:443; no ports = all\n"
	  "ports and protocols; host bits must be zero. Entries added here are\n"
	  "kept in the state database; those of the config file are listed\n"
	  "with source \"config\" and are changed in the file.", 0, 1, 2 },
	{ "history", cmd_history, "[ADDR|MAC]",
	  "Closed sessions (all, or of one client): start, end, reason\n"
	  "(expired, idle, revoked, replaced), packets, bytes.", 0, 0, 1 },
	{ "import", cmd_import, "FILE|-",
	  "Grant many clients in one transaction, all or none. One grant per\n"
	  "line: CLIENT [expires=EPOCH|never | ttl=DURATION] [idle=DURATION]\n"
	  "[mac=MAC]; '#' comments. Grants whose deadline has passed are\n"
	  "skipped. `export` writes this format.", 0, 1, 1 },
	{ "export", cmd_export, "",
	  "Write every grant in the import format (with -j: as list does).",
	  0, 0, 0 },
	{ "help", cmd_help, "[COMMAND]", "Show help, for all or one command.",
	  0, 0, 1 },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: gate511ctl [OPTIONS] COMMAND [ARGS]\n"
		"       gate511ctl COMMAND help\n"
		"Commands (any unique prefix will do):\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f,
		"Options:\n"
		"  -j, --json          JSON output (errors as {\"error\": ...})\n"
		"  -p, --pretty        pretty-printed JSON (implies -j)\n"
		"  -s, --socket PATH   control socket (default %s)\n"
		"      --pin-dir DIR   pinned maps (default %s)\n"
		"  -h, --help          this help\n"
		"  -V, --version       show the version\n"
		"Exit codes: 0 ok, 1 bad usage or input, 2 not found, 3 daemon not\n"
		"running, 4 map full, 5 other error.\n",
		G511_CTL_PATH_DEFAULT, G511_PIN_DIR_DEFAULT);
}

static void cmd_usage(const struct cmd *c)
{
	printf("Usage: gate511ctl [OPTIONS] %s%s%s\n\n%s\n", c->name,
	       c->args[0] ? " " : "", c->args, c->help);
}

/* Exact name, else the one command the prefix starts; NULL (reported). */
static const struct cmd *cmd_find(const char *name, int *ret)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name);
	char amb[128] = "";
	unsigned int i;

	for (i = 0; i < N_CMDS; i++)
		if (strcmp(name, cmds[i].name) == 0)
			return &cmds[i];
	for (i = 0; i < N_CMDS; i++) {
		if (strncmp(name, cmds[i].name, len))
			continue;
		if (found) {
			size_t off = strlen(amb);

			if (off == 0)
				off = snprintf(amb, sizeof(amb), "%s", found->name);
			snprintf(amb + off, sizeof(amb) - off, ", %s", cmds[i].name);
		}
		found = &cmds[i];
	}
	if (amb[0]) {
		*ret = usage_error("ambiguous command '%s': %s", name, amb);
		return NULL;
	}
	if (!found)
		*ret = usage_error("unknown command '%s'", name);
	return found;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	int ret = 0;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd_current = NULL;
	c = cmd_find(argv[1], &ret);
	if (!c)
		return ret;
	cmd_usage(c);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- main */

enum { LOPT_PIN_DIR = 256, LOPT_TTL, LOPT_IDLE, LOPT_MAC };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' },
	{ "pin-dir", required_argument, NULL, LOPT_PIN_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "ttl", required_argument, NULL, LOPT_TTL },
	{ "idle", required_argument, NULL, LOPT_IDLE },
	{ "mac", required_argument, NULL, LOPT_MAC },
	{ NULL, 0, NULL, 0 },
};

static int run(int argc, char **argv)
{
	bool help = false, version = false;
	unsigned int opts_used = 0;
	const struct cmd *c;
	int opt, ret = 0, nargs;

	opterr = 0;
	/* options may come before or after the command (permuted) */
	while ((opt = getopt_long(argc, argv, "jps:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = cli.pretty = true;
			break;
		case 's':
			cli.sock_path = optarg;
			break;
		case LOPT_PIN_DIR:
			cli.pin_dir = optarg;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		case LOPT_TTL:
			if (duration_parse(optarg, &cli.ttl_s))
				ret = usage_error("bad --ttl '%s' (N[s|m|h|d])", optarg);
			cli.has_ttl = true;
			opts_used |= OPT_TTL;
			break;
		case LOPT_IDLE:
			if (duration_parse(optarg, &cli.idle_s))
				ret = usage_error("bad --idle '%s' (N[s|m|h|d])", optarg);
			cli.has_idle = true;
			opts_used |= OPT_IDLE;
			break;
		case LOPT_MAC:
			if (mac_parse(optarg, cli.mac) || !mac_is_unicast(cli.mac))
				ret = usage_error("bad --mac '%s' (a unicast "
						  "aa:bb:cc:dd:ee:ff)", optarg);
			cli.has_mac = true;
			opts_used |= OPT_MAC;
			break;
		default:
			if (optopt && optopt < 256)
				ret = usage_error("bad option '-%c' or missing "
						  "argument", optopt);
			else
				ret = usage_error("bad option '%s' or missing "
						  "argument", argv[optind - 1]);
			break;
		}
		if (ret)
			return ret;
	}
	if (cli.json && !cli.jw) {
		cli.jw = jw_new(stdout, cli.pretty);
		if (!cli.jw)
			return cli_error(EXIT_ERROR, "out of memory");
	}
	if (version) {
		if (cli.json) {
			jw_start_object(cli.jw);
			jw_string_field(cli.jw, "version", G511_VERSION);
			jw_u64_field(cli.jw, "protocol", G511_CTL_VERSION);
			jw_end_object(cli.jw);
		} else {
			printf("gate511ctl %s (control protocol %d)\n", G511_VERSION,
			       G511_CTL_VERSION);
		}
		return EXIT_OK;
	}
	argv += optind;
	argc -= optind;
	if (argc == 0) {
		if (help) {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	c = cmd_find(argv[0], &ret);
	if (!c)
		return ret;
	cmd_current = c;
	if (help || (argc == 2 && strcmp(argv[1], "help") == 0 &&
		     c->fn != cmd_help)) {
		cmd_usage(c);
		return EXIT_OK;
	}
	if (opts_used & ~c->opts)
		return usage_error("--ttl, --idle and --mac are options of allow");
	nargs = argc - 1;
	if (nargs < c->min_args)
		return usage_error("missing argument");
	if (nargs > c->max_args)
		return usage_error("unexpected argument '%s'", argv[c->max_args + 1]);
	return c->fn(argc, argv);
}

int main(int argc, char **argv)
{
	int ret;

	ret = run(argc, argv);
	if (rpc.fd >= 0)
		close(rpc.fd);
	jw_destroy(cli.jw);
	if (fflush(stdout) != 0 && ret == EXIT_OK)
		ret = EXIT_ERROR;
	return ret;
}
