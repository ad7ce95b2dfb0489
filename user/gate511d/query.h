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
 * Up to max grants with id > after_id, in id order. with_counters: read
 * packets/bytes/last-seen and the live deadline from the maps (list, show);
 * without: the DB alone (export).
 */
int grants_list_page(struct g511_daemon *d, uint32_t after_id, bool with_counters,
		     struct g511_ctl_grant *out, unsigned int max, unsigned int *n);
/* Up to max closed sessions with id > *after_id; advances *after_id. */
int grants_history_page(struct g511_daemon *d, const struct g511_client *filter,
			uint64_t *after_id, struct g511_ctl_session *out,
			unsigned int max, unsigned int *n);
/* Sum of the per-CPU g511_stats counters over the ifaces' maps. */
int grants_stats(struct g511_daemon *d, struct g511_ctl_stats *out);
int grants_status(struct g511_daemon *d, struct g511_ctl_status *out);

#endif /* GATE511D_QUERY_H */
