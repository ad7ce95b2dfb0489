// SPDX-License-Identifier: GPL-2.0
/*
 * portal_check.c - is the login portal reachable before login
 * (portal_check.h)? The rules mirror gate511_decide() in
 * bpf/gate511.bpf.c for an unauthenticated client's TCP: the garden
 * (longest prefix, then its ports) passes it; nothing else does, not
 * even the gateway's own addresses (DHCP and ND only), and port 80 to
 * anything else is answered by the responder with the 511 page itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "portal_check.h"

int portal_target_parse(const char *url, struct portal_target *t)
{
	const char *host, *end, *at, *port = NULL;
	bool bracket = false;
	size_t hlen;

	memset(t, 0, sizeof(*t));
	if (!strncmp(url, "http://", 7)) {
		host = url + 7;
		t->port = 80;
	} else if (!strncmp(url, "https://", 8)) {
		host = url + 8;
		t->port = 443;
	} else {
		return -EINVAL;
	}
	end = host + strcspn(host, "/?#");
	/* user:pass@host: the host is after the last '@' of the authority */
	for (at = host; at < end; at++)
		if (*at == '@')
			host = at + 1;
	if (*host == '[') {
		const char *close = memchr(host, ']', end - host);

		if (!close)
			return -EINVAL;
		if (close + 1 < end) {
			if (close[1] != ':')
				return -EINVAL;
			port = close + 2;
		}
		hlen = close - (host + 1);
		host++;
		bracket = true;
	} else {
		const char *colon = memchr(host, ':', end - host);

		hlen = (colon ? colon : end) - host;
		if (colon)
			port = colon + 1;
	}
	if (!hlen || hlen >= sizeof(t->host))
		return -EINVAL;
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	if (port && port < end) {
		unsigned long v = 0;

		for (const char *c = port; c < end; c++) {
			if (*c < '0' || *c > '9' || c - port >= 5)
				return -EINVAL;
			v = v * 10 + (*c - '0');
		}
		if (v == 0 || v > 65535)
			return -EINVAL;
		t->port = v;
	}
	/* a bracketed host must be an IPv6 address */
	t->literal = addr_parse(t->host, &t->addr) == 0;
	if (bracket && (!t->literal || addr_is_v4(&t->addr)))
		return -EINVAL;
	return 0;
}

static bool prefix_holds(const struct g511_garden_key *k, const struct g511_addr *a)
{
	unsigned int full = k->prefixlen / 8, rest = k->prefixlen % 8;

	if (k->prefixlen > 128)
		return false;
	if (memcmp(k->addr, a->addr, full))
		return false;
	if (!rest)
		return true;
	return !((k->addr[full] ^ a->addr[full]) & (0xff00 >> rest));
}

enum portal_reach portal_reach(const struct g511_addr *addr, uint16_t port,
			       const struct g511_garden_entry *garden, size_t n_garden,
			       const struct g511_addr *local, size_t n_local,
			       const struct g511_garden_entry **match)
{
	const struct g511_garden_entry *best = NULL;

	for (size_t i = 0; i < n_garden; i++) {
		const struct g511_garden_entry *e = &garden[i];

		if (prefix_holds(&e->key, addr) &&
		    (!best || e->key.prefixlen >= best->key.prefixlen))
			best = e;
	}
	*match = best;
	if (best) {
		if (best->val.nports == 0)
			return PORTAL_REACH_GARDEN;
		for (unsigned int i = 0; i < best->val.nports && i < G511_GARDEN_PORTS; i++)
			if (best->val.ports[i] == port)
				return PORTAL_REACH_GARDEN;
		return PORTAL_REACH_PORT;
	}
	for (size_t i = 0; i < n_local; i++)
		if (!memcmp(&local[i], addr, sizeof(*addr)))
			return PORTAL_REACH_LOCAL;
	return PORTAL_REACH_NONE;
}

void portal_reach_explain(enum portal_reach r, const char *url,
			  const struct g511_addr *addr, uint16_t port,
			  const struct g511_garden_entry *match, char *buf, size_t len)
{
	char a[G511_ADDR_STRLEN], fix[G511_ADDR_STRLEN + 16], m[G511_GARDEN_STRLEN];

	addr_format(addr, a, sizeof(a));
	if (addr_is_v4(addr))
		snprintf(fix, sizeof(fix), "%s:%u", a, port);
	else
		snprintf(fix, sizeof(fix), "[%s]:%u", a, port);
	if (r == PORTAL_REACH_PORT && !match)
		r = PORTAL_REACH_NONE;
	switch (r) {
	case PORTAL_REACH_GARDEN:
		buf[0] = '\0';
		return;
	case PORTAL_REACH_PORT:
		garden_format(&match->key, &match->val, m, sizeof(m));
		snprintf(buf, len, "portal %s is not reachable before login: garden %s holds %s "
			 "but not port %u; add `garden = %s` or the port to that entry",
			 url, m, a, port, fix);
		return;
	case PORTAL_REACH_LOCAL:
		snprintf(buf, len, "portal %s is not reachable before login: %s is the gateway's "
			 "own address, to which XDP passes only DHCP and ND; add `garden = %s`",
			 url, a, fix);
		return;
	case PORTAL_REACH_NONE:
	default:
		snprintf(buf, len, "portal %s is not reachable before login: %s port %u is "
			 "in no garden entry; add `garden = %s`", url, a, port, fix);
		return;
	}
}
