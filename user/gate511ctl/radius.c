// SPDX-License-Identifier: GPL-2.0
/*
 * radius.c - gate511ctl login and gate511ctl radius (gate511ctl.h).
 *
 * login CLIENT USER reads the password from standard input (one line,
 * echo off on a terminal), never from argv, where every user of the box
 * could read it in /proc. Exit 0 with the grant; 7 rejected (the server's
 * Reply-Message is shown); 8 no RADIUS server answered; the others as for
 * allow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "addr.h"
#include "gate511ctl.h"
#include "json_writer.h"

static int read_password(char *out, size_t size)
{
	struct termios old, noecho;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		noecho = old;
		noecho.c_lflag &= ~ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	}
	if (!fgets(out, size, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strcspn(out, "\r\n");
	if (n == strlen(out) && n == size - 1)
		return -E2BIG;		/* no newline within the limit */
	out[n] = '\0';
	return 0;
}

static int login_error(const struct gctl *g, const struct g511_ctl_error *e, int code,
		       void *ctx)
{
	(void)ctx;
	if (e->code == EACCES && strncmp(e->msg, "permission denied", 17))
		code = EXIT_REJECTED;
	else if (e->code == ETIMEDOUT)
		code = EXIT_UNREACHABLE;
	return cli_error(g, code, "%s", e->msg);
}

int radius_cmd_login(const struct gctl *g, int argc, char **argv)
{
	static struct g511_ctl_login_req req;
	struct rpc_call call = { .type = G511_CTL_LOGIN, .body = &req,
				 .reply = G511_CTL_GRANT, .daemon_error = login_error };
	char pw[G511_CTL_PASSWORD_LEN + 2];
	int ret;

	(void)argc;
	memset(&req, 0, sizeof(req));
	if (client_parse(argv[0], &req.client))
		return cli_error(g, EXIT_USAGE, "'%s' is not an IPv4/IPv6 address or a MAC",
				 argv[0]);
	if (!argv[1][0] || strlen(argv[1]) >= sizeof(req.user))
		return cli_error(g, EXIT_USAGE, "a user name of 1 to %zu bytes",
				 sizeof(req.user) - 1);
	memcpy(req.user, argv[1], strlen(argv[1]));
	if (read_password(pw, sizeof(pw)) || strlen(pw) > 128) {
		explicit_bzero(pw, sizeof(pw));
		return cli_error(g, EXIT_USAGE, "the password (one line on standard input) "
				 "is longer than 128 bytes");
	}
	memcpy(req.password, pw, strlen(pw));
	explicit_bzero(pw, sizeof(pw));
	ret = rpc_call(g, &call);
	explicit_bzero(&req, sizeof(req));
	if (ret)
		return ret;
	if (g->json)
		print_grant_json(g->jw, &call.msg.body.grant, (uint64_t)time(NULL));
	else
		print_grant_block(&call.msg.body.grant, (uint64_t)time(NULL));
	return EXIT_OK;
}

static const char *const srv_state[] = { "unknown", "up", "down" };

