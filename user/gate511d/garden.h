/* SPDX-License-Identifier: GPL-2.0 */
/*
 * garden.h - the walled garden: entries from the config file, overridden
 * by the ones added at run time (state DB), written into g511_garden.
 * Every function but the _locked ones takes daemon->lock itself.
 */
#ifndef GATE511D_GARDEN_H
#define GATE511D_GARDEN_H

#include "addr.h"
#include "ctl_proto.h"
#include "daemon.h"

/* Write config garden + DB garden into g511_garden; remove the rest. */
int garden_apply(struct g511_daemon *d);
int garden_apply_locked(struct g511_daemon *d);
/* -ENOSPC if g511_garden is full; nothing changes then. */
int garden_add(struct g511_daemon *d, const struct g511_garden_entry *e);
/* -ENOENT if not added at run time (-EPERM if it comes from the config). */
int garden_del(struct g511_daemon *d, const struct g511_garden_key *key);
/* The effective garden, malloc'd into *out (free it). */
int garden_list(struct g511_daemon *d, struct g511_ctl_garden **out, unsigned int *n);
unsigned int garden_count_locked(struct g511_daemon *d);

#endif /* GATE511D_GARDEN_H */
