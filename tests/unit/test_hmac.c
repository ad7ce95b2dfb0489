// SPDX-License-Identifier: GPL-2.0
/*
 * test_hmac.c - user/lib/hmac.c against published vectors: SHA-256 of ""
 * and "abc" (FIPS 180-2), HMAC-SHA256 test cases 1 and 2 of RFC 4231.
 */
#include <string.h>
#include "test.h"
#include "hmac.h"

static bool hex_of(const uint8_t *d, const char *want)
{
	char hex[2 * G511_SHA256_LEN + 1];

	g511_hex(d, G511_SHA256_LEN, hex);
	return ASSERT_STREQ(hex, want, "digest");
}

static bool sha256(void)
{
	uint8_t d[G511_SHA256_LEN];
	bool ok = true;

	ok &= ASSERT_EQ(g511_sha256("", 0, d), 0, "empty");
	ok &= hex_of(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ok &= ASSERT_EQ(g511_sha256("abc", 3, d), 0, "abc");
	ok &= hex_of(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	return ok;
}

static bool hmac_rfc4231(void)
{
	uint8_t key[20], d[G511_SHA256_LEN];
	bool ok = true;

	memset(key, 0x0b, sizeof(key));
	ok &= ASSERT_EQ(g511_hmac_sha256(key, 20, "Hi There", 8, d), 0, "case 1");
	ok &= hex_of(d, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	ok &= ASSERT_EQ(g511_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d), 0,
			"case 2");
	ok &= hex_of(d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	return ok;
}

static bool ct_equal(void)
{
	bool ok = true;

	ok &= ASSERT_TRUE(g511_ct_equal("abcd", "abcd", 4), "equal");
	ok &= ASSERT_TRUE(!g511_ct_equal("abcd", "abce", 4), "last byte differs");
	ok &= ASSERT_TRUE(!g511_ct_equal("xbcd", "abcd", 4), "first byte differs");
	ok &= ASSERT_TRUE(g511_ct_equal("", "", 0), "empty");
	return ok;
}

int main(void)
{
	RUN_CASE(sha256);
	RUN_CASE(hmac_rfc4231);
	RUN_CASE(ct_equal);
	return test_summary();
}
