// SPDX-License-Identifier: GPL-2.0
/*
 * test_gardenname.c - walled-garden names (user/lib/gardenname.c): what is
 * a name, its canonical text, and the g511_gnames key the TC program
 * matches (byte-reversed, '\0' after an exact name, '.' after a wildcard's
 * suffix), checked against a longest-prefix match done here by hand.
 */
#include <errno.h>
#include <string.h>
#include "test.h"
#include "gardenname.h"

static bool parses(const char *in, const char *canon, unsigned int nports)
{
	struct g511_gname g;
	bool ok = true;

	if (!ASSERT_EQ(gname_parse(in, &g), 0, in))
		return false;
	ok &= ASSERT_STREQ(g.name, canon, in);
	ok &= ASSERT_EQ(g.ports.nports, nports, in);
	return ok;
}

static bool good_names(void)
{
	bool ok = true;

	ok &= parses("example.com", "example.com", 0);
	ok &= parses("Login.Example.COM.", "login.example.com", 0);
	ok &= parses("*.example.com", "*.example.com", 0);
	ok &= parses("cdn.example.com:443,80", "cdn.example.com", 2);
	ok &= parses("a-b_c.9x.example", "a-b_c.9x.example", 0);
	ok &= parses("xn--bcher-kva.example", "xn--bcher-kva.example", 0);
	return ok;
}

static bool bad_names(void)
{
	static const char *const bad[] = {
		"", "com", "*.com.", "example..com", ".example.com", "*example.com",
		"ex ample.com", "exa/mple.com", "10.0.0.1", "1.2", "*.", "*.*.example.com",
		"example.com:", "example.com:0", "example.com:1,2,3,4,5,6,7,8,9",
		"example.com:80,80", "a.b*", "\xc3\xa9.example",
	};
	char longlabel[80], longname[200];
	struct g511_gname g;
	bool ok = true;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok &= ASSERT_TRUE(gname_parse(bad[i], &g) != 0, bad[i]);
		ok &= ASSERT_EQ(g.name[0], 0, "cleared on failure");
	}
	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".com");
	ok &= ASSERT_TRUE(gname_parse(longlabel, &g) != 0, "64-byte label");
	strcpy(longlabel + 63, ".com");
	ok &= ASSERT_EQ(gname_parse(longlabel, &g), 0, "63-byte label");
	/* G511_GNAME_MAX bytes pass, one more does not */
	memset(longname, 'b', sizeof(longname));
	for (int i = 10; i < 190; i += 11)
		longname[i] = '.';
	longname[G511_GNAME_MAX] = '\0';
	ok &= ASSERT_EQ(gname_parse(longname, &g), 0, "longest name");
	longname[G511_GNAME_MAX] = 'b';
	longname[G511_GNAME_MAX + 1] = '\0';
	ok &= ASSERT_TRUE(gname_parse(longname, &g) != 0, "one byte too long");
	ok &= ASSERT_TRUE(gname_parse(NULL, &g) != 0, "NULL");
	return ok;
}

/* What the TC program builds for a decoded query name: reversed, '\0' */
static void query_key(const char *name, struct g511_gname_key *k)
{
	size_t n = strlen(name);

	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < n; i++)
		k->name[i] = (__u8)name[n - 1 - i];
	k->prefixlen = (__u32)(n + 1) * 8;
}

/* Does the entry (an LPM prefix) match the query key? */
static bool lpm_match(const char *entry, const char *query)
{
	struct g511_gname_key e, q;
	struct g511_gname g;

	if (gname_parse(entry, &g))
		return false;
	gname_key(&g, &e);
	query_key(query, &q);
	return e.prefixlen <= q.prefixlen && !memcmp(e.name, q.name, e.prefixlen / 8);
}

static bool keys(void)
{
	struct g511_gname_key k;
	struct g511_gname g;
	bool ok = true;

	gname_parse("example.com", &g);
	gname_key(&g, &k);
	ok &= ASSERT_EQ(k.prefixlen, 96, "exact prefixlen");
	ok &= ASSERT_TRUE(!memcmp(k.name, "moc.elpmaxe\0", 12), "exact bytes");
	gname_parse("*.example.com", &g);
	gname_key(&g, &k);
	ok &= ASSERT_EQ(k.prefixlen, 96, "wildcard prefixlen");
	ok &= ASSERT_TRUE(!memcmp(k.name, "moc.elpmaxe.", 12), "wildcard bytes");

	ok &= ASSERT_TRUE(lpm_match("example.com", "example.com"), "exact");
	ok &= ASSERT_TRUE(!lpm_match("example.com", "www.example.com"), "exact: not below");
	ok &= ASSERT_TRUE(!lpm_match("example.com", "badexample.com"), "exact: not a suffix");
	ok &= ASSERT_TRUE(lpm_match("*.example.com", "www.example.com"), "wildcard");
	ok &= ASSERT_TRUE(lpm_match("*.example.com", "a.b.example.com"), "wildcard, deeper");
	ok &= ASSERT_TRUE(!lpm_match("*.example.com", "example.com"), "wildcard: not the apex");
	ok &= ASSERT_TRUE(!lpm_match("*.example.com", "badexample.com"), "wildcard: label edge");
	ok &= ASSERT_TRUE(!lpm_match("*.example.com", "example.com.evil"), "wildcard: suffix only");
	return ok;
}

static bool format(void)
{
	char buf[G511_GNAME_ENTRY_STRLEN];
	struct g511_gname g;
	bool ok = true;

	gname_parse("CDN.example.com:443,80", &g);
	gname_format(&g, buf, sizeof(buf));
	ok &= ASSERT_STREQ(buf, "cdn.example.com:80,443", "ports sorted");
	gname_parse("*.example.com", &g);
	gname_format(&g, buf, sizeof(buf));
	ok &= ASSERT_STREQ(buf, "*.example.com", "wildcard");
	ok &= ASSERT_TRUE(gname_is_wildcard(&g), "is wildcard");
	return ok;
}

int main(void)
{
	RUN_CASE(good_names);
	RUN_CASE(bad_names);
	RUN_CASE(keys);
	RUN_CASE(format);
	return test_summary();
}
