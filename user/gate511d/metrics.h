/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - the Prometheus listener (metrics_listen = ADDR:PORT, plain
 * HTTP, off unless set): `GET /metrics` in the text format 0.0.4.
 *
 * A scrape reads and never writes: it copies what it needs under
 * daemon->lock (map fds, dup'd; the responder counters; one grouped count
 * of the state DB), lets go, then walks the maps and renders outside it.
 * metrics.c gathers a struct metrics_snap; metrics_render.c turns one into
 * text and nothing else, so the tests can render a made-up snapshot.
 */
#ifndef GATE511D_METRICS_H
#define GATE511D_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "api.h"
#include "ctl_proto.h"
#include "gate511.h"
#include "httpd.h"
#include "latency.h"
#include "xsk.h"

struct g511_daemon;

int metrics_start(struct g511_daemon *d);
void metrics_stop(struct g511_daemon *d);

/*
 * The listeners whose counters the metrics show. Each listener module
 * adds its struct httpd once it has started (capport.c and api.c:
 * metrics_listener_add("capport", h) after httpd_start()) and takes it out
 * before httpd_stop(); metrics.c adds its own. name is copied.
 */
#define METRICS_LISTENERS_MAX	8
void metrics_listener_add(const char *name, const struct httpd *h);
void metrics_listener_del(const struct httpd *h);

/* ---------------------------------------------------- one snapshot */

enum metrics_fill_map {
	METRICS_MAP_CLIENTS,
	METRICS_MAP_MACS,
	METRICS_MAP_GARDEN,
	METRICS_MAP__MAX,
};

struct metrics_map_fill {
	bool known;		/* the map was open and walked */
	uint64_t entries;
	uint64_t max_entries;
};

struct metrics_listener {
	char name[16];
	struct httpd_counters c;
};

struct metrics_iface {
	char name[16];
	unsigned int link_state;	/* enum g511_link_state */
};

struct metrics_snap {
	uint64_t started_wall;		/* wall seconds */
	bool stats_ok;			/* g511_stats read */
	uint64_t stats[G511_STAT__MAX];	/* summed over CPUs and maps */
	struct g511_xsk_counters xsk;
	bool grants_ok;			/* the state DB answered */
	uint32_t grants[G511_CLIENT_MAC + 1][G511_ORIGIN__MAX];
	struct metrics_map_fill fill[METRICS_MAP__MAX];
	struct latency_snap sweep, commit;
	struct metrics_listener listeners[METRICS_LISTENERS_MAX];
	unsigned int n_listeners;
	struct metrics_iface ifaces[8];
	unsigned int n_ifaces;
	bool api_on;			/* the portal API listens */
	struct api_counters api;	/* api.h: by endpoint, auth failures */
	/* RADIUS (radius_status(): what `gate511ctl radius` shows); its
	 * families only when a server or the DAE listener is configured */
	struct g511_ctl_radius_status radius;
	uint64_t now_wall;		/* for the age of the oldest queued record */
};

/* The exposition of s (malloc'd, *len bytes); -ENOMEM, or -EINVAL if the
 * writer refused a name (a bug, caught by the tests). */
int metrics_render(const struct metrics_snap *s, char **out, size_t *len);

#endif /* GATE511D_METRICS_H */
