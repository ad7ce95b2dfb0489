/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gname.h - the walled garden by name: names from the config file and
 * the state DB in g511_gnames, and the addresses the TC program
 * learned from DNS answers for them (g511_garden_dns). Every function
 * but the _locked one takes daemon->lock itself.
 */
#ifndef GATE511D_GNAME_H
#define GATE511D_GNAME_H

#include "ctl_proto.h"
#include "daemon.h"
#include "gardenname.h"

/* Write the names into g511_gnames, drop the rest and what they taught. */
int gname_apply_locked(struct g511_daemon *d);
/* Delete learned addresses past their expiry (the datapath already
 * ignores them; this frees the room). */
void gname_sweep(struct g511_daemon *d);
/* Add (or change the ports of) a run-time name; -ENOSPC if the map is full. */
int gname_add(struct g511_daemon *d, const struct g511_gname *g);
/* -ENOENT if not added at run time (-EPERM if it comes from the config). */
int gname_del(struct g511_daemon *d, const struct g511_gname *g);
/* The names with what they learned, sorted, malloc'd into *out (free it). */
int gname_list(struct g511_daemon *d, struct g511_ctl_gname **out, unsigned int *n);

#endif /* GATE511D_GNAME_H */
