// SPDX-License-Identifier: GPL-2.0
/*
 * gate511ctl - the admin CLI of gate511d, shaped like ip(8)/bpftool(8):
 * `gate511ctl [OPTIONS] COMMAND [ARGS]`, any unique prefix of a command,
 * `gate511ctl COMMAND help`, -j/-p JSON output with errors as
 * {"error": "..."}, and the stable exit codes listed in gate511ctl.h.
 *
 * Options are parsed in two steps: the global ones up to the command name,
 * then the command's arguments with the global options and the command's
 * own option table (struct cmd.opts), so `gate511ctl list -j` works and
 * `--ttl` exists for allow only. The command gets the global state as a
 * struct gctl and its own options in struct cmd_args; nothing is global.
 *
 * It talks to gate511d over the control socket through rpc_call() (one
 * request per connection). When the daemon is down, list, show and stats
 * read the pinned maps instead and say so.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "conf.h"
#include "duration.h"
#include "gate511ctl.h"
#include "gardenname.h"
#include "grantfile.h"

#define SRC_DAEMON	"daemon"
#define SRC_PINNED	"pinned-maps"

/* ----------------------------------------------------------- arguments */

#define CMD_OPTS_MAX	8

struct cmd;

/* One run of a command: its positional arguments and its own options. */
struct cmd_args {
	const struct cmd *cmd;
	int argc;			/* positional arguments, after the name */
	char **argv;
	const char *opt[CMD_OPTS_MAX];	/* by cmd.opts[].val; NULL = not given */
};

struct cmd {
	const char *name;
	int (*fn)(const struct gctl *g, const struct cmd_args *a);
	const char *args;		/* usage after the name */
	const char *help;		/* what it does */
	const struct option *opts;	/* its own options; .val < CMD_OPTS_MAX */
	int min_args, max_args;		/* positional */
};

/* "MSG (usage: gate511ctl CMD ARGS)", or "MSG (try gate511ctl help)". */
static void usage_vformat(char *buf, size_t len, const struct cmd *c, const char *fmt,
			  va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (c)
		snprintf(buf, len, "%s (usage: gate511ctl %s%s%s)", msg, c->name,
			 c->args[0] ? " " : "", c->args);
	else
		snprintf(buf, len, "%s (try gate511ctl help)", msg);
}

int usage_error(const struct gctl *g, const struct cmd *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	usage_vformat(msg, sizeof(msg), c, fmt, ap);
	va_end(ap);
	return cli_error(g, EXIT_USAGE, "%s", msg);
}

static int parse_client_arg(const struct gctl *g, const struct cmd_args *a,
			    const char *s, struct g511_client *c)
{
	if (client_parse(s, c))
		return usage_error(g, a->cmd, "'%s' is not an IPv4/IPv6 address or MAC "
				   "a client can have", s);
	return 0;
}

static uint64_t now_wall(void)
{
	return (uint64_t)time(NULL);
}

static int pinned_error(const struct gctl *g, const struct rpc_call *call, int err,
			const char *why)
{
	if (err == -ENOENT)
		return cli_error(g, EXIT_DOWN, "gate511d is not running (cannot connect "
				 "to %s: %s) and no maps are pinned in %s", g->sock_path,
				 strerror(-call->connect_err), g->pin_dir);
	return cli_error(g, EXIT_ERROR, "gate511d is not running and the maps pinned "
			 "in %s cannot be read: %s", g->pin_dir, why);
}

static void note_pinned(const struct gctl *g)
{
	if (!g->json)
		fprintf(stderr, "gate511ctl: daemon not running; read from pinned "
			"maps in %s\n", g->pin_dir);
}

/* ------------------------------------------------------------ commands */

enum { ALLOW_TTL, ALLOW_IDLE, ALLOW_MAC, ALLOW_USER, ALLOW_QUOTA, ALLOW_RATE_UP,
       ALLOW_RATE_DOWN };

static const struct option allow_opts[] = {
	{ "ttl", required_argument, NULL, ALLOW_TTL },
	{ "idle", required_argument, NULL, ALLOW_IDLE },
	{ "mac", required_argument, NULL, ALLOW_MAC },
	{ "user", required_argument, NULL, ALLOW_USER },
	{ "quota", required_argument, NULL, ALLOW_QUOTA },
	{ "rate-up", required_argument, NULL, ALLOW_RATE_UP },
	{ "rate-down", required_argument, NULL, ALLOW_RATE_DOWN },
	{ NULL, 0, NULL, 0 },
};

