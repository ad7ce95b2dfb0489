// SPDX-License-Identifier: GPL-2.0
/*
 * test_portal_url.c - the signed portal redirect (user/lib/portal_url.c):
 * the percent-encoding table, signatures over known queries computed
 * independently with python3's hmac when the test was written, and the
 * whole URL portal_url_sign() builds (separators, IPv6, no MAC, a URL too
 * long, buffers too small).
 */
#include <errno.h>
#include "test.h"
#include "addr.h"
#include "http.h"
#include "portal_url.h"

/* key = bytes 0x00..0x1f */
static uint8_t key[32];

static bool pct_table(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "AZaz09-._~", "AZaz09-._~" },		/* unreserved: kept */
		{ ":/?#[]@", "%3A%2F%3F%23%5B%5D%40" },	/* gen-delims */
		{ "!$&'()*+,;=", "%21%24%26%27%28%29%2A%2B%2C%3B%3D" },	/* sub-delims */
		{ " %\"<>\\^`{|}", "%20%25%22%3C%3E%5C%5E%60%7B%7C%7D" },
		{ "\x01\x7f\xc3\xa9", "%01%7F%C3%A9" },	/* controls, UTF-8: upper-case hex */
		{ "", "" },
	};
	char buf[128];
	bool ok = true;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && ok; i++) {
		size_t n = g511_pct_encode(buf, sizeof(buf), t[i].in, strlen(t[i].in));

		buf[n] = '\0';
		ok = ASSERT_STREQ(buf, t[i].out, t[i].in);
	}
	return ok && ASSERT_EQ(g511_pct_encode(buf, 8, "abc", 3), SIZE_MAX, "worst case > cap");
}

/*
 * python3 -c "import hmac,hashlib;print(hmac.new(bytes(range(32)),b'gw=box-1&client=10.0.0.5&
 *   mac=02%3A00%3A00%3A00%3A00%3A05&url=http%3A%2F%2Fexample.com%2Fa%3Fb%3D1&ts=1700000000',
 *   hashlib.sha256).hexdigest())"   (one line, no breaks)
 */
#define Q1 "gw=box-1&client=10.0.0.5&mac=02%3A00%3A00%3A00%3A00%3A05" \
	   "&url=http%3A%2F%2Fexample.com%2Fa%3Fb%3D1&ts=1700000000"
#define S1 "d55301cc47d7937cf5fe4da6ab62ac1bac10ef22cafe7ba3473e41b4514f54fc"
/*
 * python3 -c "import hmac,hashlib;print(hmac.new(bytes(range(32)),
 *   b'site=3&gw=box-1&client=fd00%3A%3A5&mac=&url=&ts=1700000001',hashlib.sha256).hexdigest())"
 */
#define Q2 "site=3&gw=box-1&client=fd00%3A%3A5&mac=&url=&ts=1700000001"
#define S2 "b99b4413800d6e1dd6fa0c7e8f4953c60ee01705afde7720c530276fcae0ae8d"

static const __u8 mac5[6] = { 0x02, 0, 0, 0, 0, 0x05 };

static bool known_signature(void)
{
	char sig[G511_PORTAL_SIG_LEN + 1];

	if (!ASSERT_EQ(g511_portal_sig(sig, Q1, strlen(Q1), key), 0, "sign"))
		return false;
	sig[G511_PORTAL_SIG_LEN] = '\0';
	return ASSERT_STREQ(sig, "&sig=" S1, "python3 hmac");
}

static bool query_v4(void)
{
	struct g511_addr a;
	char q[512];
	size_t n;

	addr_parse("10.0.0.5", &a);
	n = g511_portal_query(q, sizeof(q), "box-1", 5, &a, mac5,
			      "http%3A%2F%2Fexample.com%2Fa%3Fb%3D1", 36, 1700000000);
	if (!ASSERT_TRUE(n != SIZE_MAX, "fits"))
		return false;
	q[n] = '\0';
	return ASSERT_STREQ(q, Q1, "query") &&
	       ASSERT_EQ(g511_portal_query_len(5, &a, mac5, 36, 1700000000), n, "length") &&
	       ASSERT_EQ(g511_portal_query(q, n - 1, "box-1", 5, &a, mac5,
					   "http%3A%2F%2Fexample.com%2Fa%3Fb%3D1", 36,
					   1700000000), SIZE_MAX, "one byte short");
}

