// SPDX-License-Identifier: GPL-2.0
/*
 * sig.c - the portal API's request signatures (sig.h). The decision, in
 * the order it is made (the first that applies wins):
 *
 *   no header                              -> SIG_MISSING
 *   not "G511-HMAC-SHA256 k=v, ..." with
 *   exactly keyid, ts, nonce, sig, valid   -> SIG_MALFORMED
 *   keyid not configured                   -> SIG_UNKNOWN_KEY
 *   |now - ts| > 300                       -> SIG_STALE
 *   sig != HMAC(secret, string) (ct cmp)   -> SIG_BAD_SIGNATURE
 *   nonce_claim(): seen                    -> SIG_REPLAYED
 *   nonce_claim(): cannot record           -> SIG_NONCE_ERROR
 *   otherwise                              -> SIG_OK
 *
 * Stale comes before the HMAC so that an old captured request costs no
 * hashing; the nonce is claimed last so only key holders reach the cache.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sig.h"

static const char *const reasons[SIG__MAX] = {
	[SIG_OK] = "ok",
	[SIG_MISSING] = "missing Authorization header",
	[SIG_MALFORMED] = "malformed Authorization header",
	[SIG_UNKNOWN_KEY] = "unknown key",
	[SIG_STALE] = "stale timestamp (more than 300 s from the gateway's clock)",
	[SIG_BAD_SIGNATURE] = "bad signature",
	[SIG_REPLAYED] = "replayed nonce",
	[SIG_NONCE_ERROR] = "the nonce cache cannot record the request",
};

static const char *const names[SIG__MAX] = {
	[SIG_OK] = "ok", [SIG_MISSING] = "missing", [SIG_MALFORMED] = "malformed",
	[SIG_UNKNOWN_KEY] = "unknown_key", [SIG_STALE] = "stale",
	[SIG_BAD_SIGNATURE] = "bad_signature", [SIG_REPLAYED] = "replayed",
	[SIG_NONCE_ERROR] = "nonce_error",
};

const char *sig_verdict_reason(enum sig_verdict v)
{
	return (unsigned int)v < SIG__MAX ? reasons[v] : "?";
}

const char *sig_verdict_name(enum sig_verdict v)
{
	return (unsigned int)v < SIG__MAX ? names[v] : "?";
}

static bool is_hex(char c, bool lower_only)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (!lower_only && c >= 'A' && c <= 'F');
}

static bool keyid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* One field's value v (len n) into out. */
static int field_set(struct sig_auth *out, int which, const char *v, size_t n,
		     const char **why)
{
	size_t i;

	switch (which) {
	case 0:	/* keyid */
		if (!n || n >= sizeof(out->keyid))
			return *why = "keyid: 1 to 32 characters", -EINVAL;
		for (i = 0; i < n; i++)
			if (!keyid_char(v[i]))
				return *why = "keyid: only A-Z a-z 0-9 _ . -", -EINVAL;
		memcpy(out->keyid, v, n);
		out->keyid[n] = '\0';
		return 0;
	case 1:	/* ts */
		if (!n || n > 19 || (n > 1 && v[0] == '0'))
			return *why = "ts: Unix seconds, decimal, no leading zero", -EINVAL;
		out->ts = 0;
		for (i = 0; i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				return *why = "ts: Unix seconds, decimal", -EINVAL;
			out->ts = out->ts * 10 + (uint64_t)(v[i] - '0');
		}
		return 0;
	case 2:	/* nonce */
		if (n < SIG_NONCE_MIN || n > SIG_NONCE_MAX)
			return *why = "nonce: 16 to 64 hex digits", -EINVAL;
		for (i = 0; i < n; i++)
			if (!is_hex(v[i], false))
				return *why = "nonce: 16 to 64 hex digits", -EINVAL;
		memcpy(out->nonce, v, n);
		out->nonce[n] = '\0';
		return 0;
	default: /* sig */
		if (n != SIG_HEX_LEN)
			return *why = "sig: 64 lowercase hex digits", -EINVAL;
		for (i = 0; i < n; i++)
			if (!is_hex(v[i], true))
				return *why = "sig: 64 lowercase hex digits", -EINVAL;
		memcpy(out->sig, v, n);
		out->sig[n] = '\0';
		return 0;
	}
}

