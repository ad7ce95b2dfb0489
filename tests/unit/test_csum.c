// SPDX-License-Identifier: GPL-2.0
/*
 * test_csum.c - the Internet checksum code (user/lib/csum.c): RFC 1071's
 * worked example, a known IPv4 header, TCP over IPv4 and IPv6 against a
 * slow big-endian reference on pseudo-random data of every length and
 * alignment, and chained partial sums.
 */
#include <stdint.h>
#include <arpa/inet.h>
#include "test.h"
#include "csum.h"

static uint32_t rnd_state = 511;

static uint8_t rnd8(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (uint8_t)(rnd_state >> 16);
}

/* Reference: 16-bit big-endian words, odd byte padded, folded, inverted. */
static uint16_t ref_sum(uint32_t s, const uint8_t *b, size_t len, bool fold)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return fold ? (uint16_t)~s : (uint16_t)s;
}

static uint16_t stored(uint16_t c)	/* what a field holding c reads as, in BE */
{
	return ntohs(c);
}

static bool rfc1071_example(void)
{
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	return ASSERT_EQ(stored(g511_csum_fold(g511_csum_add(0, b, sizeof(b)))),
			 (uint16_t)~0xddf2, "checksum of the example");
}

static bool ipv4_header(void)
{
	/* a header with a known checksum, b861 */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c = g511_csum_ipv4_hdr(h, 20);

	if (!ASSERT_EQ(stored(c), 0xb861, "header checksum"))
		return false;
	memcpy(h + 10, &c, 2);
	return ASSERT_EQ(g511_csum_ipv4_hdr(h, 20), 0, "a header holding its checksum sums to 0");
}

static bool against_reference(void)
{
	uint8_t buf[2048 + 8];
	size_t len, off;

	for (len = 0; len <= 2048; len += (len < 64 ? 1 : 61)) {
		for (off = 0; off < 8; off++) {
			size_t i;

			for (i = 0; i < len; i++)
				buf[off + i] = rnd8();
			if (!ASSERT_EQ(stored(g511_csum_fold(g511_csum_add(0, buf + off, len))),
				       ref_sum(0, buf + off, len, true), "random data"))
				return false;
		}
	}
	/* all 0xff: the carry paths */
	memset(buf, 0xff, sizeof(buf));
	return ASSERT_EQ(stored(g511_csum_fold(g511_csum_add(0, buf, 2048))),
			 ref_sum(0, buf, 2048, true), "all ones");
}

static bool chained(void)
{
	uint8_t buf[300];
	uint64_t s;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd8();
	s = g511_csum_add(0, buf, 100);
	s = g511_csum_add(s, buf + 100, 2);
	s = g511_csum_add(s, buf + 102, 197);
	return ASSERT_EQ(stored(g511_csum_fold(s)), ref_sum(0, buf, 299, true),
			 "even pieces then an odd one");
}

static bool tcp_pseudo(void)
{
	uint8_t v4s[4] = { 192, 0, 2, 10 }, v4d[4] = { 198, 51, 100, 80 };
	uint8_t v6s[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	uint8_t v6d[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x80 };
	uint8_t seg[1500], pseudo[40];
	size_t len;

	for (len = 20; len < sizeof(seg); len += 97) {
		uint16_t c, want;
		uint32_t s;
		size_t i;

		for (i = 0; i < len; i++)
			seg[i] = rnd8();
		seg[16] = seg[17] = 0;
		/* IPv4 pseudo-header: src dst 0 6 len */
		memcpy(pseudo, v4s, 4);
		memcpy(pseudo + 4, v4d, 4);
		pseudo[8] = 0;
		pseudo[9] = 6;
		pseudo[10] = (uint8_t)(len >> 8);
		pseudo[11] = (uint8_t)len;
		s = ref_sum(0, pseudo, 12, false);
		want = ref_sum(s, seg, len, true);
		c = g511_csum_tcp4(v4s, v4d, seg, len);
		if (!ASSERT_EQ(stored(c), want, "TCP/IPv4"))
			return false;
		memcpy(seg + 16, &c, 2);
		if (!ASSERT_EQ(g511_csum_tcp4(v4s, v4d, seg, len), 0, "v4 verifies to 0"))
			return false;
		seg[16] = seg[17] = 0;
		/* IPv6 pseudo-header: src dst len32 0 0 0 6 */
		memcpy(pseudo, v6s, 16);
		memcpy(pseudo + 16, v6d, 16);
		memset(pseudo + 32, 0, 8);
		pseudo[34] = (uint8_t)(len >> 8);
		pseudo[35] = (uint8_t)len;
		pseudo[39] = 6;
		s = ref_sum(0, pseudo, 40, false);
		want = ref_sum(s, seg, len, true);
		c = g511_csum_tcp6(v6s, v6d, seg, len);
		if (!ASSERT_EQ(stored(c), want, "TCP/IPv6"))
			return false;
		memcpy(seg + 16, &c, 2);
		if (!ASSERT_EQ(g511_csum_tcp6(v6s, v6d, seg, len), 0, "v6 verifies to 0"))
			return false;
	}
	return true;
}

int main(void)
{
	RUN_CASE(rfc1071_example);
	RUN_CASE(ipv4_header);
	RUN_CASE(against_reference);
	RUN_CASE(chained);
	RUN_CASE(tcp_pseudo);
	return test_summary();
}
