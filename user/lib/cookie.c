// SPDX-License-Identifier: GPL-2.0
/*
 * cookie.c - SYN cookie make/check (layout in cookie.h) and the MSS class
 * tables the cookie's low bits index.
 */
#include <endian.h>
#include <string.h>
#include "cookie.h"
#include "siphash.h"

#define COOKIE_HASH_MASK	0xffffffe0U
#define COOKIE_CNT_SHIFT	3
#define COOKIE_MSS_MASK		7U

/*
 * Classes for common paths: IPv4 minimum (RFC 9293 default), IPv6 minimum
 * MTU, tunnels/VPNs, PPPoE, plain Ethernet.
 */
static const uint16_t mss_v4[G511_COOKIE_NCLASSES] = { 536, 1220, 1380, 1440, 1460 };
static const uint16_t mss_v6[G511_COOKIE_NCLASSES] = { 1220, 1340, 1380, 1420, 1440 };

int g511_cookie_mss_class(bool v6, unsigned int client_mss)
{
	const uint16_t *tab = v6 ? mss_v6 : mss_v4;
	int i;

	for (i = G511_COOKIE_NCLASSES - 1; i >= 0; i--)
		if (tab[i] <= client_mss)
			return i;
	return -1;
}

unsigned int g511_cookie_mss(bool v6, unsigned int idx)
{
	if (idx >= G511_COOKIE_NCLASSES)
		return 0;
	return v6 ? mss_v6[idx] : mss_v4[idx];
}

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/*
 * Hash bits (31..5) of the cookie for one time counter. IPv4 tuples are
 * hashed in their 16-byte short form (saddr4 daddr4 ports counter): two
 * SipHash blocks instead of five on the hot path.
 */
static uint32_t cookie_hash(const uint8_t key[16], const struct g511_cookie_tuple *t,
			    uint64_t counter)
{
	uint8_t in[40];
	uint32_t c = htole32((uint32_t)counter);
	size_t n;

	if (memcmp(t->saddr, v4_mapped, 12) == 0 && memcmp(t->daddr, v4_mapped, 12) == 0) {
		memcpy(in, t->saddr + 12, 4);
		memcpy(in + 4, t->daddr + 12, 4);
		n = 8;
	} else {
		memcpy(in, t->saddr, 16);
		memcpy(in + 16, t->daddr, 16);
		n = 32;
	}
	memcpy(in + n, &t->sport_be, 2);
	memcpy(in + n + 2, &t->dport_be, 2);
	memcpy(in + n + 4, &c, 4);
	return (uint32_t)(g511_siphash24(key, in, n + 8) >> 32) & COOKIE_HASH_MASK;
}

static uint32_t cookie_low(uint64_t counter, unsigned int mss_idx)
{
	return (uint32_t)((counter & 3) << COOKIE_CNT_SHIFT) | (mss_idx & COOKIE_MSS_MASK);
}

uint32_t g511_cookie_make(const uint8_t key[16], const struct g511_cookie_tuple *t,
			  uint64_t now_s, unsigned int mss_idx)
{
	uint64_t counter = now_s / G511_COOKIE_PERIOD_S;

	return cookie_hash(key, t, counter) | cookie_low(counter, mss_idx);
}

int g511_cookie_check(const uint8_t key[16], const struct g511_cookie_tuple *t,
		      uint64_t now_s, uint32_t cookie)
{
	uint64_t cur = now_s / G511_COOKIE_PERIOD_S, counter;
	unsigned int cnt = (cookie >> COOKIE_CNT_SHIFT) & 3;
	unsigned int idx = cookie & COOKIE_MSS_MASK;

	if (idx >= G511_COOKIE_NCLASSES)
		return -1;
	if (cnt == (cur & 3))
		counter = cur;
	else if (cur > 0 && cnt == ((cur - 1) & 3))
		counter = cur - 1;
	else
		return -1;
	if ((cookie & COOKIE_HASH_MASK) != cookie_hash(key, t, counter))
		return -1;
	return (int)idx;
}

int g511_cookie_find(const uint8_t key[16], const struct g511_cookie_tuple *t,
		     uint64_t now_s, uint32_t val, uint32_t span, uint32_t *delta)
{
	uint64_t cur = now_s / G511_COOKIE_PERIOD_S;
	uint32_t best = 0;
	int found = -1;
	unsigned int k, idx;

	for (k = 0; k < 2; k++) {
		uint64_t counter = cur - k;
		uint32_t base;

		if (k > cur)
			break;
		base = cookie_hash(key, t, counter) | cookie_low(counter, 0);
		for (idx = 0; idx < G511_COOKIE_NCLASSES; idx++) {
			uint32_t d = val - (base | idx);

			if (d <= span && (found < 0 || d < best)) {
				best = d;
				found = (int)idx;
			}
		}
	}
	if (found >= 0 && delta)
		*delta = best;
	return found;
}
