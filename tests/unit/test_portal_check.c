// SPDX-License-Identifier: GPL-2.0
/*
 * test_portal_check.c - user/lib/portal_check.c: a table of portal URLs
 * (host, port, literal or name, refused), and a table of addresses
 * against one garden and the gateway's own addresses, with the verdict
 * XDP would reach for an unauthenticated client's TCP.
 */
#include <errno.h>
#include "test.h"
#include "addr.h"
#include "portal_check.h"

static const struct {
	const char *url;
	int ret;
	const char *host;
	unsigned int port;
	bool literal;
} url_cases[] = {
	{ "http://portal.example/login", 0, "portal.example", 80, false },
	{ "https://portal.example/login", 0, "portal.example", 443, false },
	{ "https://portal.example:8443/x?y#z", 0, "portal.example", 8443, false },
	{ "http://portal.example", 0, "portal.example", 80, false },
	{ "http://portal.example:/", 0, "portal.example", 80, false },
	{ "http://portal.example?a=b", 0, "portal.example", 80, false },
	{ "http://10.0.0.1/", 0, "10.0.0.1", 80, true },
	{ "https://10.0.0.1:4443/", 0, "10.0.0.1", 4443, true },
	{ "https://[2001:db8::1]/", 0, "2001:db8::1", 443, true },
	{ "http://[2001:db8::1]:8080/p", 0, "2001:db8::1", 8080, true },
	{ "http://user:pw@10.0.0.2:81/", 0, "10.0.0.2", 81, true },
	{ "http://a@b@host.example/", 0, "host.example", 80, false },
	{ "http://x/@notuser", 0, "x", 80, false },
	{ "ftp://portal.example/", -EINVAL, NULL, 0, false },
	{ "http:///path", -EINVAL, NULL, 0, false },
	{ "http://host:0/", -EINVAL, NULL, 0, false },
	{ "http://host:65536/", -EINVAL, NULL, 0, false },
	{ "http://host:123456/", -EINVAL, NULL, 0, false },
	{ "http://host:8a/", -EINVAL, NULL, 0, false },
	{ "http://2001:db8::1/", -EINVAL, NULL, 0, false },	/* IPv6 needs brackets */
	{ "http://[2001:db8::1/", -EINVAL, NULL, 0, false },
	{ "http://[2001:db8::1]x/", -EINVAL, NULL, 0, false },
	{ "http://[10.0.0.1]/", -EINVAL, NULL, 0, false },	/* brackets: IPv6 only */
	{ "http://[portal.example]/", -EINVAL, NULL, 0, false },
	{ "http://[]/", -EINVAL, NULL, 0, false },
};

static bool url_table(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		struct portal_target t;
		int ret = portal_target_parse(url_cases[i].url, &t);

		test_current = url_cases[i].url;
		if (!ASSERT_EQ(ret, url_cases[i].ret, "return value")) {
			ok = false;
			continue;
		}
		if (ret)
			continue;
		ok &= ASSERT_STREQ(t.host, url_cases[i].host, "host");
		ok &= ASSERT_EQ(t.port, url_cases[i].port, "port");
		ok &= ASSERT_EQ(t.literal, url_cases[i].literal, "literal");
	}
	test_current = "url_table";
	return ok;
}

static const char *const garden_text[] = {
	"198.51.100.0/24:80,443",
	"198.51.100.128/25:8080",	/* longer: decides for .128-.255 */
	"203.0.113.7",			/* every port */
	"10.0.0.0/8:443",
	"10.0.0.0/8:8443",		/* same prefix again: this one counts */
	"[2001:db8:100::/48]:443",
	"2001:db8:200::/40",
};

static const char *const local_text[] = { "192.0.2.1", "2001:db8:5::1" };

static const struct {
	const char *addr;
	unsigned int port;
	enum portal_reach want;
	const char *match;		/* the deciding entry, formatted */
} reach_cases[] = {
	{ "198.51.100.5", 443, PORTAL_REACH_GARDEN, "198.51.100.0/24:80,443" },
	{ "198.51.100.5", 80, PORTAL_REACH_GARDEN, "198.51.100.0/24:80,443" },
	{ "198.51.100.5", 8443, PORTAL_REACH_PORT, "198.51.100.0/24:80,443" },
	{ "198.51.100.200", 443, PORTAL_REACH_PORT, "198.51.100.128/25:8080" },
	{ "198.51.100.200", 8080, PORTAL_REACH_GARDEN, "198.51.100.128/25:8080" },
	{ "203.0.113.7", 12345, PORTAL_REACH_GARDEN, "203.0.113.7/32" },
	{ "203.0.113.8", 80, PORTAL_REACH_NONE, NULL },
	{ "10.1.2.3", 8443, PORTAL_REACH_GARDEN, "10.0.0.0/8:8443" },
	{ "10.1.2.3", 443, PORTAL_REACH_PORT, "10.0.0.0/8:8443" },
	{ "11.0.0.1", 443, PORTAL_REACH_NONE, NULL },
	{ "192.0.2.1", 443, PORTAL_REACH_LOCAL, NULL },
	{ "192.0.2.2", 443, PORTAL_REACH_NONE, NULL },
	{ "2001:db8:100::7", 443, PORTAL_REACH_GARDEN, "[2001:db8:100::/48]:443" },
	{ "2001:db8:100::7", 80, PORTAL_REACH_PORT, "[2001:db8:100::/48]:443" },
	{ "2001:db8:2ff::1", 80, PORTAL_REACH_GARDEN, "2001:db8:200::/40" },
	{ "2001:db8:300::1", 80, PORTAL_REACH_NONE, NULL },
	{ "2001:db8:5::1", 443, PORTAL_REACH_LOCAL, NULL },
	/* an IPv4-mapped prefix never holds a native IPv6 address */
	{ "::c633:6405", 443, PORTAL_REACH_NONE, NULL },
};

