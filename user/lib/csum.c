// SPDX-License-Identifier: GPL-2.0
/*
 * csum.c - Internet checksum. Words of any width loaded in host order sum
 * to the same ones' complement result as 16-bit ones once folded
 * (2^16 = 1 mod 0xffff), so we sum 32-bit words into 64-bit accumulators.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "csum.h"

static inline uint64_t add_carry(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v);		/* end-around carry */
}

uint64_t g511_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t a = 0, b = 0, w0, w1;
	uint32_t w32;
	uint16_t w16;

	/*
	 * 32-bit halves summed into two 64-bit accumulators: no carry chain,
	 * and no overflow below 2^32 words (16 GiB), far above any frame.
	 */
	while (len >= 16) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		a += (w0 & 0xffffffffULL) + (w0 >> 32);
		b += (w1 & 0xffffffffULL) + (w1 >> 32);
		p += 16;
		len -= 16;
	}
	if (len >= 8) {
		memcpy(&w0, p, 8);
		a += (w0 & 0xffffffffULL) + (w0 >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		b += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		a += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* An odd last byte is padded with a zero byte after it. */
		w16 = 0;
		memcpy(&w16, p, 1);
		b += w16;
	}
	return add_carry(add_carry(sum, a), b);
}

uint16_t g511_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t g511_csum_ipv4_hdr(const void *iph, size_t len)
{
	return g511_csum_fold(g511_csum_add(0, iph, len));
}

uint16_t g511_csum_tcp4(const void *saddr, const void *daddr, const void *seg, size_t len)
{
	uint64_t sum;

	sum = g511_csum_add(0, saddr, 4);
	sum = g511_csum_add(sum, daddr, 4);
	/* zero, protocol, TCP length: as 16-bit words in network order */
	sum = add_carry(sum, htons(IPPROTO_TCP));
	sum = add_carry(sum, htons((uint16_t)len));
	return g511_csum_fold(g511_csum_add(sum, seg, len));
}

uint16_t g511_csum_tcp6(const void *saddr, const void *daddr, const void *seg, size_t len)
{
	uint64_t sum;

	sum = g511_csum_add(0, saddr, 16);
	sum = g511_csum_add(sum, daddr, 16);
	/* 32-bit upper-layer length, three zero bytes, next header */
	sum = add_carry(sum, htonl((uint32_t)len));
	sum = add_carry(sum, htonl(IPPROTO_TCP));
	return g511_csum_fold(g511_csum_add(sum, seg, len));
}
