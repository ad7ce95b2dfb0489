// SPDX-License-Identifier: GPL-2.0
/*
 * test_sig.c - user/lib/sig.c: the Authorization header's parser as a
 * table (each field once, lengths, case, separators), the string to sign
 * and the signature against vectors computed independently with Python's
 * hmac/hashlib, and sig_verify()'s verdicts in their order (missing,
 * malformed, unknown key, stale both ways, bad signature, replayed, the
 * nonce cache failing), with the nonce claimed only for a good signature.
 */
#include <errno.h>
#include <string.h>
#include "test.h"
#include "sig.h"

/*
 * Vectors, computed at test-writing time with:
 *   python3 -c 'import hmac,hashlib
 *   k=bytes.fromhex("00112233445566778899aabbccddeeff"*2)
 *   b=b"{\"client\": \"10.51.0.2\", \"ttl\": 3600}"
 *   s="POST\n/v1/grants\n1700000000\n0123456789abcdef0123456789abcdef\n"+hashlib.sha256(b).hexdigest()
 *   print(hmac.new(k,s.encode(),hashlib.sha256).hexdigest())
 *   s2="GET\n/v1/grants?after=5&x=%2F\n1700000300\nfedcba9876543210\n"+hashlib.sha256(b"").hexdigest()
 *   print(hmac.new(k,s2.encode(),hashlib.sha256).hexdigest())'
 */
#define V_BODY		"{\"client\": \"10.51.0.2\", \"ttl\": 3600}"
#define V_NONCE1	"0123456789abcdef0123456789abcdef"
#define V_STRING1	"POST\n/v1/grants\n1700000000\n" V_NONCE1 "\n" \
			"e7a97b7b7bc034559c14a5cc675e4f24bac1c94a3f17d268d0d25ad8a5703cfc"
#define V_SIG1		"d0b3d19a47ef978cfbe6630118fbb27a2c4448bda3886f92cdaa893b46a20fd9"
#define V_TARGET2	"/v1/grants?after=5&x=%2F"
#define V_NONCE2	"fedcba9876543210"
#define V_SIG2		"691a625ffd6ae04a13862283bd93d8f48e4d984a2a11cd2a36e230bca4b3f9d0"

