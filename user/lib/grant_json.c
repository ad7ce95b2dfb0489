// SPDX-License-Identifier: GPL-2.0
/*
 * grant_json.c - grants and closed sessions as JSON (grant_json.h), for
 * gate511ctl -j and the portal API alike. Moved here from gate511ctl's
 * print.c unchanged: the CLI's JSON output is a contract (tests/e2e read it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "grant_json.h"

const char *client_kind_name(const struct g511_client *c)
{
	return c->kind == G511_CLIENT_MAC ? "mac" : "addr";
}

void grant_class_hex(const struct g511_ctl_grant *g, char *buf, size_t len)
{
	unsigned int i, n = g->class_len <= G511_CLASS_MAX ? g->class_len : G511_CLASS_MAX;

	buf[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", g->class[i]);
}

static void json_time_field(struct json_writer *jw, const char *name, uint64_t wall)
{
	if (wall)
		jw_u64_field(jw, name, wall);
	else
		jw_null_field(jw, name);
}

static void json_mac_field(struct json_writer *jw, const __u8 mac[6], bool bound)
{
	char text[G511_MAC_STRLEN];

	if (!bound) {
		jw_null_field(jw, "mac");
		return;
	}
	mac_format(mac, text, sizeof(text));
	jw_string_field(jw, "mac", text);
}

/* A NUL-terminated field of at most size bytes; null when empty. */
static void json_string_or_null(struct json_writer *jw, const char *name,
				const char *s, size_t size)
{
	char buf[G511_USER_LEN];
	size_t n = strnlen(s, size < sizeof(buf) ? size : sizeof(buf) - 1);

	if (!n) {
		jw_null_field(jw, name);
		return;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	jw_string_field(jw, name, buf);
}

void grant_json(struct json_writer *jw, const struct g511_ctl_grant *g, uint64_t now)
{
	char who[G511_CLIENT_STRLEN], text[2 * G511_CLASS_MAX + 1];

	client_format(&g->client, who, sizeof(who));
	jw_start_object(jw);
	jw_string_field(jw, "client", who);
	jw_string_field(jw, "kind", client_kind_name(&g->client));
	jw_u64_field(jw, "id", g->grant_id);
	json_time_field(jw, "created", g->created_wall);
	json_time_field(jw, "expires", g->expires_wall);
	if (g->expires_wall)
		jw_u64_field(jw, "remaining",
			     g->expires_wall > now ? g->expires_wall - now : 0);
	else
		jw_null_field(jw, "remaining");
	jw_u64_field(jw, "ttl", g->ttl_s);
	jw_u64_field(jw, "idle_timeout", g->idle_s);
	json_mac_field(jw, g->mac, g->flags & G511_CTL_GF_MAC_BOUND);
	jw_u64_field(jw, "packets", g->packets);
	jw_u64_field(jw, "bytes", g->bytes);
	json_time_field(jw, "last_seen", g->last_seen_wall);
	jw_bool_field(jw, "in_map", g->flags & G511_CTL_GF_IN_MAP);
	/* protocol v2 */
	jw_u64_field(jw, "packets_down", g->packets_down);
	jw_u64_field(jw, "bytes_down", g->bytes_down);
	jw_u64_field(jw, "quota_bytes", g->quota_bytes);
	jw_u64_field(jw, "rate_up_bps", g->rate_up_bps);
	jw_u64_field(jw, "rate_down_bps", g->rate_down_bps);
	jw_string_field(jw, "origin", ctl_origin_name(g->origin));
	json_string_or_null(jw, "user", g->user, sizeof(g->user));
	if (g->class_len) {
		grant_class_hex(g, text, sizeof(text));
		jw_string_field(jw, "class", text);
	} else {
		jw_null_field(jw, "class");
	}
	json_string_or_null(jw, "acct_session_id", g->acct_session_id,
			    sizeof(g->acct_session_id));
	jw_end_object(jw);
}

void session_json(struct json_writer *jw, const struct g511_ctl_session *s)
{
	char who[G511_CLIENT_STRLEN];

	client_format(&s->client, who, sizeof(who));
	jw_start_object(jw);
	jw_string_field(jw, "client", who);
	jw_string_field(jw, "kind", client_kind_name(&s->client));
	jw_u64_field(jw, "id", s->grant_id);
	json_time_field(jw, "start", s->start_wall);
	json_time_field(jw, "end", s->end_wall);
	if (s->start_wall && s->end_wall >= s->start_wall)
		jw_u64_field(jw, "duration", s->end_wall - s->start_wall);
	else
		jw_null_field(jw, "duration");
	jw_string_field(jw, "reason", ctl_reason_name(s->reason));
	jw_u64_field(jw, "packets", s->packets);
	jw_u64_field(jw, "bytes", s->bytes);
	json_mac_field(jw, s->mac, s->flags & G511_CTL_GF_MAC_BOUND);
	/* protocol v2 */
	jw_u64_field(jw, "packets_down", s->packets_down);
	jw_u64_field(jw, "bytes_down", s->bytes_down);
	jw_string_field(jw, "origin", ctl_origin_name(s->origin));
	json_string_or_null(jw, "user", s->user, sizeof(s->user));
	json_string_or_null(jw, "acct_session_id", s->acct_session_id,
			    sizeof(s->acct_session_id));
	jw_end_object(jw);
}
