// SPDX-License-Identifier: GPL-2.0
/*
 * test_cookie.c - SYN cookies (user/lib/cookie.c): MSS class tables, the
 * bit layout, lifetime across periods (including the first ones after
 * start), binding to the secret and the 4-tuple, and g511_cookie_find()
 * for acks past the cookie.
 */
#include <stdint.h>
#include "test.h"
#include "cookie.h"

static const uint8_t key[16] = "gate511-test-key";
static const uint8_t key_b[16] = "another-test-key";

static void tuple(struct g511_cookie_tuple *t, bool v6, uint16_t sport)
{
	memset(t, 0, sizeof(*t));
	if (v6) {
		t->saddr[0] = 0x20; t->saddr[1] = 0x01; t->saddr[15] = 0x10;
		t->daddr[0] = 0x20; t->daddr[1] = 0x01; t->daddr[15] = 0x80;
	} else {
		t->saddr[10] = t->saddr[11] = 0xff;
		t->daddr[10] = t->daddr[11] = 0xff;
		t->saddr[12] = 192; t->saddr[15] = 10;
		t->daddr[12] = 198; t->daddr[15] = 80;
	}
	t->sport_be = (uint16_t)(sport << 8 | sport >> 8);
	t->dport_be = 0x5000;	/* 80 */
}

static bool mss_classes(void)
{
	static const struct { bool v6; unsigned int mss; int idx; unsigned int cls; } c[] = {
		{ false, 0, -1, 0 }, { false, 535, -1, 0 }, { false, 536, 0, 536 },
		{ false, 1219, 0, 536 }, { false, 1220, 1, 1220 }, { false, 1400, 2, 1380 },
		{ false, 1452, 3, 1440 }, { false, 1460, 4, 1460 }, { false, 65535, 4, 1460 },
		{ true, 536, -1, 0 }, { true, 1219, -1, 0 }, { true, 1220, 0, 1220 },
		{ true, 1380, 2, 1380 }, { true, 1439, 3, 1420 }, { true, 1440, 4, 1440 },
		{ true, 9000, 4, 1440 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int idx = g511_cookie_mss_class(c[i].v6, c[i].mss);

		if (!ASSERT_EQ(idx, c[i].idx, "class index") ||
		    (idx >= 0 && !ASSERT_EQ(g511_cookie_mss(c[i].v6, (unsigned int)idx),
					    c[i].cls, "class MSS")))
			return false;
	}
	return ASSERT_EQ(g511_cookie_mss(false, G511_COOKIE_NCLASSES), 0, "out of range");
}

static bool layout_roundtrip(void)
{
	struct g511_cookie_tuple t;
	uint64_t now;
	unsigned int idx;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		tuple(&t, v6, 40000);
		for (now = 0; now < 64 * 9; now += 37) {
			for (idx = 0; idx < G511_COOKIE_NCLASSES; idx++) {
				uint32_t c = g511_cookie_make(key, &t, now, idx);

				if (!ASSERT_EQ(c & 7, idx, "MSS bits") ||
				    !ASSERT_EQ((c >> 3) & 3, (now / 64) & 3, "counter bits") ||
				    !ASSERT_EQ(g511_cookie_check(key, &t, now, c), idx, "valid now") ||
				    !ASSERT_EQ(g511_cookie_check(key, &t, now + 64, c), idx,
					       "valid next period"))
					return false;
			}
		}
	}
	return true;
}

static bool lifetime(void)
{
	struct g511_cookie_tuple t;
	uint32_t c;
	uint64_t base;

	tuple(&t, false, 40000);
	/* first period after start: no "previous" counter to fall back to */
	c = g511_cookie_make(key, &t, 0, 4);
	if (!ASSERT_EQ(g511_cookie_check(key, &t, 63, c), 4, "period 0") ||
	    !ASSERT_EQ(g511_cookie_check(key, &t, 64, c), 4, "period 1") ||
	    !ASSERT_EQ(g511_cookie_check(key, &t, 128, c), -1, "period 2"))
		return false;
	c = g511_cookie_make(key, &t, 64, 4);
	if (!ASSERT_EQ(g511_cookie_check(key, &t, 0, c), -1, "from the future"))
		return false;
	for (base = 64 * 1000; base < 64 * 1008; base += 64) {
		c = g511_cookie_make(key, &t, base + 10, 2);
		if (!ASSERT_EQ(g511_cookie_check(key, &t, base + 127, c), 2, "within 2 periods") ||
		    !ASSERT_EQ(g511_cookie_check(key, &t, base + 128, c), -1, "2 periods on") ||
		    !ASSERT_EQ(g511_cookie_check(key, &t, base + 64 * 3, c), -1, "3 periods on") ||
		    !ASSERT_EQ(g511_cookie_check(key, &t, base + 64 * 4, c), -1, "cnt wraps"))
			return false;
	}
	return true;
}

static bool binding(void)
{
	struct g511_cookie_tuple t, u;
	uint32_t c;
	unsigned int i;

	tuple(&t, true, 40000);
	c = g511_cookie_make(key, &t, 6400, 3);
	if (!ASSERT_EQ(g511_cookie_check(key_b, &t, 6400, c), -1, "another secret"))
		return false;
	for (i = 0; i < sizeof(t); i++) {
		u = t;
		((uint8_t *)&u)[i] ^= 0x01;
		if (!ASSERT_EQ(g511_cookie_check(key, &u, 6400, c), -1, "tuple byte changed"))
			return false;
	}
	/* invalid MSS index values 5..7 */
	for (i = 5; i < 8; i++)
		if (!ASSERT_EQ(g511_cookie_check(key, &t, 6400, (c & ~7u) | i), -1, "bad index"))
			return false;
	/* blind guesses */
	{
		uint32_t x = 12345, hits = 0;

		for (i = 0; i < 200000; i++) {
			x = x * 1664525u + 1013904223u;
			hits += g511_cookie_check(key, &t, 6400, x) >= 0;
		}
		if (!ASSERT_EQ(hits, 0, "random values are no cookies"))
			return false;
	}
	return true;
}

static bool find(void)
{
	struct g511_cookie_tuple t;
	uint32_t c, d = 0;
	uint32_t deltas[] = { 0, 1, 2, 700, 65535, 65536 };
	size_t i;

	tuple(&t, false, 1234);
	c = g511_cookie_make(key, &t, 64 * 50 + 3, 4);	/* highest index: no larger sibling */
	for (i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		d = 0xdead;
		if (!ASSERT_EQ(g511_cookie_find(key, &t, 64 * 50 + 70, c + deltas[i], 65536, &d), 4,
			       "found") ||
		    !ASSERT_EQ(d, deltas[i], "delta"))
			return false;
	}
	/* c - 1 .. c - 4 are the sibling cookies of the other MSS classes */
	return ASSERT_EQ(g511_cookie_find(key, &t, 64 * 50, c + 65537, 65536, &d), -1, "past span") &&
	       ASSERT_EQ(g511_cookie_find(key, &t, 64 * 50, c - 5, 65536, &d), -1, "before") &&
	       ASSERT_EQ(g511_cookie_find(key, &t, 64 * 52, c + 5, 65536, &d), -1, "expired") &&
	       ASSERT_EQ(g511_cookie_find(key_b, &t, 64 * 50, c + 5, 65536, &d), -1, "other key");
}

int main(void)
{
	RUN_CASE(mss_classes);
	RUN_CASE(layout_roundtrip);
	RUN_CASE(lifetime);
	RUN_CASE(binding);
	RUN_CASE(find);
	return test_summary();
}
