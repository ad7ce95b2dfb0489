/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portal_check.h - can an unauthenticated client reach the login portal?
 * The 511 page sends every browser there; a portal the XDP program drops
 * hangs the browser (Chromium follows the page's refresh and waits). Pure:
 * the URL's host and port, and one address against the garden the way
 * gate511_decide() sees it. Resolving a name is the daemon's
 * (user/gate511d/portal_resolve.c).
 */
#ifndef GATE511_PORTAL_CHECK_H
#define GATE511_PORTAL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conf.h"

#define PORTAL_HOST_MAX	256

struct portal_target {
	char host[PORTAL_HOST_MAX];	/* name or address, no brackets */
	uint16_t port;			/* the URL's, or 80 / 443 by scheme */
	bool literal;			/* host is an address: addr is set */
	struct g511_addr addr;
};

/*
 * Host and port of an http:// or https:// URL: userinfo dropped, an IPv6
 * literal in brackets, an empty port is the scheme's. 0, or -EINVAL.
 */
int portal_target_parse(const char *url, struct portal_target *t);

enum portal_reach {
	PORTAL_REACH_GARDEN = 0,	/* a garden entry passes it */
	PORTAL_REACH_PORT,		/* the matching entry lacks the port */
	PORTAL_REACH_LOCAL,		/* the gateway's own address, not in the garden */
	PORTAL_REACH_NONE,		/* no garden entry holds it */
};

/*
 * How XDP treats TCP from an unauthenticated client to addr:port. The
 * garden is an LPM trie, so the longest prefix holding addr decides, and
 * its ports must include port (no ports = all). Of entries with the same
 * prefix the last one counts (give the config's, then the state DB's).
 * XDP passes only DHCP and ND to the gateway's own addresses (local), so
 * those need a garden entry too; they get their own answer for the
 * message. *match is the deciding entry (NULL when none).
 */
enum portal_reach portal_reach(const struct g511_addr *addr, uint16_t port,
			       const struct g511_garden_entry *garden, size_t n_garden,
			       const struct g511_addr *local, size_t n_local,
			       const struct g511_garden_entry **match);

/*
 * The sentence to log when an address is not reachable ("" when it is):
 * names the address, the port and the garden line that would fix it.
 */
void portal_reach_explain(enum portal_reach r, const char *url,
			  const struct g511_addr *addr, uint16_t port,
			  const struct g511_garden_entry *match, char *buf, size_t len);

#endif /* GATE511_PORTAL_CHECK_H */
