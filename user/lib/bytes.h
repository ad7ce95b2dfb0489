/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bytes.h - big-endian loads and stores at any alignment, for code that
 * reads and builds packets byte by byte (the responder, the load generator),
 * and a decimal number written without printf (the responder's
 * Content-Length, the signed portal URL's timestamp).
 */
#ifndef GATE511_BYTES_H
#define GATE511_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* v in decimal at buf (up to 20 bytes, no NUL); returns the length. */
static inline size_t put_decimal(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

#endif /* GATE511_BYTES_H */