/* allow's options into the request: 0 or an exit code (reported). */
static int allow_req(const struct gctl *g, const struct cmd_args *a,
		     struct g511_ctl_grant_req *req)
{
	const char *ttl = a->opt[ALLOW_TTL], *idle = a->opt[ALLOW_IDLE];
	const char *mac = a->opt[ALLOW_MAC], *user = a->opt[ALLOW_USER];
	const char *quota = a->opt[ALLOW_QUOTA];
	const char *rup = a->opt[ALLOW_RATE_UP], *rdown = a->opt[ALLOW_RATE_DOWN];
	const char *why;
	uint64_t secs;

	if (grantfile_client_parse(a->argv[0], &req->client, &why))
		return cli_error(g, EXIT_USAGE, "cannot allow '%s': %s", a->argv[0], why);
	if (ttl) {
		if (duration_parse(ttl, &secs))
			return usage_error(g, a->cmd, "bad --ttl '%s' (N[s|m|h|d])", ttl);
		req->flags |= G511_CTL_F_TTL;
		req->ttl_s = secs;
	}
	if (idle) {
		if (duration_parse(idle, &secs))
			return usage_error(g, a->cmd, "bad --idle '%s' (N[s|m|h|d])", idle);
		req->flags |= G511_CTL_F_IDLE;
		req->idle_s = secs;
	}
	if (mac) {
		if (mac_parse(mac, req->mac) || !mac_is_unicast(req->mac))
			return usage_error(g, a->cmd, "bad --mac '%s' (a unicast "
					   "aa:bb:cc:dd:ee:ff)", mac);
		if (req->client.kind != G511_CLIENT_ADDR)
			return usage_error(g, a->cmd, "--mac binds an address grant to a "
					   "MAC; %s is a MAC already", a->argv[0]);
		req->flags |= G511_CTL_F_MAC;
	}
	if (quota) {
		uint64_t n;

		if (grantfile_amount_parse(quota, GRANTFILE_AMOUNT_BINARY, G511_CTL_QUOTA_MAX, &n))
			return usage_error(g, a->cmd, "bad --quota '%s' (bytes up and down: "
					   "N[K|M|G|T] or N[Ki|Mi|Gi|Ti], 0 = none)", quota);
		req->quota_bytes = n;
		if (n)
			req->flags |= G511_CTL_F_QUOTA;
	}
	if (rup) {
		uint64_t n;

		if (grantfile_amount_parse(rup, 0, G511_CTL_RATE_MAX, &n))
			return usage_error(g, a->cmd, "bad --rate-up '%s' (bits/s: "
					   "N[K|M|G|T], 0 = unlimited)", rup);
		req->rate_up_bps = n;
		if (n)
			req->flags |= G511_CTL_F_RATE_UP;
	}
	if (rdown) {
		uint64_t n;

		if (grantfile_amount_parse(rdown, 0, G511_CTL_RATE_MAX, &n))
			return usage_error(g, a->cmd, "bad --rate-down '%s' (bits/s: "
					   "N[K|M|G|T], 0 = unlimited)", rdown);
		req->rate_down_bps = n;
		if (n)
			req->flags |= G511_CTL_F_RATE_DOWN;
	}
	if (user) {
		if (strlen(user) >= sizeof(req->user))
			return usage_error(g, a->cmd, "--user takes at most %zu bytes",
					   sizeof(req->user) - 1);
		memcpy(req->user, user, strlen(user));
	}
	return 0;
}