static const struct g511_api_key keys[2] = {
	{ .id = "other", .secret = { 1 } },
	{ .id = "portal-1",
	  .secret = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
		      0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		      0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
};

#define S64	"0000000000000000000000000000000000000000000000000000000000000000"
#define N16	"0123456789abcdef"

static const struct {
	const char *name, *header;
	bool ok;
} parse_cases[] = {
	{ "all four", SIG_SCHEME " keyid=k, ts=1, nonce=" N16 ", sig=" S64, true },
	{ "any order, no spaces", SIG_SCHEME " sig=" S64 ",nonce=" N16 ",ts=0,keyid=a.b-c_d",
	  true },
	{ "nonce upper case hex", SIG_SCHEME " keyid=k, ts=1, nonce=ABCDEF0123456789, sig=" S64,
	  true },
	{ "nonce 64", SIG_SCHEME " keyid=k, ts=1, nonce=" S64 ", sig=" S64, true },
	{ "empty", "", false },
	{ "other scheme", "Bearer keyid=k, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "scheme lower case", "g511-hmac-sha256 keyid=k, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "scheme only", SIG_SCHEME " ", false },
	{ "keyid missing", SIG_SCHEME " ts=1, nonce=" N16 ", sig=" S64, false },
	{ "ts twice", SIG_SCHEME " keyid=k, ts=1, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "keyid twice", SIG_SCHEME " keyid=k, keyid=k, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "unknown field", SIG_SCHEME " keyid=k, ts=1, nonce=" N16 ", sig=" S64 ", x=1", false },
	{ "empty keyid", SIG_SCHEME " keyid=, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "keyid 33", SIG_SCHEME " keyid=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, ts=1, nonce=" N16
	  ", sig=" S64, false },
	{ "keyid bad char", SIG_SCHEME " keyid=k/1, ts=1, nonce=" N16 ", sig=" S64, false },
	{ "ts negative", SIG_SCHEME " keyid=k, ts=-1, nonce=" N16 ", sig=" S64, false },
	{ "ts leading zero", SIG_SCHEME " keyid=k, ts=01, nonce=" N16 ", sig=" S64, false },
	{ "ts 20 digits", SIG_SCHEME " keyid=k, ts=18446744073709551615, nonce=" N16
	  ", sig=" S64, false },
	{ "ts fraction", SIG_SCHEME " keyid=k, ts=1.5, nonce=" N16 ", sig=" S64, false },
	{ "nonce 15", SIG_SCHEME " keyid=k, ts=1, nonce=0123456789abcde, sig=" S64, false },
	{ "nonce 65", SIG_SCHEME " keyid=k, ts=1, nonce=0" S64 ", sig=" S64, false },
	{ "nonce not hex", SIG_SCHEME " keyid=k, ts=1, nonce=0123456789abcdeg, sig=" S64, false },
	{ "sig upper case", SIG_SCHEME " keyid=k, ts=1, nonce=" N16
	  ", sig=000000000000000000000000000000000000000000000000000000000000000A", false },
	{ "sig 63", SIG_SCHEME " keyid=k, ts=1, nonce=" N16
	  ", sig=000000000000000000000000000000000000000000000000000000000000000", false },
	{ "quoted value", SIG_SCHEME " keyid=\"k\", ts=1, nonce=" N16 ", sig=" S64, false },
	{ "trailing comma", SIG_SCHEME " keyid=k, ts=1, nonce=" N16 ", sig=" S64 ",", false },
	{ "space inside", SIG_SCHEME " keyid=k, ts=1 2, nonce=" N16 ", sig=" S64, false },
	{ "no separator", SIG_SCHEME " keyid=k ts=1, nonce=" N16 ", sig=" S64, false },
};

static bool parse_table(void)
{
	struct sig_auth a;
	const char *why = NULL;
	bool ok = true;

	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		int err = sig_parse(parse_cases[i].header, &a, &why);

		test_current = parse_cases[i].name;
		ok &= ASSERT_EQ(err, parse_cases[i].ok ? 0 : -EINVAL, parse_cases[i].name);
	}
	test_current = "parse_table";
	sig_parse(SIG_SCHEME " sig=" S64 ",nonce=" N16 ",ts=1700000000,keyid=a.b-c_d", &a, &why);
	ok &= ASSERT_STREQ(a.keyid, "a.b-c_d", "keyid");
	ok &= ASSERT_EQ(a.ts, 1700000000, "ts");
	ok &= ASSERT_STREQ(a.nonce, N16, "nonce");
	ok &= ASSERT_STREQ(a.sig, S64, "sig");
	return ok;
}

static bool string_to_sign(void)
{
	char buf[512], sig[SIG_HEX_LEN + 1];
	bool ok = true;
	int n;

	n = sig_string("POST", "/v1/grants", 1700000000, V_NONCE1, V_BODY, strlen(V_BODY),
		       buf, sizeof(buf));
	ok &= ASSERT_EQ(n, (int)strlen(V_STRING1), "length");
	ok &= ASSERT_STREQ(buf, V_STRING1, "string");
	ok &= ASSERT_EQ(sig_sign(keys[1].secret, "POST", "/v1/grants", 1700000000, V_NONCE1,
				 V_BODY, strlen(V_BODY), sig), 0, "sign");
	ok &= ASSERT_STREQ(sig, V_SIG1, "python vector 1");
	ok &= ASSERT_EQ(sig_sign(keys[1].secret, "GET", V_TARGET2, 1700000300, V_NONCE2,
				 NULL, 0, sig), 0, "sign empty body");
	ok &= ASSERT_STREQ(sig, V_SIG2, "python vector 2 (empty body, query kept)");
	ok &= ASSERT_EQ(sig_string("GET", "/", 1, N16, NULL, 0, buf, 40), -ENOSPC, "too small");
	return ok;
}

/* the nonce cache of the verify cases */
static struct {
	int calls;
	int answer;
} cache;

static int claim(void *ctx, const struct sig_auth *a)
{
	(void)ctx;
	(void)a;
	cache.calls++;
	return cache.answer;
}

#define H1(keyid, ts, sig) SIG_SCHEME " keyid=" keyid ", ts=" ts ", nonce=" V_NONCE1 ", sig=" sig

