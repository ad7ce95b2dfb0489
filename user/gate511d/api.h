/* SPDX-License-Identifier: GPL-2.0 */
/*
 * api.h - the signed API for remote login portals (api_listen):
 *
 *   POST   /v1/grants          grant (body: api_req.h)   201 + the grant
 *   GET    /v1/grants          every grant               200
 *   GET    /v1/grants/CLIENT   one grant                 200 / 404
 *   DELETE /v1/grants/CLIENT   revoke                    200 + the session / 404
 *   POST   /v1/login           RADIUS login (api_req.h)  201 + the grant and
 *                              "reply_message" / 403 rejected / 503 no server
 *                              answered / 501 RADIUS not configured
 *
 * The bodies are what `gate511ctl -j show / list / deny` print
 * (grant_json.h); errors are {"error": "..."}. Every request is
 * authenticated (sig.h HMAC, or a client certificate chaining to
 * api_client_ca) before anything else; a grant goes through the same verbs
 * as the control socket (grants.h), origin "api", committed before the
 * answer. A source that keeps failing authentication is answered 429
 * without any hashing until its bucket refills.
 */
#ifndef GATE511D_API_H
#define GATE511D_API_H

#include <stdbool.h>
#include <stdint.h>
#include "sig.h"

struct g511_daemon;

enum api_endpoint {
	API_EP_GRANT_CREATE,	/* POST /v1/grants */
	API_EP_GRANT_LIST,	/* GET /v1/grants */
	API_EP_GRANT_GET,	/* GET /v1/grants/CLIENT */
	API_EP_GRANT_DELETE,	/* DELETE /v1/grants/CLIENT */
	API_EP_LOGIN,		/* POST /v1/login */
	API_EP_OTHER,		/* any other path or method */
	API_EP__MAX,
};

enum api_status_class { API_SC_2XX, API_SC_4XX, API_SC_5XX, API_SC__MAX };

/* What the API has answered since the daemon started (for the metrics). */
struct api_counters {
	uint64_t requests[API_EP__MAX][API_SC__MAX];
	uint64_t auth_failures[SIG__MAX];	/* by verdict; [SIG_OK] unused */
	uint64_t throttled;			/* 429: no HMAC work done */
	uint64_t nonces;			/* entries in the nonce cache now */
};

/* "grant_create", "grant_list", "grant_get", "grant_delete", "other"
 * (inline: the metrics' pure renderer names endpoints without api.c) */
static inline const char *api_endpoint_name(enum api_endpoint ep)
{
	static const char *const names[API_EP__MAX] = {
		[API_EP_GRANT_CREATE] = "grant_create", [API_EP_GRANT_LIST] = "grant_list",
		[API_EP_GRANT_GET] = "grant_get", [API_EP_GRANT_DELETE] = "grant_delete",
		[API_EP_LOGIN] = "login",
		[API_EP_OTHER] = "other",
	};

	return (unsigned int)ep < API_EP__MAX ? names[ep] : "other";
}
/* A snapshot; all zero while the API is off. */
void api_counters_get(struct api_counters *out);

struct httpd_counters;
/* The listener's own counters (connections, 413s before the handler, TLS
 * errors: httpd.h); false (and zeros) while the API is off. */
bool api_listener_counters(struct httpd_counters *out);

/* listeners.c: start when api_listen is set (0 when it is not), stop. */
int api_start(struct g511_daemon *d);
void api_stop(struct g511_daemon *d);

#endif /* GATE511D_API_H */
