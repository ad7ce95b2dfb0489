// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c - the two clocks gate511d lives by (daemon.h): CLOCK_BOOTTIME ns,
 * which the XDP program reads with bpf_ktime_get_boot_ns() and which no one
 * can step, and wall-clock seconds for the state database and for people.
 * Conversions between them take both read at one moment (struct
 * clock_pair, grant_rec.h's clock_boot_to_wall()): they move when the wall
 * clock is stepped, which is why deadlines live in BOOTTIME in the maps.
 */
#include <time.h>
#include "daemon.h"

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

void g511_clock_now(struct clock_pair *now)
{
	now->wall_s = g511_wall_s();
	now->boot_ns = g511_boot_ns();
}
