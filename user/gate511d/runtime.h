/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runtime.h - the configuration in force: written into g511_config on
 * every iface, and replaced as a whole on SIGHUP.
 */
#ifndef GATE511D_RUNTIME_H
#define GATE511D_RUNTIME_H

#include "conf.h"
#include "daemon.h"

/* Write d->conf.xdp into g511_config on every iface. */
int config_apply(struct g511_daemon *d);
/*
 * Put a parsed config in force: d->conf = *next (under the lock), then the
 * config map and the garden map. state_db, control_socket, admin_group,
 * portal_group and interface keep their running values (a change is
 * logged: it needs a restart); xdp.boot_offset_ns keeps its running value
 * (main.c's). Once applied, logs each key that changed (conf_diff.h), or
 * "no changes". Apply command-line overrides to *next before calling.
 */
int config_replace(struct g511_daemon *d, const struct g511_conf *next);
/*
 * The lookup prefilters of g511_config (include/gate511.h), with
 * daemon->lock held: _widen before an entry with key may go into the map
 * id (G511_MAP_ID_MACS or _GARDEN); _refresh after entries went,
 * recomputing the filters from the maps and marking them valid.
 */
int config_filter_widen_locked(struct g511_daemon *d, enum g511_map_id id, const void *key);
int config_filter_refresh_locked(struct g511_daemon *d);

/*
 * Let unauthenticated clients reach the RFC 8908 listener l (TCP to its
 * address and port; g511_config.capport_*), or nobody (NULL or !l->set).
 * Set by capport.c while its listener runs; kept across a reload.
 */
int config_set_capport(struct g511_daemon *d, const struct g511_listen *l);

/* Keep the XDP clock on BOOTTIME: a new BOOTTIME - MONOTONIC offset. */
int config_set_boot_offset(struct g511_daemon *d, __u64 offset_ns);

#endif /* GATE511D_RUNTIME_H */
