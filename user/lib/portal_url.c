// SPDX-License-Identifier: GPL-2.0
/*
 * portal_url.c - build and sign the redirect to the login portal
 * (portal_url.h). The responder calls the pieces per 511 (one HMAC over
 * at most a few KiB); the RFC 8908 API calls portal_url_sign().
 */
#include <errno.h>
#include <string.h>
#include "addr.h"
#include "bytes.h"
#include "hmac.h"
#include "portal_url.h"

/* Client address and MAC as percent-encoded text; lengths out. */
static void ident_pct(const struct g511_addr *client, const __u8 *mac, char *ip_pct,
		      size_t *ip_len, char *mac_pct, size_t *mac_len)
{
	char ip[G511_ADDR_STRLEN], m[G511_MAC_STRLEN];

	addr_format(client, ip, sizeof(ip));
	*ip_len = g511_pct_encode(ip_pct, 3 * G511_ADDR_STRLEN, ip, strlen(ip));
	*mac_len = 0;
	if (mac) {
		mac_format(mac, m, sizeof(m));
		*mac_len = g511_pct_encode(mac_pct, 3 * G511_MAC_STRLEN, m, strlen(m));
	}
}

size_t g511_portal_query_len(size_t gw_len, const struct g511_addr *client,
			     const __u8 *mac, size_t url_len, uint64_t ts)
{
	char ip_pct[3 * G511_ADDR_STRLEN], mac_pct[3 * G511_MAC_STRLEN], t[20];
	size_t ip_len, mac_len;

	ident_pct(client, mac, ip_pct, &ip_len, mac_pct, &mac_len);
	return 3 + gw_len + 8 + ip_len + 5 + mac_len + 5 + url_len + 4 + put_decimal(t, ts);
}

struct qbuf {
	char *p;
	size_t cap, n;
	bool full;
};

static void qput(struct qbuf *q, const char *s, size_t n)
{
	if (q->full || n > q->cap - q->n) {
		q->full = true;
		return;
	}
	memcpy(q->p + q->n, s, n);
	q->n += n;
}

size_t g511_portal_query(char *out, size_t cap, const char *gw_pct, size_t gw_len,
			 const struct g511_addr *client, const __u8 *mac,
			 const char *url_pct, size_t url_len, uint64_t ts)
{
	char ip_pct[3 * G511_ADDR_STRLEN], mac_pct[3 * G511_MAC_STRLEN], t[20];
	struct qbuf q = { out, cap, 0, false };
	size_t ip_len, mac_len;

	ident_pct(client, mac, ip_pct, &ip_len, mac_pct, &mac_len);
	qput(&q, "gw=", 3);
	qput(&q, gw_pct, gw_len);
	qput(&q, "&client=", 8);
	qput(&q, ip_pct, ip_len);
	qput(&q, "&mac=", 5);
	qput(&q, mac_pct, mac_len);
	qput(&q, "&url=", 5);
	qput(&q, url_pct, url_len);
	qput(&q, "&ts=", 4);
	qput(&q, t, put_decimal(t, ts));
	return q.full ? SIZE_MAX : q.n;
}

int g511_portal_sig(char out[G511_PORTAL_SIG_LEN], const void *signed_part, size_t n,
		    const __u8 key[G511_PORTAL_KEY_LEN])
{
	uint8_t mac[G511_SHA256_LEN];
	char hex[2 * G511_SHA256_LEN + 1];

	if (g511_hmac_sha256(key, G511_PORTAL_KEY_LEN, signed_part, n, mac))
		return -EIO;
	g511_hex(mac, sizeof(mac), hex);
	memcpy(out, "&sig=", 5);
	memcpy(out + 5, hex, 64);
	return 0;
}

const char *g511_portal_sep(const char *portal_url)
{
	size_t n = strlen(portal_url);

	if (!strchr(portal_url, '?'))
		return "?";
	return n && (portal_url[n - 1] == '?' || portal_url[n - 1] == '&') ? "" : "&";
}

int portal_url_sign(char *out, size_t len, const char *portal_url, const char *gw,
		    const struct g511_addr *client, const __u8 mac[6], const char *orig_url,
		    uint64_t now, const __u8 key[32])
{
	char gw_pct[3 * G511_PORTAL_GW_MAX], url_pct[G511_ORIG_PCT_MAX];
	size_t plen = strlen(portal_url), gw_len = strlen(gw), url_len = 0, q, qstart;
	const char *sep = g511_portal_sep(portal_url), *qmark;

	if (gw_len > G511_PORTAL_GW_MAX)
		return -EINVAL;
	gw_len = g511_pct_encode(gw_pct, sizeof(gw_pct), gw, gw_len);
	if (orig_url && strlen(orig_url) <= G511_ORIG_MAX)
		url_len = g511_pct_encode(url_pct, sizeof(url_pct), orig_url, strlen(orig_url));
	/* portal_url, '?' or '&', the query, the signature, NUL */
	if (len < plen + 1 + G511_PORTAL_SIG_LEN + 1)
		return -ENOSPC;
	memcpy(out, portal_url, plen);
	memcpy(out + plen, sep, strlen(sep));
	plen += strlen(sep);
	out[plen] = '\0';
	qmark = strchr(out, '?');
	qstart = (size_t)(qmark - out) + 1;
	q = g511_portal_query(out + plen, len - plen - G511_PORTAL_SIG_LEN - 1, gw_pct, gw_len,
			      client, mac, url_pct, url_len, now);
	if (q == SIZE_MAX)
		return -ENOSPC;
	if (g511_portal_sig(out + plen + q, out + qstart, plen + q - qstart, key))
		return -EIO;
	out[plen + q + G511_PORTAL_SIG_LEN] = '\0';
	return (int)(plen + q + G511_PORTAL_SIG_LEN);
}
