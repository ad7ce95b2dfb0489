// SPDX-License-Identifier: GPL-2.0
/*
 * grant_rec.c - conversions between a grant's DB record, map value and
 * control reply (grant_rec.h).
 */
#include <string.h>
#include "grant_rec.h"

uint64_t clock_boot_to_wall(const struct clock_pair *now, uint64_t boot_ns)
{
	int64_t delta_s;

	if (boot_ns >= now->boot_ns)
		return now->wall_s + (boot_ns - now->boot_ns) / NSEC_PER_SEC;
	delta_s = (int64_t)((now->boot_ns - boot_ns) / NSEC_PER_SEC);
	return (int64_t)now->wall_s > delta_s ? now->wall_s - delta_s : 0;
}

void grant_value(const struct g511_grant_rec *rec, uint64_t expires_ns, uint64_t now_boot,
		 struct g511_grant *v)
{
	memset(v, 0, sizeof(*v));
	v->expires_ns = expires_ns;
	v->idle_ns = rec->idle_s * NSEC_PER_SEC;
	v->quota_bytes = rec->quota_bytes;
	v->rate_up_bps = rec->rate_up_bps;
	v->rate_down_bps = rec->rate_down_bps;
	/* a fresh grant starts its idle period now, not at boot */
	v->last_seen_ns = now_boot;
	if (rec->mac_bound) {
		memcpy(v->mac, rec->mac, 6);
		v->flags = G511_GRANT_F_MAC_BOUND;
	}
	v->grant_id = rec->id;
}

void rec_from_map(const struct g511_client *c, const struct g511_grant *g,
		  const struct clock_pair *now, struct g511_grant_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = g->grant_id;
	rec->client = *c;
	rec->mac_bound = g->flags & G511_GRANT_F_MAC_BOUND;
	if (rec->mac_bound)
		memcpy(rec->mac, g->mac, 6);
	rec->idle_s = g->idle_ns / NSEC_PER_SEC;
	rec->quota_bytes = g->quota_bytes;
	rec->rate_up_bps = g->rate_up_bps;
	rec->rate_down_bps = g->rate_down_bps;
	if (g->expires_ns)
		rec->expires_wall = clock_boot_to_wall(now, g->expires_ns);
}

void grant_to_ctl(const struct g511_grant_rec *rec, const struct g511_grant *live,
		  const struct clock_pair *now, struct g511_ctl_grant *out)
{
	memset(out, 0, sizeof(*out));
	out->client = rec->client;
	out->grant_id = rec->id;
	out->created_wall = rec->created_wall;
	out->expires_wall = rec->expires_wall;
	out->ttl_s = rec->ttl_s;
	out->idle_s = rec->idle_s;
	out->quota_bytes = rec->quota_bytes;
	out->rate_up_bps = rec->rate_up_bps;
	out->rate_down_bps = rec->rate_down_bps;
	out->origin = rec->origin < G511_ORIGIN__MAX ? rec->origin : G511_ORIGIN_NONE;
	memcpy(out->user, rec->user, sizeof(out->user));
	out->user[sizeof(out->user) - 1] = '\0';
	out->class_len = rec->class_len <= G511_CLASS_MAX ? rec->class_len : 0;
	memcpy(out->class, rec->class, out->class_len);
	memcpy(out->acct_session_id, rec->acct_session_id, sizeof(out->acct_session_id));
	out->acct_session_id[sizeof(out->acct_session_id) - 1] = '\0';
	if (rec->mac_bound) {
		memcpy(out->mac, rec->mac, 6);
		out->flags |= G511_CTL_GF_MAC_BOUND;
	}
	if (!live)
		return;
	out->flags |= G511_CTL_GF_IN_MAP;
	if (live->expires_ns)
		out->expires_wall = clock_boot_to_wall(now, live->expires_ns);
	/*
	 * A grant's entry starts with last_seen_ns = the grant's start (the
	 * idle clock runs from there); only a packet XDP passed, which it
	 * counts, makes it a sighting. No packet: never seen (0, null).
	 */
	if (live->last_seen_ns && live->packets)
		out->last_seen_wall = clock_boot_to_wall(now, live->last_seen_ns);
	out->packets = live->packets;
	out->bytes = live->bytes;
	out->packets_down = live->packets_down;
	out->bytes_down = live->bytes_down;
}

void session_make(const struct g511_grant_rec *rec, const struct g511_grant *live,
		  unsigned int reason, uint64_t end_wall, struct g511_session_rec *s)
{
	memset(s, 0, sizeof(*s));
	s->grant_id = rec->id;
	s->client = rec->client;
	s->mac_bound = rec->mac_bound;
	memcpy(s->mac, rec->mac, 6);
	s->start_wall = rec->created_wall;
	s->end_wall = end_wall < rec->created_wall ? rec->created_wall : end_wall;
	s->reason = reason;
	s->origin = rec->origin;
	memcpy(s->user, rec->user, sizeof(s->user));
	memcpy(s->class, rec->class, sizeof(s->class));
	s->class_len = rec->class_len;
	memcpy(s->acct_session_id, rec->acct_session_id, sizeof(s->acct_session_id));
	if (live) {
		s->packets = live->packets;
		s->bytes = live->bytes;
		s->packets_down = live->packets_down;
		s->bytes_down = live->bytes_down;
	}
}

void session_to_ctl(const struct g511_session_rec *s, struct g511_ctl_session *out)
{
	memset(out, 0, sizeof(*out));
	out->client = s->client;
	out->reason = s->reason;
	out->start_wall = s->start_wall;
	out->end_wall = s->end_wall;
	out->packets = s->packets;
	out->bytes = s->bytes;
	out->packets_down = s->packets_down;
	out->bytes_down = s->bytes_down;
	out->grant_id = s->grant_id;
	out->origin = s->origin < G511_ORIGIN__MAX ? s->origin : G511_ORIGIN_NONE;
	memcpy(out->user, s->user, sizeof(out->user));
	out->user[sizeof(out->user) - 1] = '\0';
	memcpy(out->acct_session_id, s->acct_session_id, sizeof(out->acct_session_id));
	out->acct_session_id[sizeof(out->acct_session_id) - 1] = '\0';
	if (s->mac_bound) {
		memcpy(out->mac, s->mac, 6);
		out->flags = G511_CTL_GF_MAC_BOUND;
	}
}

unsigned int grant_over(const struct g511_grant *g, uint64_t now_ns, uint64_t *end_ns)
{
	if (g->expires_ns && now_ns >= g->expires_ns) {
		*end_ns = g->expires_ns;
		return G511_REASON_EXPIRED;
	}
	if (g->idle_ns && now_ns >= g->last_seen_ns + g->idle_ns) {
		*end_ns = g->last_seen_ns + g->idle_ns;
		return G511_REASON_IDLE;
	}
	/* the datapath cut it already (both directions count); close it now */
	if (g->quota_bytes && g->bytes + g->bytes_down >= g->quota_bytes) {
		*end_ns = now_ns;
		return G511_REASON_QUOTA;
	}
	return 0;
}
