// SPDX-License-Identifier: GPL-2.0
/*
 * set.c - `gate511ctl set CLIENT [--ttl D] [--idle D] [--quota N]
 * [--rate-up R] [--rate-down R]`: change a live grant in place (the SET
 * request). Unlike allow, the session goes on: same Acct-Session-Id, the
 * counters kept, no accounting Stop/Start. 0 or "none" removes a limit.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "duration.h"
#include "gate511ctl.h"
#include "grantfile.h"

const struct option set_opts[] = {
	{ "ttl", required_argument, NULL, SET_OPT_TTL },
	{ "idle", required_argument, NULL, SET_OPT_IDLE },
	{ "quota", required_argument, NULL, SET_OPT_QUOTA },
	{ "rate-up", required_argument, NULL, SET_OPT_RATE_UP },
	{ "rate-down", required_argument, NULL, SET_OPT_RATE_DOWN },
	{ NULL, 0, NULL, 0 },
};

static bool is_none(const char *s)
{
	return !strcmp(s, "none");
}

static int set_duration(const struct gctl *g, const char *name, const char *s,
			uint64_t *out)
{
	if (is_none(s)) {
		*out = 0;
		return 0;
	}
	if (duration_parse(s, out))
		return cli_error(g, EXIT_USAGE, "set: bad --%s '%s' (N[s|m|h|d], 0 or none "
				 "= no limit)", name, s);
	return 0;
}

static int set_amount(const struct gctl *g, const char *name, const char *s,
		      unsigned int flags, uint64_t max, const char *unit, uint64_t *out)
{
	if (is_none(s)) {
		*out = 0;
		return 0;
	}
	if (grantfile_amount_parse(s, flags, max, out))
		return cli_error(g, EXIT_USAGE, "set: bad --%s '%s' (%s, 0 or none = no "
				 "limit)", name, s, unit);
	return 0;
}

static int set_req(const struct gctl *g, int argc, char **argv, const char *const *opt,
		   struct g511_ctl_set_req *r)
{
	uint64_t v = 0;
	int ret = 0;

	if (argc != 1)
		return cli_error(g, EXIT_USAGE, "set: one client, then what to change");
	if (client_parse(argv[0], &r->client))
		return cli_error(g, EXIT_USAGE, "set: '%s' is not an IPv4/IPv6 address or MAC "
				 "a client can have", argv[0]);
	if (opt[SET_OPT_TTL]) {
		r->flags |= G511_CTL_F_TTL;
		ret = set_duration(g, "ttl", opt[SET_OPT_TTL], &v);
		r->ttl_s = v;
	}
	if (!ret && opt[SET_OPT_IDLE]) {
		r->flags |= G511_CTL_F_IDLE;
		ret = set_duration(g, "idle", opt[SET_OPT_IDLE], &v);
		r->idle_s = v;
	}
	if (!ret && opt[SET_OPT_QUOTA]) {
		r->flags |= G511_CTL_F_QUOTA;
		ret = set_amount(g, "quota", opt[SET_OPT_QUOTA], GRANTFILE_AMOUNT_BINARY,
				 G511_CTL_QUOTA_MAX, "bytes: N[K|M|G|T] or N[Ki|Mi|Gi|Ti]",
				 &v);
		r->quota_bytes = v;
	}
	if (!ret && opt[SET_OPT_RATE_UP]) {
		r->flags |= G511_CTL_F_RATE_UP;
		ret = set_amount(g, "rate-up", opt[SET_OPT_RATE_UP], 0, G511_CTL_RATE_MAX,
				 "bits/s: N[K|M|G|T]", &v);
		r->rate_up_bps = v;
	}
	if (!ret && opt[SET_OPT_RATE_DOWN]) {
		r->flags |= G511_CTL_F_RATE_DOWN;
		ret = set_amount(g, "rate-down", opt[SET_OPT_RATE_DOWN], 0, G511_CTL_RATE_MAX,
				 "bits/s: N[K|M|G|T]", &v);
		r->rate_down_bps = v;
	}
	if (!ret && !r->flags)
		ret = cli_error(g, EXIT_USAGE, "set: nothing to change (--ttl, --idle, --quota, "
				"--rate-up, --rate-down)");
	return ret;
}

int set_cmd(const struct gctl *g, int argc, char **argv, const char *const *opt)
{
	struct g511_ctl_set_req req;
	struct rpc_call call = { .type = G511_CTL_SET, .body = &req,
				 .reply = G511_CTL_GRANT };
	const struct g511_ctl_grant *gr = &call.msg.body.grant;
	int ret;

	memset(&req, 0, sizeof(req));
	ret = set_req(g, argc, argv, opt, &req);
	if (!ret)
		ret = rpc_call(g, &call);
	if (ret)
		return ret;
	if (g->json) {
		jw_start_object(g->jw);
		jw_name(g->jw, "grant");
		print_grant_json(g->jw, gr, (uint64_t)time(NULL));
		jw_end_object(g->jw);
	} else {
		print_grant_block(gr, (uint64_t)time(NULL));
	}
	return EXIT_OK;
}
