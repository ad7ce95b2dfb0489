// SPDX-License-Identifier: GPL-2.0
/*
 * test_grantfile.c - user/lib/grantfile.c: a table of good lines and the
 * request each gives, a table of bad lines with their error text and line
 * number, lines written by release 0.1.0's export and import docs, and
 * format -> parse round trips of grants with every field set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include "addr.h"
#include "ctl_proto.h"
#include "grantfile.h"

static char err[256];

static int parse(const char *line, struct g511_ctl_grant_req *r)
{
	return grantfile_parse_line(line, strlen(line), r, err, sizeof(err));
}

/* The request the protocol would send: must encode (its checks pass). */
static bool encodes(const struct g511_ctl_grant_req *r)
{
	static __u8 msg[G511_CTL_MSG_MAX];

	return ctl_encode(msg, sizeof(msg), G511_CTL_IMPORT_ITEM, 1, r) > 0;
}

/* ---------------------------------------------------------- good lines */

struct good_case {
	const char *name, *line;
	const char *client;		/* as client_format() prints it */
	__u32 flags;
	__u64 expires, ttl, idle, quota, up, down;
	const char *mac, *user, *acct;
	const char *class_hex;
};

#define GOOD(n, l, c, f, ...) \
	{ .name = n, .line = l, .client = c, .flags = f, __VA_ARGS__ }

static const struct good_case good_cases[] = {
	GOOD("bare address", "10.0.0.5", "10.0.0.5", 0),
	GOOD("ttl", "10.0.0.5 ttl=1h", "10.0.0.5", G511_CTL_F_TTL, .ttl = 3600),
	GOOD("ttl 0 (none)", "10.0.0.5 ttl=0", "10.0.0.5", G511_CTL_F_TTL),
	GOOD("expires never", "fd00::1 expires=never", "fd00::1", G511_CTL_F_EXPIRES_AT),
	GOOD("expires epoch", "fd00::1 expires=1893456000", "fd00::1",
	  G511_CTL_F_EXPIRES_AT, .expires = 1893456000),
	GOOD("idle, tabs, comment", "\t10.0.0.5\tidle=15m   # note ttl=1h",
	  "10.0.0.5", G511_CTL_F_IDLE, .idle = 900),
	GOOD("comment glued to a value", "10.0.0.5 ttl=2h#x", "10.0.0.5",
	  G511_CTL_F_TTL, .ttl = 7200),
	GOOD("CRLF", "10.0.0.5 ttl=90\r", "10.0.0.5", G511_CTL_F_TTL, .ttl = 90),
	GOOD("mac binding", "10.0.0.5 mac=02-11-22-33-44-55", "10.0.0.5",
	  G511_CTL_F_MAC, .mac = "02:11:22:33:44:55"),
	GOOD("MAC client", "02:AA:bb:cc:dd:ee idle=0", "02:aa:bb:cc:dd:ee", G511_CTL_F_IDLE),
	GOOD("quota SI", "10.0.0.5 quota=500M", "10.0.0.5", G511_CTL_F_QUOTA,
	  .quota = 500000000),
	GOOD("quota binary", "10.0.0.5 quota=2Gi", "10.0.0.5", G511_CTL_F_QUOTA,
	  .quota = 2ULL << 30),
	GOOD("quota k", "10.0.0.5 quota=7k", "10.0.0.5", G511_CTL_F_QUOTA, .quota = 7000),
	GOOD("quota 0 is none", "10.0.0.5 quota=0", "10.0.0.5", 0),
	GOOD("quota at its max", "10.0.0.5 quota=1048576Ti", "10.0.0.5", G511_CTL_F_QUOTA,
	  .quota = 1ULL << 60),
	GOOD("rates", "10.0.0.5 rate-up=10M rate-down=1T", "10.0.0.5",
	  G511_CTL_F_RATE_UP | G511_CTL_F_RATE_DOWN, .up = 10000000,
	  .down = 1000000000000ULL),
	GOOD("bare user with a backslash", "10.0.0.5 user=CORP\\alice", "10.0.0.5", 0,
	  .user = "CORP\\alice"),
	GOOD("bare user with '='", "10.0.0.5 user=a=b", "10.0.0.5", 0, .user = "a=b"),
	GOOD("UTF-8 user", "10.0.0.5 user=J\xc3\xb6rg", "10.0.0.5", 0, .user = "J\xc3\xb6rg"),
	GOOD("quoted user", "10.0.0.5 user=\"Alice Smith\"", "10.0.0.5", 0,
	  .user = "Alice Smith"),
	GOOD("escapes", "10.0.0.5 user=\"q\\\"b\\\\s\\x09#\"", "10.0.0.5", 0,
	  .user = "q\"b\\s\t#"),
	GOOD("empty strings are none", "10.0.0.5 user=\"\" acct-session-id= class=",
	  "10.0.0.5", 0),
	GOOD("class hex", "10.0.0.5 class=00FFa1", "10.0.0.5", 0, .class_hex = "00ffa1"),
	GOOD("acct id", "10.0.0.5 acct-session-id=\"4F2A 0001\"", "10.0.0.5", 0,
	  .acct = "4F2A 0001"),
	GOOD("every field", "fd00::7 expires=1893456000 idle=30m mac=02:00:00:00:00:07 "
	  "quota=1G rate-up=2M rate-down=8M user=bob class=0102 acct-session-id=X1",
	  "fd00::7", G511_CTL_F_EXPIRES_AT | G511_CTL_F_IDLE | G511_CTL_F_MAC |
	  G511_CTL_F_QUOTA | G511_CTL_F_RATE_UP | G511_CTL_F_RATE_DOWN,
	  .expires = 1893456000, .idle = 1800, .quota = 1000000000, .up = 2000000,
	  .down = 8000000, .mac = "02:00:00:00:00:07", .user = "bob", .acct = "X1",
	  .class_hex = "0102"),
};

