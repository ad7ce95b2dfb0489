// SPDX-License-Identifier: GPL-2.0
/*
 * importfile.c - the text format of `gate511ctl import` (what `export`
 * writes): one grant per line,
 *
 *   CLIENT [expires=EPOCH|never | ttl=DURATION] [idle=DURATION] [mac=MAC]
 *
 * CLIENT is an IPv4/IPv6 address or a MAC; expires is an absolute wall
 * deadline (seconds since the epoch; a grant already past it is skipped),
 * ttl a session length from now; without either, or without idle, the
 * daemon's defaults apply. '#' starts a comment; blank lines are ignored.
 * The whole file is checked before anything is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "duration.h"
#include "gate511ctl.h"

static int parse_epoch(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (strcmp(s, "never") == 0) {
		*out = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_line(char *line, struct g511_ctl_grant_req *r,
		      const char **what)
{
	char *save = NULL, *tok;
	bool first = true;
	uint64_t val;

	memset(r, 0, sizeof(*r));
	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : NULL;

		if (first) {
			*what = "bad address or MAC";
			if (client_parse(tok, &r->client))
				return -EINVAL;
			first = false;
			continue;
		}
		*what = "expected expires=, ttl=, idle= or mac=";
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		if (strcmp(tok, "expires") == 0) {
			*what = "bad expires= (seconds since the epoch, or never)";
			if ((r->flags & (G511_CTL_F_TTL | G511_CTL_F_EXPIRES_AT)) ||
			    parse_epoch(v, &val))
				return -EINVAL;
			r->expires_wall = val;
			r->flags |= G511_CTL_F_EXPIRES_AT;
		} else if (strcmp(tok, "ttl") == 0) {
			*what = "bad ttl= (N[s|m|h|d]; not with expires=)";
			if ((r->flags & (G511_CTL_F_TTL | G511_CTL_F_EXPIRES_AT)) ||
			    duration_parse(v, &val))
				return -EINVAL;
			r->ttl_s = val;
			r->flags |= G511_CTL_F_TTL;
		} else if (strcmp(tok, "idle") == 0) {
			*what = "bad idle= (N[s|m|h|d])";
			if ((r->flags & G511_CTL_F_IDLE) || duration_parse(v, &val))
				return -EINVAL;
			r->idle_s = val;
			r->flags |= G511_CTL_F_IDLE;
		} else if (strcmp(tok, "mac") == 0) {
			*what = "bad mac= (a unicast MAC, for address grants)";
			if ((r->flags & G511_CTL_F_MAC) ||
			    r->client.kind != G511_CLIENT_ADDR ||
			    mac_parse(v, r->mac) || !mac_is_unicast(r->mac))
				return -EINVAL;
			r->flags |= G511_CTL_F_MAC;
		} else {
			return -EINVAL;
		}
	}
	return first ? 1 : 0;	/* 1: nothing on the line */
}

int import_file_parse(const char *path, struct g511_ctl_grant_req **reqs,
		      size_t *n)
{
	bool is_stdin = strcmp(path, "-") == 0;
	struct g511_ctl_grant_req *v = NULL;
	size_t cnt = 0, cap = 0, linecap = 0;
	unsigned int lineno = 0;
	char *line = NULL;
	const char *what = "";
	ssize_t len;
	int ret = 0;
	FILE *f;

	f = is_stdin ? stdin : fopen(path, "re");
	if (!f)
		return cli_error(EXIT_USAGE, "cannot open %s: %s", path,
				 strerror(errno));
	while ((len = getline(&line, &linecap, f)) >= 0) {
		char *hash;
		int err;

		lineno++;
		if ((size_t)len != strlen(line)) {
			ret = cli_error(EXIT_USAGE, "%s:%u: NUL byte", path, lineno);
			goto out;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			void *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				ret = cli_error(EXIT_ERROR, "out of memory");
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		err = parse_line(line, &v[cnt], &what);
		if (err < 0) {
			ret = cli_error(EXIT_USAGE, "%s:%u: %s", path, lineno, what);
			goto out;
		}
		if (err == 0 && ++cnt > G511_CTL_IMPORT_MAX) {
			ret = cli_error(EXIT_USAGE, "%s: more than %u grants", path,
					G511_CTL_IMPORT_MAX);
			goto out;
		}
	}
	if (ferror(f))
		ret = cli_error(EXIT_USAGE, "cannot read %s: %s", path,
				strerror(errno));
out:
	free(line);
	if (!is_stdin)
		fclose(f);
	if (ret) {
		free(v);
		return ret;
	}
	*reqs = v;
	*n = cnt;
	return 0;
}
