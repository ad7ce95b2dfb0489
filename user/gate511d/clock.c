// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c - the two clocks gate511d lives by (daemon.h): CLOCK_BOOTTIME ns,
 * which the XDP program reads with bpf_ktime_get_boot_ns() and which no one
 * can step, and wall-clock seconds for the state database and for people.
 * Conversions are made "at the current moment": they move when the wall
 * clock is stepped, which is why deadlines live in BOOTTIME in the maps.
 */
#include <time.h>
#include "daemon.h"

#define NSEC_PER_SEC 1000000000ULL
/* Beyond any wall time we store (year 2255): keeps * NSEC_PER_SEC < 2^63. */
#define WALL_S_MAX 9000000000ULL

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t g511_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t g511_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Never 0: in a map 0 means "no deadline". A past moment gives 1. */
uint64_t g511_wall_to_boot_ns(uint64_t wall_s)
{
	uint64_t boot = g511_boot_ns(), wall = clock_ns(CLOCK_REALTIME);
	int64_t delta;

	if (wall_s > WALL_S_MAX)
		wall_s = WALL_S_MAX;
	delta = (int64_t)(wall_s * NSEC_PER_SEC) - (int64_t)wall;
	if (delta < 0 && (uint64_t)-delta >= boot)
		return 1;
	return boot + delta;
}

uint64_t g511_boot_ns_to_wall(uint64_t boot_ns)
{
	uint64_t boot = g511_boot_ns(), wall = clock_ns(CLOCK_REALTIME);
	int64_t delta = (int64_t)boot_ns - (int64_t)boot;

	if (delta < 0 && (uint64_t)-delta >= wall)
		return 0;
	/* truncate, as g511_wall_s() does: created + ttl reads back exactly */
	return (wall + delta) / NSEC_PER_SEC;
}

void g511_clock_now(struct clock_pair *now)
{
	now->wall_s = g511_wall_s();
	now->boot_ns = g511_boot_ns();
}