static int cmd_allow(const struct gctl *g, const struct cmd_args *a)
{
	struct g511_ctl_grant_req req = { 0 };
	struct rpc_call call = { .type = G511_CTL_ALLOW, .body = &req,
				 .reply = G511_CTL_GRANT };
	const struct g511_ctl_grant *gr = &call.msg.body.grant;
	char who[G511_CLIENT_STRLEN], t[32], d[32];
	int ret;

	ret = allow_req(g, a, &req);
	if (!ret)
		ret = rpc_call(g, &call);
	if (ret)
		return ret;
	if (g->json) {
		print_grant_json(g->jw, gr, now_wall());
		return EXIT_OK;
	}
	client_format(&gr->client, who, sizeof(who));
	if (gr->expires_wall) {
		print_time(gr->expires_wall, t, sizeof(t));
		duration_format(gr->ttl_s, d, sizeof(d));
		printf("allowed %s until %s (%s)", who, t, d);
	} else {
		printf("allowed %s without a deadline", who);
	}
	if (gr->idle_s) {
		duration_format(gr->idle_s, d, sizeof(d));
		printf(", idle timeout %s", d);
	}
	if (gr->flags & G511_CTL_GF_MAC_BOUND) {
		mac_format(gr->mac, t, sizeof(t));
		printf(", bound to %s", t);
	}
	if (gr->user[0])
		printf(", user %.*s", (int)sizeof(gr->user), gr->user);
	if (gr->quota_bytes) {
		grantfile_amount_format(gr->quota_bytes, d, sizeof(d));
		printf(", quota %sB", d);
	}
	if (gr->rate_up_bps) {
		grantfile_amount_format(gr->rate_up_bps, d, sizeof(d));
		printf(", rate up %sbit/s", d);
	}
	if (gr->rate_down_bps) {
		grantfile_amount_format(gr->rate_down_bps, d, sizeof(d));
		printf(", rate down %sbit/s", d);
	}
	printf("\n");
	return EXIT_OK;
}

static int cmd_deny(const struct gctl *g, const struct cmd_args *a)
{
	struct g511_ctl_client_req req = { 0 };
	struct rpc_call call = { .type = G511_CTL_DENY, .body = &req,
				 .reply = G511_CTL_SESSION };
	const struct g511_ctl_session *s = &call.msg.body.session;
	char who[G511_CLIENT_STRLEN];
	int ret;

	ret = parse_client_arg(g, a, a->argv[0], &req.client);
	if (!ret)
		ret = rpc_call(g, &call);
	if (ret)
		return ret;
	if (g->json) {
		print_session_json(g->jw, s);
		return EXIT_OK;
	}
	client_format(&s->client, who, sizeof(who));
	printf("revoked %s (%llu packets, %llu bytes", who,
	       (unsigned long long)s->packets, (unsigned long long)s->bytes);
	if (s->packets_down || s->bytes_down)
		printf("; down %llu packets, %llu bytes",
		       (unsigned long long)s->packets_down,
		       (unsigned long long)s->bytes_down);
	printf(")\n");
	return EXIT_OK;
}

static void print_grants(const struct gctl *g, const struct g511_ctl_grant *v,
			 size_t n, const char *source)
{
	uint64_t now = now_wall();
	size_t i;

	if (g->json) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "source", source);
		jw_name(g->jw, "grants");
		jw_start_array(g->jw);
		for (i = 0; i < n; i++)
			print_grant_json(g->jw, &v[i], now);
		jw_end_array(g->jw);
		jw_end_object(g->jw);
		return;
	}
	print_grant_header();
	for (i = 0; i < n; i++)
		print_grant_row(&v[i], now);
}

struct grant_vec {
	struct g511_ctl_grant *v;
	size_t n, cap;
	bool oom;
};

static void grant_vec_add(const struct g511_ctl_grant *gr, void *arg)
{
	struct grant_vec *gv = arg;

	if (gv->oom)
		return;
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
	gv->v[gv->n++] = *gr;
}

static int list_pinned(const struct gctl *g, const struct rpc_call *call)
{
	struct grant_vec gv = { 0 };
	char why[256];
	int err;

	err = pinned_list(g->pin_dir, grant_vec_add, &gv, why, sizeof(why));
	if (err || gv.oom) {
		free(gv.v);
		return gv.oom ? cli_error(g, EXIT_ERROR, "out of memory") :
				pinned_error(g, call, err, why);
	}
	note_pinned(g);
	print_grants(g, gv.v, gv.n, SRC_PINNED);
	free(gv.v);
	return EXIT_OK;
}

