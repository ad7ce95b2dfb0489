// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - how gate511ctl shows grants, sessions, counters, garden
 * entries and errors, as text columns and as JSON (-j). Times: wall clock,
 * local time in text, seconds since the epoch in JSON (null when there is
 * none). Amounts: 0 means none (no quota, no rate limit); strings a grant
 * does not have are "-" in text and null in JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "duration.h"
#include "gate511ctl.h"
#include "grant_json.h"
#include "grantfile.h"

static const char *const stat_names[] = G511_STAT_NAMES;

int cli_error(const struct gctl *g, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g->jw) {
		jw_start_object(g->jw);
		jw_string_field(g->jw, "error", msg);
		jw_u64_field(g->jw, "code", (uint64_t)code);	/* the exit status */
		jw_end_object(g->jw);
	} else {
		fprintf(stderr, "gate511ctl: %s\n", msg);
	}
	return code;
}

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

/* An amount (0 = none) with its unit, for text: "500M bytes", "-". */
static void print_amount(uint64_t v, const char *unit, char *buf, size_t len)
{
	char n[32];

	if (!v) {
		snprintf(buf, len, "-");
		return;
	}
	grantfile_amount_format(v, n, sizeof(n));
	snprintf(buf, len, "%s%s%s", n, unit[0] ? " " : "", unit);
}

/* "10M/50M" (up/down bits/s), "-/5M", or "-" when neither is limited. */
static void print_rates(uint64_t up, uint64_t down, char *buf, size_t len)
{
	char u[24], d[24];

	if (!up && !down) {
		snprintf(buf, len, "-");
		return;
	}
	print_amount(up, "", u, sizeof(u));
	print_amount(down, "", d, sizeof(d));
	snprintf(buf, len, "%s/%s", u, d);
}

/*
 * A string for the terminal: "-" when empty, control characters as '?';
 * as a column (one word) spaces become '_'.
 */
static void print_text(const char *s, size_t max, bool column, char *buf, size_t len)
{
	size_t i, n = strnlen(s, max);

	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	for (i = 0; i < n && i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < ' ' || c == 0x7f)
			buf[i] = '?';
		else if (c == ' ' && column)
			buf[i] = '_';
		else
			buf[i] = (char)c;
	}
	buf[i] = '\0';
}

void print_grant_header(void)
{
	printf("%-25s %-19s %-10s %-8s %-17s %10s %12s %10s %12s %-8s %-9s %-7s %-12s %s\n",
	       "CLIENT", "EXPIRES", "LEFT", "IDLE", "MAC", "PACKETS", "BYTES",
	       "PKTS-DOWN", "BYTES-DOWN", "QUOTA", "RATE", "ORIGIN", "USER", "LAST-SEEN");
}

void print_grant_row(const struct g511_ctl_grant *g, uint64_t now)
{
	char who[G511_CLIENT_STRLEN], exp[32], left[32], idle[32], mac[G511_MAC_STRLEN];
	char seen[48], quota[32], rate[48], user[G511_USER_LEN];

	client_format(&g->client, who, sizeof(who));
	print_time(g->expires_wall, exp, sizeof(exp));
	print_left(g->expires_wall, now, left, sizeof(left));
	if (g->idle_s)
		duration_format(g->idle_s, idle, sizeof(idle));
	else
		snprintf(idle, sizeof(idle), "-");
	print_mac_or_dash(g->mac, g->flags & G511_CTL_GF_MAC_BOUND, mac, sizeof(mac));
	print_ago(g->last_seen_wall, now, seen, sizeof(seen));
	print_amount(g->quota_bytes, "", quota, sizeof(quota));
	print_rates(g->rate_up_bps, g->rate_down_bps, rate, sizeof(rate));
	print_text(g->user, sizeof(g->user), true, user, sizeof(user));
	printf("%-25s %-19s %-10s %-8s %-17s %10" PRIu64 " %12" PRIu64 " %10" PRIu64
	       " %12" PRIu64 " %-8s %-9s %-7s %-12s %s%s\n",
	       who, exp, left, idle, mac, (uint64_t)g->packets, (uint64_t)g->bytes,
	       (uint64_t)g->packets_down, (uint64_t)g->bytes_down, quota, rate,
	       ctl_origin_name(g->origin), user, seen,
	       g->flags & G511_CTL_GF_IN_MAP ? "" : "  (not in the maps)");
}

