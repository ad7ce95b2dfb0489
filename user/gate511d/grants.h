/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grants.h - what gate511d does to the maps and the state database: grant,
 * revoke, import, restore at start, the expiry sweep, the walled garden and
 * the runtime config. The control socket (control.c) and main.c call these.
 *
 * Every function here takes daemon->lock itself: call it without the lock.
 * Writes go to the state DB first, inside a transaction; the maps are
 * updated before the commit and put back as they were if the commit or a
 * later map write fails, so the DB and the maps agree for anyone holding
 * the lock, and nothing is acknowledged before it is durable.
 *
 * A map that is full is never made room in: the write fails with -ENOSPC
 * and nothing changes (no eviction).
 */
#ifndef GATE511D_GRANTS_H
#define GATE511D_GRANTS_H

#include <stdbool.h>
#include <stdint.h>
#include "addr.h"
#include "ctl_proto.h"
#include "daemon.h"

/* A grant to make; timeouts already resolved against the config defaults. */
struct grant_spec {
	struct g511_client client;
	uint64_t ttl_s;		/* session length, 0 = no deadline */
	uint64_t idle_s;	/* idle timeout, 0 = none */
	bool mac_bound;		/* address grants only */
	uint8_t mac[6];
};

/* Grant (or re-grant: the old session is closed as "replaced"). */
int grants_allow(struct g511_daemon *d, const struct grant_spec *spec,
		 struct g511_ctl_grant *out);
/* Revoke; out is the closed session. -ENOENT if the client holds nothing. */
int grants_deny(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_session *out);
/* -ENOENT if the client holds nothing. */
int grants_show(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_grant *out);
/*
 * All of specs in one transaction, or none of them: on -ENOSPC (or any
 * error) every map entry is put back and *failed_at tells which item.
 */
int grants_import(struct g511_daemon *d, const struct grant_spec *specs,
		  size_t n, size_t *failed_at);
/*
 * Up to max grants with id > after_id, in id order. with_counters: read
 * packets/bytes/last-seen and the live deadline from the maps (list, show);
 * without: the DB alone (export).
 */
int grants_list_page(struct g511_daemon *d, uint32_t after_id,
		     bool with_counters, struct g511_ctl_grant *out,
		     unsigned int max, unsigned int *n);
/* Up to max closed sessions with id > *after_id; advances *after_id. */
int grants_history_page(struct g511_daemon *d, const struct g511_client *filter,
			uint64_t *after_id, struct g511_ctl_session *out,
			unsigned int max, unsigned int *n);

/*
 * At start, after the map fds are known and before the control socket:
 * check the maps' shapes, fill in maps.clients_max/macs_max, then make the
 * maps match the state DB (see grants.c for the clock rules).
 */
int grants_reconcile(struct g511_daemon *d);
/* Every second from main.c: close expired and idle grants. */
int grants_sweep(struct g511_daemon *d);

/* Sum of the per-CPU g511_stats counters over the ifaces' maps. */
int grants_stats(struct g511_daemon *d, struct g511_ctl_stats *out);
int grants_status(struct g511_daemon *d, struct g511_ctl_status *out);

/* Write config garden + DB garden into g511_garden; remove the rest. */
int garden_apply(struct g511_daemon *d);
/* -ENOSPC if g511_garden is full. */
int garden_add(struct g511_daemon *d, const struct g511_garden_entry *e);
/* -ENOENT if not added at run time (-EPERM if it comes from the config). */
int garden_del(struct g511_daemon *d, const struct g511_garden_key *key);
/* The effective garden, malloc'd into *out (free it). */
int garden_list(struct g511_daemon *d, struct g511_ctl_garden **out,
		unsigned int *n);

/* Write d->conf.xdp into g511_config on every iface. */
int config_apply(struct g511_daemon *d);
/*
 * Put a parsed config in force: d->conf = *next (under the lock), then the
 * config map and the garden map. state_db, control_socket and
 * control_group keep their running values (a change is logged: it needs a
 * restart); xdp.boot_offset_ns keeps its running value (main.c's).
 * Apply command-line overrides to *next before calling.
 */
int config_replace(struct g511_daemon *d, const struct g511_conf *next);
/*
 * SIGHUP without overrides: load d->conf_path; if it parses, config_replace()
 * it; otherwise log "PATH: line N: ..." and keep the old config (-EINVAL).
 */
int config_reload(struct g511_daemon *d);

#endif /* GATE511D_GRANTS_H */