static int cmd_list(const struct gctl *g, const struct cmd_args *a)
{
	struct rpc_call call = { .type = G511_CTL_LIST, .reply = G511_CTL_GRANT,
				 .stream = true, .fall_back = true };
	int ret;

	(void)a;
	ret = rpc_call(g, &call);
	if (ret == RPC_DOWN)
		return list_pinned(g, &call);
	if (ret)
		return ret;
	print_grants(g, call.items, call.n, SRC_DAEMON);
	free(call.items);
	return EXIT_OK;
}

static void print_one_grant(const struct gctl *g, const struct g511_ctl_grant *gr,
			    const char *source)
{
	if (g->json) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "source", source);
		jw_name(g->jw, "grant");
		print_grant_json(g->jw, gr, now_wall());
		jw_end_object(g->jw);
	} else {
		print_grant_block(gr, now_wall());
	}
}

static int cmd_show(const struct gctl *g, const struct cmd_args *a)
{
	struct g511_ctl_client_req req = { 0 };
	struct rpc_call call = { .type = G511_CTL_SHOW, .body = &req,
				 .reply = G511_CTL_GRANT, .fall_back = true };
	struct g511_ctl_grant gr;
	char why[256];
	bool found;
	int err, ret;

	ret = parse_client_arg(g, a, a->argv[0], &req.client);
	if (!ret)
		ret = rpc_call(g, &call);
	if (ret == RPC_DOWN) {
		err = pinned_show(g->pin_dir, &req.client, &gr, &found, why, sizeof(why));
		if (err)
			return pinned_error(g, &call, err, why);
		note_pinned(g);
		if (!found)
			return cli_error(g, EXIT_NOTFOUND, "%s holds no grant", a->argv[0]);
		print_one_grant(g, &gr, SRC_PINNED);
		return EXIT_OK;
	}
	if (ret)
		return ret;
	print_one_grant(g, &call.msg.body.grant, SRC_DAEMON);
	return EXIT_OK;
}

static int cmd_stats(const struct gctl *g, const struct cmd_args *a)
{
	struct rpc_call call = { .type = G511_CTL_STATS, .reply = G511_CTL_STATS_REPLY,
				 .fall_back = true };
	struct g511_ctl_stats s;
	char why[256];
	int err, ret;

	(void)a;
	ret = rpc_call(g, &call);
	if (ret == RPC_DOWN) {
		err = pinned_stats(g->pin_dir, &s, why, sizeof(why));
		if (err)
			return pinned_error(g, &call, err, why);
		note_pinned(g);
		print_stats(g, &s, SRC_PINNED);
		return EXIT_OK;
	}
	if (ret)
		return ret;
	print_stats(g, &call.msg.body.stats, SRC_DAEMON);
	return EXIT_OK;
}

static int cmd_history(const struct gctl *g, const struct cmd_args *a)
{
	struct g511_ctl_history_req req = { 0 };
	struct rpc_call call = { .type = G511_CTL_HISTORY, .body = &req,
				 .reply = G511_CTL_SESSION, .stream = true };
	const struct g511_ctl_session *v;
	size_t i;
	int ret;

	if (a->argc == 1) {
		ret = parse_client_arg(g, a, a->argv[0], &req.client);
		if (ret)
			return ret;
		req.flags = G511_CTL_F_FILTER;
	}
	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	v = call.items;
	if (g->json) {
		jw_start_object(g->jw);
		jw_name(g->jw, "history");
		jw_start_array(g->jw);
		for (i = 0; i < call.n; i++)
			print_session_json(g->jw, &v[i]);
		jw_end_array(g->jw);
		jw_end_object(g->jw);
	} else {
		print_session_header();
		for (i = 0; i < call.n; i++)
			print_session_row(&v[i]);
	}
	free(call.items);
	return EXIT_OK;
}

static int import_send_item(const struct g511_ctl_grant_req *r, unsigned int lineno,
			    void *conn)
{
	(void)lineno;
	return rpc_send(conn, G511_CTL_IMPORT_ITEM, r);
}

/* The batch of an import: BEGIN, then one ITEM a grant of the file. */
static int import_batch(struct rpc_conn *conn, void *file)
{
	int ret = rpc_send(conn, G511_CTL_IMPORT_BEGIN, NULL);

	if (!ret)
		ret = import_file_each(file, import_send_item, conn);
	/* the file was checked already: only an exit code can stop it */
	return ret < 0 ? EXIT_ERROR : ret;
}

