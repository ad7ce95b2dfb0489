// SPDX-License-Identifier: GPL-2.0
/*
 * latency.c - the timing hooks of latency.h. An observation finds its
 * bucket by a short linear scan over 16 bounds kept in ns, cheaper than
 * the DB commit or the sweep it measures by orders of magnitude.
 */
#include <time.h>

#include "latency.h"

const double latency_bounds_s[LATENCY_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

static const uint64_t bounds_ns[LATENCY_BUCKETS] = {
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
	25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
	2500000000ULL, 10000000000ULL,
};

struct latency_hist g511_lat_sweep, g511_lat_commit;

uint64_t latency_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void latency_observe(struct latency_hist *h, uint64_t ns)
{
	unsigned int i = 0;

	while (i < LATENCY_BUCKETS && ns > bounds_ns[i])
		i++;
	atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

void latency_since(struct latency_hist *h, uint64_t start_ns)
{
	uint64_t now = latency_now_ns();

	latency_observe(h, now > start_ns ? now - start_ns : 0);
}

void latency_read(const struct latency_hist *h, struct latency_snap *out)
{
	for (unsigned int i = 0; i <= LATENCY_BUCKETS; i++)
		out->buckets[i] = atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
	out->sum_ns = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
}