static bool sign_whole_url(void)
{
	struct g511_addr a4, a6;
	char out[4096];
	bool ok;

	addr_parse("10.0.0.5", &a4);
	addr_parse("fd00::5", &a6);
	ok = ASSERT_EQ(portal_url_sign(out, sizeof(out), "https://portal.example/login", "box-1",
				       &a4, mac5, "http://example.com/a?b=1", 1700000000, key),
		       (int)strlen("https://portal.example/login?" Q1 "&sig=" S1), "length") &&
	     ASSERT_STREQ(out, "https://portal.example/login?" Q1 "&sig=" S1, "no query: '?'");
	/* the portal's own query is signed too; no MAC, no URL: empty values */
	ok = ok && ASSERT_TRUE(portal_url_sign(out, sizeof(out), "http://p.example/?site=3",
					       "box-1", &a6, NULL, NULL, 1700000001, key) > 0,
			       "v6") &&
	     ASSERT_STREQ(out, "http://p.example/?" Q2 "&sig=" S2, "query: '&'");
	ok = ok && ASSERT_TRUE(portal_url_sign(out, sizeof(out), "http://p.example/?site=3&",
					       "box-1", &a6, NULL, "", 1700000001, key) > 0,
			       "trailing &") &&
	     ASSERT_STREQ(out, "http://p.example/?" Q2 "&sig=" S2, "trailing '&': no separator");
	return ok;
}

static bool sign_limits(void)
{
	char out[8192], longurl[G511_ORIG_MAX + 2], gw[G511_PORTAL_GW_MAX + 2];
	struct g511_addr a;
	int n;
	bool ok;

	addr_parse("10.0.0.5", &a);
	memset(longurl, 'u', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	n = portal_url_sign(out, sizeof(out), "http://p/", "g", &a, mac5, longurl, 1, key);
	ok = ASSERT_TRUE(n > 0, "signed") &&
	     ASSERT_TRUE(strstr(out, "&url=&ts=1&sig=") != NULL, "URL over the max: url= empty");
	longurl[G511_ORIG_MAX] = '\0';	/* exactly the max: carried */
	n = portal_url_sign(out, sizeof(out), "http://p/", "g", &a, mac5, longurl, 1, key);
	ok = ok && ASSERT_TRUE(n > G511_ORIG_MAX, "the longest URL carried");
	memset(gw, 'g', sizeof(gw) - 1);
	gw[sizeof(gw) - 1] = '\0';
	ok = ok && ASSERT_EQ(portal_url_sign(out, sizeof(out), "http://p/", gw, &a, mac5, "", 1,
					     key), -EINVAL, "gateway id too long");
	n = portal_url_sign(out, sizeof(out), "http://p/", "g", &a, mac5, "http://x/", 1, key);
	ok = ok && ASSERT_TRUE(n > 0, "short");
	ok = ok && ASSERT_EQ(portal_url_sign(out, (size_t)n, "http://p/", "g", &a, mac5,
					     "http://x/", 1, key), -ENOSPC, "no room for NUL") &&
	     ASSERT_EQ(portal_url_sign(out, (size_t)n + 1, "http://p/", "g", &a, mac5,
				       "http://x/", 1, key), n, "exactly enough");
	return ok;
}

static bool separators(void)
{
	return ASSERT_STREQ(g511_portal_sep("http://p/x"), "?", "none") &&
	       ASSERT_STREQ(g511_portal_sep("http://p/x?"), "", "ends in ?") &&
	       ASSERT_STREQ(g511_portal_sep("http://p/x?a=1"), "&", "has a query") &&
	       ASSERT_STREQ(g511_portal_sep("http://p/x?a=1&"), "", "ends in &");
}

int main(void)
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	RUN_CASE(pct_table);
	RUN_CASE(known_signature);
	RUN_CASE(query_v4);
	RUN_CASE(sign_whole_url);
	RUN_CASE(sign_limits);
	RUN_CASE(separators);
	return test_summary();
}