/* The daemon refused an item: name the line of the file it came from. */
static int import_error(const struct gctl *g, const struct g511_ctl_error *e, int code,
			void *file)
{
	const struct import_file *f = file;
	unsigned int item, lineno;
	const char *rest;

	item = ctl_error_item(e->msg, &rest);
	if (item && import_file_line(f, item, &lineno) == 0)
		return cli_error(g, code, "%s line %u: %s", f->name, lineno, rest);
	return cli_error(g, code, "%s: %s", f->name, e->msg);
}

static int cmd_import(const struct gctl *g, const struct cmd_args *a)
{
	struct g511_ctl_count end = { 0 };
	struct rpc_call call = { .type = G511_CTL_IMPORT_END, .body = &end,
				 .reply = G511_CTL_OK, .batch = import_batch,
				 .daemon_error = import_error };
	struct import_file f;
	char why[512];
	__u32 done;
	int ret;

	ret = import_file_load(a->argv[0], &f, why, sizeof(why));
	if (ret)
		return cli_error(g, ret == -ENOMEM ? EXIT_ERROR : EXIT_USAGE, "%s", why);
	end.count = (__u32)f.n;
	call.batch_ctx = &f;
	ret = rpc_call(g, &call);
	import_file_free(&f);
	if (ret)
		return ret;
	done = call.msg.body.count.count;
	if (g->json) {
		jw_start_object(g->jw);
		jw_u64_field(g->jw, "imported", done);
		jw_u64_field(g->jw, "skipped", end.count - done);
		jw_end_object(g->jw);
	} else {
		printf("imported %u grants", done);
		if (end.count > done)
			printf(" (%u skipped: deadline passed)", end.count - done);
		printf("\n");
	}
	return EXIT_OK;
}

static int cmd_export(const struct gctl *g, const struct cmd_args *a)
{
	struct rpc_call call = { .type = G511_CTL_EXPORT, .reply = G511_CTL_GRANT,
				 .stream = true };
	const struct g511_ctl_grant *v;
	size_t i;
	int ret;

	(void)a;
	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	v = call.items;
	if (g->json) {
		print_grants(g, v, call.n, SRC_DAEMON);
	} else {
		printf("# gate511 grants, exported %llu; gate511ctl import FILE\n",
		       (unsigned long long)now_wall());
		for (i = 0; i < call.n && ret == 0; i++)
			ret = print_export_line(&v[i]);
		if (ret)
			ret = cli_error(g, EXIT_ERROR, "cannot write grant %zu: %s", i,
					strerror(-ret));
	}
	free(call.items);
	return ret;
}

static int cmd_help(const struct gctl *g, const struct cmd_args *a);

static int cmd_status(const struct gctl *g, const struct cmd_args *a)
{
	(void)a;
	return status_cmd(g);
}

static int cmd_garden(const struct gctl *g, const struct cmd_args *a)
{
	return garden_cmd(g, a->cmd, a->argc, a->argv);
}

static int cmd_login(const struct gctl *g, const struct cmd_args *a)
{
	return radius_cmd_login(g, a->argc, a->argv);
}

static int cmd_set(const struct gctl *g, const struct cmd_args *a)
{
	return set_cmd(g, a->argc, a->argv, a->opt);
}

static int cmd_radius(const struct gctl *g, const struct cmd_args *a)
{
	return radius_cmd_status(g, a->argc, a->argv);
}