static bool good_case_ok(const struct good_case *c)
{
	struct g511_ctl_grant_req r;
	char text[G511_CLIENT_STRLEN], hex[2 * G511_CLASS_MAX + 1] = "";
	bool ok = true;
	unsigned int i;
	__u8 mac[6] = { 0 };

	if (!ASSERT_EQ(parse(c->line, &r), 0, err))
		return false;
	client_format(&r.client, text, sizeof(text));
	ok &= ASSERT_STREQ(text, c->client, "client");
	ok &= ASSERT_EQ(r.flags, c->flags, "flags");
	ok &= ASSERT_EQ(r.expires_wall, c->expires, "expires");
	ok &= ASSERT_EQ(r.ttl_s, c->ttl, "ttl");
	ok &= ASSERT_EQ(r.idle_s, c->idle, "idle");
	ok &= ASSERT_EQ(r.quota_bytes, c->quota, "quota");
	ok &= ASSERT_EQ(r.rate_up_bps, c->up, "rate-up");
	ok &= ASSERT_EQ(r.rate_down_bps, c->down, "rate-down");
	if (c->mac)
		mac_parse(c->mac, mac);
	ok &= ASSERT_MEMEQ(r.mac, mac, 6, "mac");
	ok &= ASSERT_STREQ(r.user, c->user ? c->user : "", "user");
	ok &= ASSERT_STREQ(r.acct_session_id, c->acct ? c->acct : "", "acct id");
	for (i = 0; i < r.class_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", r.class[i]);
	ok &= ASSERT_STREQ(hex, c->class_hex ? c->class_hex : "", "class");
	ok &= ASSERT_TRUE(encodes(&r), "the protocol accepts the request");
	return ok;
}

static bool good_lines(void)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		test_current = good_cases[i].name;
		ok &= good_case_ok(&good_cases[i]);
	}
	return ok;
}

static bool blank_lines(void)
{
	static const char *const lines[] = { "", "   ", "\t\r", "# comment", "  # x=1" };
	struct g511_ctl_grant_req r;
	bool ok = true;
	unsigned int i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ok &= ASSERT_EQ(parse(lines[i], &r), 1, lines[i]);
	return ok;
}

/* ----------------------------------------------------------- bad lines */

