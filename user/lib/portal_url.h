/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portal_url.h - the signed redirect to the login portal (issue 10 §3),
 * pure: no clocks (the time is an argument), no allocation.
 *
 *   PORTAL_URL ? [portal's own query &] gw=G&client=IP&mac=MAC&url=URL&ts=T&sig=S
 *
 * Each value is percent-encoded, every byte but the RFC 3986 unreserved
 * ones (A-Z a-z 0-9 - . _ ~) as %XX with upper-case hex: an IPv6 client is
 * "fd00%3A%3A5", a MAC "02%3A00%3A00%3A00%3A00%3A05" (lower-case digits,
 * colons). mac= and url= are empty when unknown. S is the lower-case hex
 * HMAC-SHA256, keyed with portal_sign_key, over the query string exactly
 * as sent up to "&sig=": everything after the first '?' of the URL (the
 * portal's own parameters included) and before the last "&sig=". ts is
 * wall-clock Unix seconds; a portal accepts |now - ts| <= 300 s.
 *
 * An original URL longer than G511_ORIG_MAX bytes is not carried: url= is
 * sent empty and the signature covers that. The responder also sends url=
 * empty when the page with it would not fit the client's window.
 */
#ifndef GATE511_PORTAL_URL_H
#define GATE511_PORTAL_URL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "gate511.h"
#include "http.h"

#define G511_PORTAL_KEY_LEN	32
#define G511_PORTAL_GW_MAX	63	/* gateway_id, unreserved characters */
/* "&sig=" and 64 hex digits */
#define G511_PORTAL_SIG_LEN	(5 + 64)
/* The query after the portal's own: names, separators, worst-case values. */
#define G511_PORTAL_QUERY_MAX						\
	(3 + 3 * G511_PORTAL_GW_MAX + 8 + 3 * 45 + 5 + 3 * 17 + 5 +	\
	 G511_ORIG_PCT_MAX + 4 + 20 + G511_PORTAL_SIG_LEN)

/*
 * What goes between portal_url and the query: "?" when it has no query,
 * "" when it ends in '?' or '&', else "&".
 */
const char *g511_portal_sep(const char *portal_url);

/*
 * Append "gw=..&client=..&mac=..&url=..&ts=T" at out (cap bytes, no NUL).
 * gw_pct is the gateway id already percent-encoded, url_pct the original
 * URL already percent-encoded (empty: url= empty); mac may be NULL.
 * Returns the length written or SIZE_MAX when cap is too small.
 */
size_t g511_portal_query(char *out, size_t cap, const char *gw_pct, size_t gw_len,
			 const struct g511_addr *client, const __u8 *mac,
			 const char *url_pct, size_t url_len, uint64_t ts);

/* Length g511_portal_query() would write (the same arguments' lengths). */
size_t g511_portal_query_len(size_t gw_len, const struct g511_addr *client,
			     const __u8 *mac, size_t url_len, uint64_t ts);

/*
 * "&sig=" + hex HMAC-SHA256(key, signed[0..n)) into out (exactly
 * G511_PORTAL_SIG_LEN bytes, no NUL). 0, or -EIO from GnuTLS.
 */
int g511_portal_sig(char out[G511_PORTAL_SIG_LEN], const void *signed_part, size_t n,
		    const __u8 key[G511_PORTAL_KEY_LEN]);

/*
 * The whole signed URL, NUL-terminated, into out (len bytes): what the
 * 511 page links to and what the RFC 8908 API names as user-portal-url.
 * portal_url as configured (its own query kept: '&' is used when it has
 * one), gw the gateway id (raw), client the client's address, mac its MAC
 * or NULL, orig_url the page the client asked for (raw, NULL or "" when
 * unknown; dropped when longer than G511_ORIG_MAX), now wall-clock Unix
 * seconds. Returns the length, or -ENOSPC (out too small), -EINVAL (gw
 * longer than G511_PORTAL_GW_MAX), -EIO.
 */
int portal_url_sign(char *out, size_t len, const char *portal_url, const char *gw,
		    const struct g511_addr *client, const __u8 mac[6], const char *orig_url,
		    uint64_t now, const __u8 key[32]);

#endif /* GATE511_PORTAL_URL_H */
