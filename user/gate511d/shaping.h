/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shaping.h - the fq qdisc that download rates need (shaping.c).
 *
 * gate511_tc paces a rated client's download by earliest departure time
 * (skb->tstamp); only the fq qdisc honours it. gate511d makes fq the root
 * qdisc of a client-facing link when some grant has a download rate and
 * `shaping = auto`, and only over the kernel's default qdisc: it never
 * replaces one an admin configured (it says so, once).
 */
#ifndef GATE511D_SHAPING_H
#define GATE511D_SHAPING_H

#include <stdbool.h>
#include "daemon.h"

struct g511_iface;

/* A grant with a download rate exists (sticky until the daemon stops);
 * inline: the unit tests build grants.c without this file's .c */
static inline void shaping_want(struct g511_daemon *d)
{
	__atomic_store_n(&d->shaping_wanted, true, __ATOMIC_RELAXED);
}

/* Once a second per link (links_check()): fq in place when wanted. */
void shaping_check(struct g511_daemon *d, struct g511_iface *ifc);

/* --detach-on-exit: the fq this daemon installed goes, the default is back. */
void shaping_detach(struct g511_iface *ifc);

#endif /* GATE511D_SHAPING_H */