static const struct {
	const char *line, *error;
} bad_cases[] = {
	{ "10.0.0.300", "bad address or MAC" },
	{ "224.0.0.1 ttl=1h", "224.0.0.1: unspecified, multicast or broadcast: no "
	  "client sends from it" },
	{ "01:00:5e:00:00:01", "01:00:5e:00:00:01: not a unicast MAC: no device sends "
	  "from it" },
	/* what no client sends from, refused before the daemon sees it */
	{ "127.0.0.1", "127.0.0.1: a loopback address: no client sends from it" },
	{ "127.3.4.5 ttl=1h", "127.3.4.5: a loopback address: no client sends from it" },
	{ "::1", "::1: a loopback address: no client sends from it" },
	{ "0:0::1", "0:0::1: a loopback address: no client sends from it" },
	{ "0.0.0.0", "0.0.0.0: unspecified, multicast or broadcast: no client sends "
	  "from it" },
	{ "::", "::: unspecified, multicast or broadcast: no client sends from it" },
	{ "255.255.255.255", "255.255.255.255: unspecified, multicast or broadcast: no "
	  "client sends from it" },
	{ "ff02::1", "ff02::1: unspecified, multicast or broadcast: no client sends "
	  "from it" },
	{ "00:00:00:00:00:00", "00:00:00:00:00:00: not a unicast MAC: no device sends "
	  "from it" },
	{ "ttl=1h", "bad address or MAC" },
	{ "10.0.0.5 ttl", "expected KEY=VALUE, got 'ttl'" },
	{ "10.0.0.5 foo=1", "unknown field 'foo' (expires, ttl, idle, mac, quota, "
	  "rate-up, rate-down, user, class, acct-session-id)" },
	{ "10.0.0.5 ttl=1h ttl=2h", "ttl= given twice" },
	{ "10.0.0.5 ttl=1w", "bad ttl= (N[s|m|h|d]; not with expires=)" },
	{ "10.0.0.5 ttl=1h expires=never", "bad expires= (seconds since the epoch, or "
	  "never; not with ttl=)" },
	{ "10.0.0.5 expires=5 ttl=1h", "bad ttl= (N[s|m|h|d]; not with expires=)" },
	{ "10.0.0.5 expires=0", "bad expires= (seconds since the epoch, or never; "
	  "not with ttl=)" },
	{ "10.0.0.5 expires=99999999999999999999", "bad expires= (seconds since the "
	  "epoch, or never; not with ttl=)" },
	{ "10.0.0.5 idle=3661d", "bad idle= (N[s|m|h|d])" },
	{ "10.0.0.5 mac=01:00:5e:00:00:01", "bad mac= (a unicast MAC, for address grants)" },
	{ "02:00:00:00:00:01 mac=02:00:00:00:00:02", "bad mac= (a unicast MAC, for "
	  "address grants)" },
	{ "10.0.0.5 quota=1Pi", "bad quota= (bytes: N[K|M|G|T] or N[Ki|Mi|Gi|Ti], at "
	  "most 1Ei)" },
	{ "10.0.0.5 quota=1048577Ti", "bad quota= (bytes: N[K|M|G|T] or N[Ki|Mi|Gi|Ti], "
	  "at most 1Ei)" },
	{ "10.0.0.5 quota=-1", "bad quota= (bytes: N[K|M|G|T] or N[Ki|Mi|Gi|Ti], at "
	  "most 1Ei)" },
	{ "10.0.0.5 rate-up=10Mi", "bad rate-up= (bits/s: N[K|M|G|T], at most 1T)" },
	{ "10.0.0.5 rate-down=1001G", "bad rate-down= (bits/s: N[K|M|G|T], at most 1T)" },
	{ "10.0.0.5 class=abc", "bad class= (hex, 2 digits an octet, at most 253 octets)" },
	{ "10.0.0.5 class=zz", "bad class= (hex, 2 digits an octet, at most 253 octets)" },
	{ "10.0.0.5 user=\"a\\x00b\"", "bad user= (at most 255 bytes, no NUL)" },
	{ "10.0.0.5 user=\"unterminated", "bad quoting in user= (a bare value has no "
	  "blank, '\"', '#' or control character; in quotes only \\\" \\\\ \\xHH)" },
	{ "10.0.0.5 user=\"a\"b", "bad quoting in user= (a bare value has no blank, "
	  "'\"', '#' or control character; in quotes only \\\" \\\\ \\xHH)" },
	{ "10.0.0.5 user=a\"b", "bad quoting in user= (a bare value has no blank, "
	  "'\"', '#' or control character; in quotes only \\\" \\\\ \\xHH)" },
	{ "10.0.0.5 user=\"\\n\"", "bad quoting in user= (a bare value has no blank, "
	  "'\"', '#' or control character; in quotes only \\\" \\\\ \\xHH)" },
	{ "10.0.0.5 acct-session-id=0123456789012345678901234567890123456789"
	  "012345678901234567890123", "bad acct-session-id= (at most 63 bytes, no NUL)" },
};