static const struct cmd cmds[] = {
	{ "allow", cmd_allow,
	  "ADDR|MAC [--ttl DURATION] [--idle DURATION] [--mac MAC] [--user NAME] [--quota BYTES]\n"
	  "      [--rate-up BITS] [--rate-down BITS]",
	  "Grant ADDR (IPv4 or IPv6) or MAC access. --ttl sets the session\n"
	  "length, --idle the idle timeout (N[s|m|h|d], 0 = none; default: the\n"
	  "daemon's session_timeout and idle_timeout). --mac binds an address\n"
	  "grant to one MAC; --user records who it is for. A client that holds\n"
	  "a grant gets a new one (the old session is recorded as replaced).\n"
	  "--quota caps the bytes up and down together (L3, e.g. 500M or 2Gi):\n"
	  "at the quota the datapath makes the client captive again and the\n"
	  "session is closed with reason quota.\n"
	  "--rate-up and --rate-down limit the client in bits/s (L3, e.g. 5M,\n"
	  "20M; 0 = unlimited): the upload is policed (over-rate packets are\n"
	  "dropped), the download paced under fq (see gate511d's shaping).\n"
	  "Allowing a client again with other rates changes them at once.\n"
	  "Exit 4 if the map is full: nobody is evicted.", allow_opts, 1, 1 },
	{ "set", cmd_set,
	  "ADDR|MAC [--ttl DURATION] [--idle DURATION] [--quota BYTES] [--rate-up BITS]\n"
	  "      [--rate-down BITS]",
	  "Change a live grant in place: --ttl is the new session length from\n"
	  "now, the others as for allow; 0 or none removes that limit; what is\n"
	  "not named stays. Unlike allow, the session goes on: the counters,\n"
	  "the Acct-Session-Id and the start are kept, RADIUS accounting sees no\n"
	  "Stop or Start. A new rate holds from the next packet. Exit 2 if the\n"
	  "client holds no grant in force.", set_opts, 1, 1 },
	{ "deny", cmd_deny, "ADDR|MAC",
	  "Revoke the grant of ADDR or MAC now. Exit 2 if it holds none.", NULL, 1, 1 },
	{ "list", cmd_list, "",
	  "List the grants: client, deadline, time left, idle timeout, bound\n"
	  "MAC, packets and bytes up and down, quota, rates, origin, user, last\n"
	  "seen. Reads the pinned maps when the daemon is not running.", NULL, 0, 0 },
	{ "show", cmd_show, "ADDR|MAC",
	  "Show one grant. Exit 2 if the client holds none. Reads the pinned\n"
	  "maps when the daemon is not running.", NULL, 1, 1 },
	{ "stats", cmd_stats, "",
	  "Show the XDP program's counters (summed over CPUs and interfaces).\n"
	  "Reads the pinned maps when the daemon is not running.", NULL, 0, 0 },
	{ "status", cmd_status, "",
	  "Show the daemon: version, interfaces, grant counts and map sizes,\n"
	  "defaults. Exit 3 if it is not running.", NULL, 0, 0 },
	{ "garden", cmd_garden, "add|del CIDR[:PORT[,PORT...]] | list",
	  "Walled garden: destinations unauthenticated clients may reach.\n"
	  "IPv4 10.0.0.0/8:80,443, IPv6 [2001:db8::/32]:443; no ports = all\n"
	  "ports and protocols; host bits must be zero. Entries added here are\n"
	  "kept in the state database; those of the config file are listed\n"
	  "with source \"config\" and are changed in the file.", NULL, 1, 2 },
	{ "history", cmd_history, "[ADDR|MAC]",
	  "Closed sessions (all, or of one client): start, end, reason\n"
	  "(expired, idle, revoked, replaced, quota, disconnected), packets,\n"
	  "bytes, origin, user.", NULL, 0, 1 },
	{ "import", cmd_import, "FILE|-",
	  "Grant many clients in one transaction, all or none; an error names\n"
	  "the line. One grant per line, one line per client:\n"
	  "CLIENT [expires=EPOCH|never | ttl=DURATION] [idle=DURATION]\n"
	  "[mac=MAC] [quota=BYTES] [rate-up=BITS] [rate-down=BITS] [user=NAME]\n"
	  "[class=HEX] [acct-session-id=ID]; '#' comments; values with blanks\n"
	  "in \"quotes\". Grants whose deadline has passed are skipped. `export`\n"
	  "writes this format.", NULL, 1, 1 },
	{ "export", cmd_export, "",
	  "Write every grant in the import format (with -j: as list does).",
	  NULL, 0, 0 },
	{ "login", cmd_login, "ADDR|MAC USER",
	  "Log USER in for the client with RADIUS (PAP); the password is one\n"
	  "line on standard input. An Access-Accept becomes a grant (origin\n"
	  "radius, with the server's Session-Timeout, Idle-Timeout and Class).\n"
	  "Exit 7 if rejected (the server's Reply-Message is shown), 8 if no\n"
	  "server answered; nothing is granted then.", NULL, 2, 2 },
	{ "radius", cmd_radius, "",
	  "Show the RADIUS servers and their state, the accounting queue and\n"
	  "the counters of requests, accepts, rejects, timeouts, CoA and\n"
	  "Disconnect.", NULL, 0, 0 },
	{ "help", cmd_help, "[COMMAND]", "Show help, for all or one command.",
	  NULL, 0, 1 },
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
		"Options (before or after the command):\n"
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

/* Exact name, else the one command the prefix starts; NULL, why in *why. */
static const struct cmd *cmd_lookup(const char *name, char *why, size_t why_len)
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
		snprintf(why, why_len, "ambiguous command '%s': %s", name, amb);
		return NULL;
	}
	if (!found)
		snprintf(why, why_len, "unknown command '%s'", name);
	return found;
}