int radius_cmd_status(const struct gctl *g, int argc, char **argv)
{
	struct rpc_call call = { .type = G511_CTL_RADIUS_STATUS,
				 .reply = G511_CTL_RADIUS_STATUS_REPLY };
	const struct g511_ctl_radius_status *st = &call.msg.body.radius_status;
	char a[G511_ADDR_STRLEN];
	int ret;

	(void)argc;
	(void)argv;
	ret = rpc_call(g, &call);
	if (ret)
		return ret;
	if (g->json) {
		struct json_writer *jw = g->jw;

		jw_start_object(jw);
		jw_bool_field(jw, "enabled", st->n_servers > 0);
		jw_string_field(jw, "nas_identifier", st->nas_identifier);
		jw_name(jw, "servers");
		jw_start_array(jw);
		for (unsigned int i = 0; i < st->n_servers; i++) {
			const struct g511_ctl_radius_server *s = &st->servers[i];

			addr_format(&s->addr, a, sizeof(a));
			jw_start_object(jw);
			jw_string_field(jw, "address", a);
			jw_u64_field(jw, "auth_port", s->auth_port);
			jw_u64_field(jw, "acct_port", s->acct_port);
			jw_string_field(jw, "state", srv_state[s->state]);
			jw_u64_field(jw, "last_ok", s->last_ok_wall);
			jw_u64_field(jw, "requests", s->requests);
			jw_u64_field(jw, "timeouts", s->timeouts);
			jw_u64_field(jw, "bad_replies", s->bad_replies);
			jw_end_object(jw);
		}
		jw_end_array(jw);
		jw_u64_field(jw, "queue_depth", st->queue_depth);
		jw_u64_field(jw, "queue_oldest", st->queue_oldest_wall);
		jw_u64_field(jw, "access_requests", st->access_requests);
		jw_u64_field(jw, "accepts", st->accepts);
		jw_u64_field(jw, "rejects", st->rejects);
		jw_u64_field(jw, "auth_timeouts", st->auth_timeouts);
		jw_u64_field(jw, "acct_sent", st->acct_sent);
		jw_u64_field(jw, "acct_acked", st->acct_acked);
		jw_u64_field(jw, "acct_timeouts", st->acct_timeouts);
		jw_bool_field(jw, "dae", st->dae_on);
		jw_u64_field(jw, "coa_ack", st->coa_ack);
		jw_u64_field(jw, "coa_nak", st->coa_nak);
		jw_u64_field(jw, "disconnect_ack", st->dm_ack);
		jw_u64_field(jw, "disconnect_nak", st->dm_nak);
		jw_u64_field(jw, "dae_dropped", st->dae_dropped);
		jw_name(jw, "mac_auth");
		jw_start_object(jw);
		jw_bool_field(jw, "enabled", st->mac_auth_on);
		jw_u64_field(jw, "requests", st->mac_requests);
		jw_u64_field(jw, "accepts", st->mac_accepts);
		jw_u64_field(jw, "rejects", st->mac_rejects);
		jw_u64_field(jw, "timeouts", st->mac_timeouts);
		jw_u64_field(jw, "suppressed", st->mac_suppressed);
		jw_u64_field(jw, "pending", st->mac_pending);
		jw_end_object(jw);
		jw_end_object(jw);
		return EXIT_OK;
	}
	if (!st->n_servers) {
		printf("radius: off (no radius_server)\n");
		return EXIT_OK;
	}
	printf("NAS-Identifier: %s\n", st->nas_identifier);
	for (unsigned int i = 0; i < st->n_servers; i++) {
		const struct g511_ctl_radius_server *s = &st->servers[i];

		addr_format(&s->addr, a, sizeof(a));
		printf("server %u: %s auth %u acct %u: %s, %llu requests, %llu timeouts, "
		       "%llu bad replies\n", i + 1, a, s->auth_port, s->acct_port,
		       srv_state[s->state], (unsigned long long)s->requests,
		       (unsigned long long)s->timeouts, (unsigned long long)s->bad_replies);
	}
	printf("access: %llu requests, %llu accepts, %llu rejects, %llu timeouts\n",
	       (unsigned long long)st->access_requests, (unsigned long long)st->accepts,
	       (unsigned long long)st->rejects, (unsigned long long)st->auth_timeouts);
	printf("accounting: %llu queued (oldest %llu), %llu sent, %llu acknowledged, "
	       "%llu timeouts\n", (unsigned long long)st->queue_depth,
	       (unsigned long long)st->queue_oldest_wall, (unsigned long long)st->acct_sent,
	       (unsigned long long)st->acct_acked, (unsigned long long)st->acct_timeouts);
	printf("coa/disconnect: %s; CoA %llu ack %llu nak, Disconnect %llu ack %llu nak, "
	       "%llu dropped\n", st->dae_on ? "on" : "off", (unsigned long long)st->coa_ack,
	       (unsigned long long)st->coa_nak, (unsigned long long)st->dm_ack,
	       (unsigned long long)st->dm_nak, (unsigned long long)st->dae_dropped);
	if (st->mac_auth_on)
		printf("mac-auth: on; %llu requests, %llu accepts, %llu rejects, %llu timeouts, "
		       "%llu suppressed, %llu pending\n", (unsigned long long)st->mac_requests,
		       (unsigned long long)st->mac_accepts, (unsigned long long)st->mac_rejects,
		       (unsigned long long)st->mac_timeouts,
		       (unsigned long long)st->mac_suppressed,
		       (unsigned long long)st->mac_pending);
	else
		printf("mac-auth: off\n");
	return EXIT_OK;
}
