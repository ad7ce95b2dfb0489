/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cookie.h - the responder's SYN cookies: the ISN of our SYN-ACK carries
 * everything the stateless responder needs to accept the client's next
 * segments (proof of a round trip, the MSS class), so it keeps no state.
 *
 * Layout of the 32-bit cookie (the ISN of our SYN-ACK):
 *
 *   31                                   5 4   3 2     0
 *  +--------------------------------------+-----+-------+
 *  |  hash: bits 63..37 of SipHash-2-4     | cnt |  mss  |
 *  +--------------------------------------+-----+-------+
 *
 *  hash    = SipHash-2-4(secret, saddr daddr sport dport counter) with
 *            addresses as on the wire (4 bytes each for IPv4, 16 for IPv6),
 *            ports in network order, counter as 32-bit little-endian;
 *  counter = now_s / G511_COOKIE_PERIOD_S (64 s): the time counter;
 *  cnt     = counter & 3, so a check knows which counter was used without
 *            trying several: the current one or the one before. A cookie is
 *            thus good for 64 to 128 s; older ones fail (their cnt names a
 *            counter we no longer accept, or the hash does not match);
 *  mss     = index into the MSS class table of the address family.
 *
 * The MSS index is outside the hash: changing it only lets a client pick
 * another class, which it can do with its own SYN anyway. 27 hash bits
 * make a blind guess succeed once in 2^27 tries per class and period.
 */
#ifndef GATE511_COOKIE_H
#define GATE511_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#define G511_COOKIE_PERIOD_S	64
#define G511_COOKIE_NCLASSES	5

/* The connection as the client sent it: client = s, us = d. */
struct g511_cookie_tuple {
	uint8_t saddr[16];	/* IPv6, or ::ffff:a.b.c.d */
	uint8_t daddr[16];
	uint16_t sport_be;
	uint16_t dport_be;
};

/*
 * Index of the largest MSS class <= client_mss, or -1 when client_mss is
 * below the smallest class (536 for IPv4, 1220 for IPv6).
 */
int g511_cookie_mss_class(bool v6, unsigned int client_mss);
/* The MSS of class idx (idx < G511_COOKIE_NCLASSES). */
unsigned int g511_cookie_mss(bool v6, unsigned int idx);

uint32_t g511_cookie_make(const uint8_t key[16], const struct g511_cookie_tuple *t,
			  uint64_t now_s, unsigned int mss_idx);

/* The MSS class index if cookie is valid now, else -1. One SipHash. */
int g511_cookie_check(const uint8_t key[16], const struct g511_cookie_tuple *t,
		      uint64_t now_s, uint32_t cookie);

/*
 * Is val = cookie + delta for a cookie valid now and 0 <= delta <= span?
 * Returns the MSS class index and sets *delta (smallest one), else -1.
 * Used to recognise segments sent after our response (FIN, late data).
 * Two SipHashes.
 */
int g511_cookie_find(const uint8_t key[16], const struct g511_cookie_tuple *t,
		     uint64_t now_s, uint32_t val, uint32_t span, uint32_t *delta);

#endif /* GATE511_COOKIE_H */
