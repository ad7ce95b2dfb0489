/* SPDX-License-Identifier: GPL-2.0 */
/*
 * api_req.h - the portal API's request bodies, pure: the JSON of
 * POST /v1/grants into what the daemon turns into a grant spec.
 *
 *   {"client": "10.0.0.5" | "fd00::5" | "02:00:00:00:00:05",
 *    "mac": "02:..." (bind the address to it), "ttl": s, "idle": s,
 *    "quota_bytes": n, "rate_up_bps": n, "rate_down_bps": n,
 *    "username": "..."}
 *
 * client is required; every other field may be absent or null (ttl and
 * idle then take the config's defaults; 0 means none). Any other field is
 * refused by name.
 */
#ifndef GATE511_API_REQ_H
#define GATE511_API_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "ctl_proto.h"

struct api_grant_req {
	struct g511_client client;
	bool has_ttl, has_idle;
	uint64_t ttl_s, idle_s;
	bool mac_bound;
	uint8_t mac[6];
	uint64_t quota_bytes, rate_up_bps, rate_down_bps;
	char user[G511_USER_LEN];
};

/* 0, or -EINVAL with a sentence naming the field in err. */
int api_grant_req_parse(const char *body, size_t len, struct api_grant_req *out,
			char *err, size_t err_len);

/*
 * POST /v1/login: {"client": ..., "username": "...", "password": "..."},
 * all three required strings, nothing else. username: 1 to 253 bytes
 * (RFC 2865's User-Name), no control characters; password: 1 to 128
 * bytes (PAP), no NUL. A password is never copied into err. The caller
 * wipes out->password.
 */
#define API_PASSWORD_MAX	128
struct api_login_req {
	struct g511_client client;
	char user[G511_USER_LEN];
	char password[API_PASSWORD_MAX + 1];
};

int api_login_req_parse(const char *body, size_t len, struct api_login_req *out,
			char *err, size_t err_len);

#endif /* GATE511_API_REQ_H */
