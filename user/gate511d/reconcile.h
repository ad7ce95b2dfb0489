/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reconcile.h - making the maps hold what the state DB says, at start
 * (reconcile_plan(): pure; grants_reconcile(): its shell), and the expiry
 * sweep that closes grants the datapath already stopped passing.
 */
#ifndef GATE511D_RECONCILE_H
#define GATE511D_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon.h"
#include "maps.h"
#include "state.h"

/* Wall-clock steps smaller than this are noise (seconds). */
#define WALL_STEP_S	2

/* One distinct map of the kind being planned: its entries, sorted by key
 * (map_entry_cmp); the plan sets .used on those a DB grant matched. */
struct reconcile_map {
	struct map_entry *ents;
	size_t n;
};

/* A grant the plan found over: to close in the DB (history row). */
struct reconcile_close {
	size_t rec;		/* index into the recs given */
	unsigned int reason;	/* enum g511_close_reason */
	uint64_t end_wall;
	struct g511_grant live;	/* the maps' value, when in_map */
	bool in_map;
};

/* A DB deadline to bring in line with the map's (same boot). */
struct reconcile_resync {
	uint32_t id;
	uint64_t expires_wall;
};

struct reconcile_plan {
	int nmaps;
	struct map_batch write[G511_MAX_IFACES];	/* per map: key -> value */
	struct map_batch remove[G511_MAX_IFACES];	/* per map: keys */
	size_t *keep;		/* rec indices left in the maps as they are */
	size_t n_keep;
	size_t n_written;	/* recs written (after a reboot, or missing) */
	struct reconcile_close *close;
	size_t n_close;
	struct reconcile_resync *resync;
	size_t n_resync;
	size_t n_unknown;	/* map entries no DB grant backs (in remove) */
};

/*
 * Plan for one kind of client: recs[0..n) are the DB grants of that kind,
 * sorted by client (client_cmp); maps[0..nmaps) the distinct maps' entries.
 * The clock rules:
 *  - A map entry with the DB row's grant_id is the same grant, same boot:
 *    the map's BOOTTIME deadline stands (the sweep never looks at the wall
 *    clock, so stepping it neither expires nor extends anyone). If it is
 *    over, the grant is closed and removed. If the DB's wall deadline has
 *    drifted from it by more than WALL_STEP_S, the DB is resynced. A map
 *    of several that lacks it gets it written (counters zero).
 *  - No map has it (a reboot, or fresh maps): the wall clock is all there
 *    is: deadline = boot_now + (expires_wall - wall_now), clamped to
 *    [0, ttl]. The clamp means a wall clock that went backwards (bad RTC)
 *    can at most give a grant its original length again, never more; a
 *    clock that went forwards closes grants early (fail closed). Idle
 *    timers restart (last seen = now).
 *  - Map entries no DB grant of this kind backs are removed.
 * Pure: no maps, clocks or DB; the caller frees plan with _free().
 */
int reconcile_plan(const struct g511_grant_rec *recs, size_t n, unsigned int kind,
		   struct reconcile_map *maps, int nmaps, const struct clock_pair *now,
		   struct reconcile_plan *plan);
void reconcile_plan_free(struct reconcile_plan *plan);

/*
 * At start, after the map fds are known and before the responder and the
 * control socket: check the maps' shapes, then make them match the DB.
 */
int grants_reconcile(struct g511_daemon *d);
/*
 * Grants the maps hold, over every distinct map of both kinds (what a
 * fresh database would revoke). -errno if a map cannot be read.
 */
long grants_in_maps(struct g511_daemon *d);
/*
 * --adopt-maps: write every grant the maps hold into the (new) database,
 * origin "adopted", deadlines and idle timeouts as the maps have them,
 * counters kept; the maps' grant ids are brought in line. One transaction
 * for the DB; a map entry it cannot rewrite is put back as it was.
 */
int grants_adopt(struct g511_daemon *d, size_t *adopted);

/* Every second from main.c: close expired and idle grants. */
int grants_sweep(struct g511_daemon *d);

#endif /* GATE511D_RECONCILE_H */
