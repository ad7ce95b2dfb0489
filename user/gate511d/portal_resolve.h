/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portal_resolve.h - at start, on reload and in `gate511d -t`: warn when
 * the portal the 511 page sends browsers to cannot be reached before
 * login (user/lib/portal_check.h decides; this resolves the name, bounded,
 * and logs). A warning only: the admin may know better (a portal behind a
 * proxy the garden holds), and nothing here changes what XDP does.
 */
#ifndef GATE511D_PORTAL_RESOLVE_H
#define GATE511D_PORTAL_RESOLVE_H

#include <stddef.h>
#include "conf.h"
#include "daemon.h"

#define PORTAL_RESOLVE_MS	2000	/* the longest a check may hold up start or reload */
#define PORTAL_RESOLVE_MAX	16	/* addresses of a name checked */

/*
 * The addresses of host (getaddrinfo in a thread of its own, abandoned
 * after timeout_ms: start-up and reload never wait longer). 0 with *n >= 1;
 * else -errno (-ETIMEDOUT) or -EHOSTUNREACH for a resolver's answer, with
 * the reason in why.
 */
int portal_resolve(const char *host, int timeout_ms, struct g511_addr *out, size_t max,
		   size_t *n, char *why, size_t why_len);

/*
 * Log a warning for each way conf's portal is out of reach before login,
 * against conf's garden followed by extra (the state DB's entries, which
 * replace the config's of the same prefix) and conf's local_addrs.
 * Returns the number of warnings.
 */
int portal_check_conf(const struct g511_conf *conf, const struct g511_garden_entry *extra,
		      size_t n_extra);

/* The daemon's check: d->conf and the state DB's garden (copied under the
 * lock, resolved without it). */
int portal_check_daemon(struct g511_daemon *d);

#endif /* GATE511D_PORTAL_RESOLVE_H */
