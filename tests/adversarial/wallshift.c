// SPDX-License-Identifier: GPL-2.0
/*
 * wallshift.c - LD_PRELOAD shim for 40_faults.sh: steps one process's wall
 * clock without touching the machine's. CLOCK_REALTIME (and its coarse and
 * TAI forms, gettimeofday, time) read `offset` seconds ahead, where offset
 * is the integer in the file named by $G511_WALL_SHIFT_FILE (re-read at
 * most every 50 ms; missing or bad file: 0). CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME are left alone, as a real wall-clock step leaves them.
 *
 * A time namespace cannot do this: it offsets only MONOTONIC and BOOTTIME.
 * Stepping the real clock (date -s) would shift every process on the box.
 *
 * Build: cc -shared -fPIC -O2 -o wallshift.so wallshift.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime(void)
{
	static clock_gettime_fn fn;

	if (!fn)
		fn = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	return fn;
}

static long long shift_s(void)
{
	static long long cached;
	static long long read_at_ms = -1000;
	struct timespec now;
	long long ms, v;
	const char *path;
	FILE *f;

	real_clock_gettime()(CLOCK_MONOTONIC, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (ms - read_at_ms < 50)
		return cached;
	read_at_ms = ms;
	path = getenv("G511_WALL_SHIFT_FILE");
	if (!path || !(f = fopen(path, "re")))
		return cached = 0;
	if (fscanf(f, "%lld", &v) != 1)
		v = 0;
	fclose(f);
	return cached = v;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int ret = real_clock_gettime()(id, ts);

	if (!ret && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI))
		ts->tv_sec += shift_s();
	return ret;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	tv->tv_sec = ts.tv_sec;		/* glibc declares tv nonnull */
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (out)
		*out = ts.tv_sec;
	return ts.tv_sec;
}