static bool bad_lines(void)
{
	struct g511_ctl_grant_req r, zero = { 0 };
	bool ok = true;
	unsigned int i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		test_current = bad_cases[i].line;
		err[0] = '\0';
		ok &= ASSERT_EQ(parse(bad_cases[i].line, &r), -EINVAL, "refused");
		ok &= ASSERT_STREQ(err, bad_cases[i].error, "error text");
		ok &= ASSERT_MEMEQ(&r, &zero, sizeof(r), "request left zeroed");
	}
	return ok;
}

static bool user_too_long(void)
{
	struct g511_ctl_grant_req r;
	char line[400];
	bool ok = true;

	snprintf(line, sizeof(line), "10.0.0.5 user=%0255d", 0);
	ok &= ASSERT_EQ(parse(line, &r), 0, "255 bytes fit");
	ok &= ASSERT_EQ(strlen(r.user), 255, "all of them");
	snprintf(line, sizeof(line), "10.0.0.5 user=%0256d", 0);
	ok &= ASSERT_EQ(parse(line, &r), -EINVAL, "256 do not");
	ok &= ASSERT_STREQ(err, "bad user= (at most 255 bytes, no NUL)", "error");
	return ok;
}

/* ----------------------------------------------------------- whole files */

struct collected {
	struct g511_ctl_grant_req r[8];
	unsigned int line[8];
	unsigned int n;
};

static int collect(const struct g511_ctl_grant_req *r, unsigned int lineno, void *ctx)
{
	struct collected *c = ctx;

	if (c->n == 8)
		return -E2BIG;
	c->r[c->n] = *r;
	c->line[c->n++] = lineno;
	return 0;
}

static int parse_file(const char *text, size_t len, struct collected *c)
{
	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	return grantfile_parse(text, len, collect, c, err, sizeof(err));
}

/* What release 0.1.0's export wrote, and its documented import lines. */
static bool old_format(void)
{
	static const char text[] =
		"# gate511 grants, exported 1764626000; gate511ctl import FILE\n"
		"10.51.0.2 expires=1893456000 idle=1800\n"
		"fd51::2 expires=never idle=0 mac=02:51:00:00:00:66\n"
		"02:51:00:00:00:77 expires=never idle=1800\n"
		"\n"
		"10.51.1.1 ttl=30m\n";
	struct collected c;
	bool ok = true;
	char line[GRANTFILE_LINE_MAX];

	if (!ASSERT_EQ(parse_file(text, strlen(text), &c), 0, err))
		return false;
	ok &= ASSERT_EQ(c.n, 4, "four grants");
	ok &= ASSERT_EQ(c.line[0], 2, "line of the first");
	ok &= ASSERT_EQ(c.line[3], 6, "line of the last");
	ok &= ASSERT_EQ(c.r[0].flags, G511_CTL_F_EXPIRES_AT | G511_CTL_F_IDLE, "flags");
	ok &= ASSERT_EQ(c.r[0].expires_wall, 1893456000, "expires");
	ok &= ASSERT_EQ(c.r[1].flags, G511_CTL_F_EXPIRES_AT | G511_CTL_F_IDLE |
			G511_CTL_F_MAC, "mac flags");
	ok &= ASSERT_EQ(c.r[3].ttl_s, 1800, "ttl");
	/* today's export writes the old lines unchanged */
	grantfile_format_req(&c.r[1], line, sizeof(line));
	ok &= ASSERT_STREQ(line, "fd51::2 expires=never idle=0 mac=02:51:00:00:00:66",
			   "same line");
	grantfile_format_req(&c.r[0], line, sizeof(line));
	ok &= ASSERT_STREQ(line, "10.51.0.2 expires=1893456000 idle=1800", "same line");
	return ok;
}

