// SPDX-License-Identifier: GPL-2.0
/*
 * conf_radius.c - the values of the radius_* keys that need more than the
 * generic parsers of conf.c: a server's HOST[:AUTHPORT[:ACCTPORT]] and a
 * shared secret. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "conf.h"

static int port_parse(const char *s, size_t n, __u16 *out)
{
	char buf[8];
	unsigned long v;
	char *end;

	if (!n || n >= sizeof(buf) || *s < '0' || *s > '9')
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoul(buf, &end, 10);
	if (*end || !v || v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

int conf_radius_server_parse(const char *v, struct g511_radius_server *out,
			     char *why, size_t why_len)
{
	const char *rest, *c2;
	char host[64];
	size_t n;

	memset(out, 0, sizeof(*out));
	out->auth_port = 1812;
	out->acct_port = 1813;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		n = close - v - 1;
		v++;
		rest = close[1] ? close + 2 : NULL;
	} else {
		rest = strchr(v, ':');
		n = rest ? (size_t)(rest - v) : strlen(v);
		if (rest)
			rest++;
	}
	if (!n || n >= sizeof(host))
		goto bad;
	memcpy(host, v, n);
	host[n] = '\0';
	if (addr_parse(host, &out->addr) || addr_is_unspecified(&out->addr)) {
		snprintf(why, why_len, "'%s' is not an IP address (names are not "
			 "looked up)", host);
		return -EINVAL;
	}
	if (!rest)
		return 0;
	c2 = strchr(rest, ':');
	if (port_parse(rest, c2 ? (size_t)(c2 - rest) : strlen(rest), &out->auth_port))
		goto bad;
	if (c2 && port_parse(c2 + 1, strlen(c2 + 1), &out->acct_port))
		goto bad;
	return 0;
bad:
	snprintf(why, why_len, "want HOST[:AUTHPORT[:ACCTPORT]] ([IPv6] in brackets)");
	return -EINVAL;
}

bool conf_radius_secret_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > G511_RADIUS_SECRET_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}
