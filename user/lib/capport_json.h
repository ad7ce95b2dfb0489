/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capport_json.h - the RFC 8908 API's answer, pure: what a grant (or its
 * absence) means for the client (capport_facts_from_grant) and the JSON
 * object that says it (capport_json). No sockets, clocks or maps: the
 * caller passes the time and the grant it read under daemon->lock.
 *
 * RFC 8908 §5: "captive" (required); "user-portal-url" (where the user
 * logs in or extends a session); "venue-info-url"; "can-extend-session";
 * "seconds-remaining" and "bytes-remaining" (left before the client is
 * captive again; bytes are L3 bytes both ways).
 *
 * What gate511 answers:
 *
 *   client state                          keys
 *   no grant, or deadline passed,         captive: true, user-portal-url,
 *   or quota used up                      venue-info-url (when set)
 *   grant in force                        captive: false, user-portal-url
 *                                         (only with can-extend-session:
 *                                         the page that extends it),
 *                                         venue-info-url (when set),
 *                                         seconds-remaining (with a session
 *                                         deadline), bytes-remaining (with
 *                                         a quota), can-extend-session
 *
 * The idle timeout is no deadline: it moves with every packet, so it is
 * not a "seconds remaining".
 */
#ifndef GATE511_CAPPORT_JSON_H
#define GATE511_CAPPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ctl_proto.h"

#define CAPPORT_MEDIA_TYPE	"application/captive+json"

struct capport_facts {
	bool captive;
	bool has_seconds;		/* the grant has a session deadline */
	uint64_t seconds_remaining;
	bool has_bytes;			/* the grant has a byte quota */
	uint64_t bytes_remaining;
	bool can_extend;		/* can_extend_session */
	const char *portal_url;		/* NULL or "": left out */
	const char *venue_url;		/* NULL or "": left out */
};

/*
 * The facts for a client holding g (NULL: no grant) at now_wall (wall
 * seconds). A grant counts only if the maps hold it (G511_CTL_GF_IN_MAP:
 * what the datapath enforces), its deadline is still ahead and its quota
 * not used up. portal_url, venue_url and can_extend are copied in.
 */
void capport_facts_from_grant(const struct g511_ctl_grant *g, uint64_t now_wall,
			      bool can_extend, const char *portal_url,
			      const char *venue_url, struct capport_facts *out);

/*
 * The JSON object for f, one line with a trailing newline, malloc'd into
 * *out (NUL-terminated; *len without the NUL). 0 or -ENOMEM.
 */
int capport_json(const struct capport_facts *f, char **out, size_t *len);

#endif /* GATE511_CAPPORT_JSON_H */
