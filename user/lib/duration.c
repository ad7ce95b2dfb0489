// SPDX-License-Identifier: GPL-2.0
/*
 * duration.c - parse and print durations (duration.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "duration.h"

int duration_parse(const char *s, uint64_t *secs)
{
	uint64_t v = 0, unit = 1;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > G511_DURATION_MAX)
			return -EINVAL;
		p++;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;
	if (v > G511_DURATION_MAX / unit)
		return -EINVAL;
	*secs = v * unit;
	return 0;
}

void duration_format(uint64_t secs, char *buf, size_t len)
{
	static const struct {
		uint64_t s;
		char c;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t off = 0;
	unsigned int i;

	if (!len)
		return;
	buf[0] = '\0';
	if (secs == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t n = secs / units[i].s;
		int w;

		if (!n)
			continue;
		secs -= n * units[i].s;
		w = snprintf(buf + off, len - off, "%llu%c",
			     (unsigned long long)n, units[i].c);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += w;
	}
}
