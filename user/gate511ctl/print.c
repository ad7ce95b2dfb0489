// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - how gate511ctl shows grants, sessions, counters and garden
 * entries, as text columns and as JSON (-j). Times: wall clock, local time
 * in text, seconds since the epoch in JSON (null when there is none).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "duration.h"
#include "gate511ctl.h"

static const char *const stat_names[] = G511_STAT_NAMES;

void print_time(uint64_t wall, char *buf, size_t len)
{
	time_t t = (time_t)wall;
	struct tm tm;

	if (!wall || !localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

static void print_left(uint64_t expires, uint64_t now, char *buf, size_t len)
{
	if (!expires)
		snprintf(buf, len, "never");
	else if (expires <= now)
		snprintf(buf, len, "expired");
	else
		duration_format(expires - now, buf, len);
}

static void print_ago(uint64_t when, uint64_t now, char *buf, size_t len)
{
	char d[24];

	if (!when) {
		snprintf(buf, len, "-");
		return;
	}
	duration_format(when < now ? now - when : 0, d, sizeof(d));
	snprintf(buf, len, "%s ago", d);
}

static void print_mac_or_dash(const __u8 mac[6], bool bound, char *buf, size_t len)
{
	if (bound)
		mac_format(mac, buf, len);
	else
		snprintf(buf, len, "-");
}

static const char *kind_name(const struct g511_client *c)
{
	return c->kind == G511_CLIENT_MAC ? "mac" : "addr";
}

void print_grant_header(void)
{
	printf("%-25s %-19s %-10s %-8s %-17s %10s %12s %s\n", "CLIENT", "EXPIRES",
	       "LEFT", "IDLE", "MAC", "PACKETS", "BYTES", "LAST-SEEN");
}

void print_grant_row(const struct g511_ctl_grant *g, uint64_t now)
{
	char who[G511_CLIENT_STRLEN], exp[32], left[32], idle[32], mac[G511_MAC_STRLEN];
	char seen[48];

	client_format(&g->client, who, sizeof(who));
	print_time(g->expires_wall, exp, sizeof(exp));
	print_left(g->expires_wall, now, left, sizeof(left));
	if (g->idle_s)
		duration_format(g->idle_s, idle, sizeof(idle));
	else
		snprintf(idle, sizeof(idle), "-");
	print_mac_or_dash(g->mac, g->flags & G511_CTL_GF_MAC_BOUND, mac, sizeof(mac));
	print_ago(g->last_seen_wall, now, seen, sizeof(seen));
	printf("%-25s %-19s %-10s %-8s %-17s %10" PRIu64 " %12" PRIu64 " %s%s\n",
	       who, exp, left, idle, mac, (uint64_t)g->packets, (uint64_t)g->bytes,
	       seen, g->flags & G511_CTL_GF_IN_MAP ? "" : "  (not in the maps)");
}

void print_grant_block(const struct g511_ctl_grant *g, uint64_t now)
{
	char who[G511_CLIENT_STRLEN], t[32], d[48], mac[G511_MAC_STRLEN];

	client_format(&g->client, who, sizeof(who));
	printf("client:     %s (%s)\n", who, kind_name(&g->client));
	printf("grant id:   %u\n", g->grant_id);
	print_time(g->created_wall, t, sizeof(t));
	printf("created:    %s\n", t);
	print_time(g->expires_wall, t, sizeof(t));
	print_left(g->expires_wall, now, d, sizeof(d));
	printf("expires:    %s (%s)\n", t, d);
	if (g->ttl_s) {
		duration_format(g->ttl_s, d, sizeof(d));
		printf("session:    %s\n", d);
	}
	if (g->idle_s)
		duration_format(g->idle_s, d, sizeof(d));
	else
		snprintf(d, sizeof(d), "none");
	printf("idle:       %s\n", d);
	print_mac_or_dash(g->mac, g->flags & G511_CTL_GF_MAC_BOUND, mac, sizeof(mac));
	printf("bound mac:  %s\n", mac);
	printf("packets:    %" PRIu64 "\n", (uint64_t)g->packets);
	printf("bytes:      %" PRIu64 "\n", (uint64_t)g->bytes);
	print_ago(g->last_seen_wall, now, d, sizeof(d));
	printf("last seen:  %s\n", d);
	printf("in maps:    %s\n", g->flags & G511_CTL_GF_IN_MAP ? "yes" : "no");
}

static void json_time_field(const char *name, uint64_t wall)
{
	if (wall)
		jw_u64_field(cli.jw, name, wall);
	else
		jw_null_field(cli.jw, name);
}

static void json_mac_field(const __u8 mac[6], bool bound)
{
	char text[G511_MAC_STRLEN];

	if (!bound) {
		jw_null_field(cli.jw, "mac");
		return;
	}
	mac_format(mac, text, sizeof(text));
	jw_string_field(cli.jw, "mac", text);
}

void print_grant_json(const struct g511_ctl_grant *g, uint64_t now)
{
	struct json_writer *jw = cli.jw;
	char who[G511_CLIENT_STRLEN];

	client_format(&g->client, who, sizeof(who));
	jw_start_object(jw);
	jw_string_field(jw, "client", who);
	jw_string_field(jw, "kind", kind_name(&g->client));
	jw_u64_field(jw, "id", g->grant_id);
	json_time_field("created", g->created_wall);
	json_time_field("expires", g->expires_wall);
	if (g->expires_wall)
		jw_u64_field(jw, "remaining",
			     g->expires_wall > now ? g->expires_wall - now : 0);
	else
		jw_null_field(jw, "remaining");
	jw_u64_field(jw, "ttl", g->ttl_s);
	jw_u64_field(jw, "idle_timeout", g->idle_s);
	json_mac_field(g->mac, g->flags & G511_CTL_GF_MAC_BOUND);
	jw_u64_field(jw, "packets", g->packets);
	jw_u64_field(jw, "bytes", g->bytes);
	json_time_field("last_seen", g->last_seen_wall);
	jw_bool_field(jw, "in_map", g->flags & G511_CTL_GF_IN_MAP);
	jw_end_object(jw);
}

void print_session_header(void)
{
	printf("%-25s %-19s %-19s %-10s %-8s %10s %12s\n", "CLIENT", "START",
	       "END", "DURATION", "REASON", "PACKETS", "BYTES");
}

void print_session_row(const struct g511_ctl_session *s)
{
	char who[G511_CLIENT_STRLEN], start[32], end[32], dur[32];

	client_format(&s->client, who, sizeof(who));
	print_time(s->start_wall, start, sizeof(start));
	print_time(s->end_wall, end, sizeof(end));
	if (s->start_wall && s->end_wall >= s->start_wall)
		duration_format(s->end_wall - s->start_wall, dur, sizeof(dur));
	else
		snprintf(dur, sizeof(dur), "-");
	printf("%-25s %-19s %-19s %-10s %-8s %10" PRIu64 " %12" PRIu64 "\n", who,
	       start, end, dur, ctl_reason_name(s->reason), (uint64_t)s->packets,
	       (uint64_t)s->bytes);
}

void print_session_json(const struct g511_ctl_session *s)
{
	struct json_writer *jw = cli.jw;
	char who[G511_CLIENT_STRLEN];

	client_format(&s->client, who, sizeof(who));
	jw_start_object(jw);
	jw_string_field(jw, "client", who);
	jw_string_field(jw, "kind", kind_name(&s->client));
	jw_u64_field(jw, "id", s->grant_id);
	json_time_field("start", s->start_wall);
	json_time_field("end", s->end_wall);
	if (s->start_wall && s->end_wall >= s->start_wall)
		jw_u64_field(jw, "duration", s->end_wall - s->start_wall);
	else
		jw_null_field(jw, "duration");
	jw_string_field(jw, "reason", ctl_reason_name(s->reason));
	jw_u64_field(jw, "packets", s->packets);
	jw_u64_field(jw, "bytes", s->bytes);
	json_mac_field(s->mac, s->flags & G511_CTL_GF_MAC_BOUND);
	jw_end_object(jw);
}

void print_stats(const struct g511_ctl_stats *s, const char *source)
{
	unsigned int i;
	char name[32];

	if (cli.json) {
		jw_start_object(cli.jw);
		jw_string_field(cli.jw, "source", source);
		jw_name(cli.jw, "stats");
		jw_start_object(cli.jw);
	}
	for (i = 0; i < s->n && i < G511_CTL_STATS_MAX; i++) {
		if (i < G511_STAT__MAX)
			snprintf(name, sizeof(name), "%s", stat_names[i]);
		else
			snprintf(name, sizeof(name), "stat_%u", i);
		if (cli.json)
			jw_u64_field(cli.jw, name, s->value[i]);
		else
			printf("%-20s %" PRIu64 "\n", name, (uint64_t)s->value[i]);
	}
	if (cli.json) {
		jw_end_object(cli.jw);
		jw_end_object(cli.jw);
	}
}

void print_garden_json(const struct g511_ctl_garden *g)
{
	struct json_writer *jw = cli.jw;
	struct g511_garden_val none = { 0 };
	char text[G511_GARDEN_STRLEN];
	unsigned int i;

	jw_start_object(jw);
	garden_format(&g->key, &g->val, text, sizeof(text));
	jw_string_field(jw, "entry", text);
	garden_format(&g->key, &none, text, sizeof(text));
	jw_string_field(jw, "prefix", text);
	jw_name(jw, "ports");
	jw_start_array(jw);
	for (i = 0; i < g->val.nports && i < G511_GARDEN_PORTS; i++)
		jw_u64(jw, g->val.ports[i]);
	jw_end_array(jw);
	jw_string_field(jw, "source",
			g->source == G511_GARDEN_SRC_CONFIG ? "config" : "runtime");
	jw_end_object(jw);
}

void print_export_line(const struct g511_ctl_grant *g)
{
	char who[G511_CLIENT_STRLEN], mac[G511_MAC_STRLEN];

	client_format(&g->client, who, sizeof(who));
	printf("%s", who);
	if (g->expires_wall)
		printf(" expires=%" PRIu64, (uint64_t)g->expires_wall);
	else
		printf(" expires=never");
	printf(" idle=%" PRIu64, (uint64_t)g->idle_s);
	if (g->flags & G511_CTL_GF_MAC_BOUND) {
		mac_format(g->mac, mac, sizeof(mac));
		printf(" mac=%s", mac);
	}
	printf("\n");
}
