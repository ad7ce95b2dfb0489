// SPDX-License-Identifier: GPL-2.0
/*
 * capport_json.c - the RFC 8908 answer (capport_json.h): grant -> facts,
 * facts -> JSON through json_writer into a memory stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "capport_json.h"
#include "json_writer.h"

void capport_facts_from_grant(const struct g511_ctl_grant *g, uint64_t now_wall,
			      bool can_extend, const char *portal_url,
			      const char *venue_url, struct capport_facts *out)
{
	uint64_t used;

	*out = (struct capport_facts){
		.captive = true,
		.can_extend = can_extend,
		.portal_url = portal_url,
		.venue_url = venue_url,
	};
	if (!g || !(g->flags & G511_CTL_GF_IN_MAP))
		return;
	if (g->expires_wall) {
		if (g->expires_wall <= now_wall)
			return;
		out->has_seconds = true;
		out->seconds_remaining = g->expires_wall - now_wall;
	}
	if (g->quota_bytes) {
		used = g->bytes + g->bytes_down;
		if (used < g->bytes)		/* cannot wrap in practice; fail closed */
			used = UINT64_MAX;
		if (used >= g->quota_bytes)
			return;
		out->has_bytes = true;
		out->bytes_remaining = g->quota_bytes - used;
	}
	out->captive = false;
}

int capport_json(const struct capport_facts *f, char **out, size_t *len)
{
	struct json_writer *jw;
	FILE *m;

	*out = NULL;
	*len = 0;
	m = open_memstream(out, len);
	if (!m)
		return -ENOMEM;
	jw = jw_new(m, false);
	if (!jw) {
		fclose(m);
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	jw_start_object(jw);
	jw_bool_field(jw, "captive", f->captive);
	if (f->portal_url && f->portal_url[0] && (f->captive || f->can_extend))
		jw_string_field(jw, "user-portal-url", f->portal_url);
	if (f->venue_url && f->venue_url[0])
		jw_string_field(jw, "venue-info-url", f->venue_url);
	if (!f->captive) {
		if (f->has_seconds)
			jw_u64_field(jw, "seconds-remaining", f->seconds_remaining);
		if (f->has_bytes)
			jw_u64_field(jw, "bytes-remaining", f->bytes_remaining);
		jw_bool_field(jw, "can-extend-session", f->can_extend);
	}
	jw_end_object(jw);
	jw_destroy(jw);
	if (ferror(m) | fclose(m)) {
		free(*out);
		*out = NULL;
		*len = 0;
		return -ENOMEM;
	}
	return 0;
}
