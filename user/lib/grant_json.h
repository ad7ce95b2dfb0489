/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grant_json.h - a grant and a closed session as JSON: the objects
 * `gate511ctl -j show/list/deny/history` print and the portal API answers
 * with, written by one function each so the two can never drift apart.
 * Times are wall-clock seconds (null when there is none); strings a grant
 * does not have are null.
 */
#ifndef GATE511_GRANT_JSON_H
#define GATE511_GRANT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "ctl_proto.h"
#include "json_writer.h"

/* "addr" or "mac" */
const char *client_kind_name(const struct g511_client *c);
/* The RADIUS class of g as lowercase hex into buf ("" when none). */
void grant_class_hex(const struct g511_ctl_grant *g, char *buf, size_t len);

/* One grant object; now (wall seconds) gives "remaining". */
void grant_json(struct json_writer *jw, const struct g511_ctl_grant *g, uint64_t now);
/* One closed-session object. */
void session_json(struct json_writer *jw, const struct g511_ctl_session *s);

#endif /* GATE511_GRANT_JSON_H */
