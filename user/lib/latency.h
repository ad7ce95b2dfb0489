/* SPDX-License-Identifier: GPL-2.0 */
/*
 * latency.h - how long the daemon's slow steps take, for the metrics: a
 * fixed-bucket histogram that a hot path fills with two clock reads and
 * a few relaxed atomic adds (no lock), and a reader copies. The buckets
 * are the same for every timer, from 50 us to 10 s.
 */
#ifndef GATE511_LATENCY_H
#define GATE511_LATENCY_H

#include <stdatomic.h>
#include <stdint.h>

#define LATENCY_BUCKETS	16

/* Upper bounds of the buckets in seconds (what prom_histogram() takes). */
extern const double latency_bounds_s[LATENCY_BUCKETS];

struct latency_hist {
	_Atomic uint64_t buckets[LATENCY_BUCKETS + 1];	/* last: above every bound */
	_Atomic uint64_t sum_ns;
};

/* A copy: counts and sum may be from moments a few ns apart, never torn. */
struct latency_snap {
	uint64_t buckets[LATENCY_BUCKETS + 1];
	uint64_t sum_ns;
};

/* The timers (zeroed at start). */
extern struct latency_hist g511_lat_sweep;	/* one expiry sweep (reconcile.c) */
extern struct latency_hist g511_lat_commit;	/* one state DB commit (maps.c) */

/* CLOCK_MONOTONIC ns. */
uint64_t latency_now_ns(void);
void latency_observe(struct latency_hist *h, uint64_t ns);
/* latency_observe(h, now - start_ns). */
void latency_since(struct latency_hist *h, uint64_t start_ns);
void latency_read(const struct latency_hist *h, struct latency_snap *out);

#endif /* GATE511_LATENCY_H */