int sig_parse(const char *header, struct sig_auth *out, const char **why)
{
	static const char *const fields[4] = { "keyid", "ts", "nonce", "sig" };
	const size_t scheme_len = sizeof(SIG_SCHEME) - 1;
	unsigned int seen = 0;
	const char *p = header;
	int err;

	memset(out, 0, sizeof(*out));
	if (strnlen(header, SIG_HEADER_MAX + 1) > SIG_HEADER_MAX)
		return *why = "header too long", -EINVAL;
	if (strncmp(p, SIG_SCHEME, scheme_len) || p[scheme_len] != ' ')
		return *why = "not the " SIG_SCHEME " scheme", -EINVAL;
	p += scheme_len;
	for (;;) {
		const char *name, *v;
		size_t nlen, vlen;
		int which = -1;

		while (*p == ' ')
			p++;
		name = p;
		while (*p && *p != '=' && *p != ',' && *p != ' ')
			p++;
		nlen = (size_t)(p - name);
		if (*p != '=')
			return *why = "expected NAME=VALUE", -EINVAL;
		for (int i = 0; i < 4; i++)
			if (strlen(fields[i]) == nlen && !memcmp(name, fields[i], nlen))
				which = i;
		if (which < 0)
			return *why = "unknown field (keyid, ts, nonce, sig)", -EINVAL;
		if (seen & (1U << which))
			return *why = "a field given twice", -EINVAL;
		seen |= 1U << which;
		v = ++p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		vlen = (size_t)(p - v);
		err = field_set(out, which, v, vlen, why);
		if (err)
			return err;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p != ',')
			return *why = "fields are separated by ','", -EINVAL;
		p++;
	}
	if (seen != 0xf)
		return *why = "keyid, ts, nonce and sig are all required", -EINVAL;
	return 0;
}

int sig_string(const char *method, const char *target, uint64_t ts, const char *nonce,
	       const void *body, size_t body_len, char *buf, size_t len)
{
	uint8_t h[G511_SHA256_LEN];
	char hex[SIG_HEX_LEN + 1];
	int n;

	if (g511_sha256(body_len ? body : "", body_len, h))
		return -EIO;
	g511_hex(h, sizeof(h), hex);
	n = snprintf(buf, len, "%s\n%s\n%llu\n%s\n%s", method, target,
		     (unsigned long long)ts, nonce, hex);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int sig_sign(const uint8_t secret[G511_SECRET_LEN], const char *method, const char *target,
	     uint64_t ts, const char *nonce, const void *body, size_t body_len,
	     char out[SIG_HEX_LEN + 1])
{
	uint8_t mac[G511_SHA256_LEN];
	char buf[8192];
	int n;

	n = sig_string(method, target, ts, nonce, body, body_len, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (g511_hmac_sha256(secret, G511_SECRET_LEN, buf, (size_t)n, mac))
		return -EIO;
	g511_hex(mac, sizeof(mac), out);
	return 0;
}

enum sig_verdict sig_verify(const struct sig_request *r, struct sig_auth *auth)
{
	const struct g511_api_key *key = NULL;
	char want[SIG_HEX_LEN + 1];
	const char *why;
	int err;

	memset(auth, 0, sizeof(*auth));
	if (!r->header)
		return SIG_MISSING;
	if (sig_parse(r->header, auth, &why))
		return SIG_MALFORMED;
	for (size_t i = 0; i < r->n_keys && !key; i++)
		if (!strcmp(r->keys[i].id, auth->keyid))
			key = &r->keys[i];
	if (!key)
		return SIG_UNKNOWN_KEY;
	if ((r->now > auth->ts ? r->now - auth->ts : auth->ts - r->now) > SIG_WINDOW_S)
		return SIG_STALE;
	if (sig_sign(key->secret, r->method, r->target, auth->ts, auth->nonce, r->body,
		     r->body_len, want))
		return SIG_BAD_SIGNATURE;	/* too long a target to have been signed */
	if (!g511_ct_equal(want, auth->sig, SIG_HEX_LEN))
		return SIG_BAD_SIGNATURE;
	err = r->nonce_claim ? r->nonce_claim(r->ctx, auth) : 0;
	if (err == -EEXIST)
		return SIG_REPLAYED;
	if (err)
		return SIG_NONCE_ERROR;
	return SIG_OK;
}
