/* SPDX-License-Identifier: GPL-2.0 */
/*
 * query.h - what gate511d answers without changing anything: one grant,
 * pages of grants and of closed sessions, the datapath counters and the
 * daemon's status. Each takes daemon->lock itself where it reads the DB.
 */
#ifndef GATE511D_QUERY_H
#define GATE511D_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include "addr.h"
#include "ctl_proto.h"
#include "daemon.h"

/* -ENOENT if the client holds nothing. */
int grants_show(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_grant *out);
/*
 * Up to max grants with id > after_id, in id order, each looked up in the
 * maps: in_map, packets/bytes and last seen are what the maps hold now.
 * live_deadline: the deadline the map enforces (list); without: the DB's
 * (export: the one import recreates; the two differ by rounding only).
 */
int grants_list_page(struct g511_daemon *d, uint32_t after_id, bool live_deadline,
		     struct g511_ctl_grant *out, unsigned int max, unsigned int *n);
/* Up to max closed sessions with id > *after_id; advances *after_id. */
int grants_history_page(struct g511_daemon *d, const struct g511_client *filter,
			uint64_t *after_id, struct g511_ctl_session *out,
			unsigned int max, unsigned int *n);
/* Sum of the per-CPU g511_stats counters over the ifaces' maps. */
int grants_stats(struct g511_daemon *d, struct g511_ctl_stats *out);
int grants_status(struct g511_daemon *d, struct g511_ctl_status *out);

#endif /* GATE511D_QUERY_H */