static struct g511_garden_entry garden[16];
static struct g511_addr local[4];

static bool setup(size_t *ng, size_t *nl)
{
	*ng = sizeof(garden_text) / sizeof(garden_text[0]);
	*nl = sizeof(local_text) / sizeof(local_text[0]);
	for (size_t i = 0; i < *ng; i++)
		if (!ASSERT_EQ(garden_parse(garden_text[i], &garden[i].key, &garden[i].val), 0,
			       garden_text[i]))
			return false;
	for (size_t i = 0; i < *nl; i++)
		if (!ASSERT_EQ(addr_parse(local_text[i], &local[i]), 0, local_text[i]))
			return false;
	return true;
}

static bool reach_table(void)
{
	size_t ng, nl;
	bool ok = true;

	if (!setup(&ng, &nl))
		return false;
	for (size_t i = 0; i < sizeof(reach_cases) / sizeof(reach_cases[0]); i++) {
		const struct g511_garden_entry *m;
		struct g511_addr a;
		char name[96], got[G511_GARDEN_STRLEN] = "";

		snprintf(name, sizeof(name), "%s port %u", reach_cases[i].addr,
			 reach_cases[i].port);
		test_current = name;
		if (!ASSERT_EQ(addr_parse(reach_cases[i].addr, &a), 0, "address")) {
			ok = false;
			continue;
		}
		ok &= ASSERT_EQ(portal_reach(&a, reach_cases[i].port, garden, ng, local, nl, &m),
				reach_cases[i].want, "verdict");
		if (reach_cases[i].match) {
			if (!ASSERT_TRUE(m != NULL, "a deciding entry")) {
				ok = false;
				continue;
			}
			garden_format(&m->key, &m->val, got, sizeof(got));
			ok &= ASSERT_STREQ(got, reach_cases[i].match, "deciding entry");
		} else {
			ok &= ASSERT_TRUE(m == NULL, "no entry");
		}
	}
	test_current = "reach_table";
	return ok;
}

/* No garden at all: every address is unreachable, local ones say so. */
static bool empty_garden(void)
{
	const struct g511_garden_entry *m;
	struct g511_addr a;
	bool ok = true;
	size_t ng, nl;

	if (!setup(&ng, &nl))
		return false;
	addr_parse("198.51.100.5", &a);
	ok &= ASSERT_EQ(portal_reach(&a, 443, NULL, 0, NULL, 0, &m), PORTAL_REACH_NONE, "none");
	addr_parse("192.0.2.1", &a);
	ok &= ASSERT_EQ(portal_reach(&a, 443, NULL, 0, local, nl, &m), PORTAL_REACH_LOCAL, "local");
	return ok;
}

static bool explain(void)
{
	const struct g511_garden_entry *m;
	enum portal_reach r;
	struct g511_addr a;
	char buf[512];
	bool ok = true;
	size_t ng, nl;

	if (!setup(&ng, &nl))
		return false;
	addr_parse("11.0.0.1", &a);
	r = portal_reach(&a, 443, garden, ng, local, nl, &m);
	portal_reach_explain(r,
			     "https://11.0.0.1/", &a, 443, m, buf, sizeof(buf));
	ok &= ASSERT_STREQ(buf, "portal https://11.0.0.1/ is not reachable before login: "
			   "11.0.0.1 port 443 is in no garden entry; add `garden = 11.0.0.1:443`",
			   "none");
	addr_parse("2001:db8:100::7", &a);
	r = portal_reach(&a, 80, garden, ng, local, nl, &m);
	portal_reach_explain(r,
			     "http://x/", &a, 80, m, buf, sizeof(buf));
	ok &= ASSERT_TRUE(strstr(buf, "garden [2001:db8:100::/48]:443 holds 2001:db8:100::7 "
				 "but not port 80; add `garden = [2001:db8:100::7]:80`") != NULL, buf);
	addr_parse("192.0.2.1", &a);
	r = portal_reach(&a, 443, garden, ng, local, nl, &m);
	portal_reach_explain(r,
			     "https://192.0.2.1/", &a, 443, m, buf, sizeof(buf));
	ok &= ASSERT_TRUE(strstr(buf, "gateway's own address") != NULL, buf);
	addr_parse("203.0.113.7", &a);
	r = portal_reach(&a, 443, garden, ng, local, nl, &m);
	portal_reach_explain(r,
			     "https://203.0.113.7/", &a, 443, m, buf, sizeof(buf));
	ok &= ASSERT_STREQ(buf, "", "reachable: nothing to say");
	return ok;
}

int main(void)
{
	RUN_CASE(url_table);
	RUN_CASE(reach_table);
	RUN_CASE(empty_garden);
	RUN_CASE(explain);
	return test_summary();
}
