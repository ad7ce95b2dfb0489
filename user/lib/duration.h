/* SPDX-License-Identifier: GPL-2.0 */
/*
 * duration.h - "90", "90s", "15m", "8h", "7d": whole seconds with an
 * optional unit, as the config file and gate511ctl --ttl/--idle take them.
 */
#ifndef GATE511_DURATION_H
#define GATE511_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Longest duration accepted: 10 years (keeps ns arithmetic far from 2^64). */
#define G511_DURATION_MAX	(10ULL * 366 * 86400)

/* 0 or -EINVAL (syntax, or over G511_DURATION_MAX). */
int duration_parse(const char *s, uint64_t *secs);
/* "1d2h3m4s", "0s"; largest unit first, zero units left out. */
void duration_format(uint64_t secs, char *buf, size_t len);

#endif /* GATE511_DURATION_H */