/* cmd_lookup(), reported. */
static const struct cmd *cmd_find(const struct gctl *g, const char *name, int *ret)
{
	const struct cmd *c;
	char why[256];

	c = cmd_lookup(name, why, sizeof(why));
	if (!c)
		*ret = usage_error(g, NULL, "%s", why);
	return c;
}

static int cmd_help(const struct gctl *g, const struct cmd_args *a)
{
	const struct cmd *c;
	int ret = 0;

	if (a->argc < 1) {
		usage(stdout);
		return EXIT_OK;
	}
	c = cmd_find(g, a->argv[0], &ret);
	if (!c)
		return ret;
	cmd_usage(c);
	return EXIT_OK;
}

/* ---------------------------------------------------------------- main */

enum { LOPT_PIN_DIR = 256, LOPT_CMD = 512 };	/* LOPT_CMD + cmd.opts[].val */

static const struct option global_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' },
	{ "pin-dir", required_argument, NULL, LOPT_PIN_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};

#define N_GLOBAL_OPTS (sizeof(global_opts) / sizeof(global_opts[0]))

/*
 * What the command line asked besides the command. Errors found while
 * parsing it are kept (the first one) and reported once parsing is done:
 * -j may come after the mistake (`gate511ctl --bogus -j`, `allow -x -j`),
 * and its error must be JSON too.
 */
struct run_flags {
	bool help, version;
	char error[512];	/* the first usage error; "" = none */
};

