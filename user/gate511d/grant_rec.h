/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grant_rec.h - one grant in its three shapes and the conversions between
 * them: the state DB record (state.h), the map value (include/gate511.h)
 * and the control-protocol reply (ctl_proto.h); plus the one rule of when
 * a live grant is over. Pure: times come in as arguments.
 */
#ifndef GATE511D_GRANT_REC_H
#define GATE511D_GRANT_REC_H

#include <stdbool.h>
#include <stdint.h>
#include "gate511.h"
#include "ctl_proto.h"
#include "daemon.h"
#include "state.h"


uint64_t clock_boot_to_wall(const struct clock_pair *now, uint64_t boot_ns);

/* The map value for rec with the given BOOTTIME deadline (0 = none). */
void grant_value(const struct g511_grant_rec *rec, uint64_t expires_ns, uint64_t now_boot,
		 struct g511_grant *v);
/* A grant the maps have and the DB does not: describe it from the map. */
void rec_from_map(const struct g511_client *c, const struct g511_grant *g,
		  const struct clock_pair *now, struct g511_grant_rec *rec);
/*
 * The control reply; live = the maps' merged value (G511_CTL_GF_IN_MAP,
 * counters, last seen when a packet was, the map's deadline), or NULL.
 */
void grant_to_ctl(const struct g511_grant_rec *rec, const struct g511_grant *live,
		  const struct clock_pair *now, struct g511_ctl_grant *out);
/* The closed session of rec (counters from live when in the maps). */
void session_make(const struct g511_grant_rec *rec, const struct g511_grant *live,
		  unsigned int reason, uint64_t end_wall, struct g511_session_rec *s);
void session_to_ctl(const struct g511_session_rec *s, struct g511_ctl_session *out);
/* Why a live grant is over at now_ns (enum g511_close_reason), or 0;
 * *end_ns = when it ended. */
unsigned int grant_over(const struct g511_grant *g, uint64_t now_ns, uint64_t *end_ns);

#endif /* GATE511D_GRANT_REC_H */
