// SPDX-License-Identifier: GPL-2.0
/*
 * csum.c - Internet checksum. Eight bytes at a time into a 64-bit
 * accumulator with end-around carry (2^64 = 1 mod 0xffff, so wide words sum
 * to the same ones' complement result as 16-bit ones).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "csum.h"

uint64_t g511_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t w64;
	uint32_t w32;
	uint16_t w16;

	while (len >= 8) {
		memcpy(&w64, p, 8);
		sum += w64;
		sum += sum < w64;	/* end-around carry */
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		sum += sum < w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		sum += sum < w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* An odd last byte is padded with a zero byte after it. */
		w16 = 0;
		memcpy(&w16, p, 1);
		sum += w16;
		sum += sum < w16;
	}
	return sum;
}

uint16_t g511_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline uint64_t add_word(uint64_t sum, uint32_t w)
{
	sum += w;
	return sum + (sum < w);
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
	sum = add_word(sum, htons(IPPROTO_TCP));
	sum = add_word(sum, htons((uint16_t)len));
	return g511_csum_fold(g511_csum_add(sum, seg, len));
}

uint16_t g511_csum_tcp6(const void *saddr, const void *daddr, const void *seg, size_t len)
{
	uint64_t sum;

	sum = g511_csum_add(0, saddr, 16);
	sum = g511_csum_add(sum, daddr, 16);
	/* 32-bit upper-layer length, three zero bytes, next header */
	sum = add_word(sum, htonl((uint32_t)len));
	sum = add_word(sum, htonl(IPPROTO_TCP));
	return g511_csum_fold(g511_csum_add(sum, seg, len));
}