static void run_error(struct run_flags *rf, const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void run_error(struct run_flags *rf, const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	if (rf->error[0])
		return;
	va_start(ap, fmt);
	usage_vformat(rf->error, sizeof(rf->error), c, fmt, ap);
	va_end(ap);
}

/* The command whose option tables name the long option in arg, or NULL. */
static const struct cmd *cmd_of_option(const char *arg)
{
	size_t len;
	unsigned int i;
	const struct option *o;

	if (strncmp(arg, "--", 2))
		return NULL;
	arg += 2;
	len = strcspn(arg, "=");
	for (i = 0; i < N_CMDS; i++)
		for (o = cmds[i].opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
				return &cmds[i];
	return NULL;
}

/* A global option, or the error getopt found (kept in rf). */
static void global_opt(struct gctl *g, const struct cmd *c, struct run_flags *rf,
		       int opt, char **argv)
{
	const struct cmd *owner;

	switch (opt) {
	case 'j':
		g->json = true;
		return;
	case 'p':
		g->json = g->pretty = true;
		return;
	case 's':
		g->sock_path = optarg;
		return;
	case LOPT_PIN_DIR:
		g->pin_dir = optarg;
		return;
	case 'h':
		rf->help = true;
		return;
	case 'V':
		rf->version = true;
		return;
	}
	if (optopt && optopt < 256 && strncmp(argv[optind - 1], "--", 2)) {
		run_error(rf, c, "bad option '-%c' or missing argument", optopt);
		return;
	}
	owner = optopt ? NULL : cmd_of_option(argv[optind - 1]);
	if (owner && owner != c)
		run_error(rf, c, "'%s' is an option of %s (after the command)",
			  argv[optind - 1], owner->name);
	else
		run_error(rf, c, "bad option '%s' or missing argument", argv[optind - 1]);
}

/*
 * The command's arguments (argv[0] its name): the global options and its
 * own anywhere among them (permuted), the rest positional. With no command
 * (an unknown name) only the global options, to find -j.
 */
static void cmd_parse(struct gctl *g, struct cmd_args *a, struct run_flags *rf,
		      int argc, char **argv)
{
	struct option opts[N_GLOBAL_OPTS + CMD_OPTS_MAX + 1];
	const struct option *o;
	unsigned int n = N_GLOBAL_OPTS;
	int opt;

	memcpy(opts, global_opts, sizeof(global_opts));
	for (o = a->cmd ? a->cmd->opts : NULL;
	     o && o->name && n < N_GLOBAL_OPTS + CMD_OPTS_MAX; o++) {
		opts[n] = *o;
		opts[n++].val = LOPT_CMD + o->val;
	}
	memset(&opts[n], 0, sizeof(opts[n]));
	optind = 0;	/* reinitialize getopt for a new argv */
	while ((opt = getopt_long(argc, argv, "jps:hV", opts, NULL)) != -1) {
		if (opt >= LOPT_CMD && opt < LOPT_CMD + CMD_OPTS_MAX) {
			a->opt[opt - LOPT_CMD] = optarg;
			continue;
		}
		global_opt(g, a->cmd, rf, opt, argv);
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
}

static int print_version(const struct gctl *g)
{
	if (g->json) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "version", G511_VERSION);
		jw_u64_field(g->jw, "protocol", G511_CTL_VERSION);
		jw_end_object(g->jw);
	} else {
		printf("gate511ctl %s (control protocol %d)\n", G511_VERSION,
		       G511_CTL_VERSION);
	}
	return EXIT_OK;
}

static int open_json(struct gctl *g)
{
	if (g->json && !g->jw) {
		g->jw = jw_new(stdout, g->pretty);
		if (!g->jw)
			return cli_error(g, EXIT_ERROR, "out of memory");
	}
	return 0;
}

static int run(struct gctl *g, int argc, char **argv)
{
	struct option opts[N_GLOBAL_OPTS + 1] = { 0 };
	struct run_flags rf = { 0 };
	struct cmd_args a = { 0 };
	char why[256];
	int opt, ret;

	memcpy(opts, global_opts, sizeof(global_opts));
	opterr = 0;
	/* the global options, up to the command's name */
	while ((opt = getopt_long(argc, argv, "+jps:hV", opts, NULL)) != -1)
		global_opt(g, NULL, &rf, opt, argv);
	argv += optind;
	argc -= optind;
	if (argc > 0) {
		a.cmd = cmd_lookup(argv[0], why, sizeof(why));
		if (!a.cmd)
			run_error(&rf, NULL, "%s", why);
		cmd_parse(g, &a, &rf, argc, argv);
	}
	/* every option is known now, -j too: errors from here on honour it */
	ret = open_json(g);
	if (ret)
		return ret;
	if (rf.error[0])
		return cli_error(g, EXIT_USAGE, "%s", rf.error);
	if (rf.version)
		return print_version(g);
	if (!a.cmd) {
		if (rf.help) {
			usage(stdout);
			return EXIT_OK;
		}
		if (g->json)
			return cli_error(g, EXIT_USAGE, "no command given (try gate511ctl help)");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (rf.help || (a.argc == 1 && strcmp(a.argv[0], "help") == 0 &&
			a.cmd->fn != cmd_help)) {
		cmd_usage(a.cmd);
		return EXIT_OK;
	}
	if (a.argc < a.cmd->min_args)
		return usage_error(g, a.cmd, "missing argument");
	if (a.argc > a.cmd->max_args)
		return usage_error(g, a.cmd, "unexpected argument '%s'",
				   a.argv[a.cmd->max_args]);
	return a.cmd->fn(g, &a);
}

int main(int argc, char **argv)
{
	struct gctl g = {
		.sock_path = G511_CTL_PATH_DEFAULT,
		.pin_dir = G511_PIN_DIR_DEFAULT,
	};
	int ret;

	ret = run(&g, argc, argv);
	jw_destroy(g.jw);
	if (fflush(stdout) != 0 && ret == EXIT_OK)
		ret = EXIT_ERROR;
	return ret;
}