static bool file_errors(void)
{
	static const char nul[] = "10.0.0.1\n10.0.0.2 ttl=1h\n10.0.\0003\n";
	static const char bad3[] = "# x\n10.0.0.1\r\n10.0.0.2 idle=forever\n10.0.0.4\n";
	static const char last[] = "10.0.0.1\n10.0.0.2";	/* no final newline */
	static const char nine[] = "1.1.1.1\n1.1.1.2\n1.1.1.3\n1.1.1.4\n1.1.1.5\n"
				   "1.1.1.6\n1.1.1.7\n1.1.1.8\n1.1.1.9\n";
	struct collected c;
	bool ok = true;

	ok &= ASSERT_EQ(parse_file(nul, sizeof(nul) - 1, &c), -EINVAL, "NUL refused");
	ok &= ASSERT_STREQ(err, "line 3: NUL byte", "NUL error");
	ok &= ASSERT_EQ(parse_file(bad3, strlen(bad3), &c), -EINVAL, "bad line refused");
	ok &= ASSERT_STREQ(err, "line 3: bad idle= (N[s|m|h|d])", "line number");
	ok &= ASSERT_EQ(c.n, 1, "stopped at the bad line");
	ok &= ASSERT_EQ(parse_file(last, strlen(last), &c), 0, err);
	ok &= ASSERT_EQ(c.n, 2, "last line without newline");
	ok &= ASSERT_EQ(parse_file("", 0, &c), 0, "empty file");
	ok &= ASSERT_EQ(c.n, 0, "nothing");
	/* the callback's error stops the parse and is returned as it is */
	ok &= ASSERT_EQ(parse_file(nine, strlen(nine), &c), -E2BIG, "callback error");
	ok &= ASSERT_EQ(c.n, 8, "eight taken before it");
	return ok;
}

/*
 * The same client twice is an error naming both lines, whatever text form
 * each line uses; the callback sees nothing from the second one on.
 */
static bool duplicates(void)
{
	static const struct {
		const char *name, *text, *error;
		unsigned int taken;
	} cases[] = {
		{ "same text", "10.0.0.5\n10.0.0.6\n10.0.0.5 ttl=1h\n10.0.0.7\n",
		  "line 3: 10.0.0.5 already on line 1 (one grant a client)", 2 },
		{ "IPv6, other zeros", "# c\nfd00::5\n\nfd00:0:0::5 idle=0\n",
		  "line 4: fd00::5 already on line 2 (one grant a client)", 1 },
		{ "IPv6, full form", "2001:db8::1\n2001:0db8:0000:0000:0000:0000:0000:0001\n",
		  "line 2: 2001:db8::1 already on line 1 (one grant a client)", 1 },
		{ "MAC, case and dashes", "02:AA:bb:cc:dd:01\n02-aa-BB-cc-DD-01 idle=0\n",
		  "line 2: 02:aa:bb:cc:dd:01 already on line 1 (one grant a client)", 1 },
		{ "far apart", "10.0.0.1\n10.0.0.2\n10.0.0.3\n10.0.0.4\n10.0.0.5\n"
		  "10.0.0.6\n10.0.0.7\n10.0.0.8\n10.0.0.2\n",
		  "line 9: 10.0.0.2 already on line 2 (one grant a client)", 8 },
	};
	static const char distinct[] =
		"10.0.0.5\n::ffff:10.0.0.6\nfd00::5\nfd00::6\n02:00:00:00:00:05\n"
		"02:00:00:00:00:06\n0a00:0005::\n";
	struct collected c;
	bool ok = true;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_current = cases[i].name;
		ok &= ASSERT_EQ(parse_file(cases[i].text, strlen(cases[i].text), &c),
				-EINVAL, "refused");
		ok &= ASSERT_STREQ(err, cases[i].error, "both line numbers");
		ok &= ASSERT_EQ(c.n, cases[i].taken, "nothing of the second line on");
	}
	test_current = "distinct clients";
	ok &= ASSERT_EQ(parse_file(distinct, strlen(distinct), &c), 0, err);
	ok &= ASSERT_EQ(c.n, 7, "all taken");
	return ok;
}

static int count_cb(const struct g511_ctl_grant_req *r, unsigned int lineno, void *ctx)
{
	(void)r;
	(void)lineno;
	++*(unsigned int *)ctx;
	return 0;
}