static const struct {
	const char *name, *method, *target, *body, *header;
	uint64_t now;
	int cache_answer;
	enum sig_verdict want;
	bool claims;
} verify_cases[] = {
	{ "good", "POST", "/v1/grants", V_BODY, H1("portal-1", "1700000000", V_SIG1),
	  1700000000, 0, SIG_OK, true },
	{ "good, clock 300 s ahead", "POST", "/v1/grants", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1700000300, 0, SIG_OK, true },
	{ "good, clock 300 s behind", "POST", "/v1/grants", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1699999700, 0, SIG_OK, true },
	{ "missing", "POST", "/v1/grants", V_BODY, NULL, 1700000000, 0, SIG_MISSING, false },
	{ "malformed", "POST", "/v1/grants", V_BODY, "G511-HMAC-SHA256 keyid=portal-1",
	  1700000000, 0, SIG_MALFORMED, false },
	{ "unknown key", "POST", "/v1/grants", V_BODY, H1("portal-2", "1700000000", V_SIG1),
	  1700000000, 0, SIG_UNKNOWN_KEY, false },
	{ "stale, 301 s old", "POST", "/v1/grants", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1700000301, 0, SIG_STALE, false },
	{ "stale, 301 s ahead", "POST", "/v1/grants", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1699999699, 0, SIG_STALE, false },
	{ "body changed", "POST", "/v1/grants", "{\"client\": \"10.51.0.3\", \"ttl\": 3600}",
	  H1("portal-1", "1700000000", V_SIG1), 1700000000, 0, SIG_BAD_SIGNATURE, false },
	{ "method changed", "PUT", "/v1/grants", V_BODY, H1("portal-1", "1700000000", V_SIG1),
	  1700000000, 0, SIG_BAD_SIGNATURE, false },
	{ "target changed", "POST", "/v1/grants?x", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1700000000, 0, SIG_BAD_SIGNATURE, false },
	{ "ts changed", "POST", "/v1/grants", V_BODY, H1("portal-1", "1700000001", V_SIG1),
	  1700000000, 0, SIG_BAD_SIGNATURE, false },
	{ "other key's secret", "POST", "/v1/grants", V_BODY, H1("other", "1700000000", V_SIG1),
	  1700000000, 0, SIG_BAD_SIGNATURE, false },
	{ "replayed", "POST", "/v1/grants", V_BODY, H1("portal-1", "1700000000", V_SIG1),
	  1700000000, -EEXIST, SIG_REPLAYED, true },
	{ "cache cannot record", "POST", "/v1/grants", V_BODY,
	  H1("portal-1", "1700000000", V_SIG1), 1700000000, -ENOSPC, SIG_NONCE_ERROR, true },
	{ "vector 2", "GET", V_TARGET2, "", SIG_SCHEME " keyid=portal-1, ts=1700000300, nonce="
	  V_NONCE2 ", sig=" V_SIG2, 1700000300, 0, SIG_OK, true },
};

static bool verify_table(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(verify_cases) / sizeof(verify_cases[0]); i++) {
		struct sig_request r = {
			.method = verify_cases[i].method, .target = verify_cases[i].target,
			.body = verify_cases[i].body, .body_len = strlen(verify_cases[i].body),
			.header = verify_cases[i].header, .now = verify_cases[i].now,
			.keys = keys, .n_keys = 2, .nonce_claim = claim,
		};
		struct sig_auth a;

		test_current = verify_cases[i].name;
		cache.calls = 0;
		cache.answer = verify_cases[i].cache_answer;
		ok &= ASSERT_EQ(sig_verify(&r, &a), verify_cases[i].want, "verdict");
		ok &= ASSERT_EQ(cache.calls, verify_cases[i].claims, "nonce claimed");
	}
	test_current = "verify_table";
	return ok;
}

static bool reasons(void)
{
	bool ok = true;

	for (int v = 0; v < SIG__MAX; v++) {
		ok &= ASSERT_TRUE(strcmp(sig_verdict_reason(v), "?") != 0, "reason");
		ok &= ASSERT_TRUE(strcmp(sig_verdict_name(v), "?") != 0, "name");
	}
	ok &= ASSERT_STREQ(sig_verdict_name(SIG__MAX), "?", "out of range");
	return ok;
}

int main(void)
{
	RUN_CASE(parse_table);
	RUN_CASE(string_to_sign);
	RUN_CASE(verify_table);
	RUN_CASE(reasons);
	return test_summary();
}