void print_grant_block(const struct g511_ctl_grant *g, uint64_t now)
{
	char who[G511_CLIENT_STRLEN], t[32], d[48], mac[G511_MAC_STRLEN];
	char text[2 * G511_CLASS_MAX + 1];

	client_format(&g->client, who, sizeof(who));
	printf("client:     %s (%s)\n", who, client_kind_name(&g->client));
	printf("grant id:   %u\n", g->grant_id);
	printf("origin:     %s\n", ctl_origin_name(g->origin));
	print_text(g->user, sizeof(g->user), false, text, sizeof(text));
	printf("user:       %s\n", text);
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
	printf("pkts down:  %" PRIu64 "\n", (uint64_t)g->packets_down);
	printf("bytes down: %" PRIu64 "\n", (uint64_t)g->bytes_down);
	print_amount(g->quota_bytes, "bytes", d, sizeof(d));
	printf("quota:      %s\n", g->quota_bytes ? d : "none");
	print_amount(g->rate_up_bps, "bit/s", d, sizeof(d));
	printf("rate up:    %s\n", g->rate_up_bps ? d : "unlimited");
	print_amount(g->rate_down_bps, "bit/s", d, sizeof(d));
	printf("rate down:  %s\n", g->rate_down_bps ? d : "unlimited");
	if (g->class_len) {
		grant_class_hex(g, text, sizeof(text));
		printf("class:      %s\n", text);
	}
	if (g->acct_session_id[0]) {
		print_text(g->acct_session_id, sizeof(g->acct_session_id), false, text,
			   sizeof(text));
		printf("acct id:    %s\n", text);
	}
	print_ago(g->last_seen_wall, now, d, sizeof(d));
	printf("last seen:  %s\n", d);
	printf("in maps:    %s\n", g->flags & G511_CTL_GF_IN_MAP ? "yes" : "no");
}

void print_grant_json(struct json_writer *jw, const struct g511_ctl_grant *g,
		      uint64_t now)
{
	grant_json(jw, g, now);
}

void print_session_json(struct json_writer *jw, const struct g511_ctl_session *s)
{
	session_json(jw, s);
}

void print_session_header(void)
{
	printf("%-25s %-19s %-19s %-10s %-12s %10s %12s %12s %-7s %s\n", "CLIENT",
	       "START", "END", "DURATION", "REASON", "PACKETS", "BYTES", "BYTES-DOWN",
	       "ORIGIN", "USER");
}

void print_session_row(const struct g511_ctl_session *s)
{
	char who[G511_CLIENT_STRLEN], start[32], end[32], dur[32], user[G511_USER_LEN];

	client_format(&s->client, who, sizeof(who));
	print_time(s->start_wall, start, sizeof(start));
	print_time(s->end_wall, end, sizeof(end));
	if (s->start_wall && s->end_wall >= s->start_wall)
		duration_format(s->end_wall - s->start_wall, dur, sizeof(dur));
	else
		snprintf(dur, sizeof(dur), "-");
	print_text(s->user, sizeof(s->user), true, user, sizeof(user));
	printf("%-25s %-19s %-19s %-10s %-12s %10" PRIu64 " %12" PRIu64 " %12" PRIu64
	       " %-7s %s\n", who, start, end, dur, ctl_reason_name(s->reason),
	       (uint64_t)s->packets, (uint64_t)s->bytes, (uint64_t)s->bytes_down,
	       ctl_origin_name(s->origin), user);
}

void print_stats(const struct gctl *g, const struct g511_ctl_stats *s,
		 const char *source)
{
	struct json_writer *jw = g->jw;
	unsigned int i;
	char name[32];

	if (jw) {
		jw_start_object(jw);
		jw_string_field(jw, "source", source);
		jw_name(jw, "stats");
		jw_start_object(jw);
	}
	for (i = 0; i < s->n && i < G511_CTL_STATS_MAX; i++) {
		if (i < G511_STAT__MAX)
			snprintf(name, sizeof(name), "%s", stat_names[i]);
		else
			snprintf(name, sizeof(name), "stat_%u", i);
		if (jw)
			jw_u64_field(jw, name, s->value[i]);
		else
			printf("%-20s %" PRIu64 "\n", name, (uint64_t)s->value[i]);
	}
	if (jw) {
		jw_end_object(jw);
		jw_end_object(jw);
	}
}

void print_garden_json(struct json_writer *jw, const struct g511_ctl_garden *e)
{
	struct g511_garden_val none = { 0 };
	char text[G511_GARDEN_STRLEN];
	unsigned int i;

	jw_start_object(jw);
	garden_format(&e->key, &e->val, text, sizeof(text));
	jw_string_field(jw, "entry", text);
	garden_format(&e->key, &none, text, sizeof(text));
	jw_string_field(jw, "prefix", text);
	jw_name(jw, "ports");
	jw_start_array(jw);
	for (i = 0; i < e->val.nports && i < G511_GARDEN_PORTS; i++)
		jw_u64(jw, e->val.ports[i]);
	jw_end_array(jw);
	jw_string_field(jw, "source",
			e->source == G511_GARDEN_SRC_CONFIG ? "config" : "runtime");
	jw_end_object(jw);
}

int print_export_line(const struct g511_ctl_grant *g)
{
	char line[GRANTFILE_LINE_MAX];
	int n = grantfile_format_grant(g, line, sizeof(line));

	if (n < 0)
		return n;
	return printf("%s\n", line) < 0 ? -EIO : 0;
}