/* 70000 distinct clients pass (the set grows); one repeat at the end is found. */
static bool duplicates_many(void)
{
	const unsigned int n = 70000;
	size_t cap = (size_t)n * 24 + 64, len = 0;
	unsigned int i, count = 0;
	char *text = malloc(cap);
	bool ok = true;

	if (!ASSERT_TRUE(text != NULL, "malloc"))
		return false;
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "10.%u.%u.%u\n",
					(i >> 16) & 255, (i >> 8) & 255, i & 255);
	ok &= ASSERT_EQ(grantfile_parse(text, len, count_cb, &count, err, sizeof(err)),
			0, err);
	ok &= ASSERT_EQ(count, n, "all distinct");
	len += (size_t)snprintf(text + len, cap - len, "10.0.48.57 ttl=1h\n");
	count = 0;
	ok &= ASSERT_EQ(grantfile_parse(text, len, count_cb, &count, err, sizeof(err)),
			-EINVAL, "the repeat");
	ok &= ASSERT_STREQ(err, "line 70001: 10.0.48.57 already on line 12346 (one "
			   "grant a client)", "both lines");
	free(text);
	return ok;
}

/* ----------------------------------------------------------- round trips */

static void fill_grant(struct g511_ctl_grant *g, const char *client)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	client_parse(client, &g->client);
	g->grant_id = 7;
	g->created_wall = 1764626000;
	g->expires_wall = 1893456000;
	g->ttl_s = 3600;
	g->idle_s = 1800;
	g->last_seen_wall = 1764626100;
	g->packets = 10;
	g->bytes = 1000;
	g->packets_down = 20;
	g->bytes_down = 2000;
	g->quota_bytes = 1ULL << 60;
	g->rate_up_bps = 10000000;
	g->rate_down_bps = 1234567;
	g->origin = G511_ORIGIN_RADIUS;
	g->flags = G511_CTL_GF_IN_MAP;
	if (g->client.kind == G511_CLIENT_ADDR) {
		g->flags |= G511_CTL_GF_MAC_BOUND;
		mac_parse("02:11:22:33:44:55", g->mac);
	}
	/* every byte but NUL, some twice: spaces, quotes, '#', '\', controls */
	for (i = 0; i < G511_USER_LEN - 1; i++)
		g->user[i] = (char)(i % 255 + 1);
	g->class_len = G511_CLASS_MAX;
	for (i = 0; i < G511_CLASS_MAX; i++)
		g->class[i] = (__u8)(255 - i);
	/* 63 bytes: the longest an id can be */
	snprintf(g->acct_session_id, sizeof(g->acct_session_id),
		 "sess \"1\" #2 \\3 %048d", 0);
}

static bool round_trip_one(const struct g511_ctl_grant *g)
{
	struct g511_ctl_grant_req want, got;
	char line[GRANTFILE_LINE_MAX];
	bool ok = true;
	int n;

	grantfile_req_from_grant(g, &want);
	n = grantfile_format_grant(g, line, sizeof(line));
	if (!ASSERT_TRUE(n > 0 && (size_t)n == strlen(line), "formatted"))
		return false;
	ok &= ASSERT_TRUE(!strchr(line, '\n'), "one line");
	ok &= ASSERT_EQ(parse(line, &got), 0, err);
	ok &= ASSERT_MEMEQ(&got, &want, sizeof(got), "same request");
	ok &= ASSERT_TRUE(encodes(&got), "the protocol accepts it");
	return ok;
}

static bool round_trip_every_field(void)
{
	struct g511_ctl_grant g;
	struct g511_ctl_grant_req r;
	bool ok = true;

	fill_grant(&g, "2001:db8::42");
	ok &= round_trip_one(&g);
	grantfile_req_from_grant(&g, &r);
	ok &= ASSERT_EQ(r.flags, G511_CTL_F_EXPIRES_AT | G511_CTL_F_IDLE | G511_CTL_F_MAC |
			G511_CTL_F_QUOTA | G511_CTL_F_RATE_UP | G511_CTL_F_RATE_DOWN,
			"every flag");
	ok &= ASSERT_EQ(strlen(r.user), G511_USER_LEN - 1, "user carried");
	ok &= ASSERT_EQ(r.class_len, G511_CLASS_MAX, "class carried");
	ok &= ASSERT_EQ(strlen(r.acct_session_id), G511_ACCT_ID_LEN - 1, "acct carried");
	fill_grant(&g, "10.0.0.9");
	ok &= round_trip_one(&g);
	fill_grant(&g, "02:aa:bb:cc:dd:ee");
	ok &= round_trip_one(&g);
	/* and the plainest one: no deadline, nothing optional */
	memset(&g, 0, sizeof(g));
	client_parse("192.0.2.1", &g.client);
	ok &= round_trip_one(&g);
	return ok;
}

