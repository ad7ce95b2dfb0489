// SPDX-License-Identifier: GPL-2.0
/*
 * api_req.c - POST /v1/grants bodies (api_req.h): json_read.c's strict
 * object, then each field by a table of names and types.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "api_req.h"
#include "json_read.h"

enum field { F_CLIENT, F_MAC, F_TTL, F_IDLE, F_QUOTA, F_RATE_UP, F_RATE_DOWN, F_USER, F__MAX };

static const struct {
	const char *name;
	enum jr_type type;
	const char *what;	/* "... expected" */
} fields[F__MAX] = {
	[F_CLIENT] = { "client", JR_STRING, "an IPv4 or IPv6 address or a MAC as a string" },
	[F_MAC] = { "mac", JR_STRING, "a MAC address as a string" },
	[F_TTL] = { "ttl", JR_NUMBER, "a whole number of seconds" },
	[F_IDLE] = { "idle", JR_NUMBER, "a whole number of seconds" },
	[F_QUOTA] = { "quota_bytes", JR_NUMBER, "a whole number of bytes" },
	[F_RATE_UP] = { "rate_up_bps", JR_NUMBER, "a whole number of bits/s" },
	[F_RATE_DOWN] = { "rate_down_bps", JR_NUMBER, "a whole number of bits/s" },
	[F_USER] = { "username", JR_STRING, "a string" },
};

static int field_of(const char *name)
{
	for (int f = 0; f < F__MAX; f++)
		if (!strcmp(fields[f].name, name))
			return f;
	return -1;
}

int api_grant_req_parse(const char *body, size_t len, struct api_grant_req *out,
			char *err, size_t err_len)
{
	struct jr_object o;
	bool have_client = false;

	memset(out, 0, sizeof(*out));
	if (jr_parse_object(body, len, &o, err, err_len))
		return -EINVAL;
	for (unsigned int i = 0; i < o.n; i++) {
		const struct jr_member *m = &o.m[i];
		int f = field_of(m->name);

		if (f < 0) {
			snprintf(err, err_len, "unknown field \"%s\"", m->name);
			return -EINVAL;
		}
		if (m->type == JR_NULL && f != F_CLIENT)
			continue;	/* as if absent */
		if (m->type != fields[f].type || (m->type == JR_NUMBER && !m->is_u64)) {
			snprintf(err, err_len, "%s: %s expected", m->name, fields[f].what);
			return -EINVAL;
		}
		switch (f) {
		case F_CLIENT:
			if (client_parse(m->str, &out->client)) {
				snprintf(err, err_len, "client: \"%s\" is not an IPv4 or IPv6 "
					 "address or a MAC", m->str);
				return -EINVAL;
			}
			have_client = true;
			break;
		case F_MAC:
			if (mac_parse(m->str, out->mac)) {
				snprintf(err, err_len, "mac: \"%s\" is not a MAC address", m->str);
				return -EINVAL;
			}
			out->mac_bound = true;
			break;
		case F_TTL:
			out->has_ttl = true;
			out->ttl_s = m->u64;
			break;
		case F_IDLE:
			out->has_idle = true;
			out->idle_s = m->u64;
			break;
		case F_QUOTA:
			out->quota_bytes = m->u64;
			break;
		case F_RATE_UP:
			out->rate_up_bps = m->u64;
			break;
		case F_RATE_DOWN:
			out->rate_down_bps = m->u64;
			break;
		case F_USER:
			if (m->str_len >= sizeof(out->user)) {
				snprintf(err, err_len, "username: longer than %zu bytes",
					 sizeof(out->user) - 1);
				return -EINVAL;
			}
			for (size_t k = 0; k < m->str_len; k++) {
				if ((unsigned char)m->str[k] < 0x20 || m->str[k] == 0x7f) {
					snprintf(err, err_len, "username: control characters "
						 "are not accepted");
					return -EINVAL;
				}
			}
			memcpy(out->user, m->str, m->str_len + 1);
			break;
		}
	}
	if (!have_client) {
		snprintf(err, err_len, "client: required");
		return -EINVAL;
	}
	return 0;
}

int api_login_req_parse(const char *body, size_t len, struct api_login_req *out,
			char *err, size_t err_len)
{
	static const char *const names[] = { "client", "username", "password" };
	const struct jr_member *m[3];
	struct jr_object o;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (jr_parse_object(body, len, &o, err, err_len))
		goto out;
	for (unsigned int i = 0; i < o.n; i++) {
		if (strcmp(o.m[i].name, "client") && strcmp(o.m[i].name, "username") &&
		    strcmp(o.m[i].name, "password")) {
			snprintf(err, err_len, "unknown field \"%s\"", o.m[i].name);
			goto out;
		}
	}
	for (int i = 0; i < 3; i++) {
		m[i] = jr_get(&o, names[i]);
		if (!m[i]) {
			snprintf(err, err_len, "%s: required", names[i]);
			goto out;
		}
		if (m[i]->type != JR_STRING) {
			snprintf(err, err_len, "%s: a string expected", names[i]);
			goto out;
		}
	}
	if (client_parse(m[0]->str, &out->client)) {
		snprintf(err, err_len, "client: \"%s\" is not an IPv4 or IPv6 address or a MAC",
			 m[0]->str);
		goto out;
	}
	if (!m[1]->str_len || m[1]->str_len > 253) {
		snprintf(err, err_len, "username: 1 to 253 bytes expected");
		goto out;
	}
	for (size_t k = 0; k < m[1]->str_len; k++) {
		if ((unsigned char)m[1]->str[k] < 0x20 || m[1]->str[k] == 0x7f) {
			snprintf(err, err_len, "username: control characters are not accepted");
			goto out;
		}
	}
	if (!m[2]->str_len || m[2]->str_len > API_PASSWORD_MAX) {
		snprintf(err, err_len, "password: 1 to %d bytes expected", API_PASSWORD_MAX);
		goto out;
	}
	memcpy(out->user, m[1]->str, m[1]->str_len + 1);
	memcpy(out->password, m[2]->str, m[2]->str_len + 1);
	ret = 0;
out:
	explicit_bzero(&o, sizeof(o));	/* the password was in it */
	if (ret)
		explicit_bzero(out->password, sizeof(out->password));
	return ret;
}
