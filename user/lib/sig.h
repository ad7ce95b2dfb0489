/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sig.h - the portal API's request signatures, pure (no clock, no sockets,
 * no storage: the caller passes the time and the nonce cache in).
 *
 *   Authorization: G511-HMAC-SHA256 keyid=K, ts=T, nonce=N, sig=S
 *
 * T: Unix seconds, decimal (no sign, no leading zero); N: 16-64 hex
 * digits; S: 64 lowercase hex digits, HMAC-SHA256 with K's secret over
 *
 *   METHOD "\n" PATH_AND_QUERY "\n" T "\n" N "\n" hex(SHA-256(body))
 *
 * (PATH_AND_QUERY exactly as sent; an empty body hashes the empty string).
 * Each field once, in any order, separated by "," and optional spaces.
 */
#ifndef GATE511_SIG_H
#define GATE511_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conf.h"
#include "hmac.h"

#define SIG_SCHEME		"G511-HMAC-SHA256"
#define SIG_WINDOW_S		300	/* |now - T| allowed */
#define SIG_NONCE_MIN		16
#define SIG_NONCE_MAX		64
#define SIG_HEX_LEN		(2 * G511_SHA256_LEN)
#define SIG_HEADER_MAX		512	/* longer: malformed */

struct sig_auth {
	char keyid[G511_API_KEYID_LEN];
	uint64_t ts;
	char nonce[SIG_NONCE_MAX + 1];
	char sig[SIG_HEX_LEN + 1];
};

/* In the order sig_verify() checks; each has a reason for the 401. */
enum sig_verdict {
	SIG_OK = 0,
	SIG_MISSING,		/* no Authorization header */
	SIG_MALFORMED,		/* not the scheme, a field missing/twice/bad */
	SIG_UNKNOWN_KEY,
	SIG_STALE,		/* |now - T| > SIG_WINDOW_S */
	SIG_BAD_SIGNATURE,
	SIG_REPLAYED,		/* the nonce was seen within the window */
	SIG_NONCE_ERROR,	/* the nonce could not be recorded: not 401, 503 */
	SIG__MAX,
};

/* "missing Authorization header", ...; short names for counters below. */
const char *sig_verdict_reason(enum sig_verdict v);
const char *sig_verdict_name(enum sig_verdict v);	/* "missing", "stale", ... */

/* Parse the header's value. 0, or -EINVAL with *why set. */
int sig_parse(const char *header, struct sig_auth *out, const char **why);

/*
 * The string to sign into buf (NUL-terminated). Returns its length, or
 * -ENOSPC if buf is too small, -EIO if hashing failed.
 */
int sig_string(const char *method, const char *target, uint64_t ts, const char *nonce,
	       const void *body, size_t body_len, char *buf, size_t len);

/* S for that string and secret, as 64 lowercase hex digits and a NUL. */
int sig_sign(const uint8_t secret[G511_SECRET_LEN], const char *method, const char *target,
	     uint64_t ts, const char *nonce, const void *body, size_t body_len,
	     char out[SIG_HEX_LEN + 1]);

/*
 * A request to check. nonce_claim records a nonce not seen before (and
 * durably: it returns only once the record would survive a restart):
 * 0 = fresh and now recorded, -EEXIST = seen, other -errno = cannot
 * record (then nothing is to be acted on).
 */
struct sig_request {
	const char *method, *target;
	const void *body;
	size_t body_len;
	const char *header;		/* NULL: missing */
	uint64_t now;			/* wall seconds */
	const struct g511_api_key *keys;
	size_t n_keys;
	int (*nonce_claim)(void *ctx, const struct sig_auth *a);
	void *ctx;
};

/*
 * The verdict; *auth holds what was parsed (keyid for logs). The nonce is
 * claimed last, only for a good signature, so nobody without a key can
 * fill the cache or burn a portal's nonces.
 */
enum sig_verdict sig_verify(const struct sig_request *r, struct sig_auth *auth);

#endif /* GATE511_SIG_H */