static bool export_line_text(void)
{
	struct g511_ctl_grant g = { 0 };
	char line[GRANTFILE_LINE_MAX];
	bool ok = true;

	client_parse("10.0.0.5", &g.client);
	g.expires_wall = 1893456000;
	g.idle_s = 600;
	g.quota_bytes = 500000000;
	g.rate_up_bps = 10000000;
	g.rate_down_bps = 1500;
	snprintf(g.user, sizeof(g.user), "Alice \"A\" Smith");
	g.class_len = 3;
	memcpy(g.class, "\x0a\x1b\xff", 3);
	snprintf(g.acct_session_id, sizeof(g.acct_session_id), "4F2A-0001");
	grantfile_format_grant(&g, line, sizeof(line));
	ok &= ASSERT_STREQ(line, "10.0.0.5 expires=1893456000 idle=600 quota=500M "
			   "rate-up=10M rate-down=1500 user=\"Alice \\\"A\\\" Smith\" "
			   "class=0a1bff acct-session-id=4F2A-0001", "export line");
	snprintf(g.user, sizeof(g.user), "tab\there\x7f");
	g.class_len = 0;
	memset(g.class, 0, sizeof(g.class));
	g.quota_bytes = g.rate_up_bps = g.rate_down_bps = 0;
	g.acct_session_id[0] = '\0';
	grantfile_format_grant(&g, line, sizeof(line));
	ok &= ASSERT_STREQ(line, "10.0.0.5 expires=1893456000 idle=600 "
			   "user=\"tab\\x09here\\x7f\"", "escapes");
	ok &= ASSERT_EQ(grantfile_format_grant(&g, line, 20), -ENOSPC, "too small");
	return ok;
}

static bool amounts(void)
{
	static const struct {
		const char *s;
		unsigned int flags;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0, 0 }, { "1500", 0, 0, 1500 }, { "10K", 0, 0, 10000 },
		{ "10k", 0, 0, 10000 }, { "3G", 0, 0, 3000000000ULL },
		{ "1Ki", GRANTFILE_AMOUNT_BINARY, 0, 1024 },
		{ "1Ki", 0, -EINVAL, 0 }, { "1m", 0, -EINVAL, 0 }, { "", 0, -EINVAL, 0 },
		{ "K", 0, -EINVAL, 0 }, { "1 K", 0, -EINVAL, 0 }, { "1KB", 0, -EINVAL, 0 },
		{ "18446744073709551616", 0, -EINVAL, 0 },
		{ "18446744073709551615", 0, 0, UINT64_MAX },
		{ "18446744073709552T", 0, -EINVAL, 0 },
	};
	static const struct {
		uint64_t v;
		const char *s;
	} fmt[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1K" }, { 1500, "1500" },
		{ 1500000, "1500K" }, { 2000000000000000ULL, "2000T" }, { 1024, "1024" },
	};
	char buf[32];
	bool ok = true;
	unsigned int i;
	uint64_t v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		ok &= ASSERT_EQ(grantfile_amount_parse(cases[i].s, cases[i].flags,
						       UINT64_MAX, &v),
				cases[i].ret, cases[i].s);
		if (cases[i].ret == 0)
			ok &= ASSERT_EQ(v, cases[i].v, cases[i].s);
	}
	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		grantfile_amount_format(fmt[i].v, buf, sizeof(buf));
		ok &= ASSERT_STREQ(buf, fmt[i].s, "format");
	}
	return ok;
}

int main(void)
{
	RUN_CASE(good_lines);
	RUN_CASE(blank_lines);
	RUN_CASE(bad_lines);
	RUN_CASE(user_too_long);
	RUN_CASE(old_format);
	RUN_CASE(file_errors);
	RUN_CASE(duplicates);
	RUN_CASE(duplicates_many);
	RUN_CASE(round_trip_every_field);
	RUN_CASE(export_line_text);
	RUN_CASE(amounts);
	return test_summary();
}
