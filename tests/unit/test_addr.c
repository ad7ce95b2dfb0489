// SPDX-License-Identifier: GPL-2.0
/*
 * test_addr.c - user/lib/addr.c and duration.c: addresses, MACs, clients,
 * garden entries (canonical prefixes, ports, IPv6 brackets), and
 * round trips text -> binary -> text. Tables of input and expected result.
 */
#include <errno.h>
#include <arpa/inet.h>
#include "test.h"
#include "maptab.h"
#include "addr.h"
#include "duration.h"

struct addr_case {
	const char *in;
	int err;
	const char *out;	/* formatted back */
};

static const struct addr_case addr_cases[] = {
	{ "10.0.0.5", 0, "10.0.0.5" },
	{ "255.255.255.254", 0, "255.255.255.254" },
	{ "2001:db8::1", 0, "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:1", 0, "2001:db8::1" },
	{ "::ffff:10.1.2.3", 0, "10.1.2.3" },
	{ "::", 0, "::" },
	{ "1.2.3", -EINVAL, NULL },
	{ "1.2.3.4.5", -EINVAL, NULL },
	{ "256.1.1.1", -EINVAL, NULL },
	{ "01.2.3.4", -EINVAL, NULL },
	{ "10.0.0.5 ", -EINVAL, NULL },
	{ "fe80::1%eth0", -EINVAL, NULL },
	{ "", -EINVAL, NULL },
	{ "2001:db8::1::2", -EINVAL, NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -EINVAL, NULL },
};

static bool addr_table(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct g511_addr a;
		char out[G511_ADDR_STRLEN];
		int err = addr_parse(c->in, &a);

		if (!ASSERT_EQ(err, c->err, c->in)) {
			ok = false;
			continue;
		}
		if (err)
			continue;
		addr_format(&a, out, sizeof(out));
		ok &= ASSERT_STREQ(out, c->out, c->in);
	}
	return ok;
}

static bool addr_v4_mapped(void)
{
	const __u8 want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 5 };
	struct g511_addr a;

	if (!ASSERT_EQ(addr_parse("10.0.0.5", &a), 0, "parse"))
		return false;
	return ASSERT_MEMEQ(a.addr, want, 16, "IPv4 is ::ffff:a.b.c.d") &&
	       ASSERT_TRUE(addr_is_v4(&a), "is v4");
}

static bool mac_cases(void)
{
	const __u8 want[6] = { 0xaa, 0xbb, 0xcc, 0x0d, 0xee, 0xff };
	__u8 mac[6];
	char out[G511_MAC_STRLEN];
	bool ok = true;

	ok &= ASSERT_EQ(mac_parse("aa:bb:cc:0d:ee:ff", mac), 0, "colons");
	ok &= ASSERT_MEMEQ(mac, want, 6, "bytes");
	ok &= ASSERT_EQ(mac_parse("AA-BB-CC-0D-EE-FF", mac), 0, "dashes, upper case");
	ok &= ASSERT_MEMEQ(mac, want, 6, "bytes");
	mac_format(mac, out, sizeof(out));
	ok &= ASSERT_STREQ(out, "aa:bb:cc:0d:ee:ff", "format");
	ok &= ASSERT_EQ(mac_parse("aa:bb:cc:dd:ee", mac), -EINVAL, "short");
	ok &= ASSERT_EQ(mac_parse("aa:bb:cc:dd:ee:ff:00", mac), -EINVAL, "long");
	ok &= ASSERT_EQ(mac_parse("aa:bb-cc:dd:ee:ff", mac), -EINVAL, "mixed separators");
	ok &= ASSERT_EQ(mac_parse("aa:bb:cc:dd:ee:fg", mac), -EINVAL, "not hex");
	ok &= ASSERT_EQ(mac_parse("a:bb:cc:dd:ee:fff", mac), -EINVAL, "misaligned");
	return ok;
}

struct client_case {
	const char *in;
	int err;
	int kind;
};

static const struct client_case client_cases[] = {
	{ "10.0.0.5", 0, G511_CLIENT_ADDR },
	{ "2001:db8::5", 0, G511_CLIENT_ADDR },
	{ "02:00:00:00:00:01", 0, G511_CLIENT_MAC },
	{ "0.0.0.0", -EINVAL, 0 },		/* unspecified */
	{ "::", -EINVAL, 0 },
	{ "224.0.0.1", -EINVAL, 0 },		/* multicast */
	{ "ff02::1", -EINVAL, 0 },
	{ "255.255.255.255", -EINVAL, 0 },	/* broadcast */
	{ "01:00:5e:00:00:01", -EINVAL, 0 },	/* multicast MAC */
	{ "00:00:00:00:00:00", -EINVAL, 0 },
	{ "ff:ff:ff:ff:ff:ff", -EINVAL, 0 },
	{ "host.example", -EINVAL, 0 },
	{ "10.0.0.0/24", -EINVAL, 0 },
};

static bool client_table(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(client_cases) / sizeof(client_cases[0]); i++) {
		const struct client_case *c = &client_cases[i];
		struct g511_client cl;
		char out[G511_CLIENT_STRLEN];
		int err = client_parse(c->in, &cl);

		if (!ASSERT_EQ(err, c->err, c->in)) {
			ok = false;
			continue;
		}
		if (err)
			continue;
		ok &= ASSERT_EQ(cl.kind, c->kind, c->in);
		ok &= ASSERT_TRUE(client_valid(&cl), c->in);
		client_format(&cl, out, sizeof(out));
		ok &= ASSERT_STREQ(out, c->in, "round trip");
	}
	return ok;
}

static bool client_validity(void)
{
	struct g511_client c;
	bool ok = true;

	client_parse("02:00:00:00:00:01", &c);
	c.key[10] = 1;
	ok &= ASSERT_TRUE(!client_valid(&c), "MAC with a non-zero tail");
	client_parse("10.0.0.1", &c);
	c.pad[1] = 1;
	ok &= ASSERT_TRUE(!client_valid(&c), "non-zero padding");
	c.pad[1] = 0;
	c.kind = 3;
	ok &= ASSERT_TRUE(!client_valid(&c), "unknown kind");
	return ok;
}

struct garden_case {
	const char *in;
	int err;
	unsigned int prefixlen;
	unsigned int nports;
	const char *out;
};

static const struct garden_case garden_cases[] = {
	{ "10.0.0.0/8", 0, 104, 0, "10.0.0.0/8" },
	{ "10.0.0.0/8:443", 0, 104, 1, "10.0.0.0/8:443" },
	{ "192.0.2.10", 0, 128, 0, "192.0.2.10/32" },
	{ "192.0.2.10:80,443", 0, 128, 2, "192.0.2.10/32:80,443" },
	{ "192.0.2.0/24:443,80", 0, 120, 2, "192.0.2.0/24:80,443" },	/* sorted */
	{ "0.0.0.0/0:53", 0, 96, 1, "0.0.0.0/0:53" },
	{ "2001:db8::/32", 0, 32, 0, "2001:db8::/32" },
	{ "[2001:db8::/32]:443", 0, 32, 1, "[2001:db8::/32]:443" },
	{ "[2001:db8::1]:443", 0, 128, 1, "[2001:db8::1/128]:443" },
	{ "2001:db8::1", 0, 128, 0, "2001:db8::1/128" },
	{ "::/0", 0, 0, 0, "::/0" },
	{ "10.0.0.5/8", -EINVAL, 0, 0, NULL },		/* host bits */
	{ "2001:db8::1/32", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/33", -EINVAL, 0, 0, NULL },
	{ "2001:db8::/129", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/08", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:0", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:65536", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:80,80", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:1,2,3,4,5,6,7,8,9", -EINVAL, 0, 0, NULL },
	{ "10.0.0.0/8:1,2,3,4,5,6,7,8", 0, 104, 8, "10.0.0.0/8:1,2,3,4,5,6,7,8" },
	{ "10.0.0.0/8:80,", -EINVAL, 0, 0, NULL },
	{ "[10.0.0.0/8]:80", -EINVAL, 0, 0, NULL },	/* brackets: IPv6 only */
	{ "[2001:db8::/32]443", -EINVAL, 0, 0, NULL },
	{ "[2001:db8::/32", -EINVAL, 0, 0, NULL },
	{ "2001:db8::/32:443", -EINVAL, 0, 0, NULL },	/* v6 + port needs [] */
	{ "", -EINVAL, 0, 0, NULL },
	{ "/8", -EINVAL, 0, 0, NULL },
};

static bool garden_table(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(garden_cases) / sizeof(garden_cases[0]); i++) {
		const struct garden_case *c = &garden_cases[i];
		struct g511_garden_key k, k2;
		struct g511_garden_val v, v2;
		char out[G511_GARDEN_STRLEN];
		int err = garden_parse(c->in, &k, &v);

		if (!ASSERT_EQ(err, c->err, c->in)) {
			ok = false;
			continue;
		}
		if (err)
			continue;
		ok &= ASSERT_EQ(k.prefixlen, c->prefixlen, c->in);
		ok &= ASSERT_EQ(v.nports, c->nports, c->in);
		ok &= ASSERT_TRUE(garden_key_valid(&k) && garden_val_valid(&v), c->in);
		garden_format(&k, &v, out, sizeof(out));
		ok &= ASSERT_STREQ(out, c->out, c->in);
		/* what we print parses back to the same bytes */
		ok &= ASSERT_EQ(garden_parse(out, &k2, &v2), 0, out);
		ok &= ASSERT_MEMEQ(&k, &k2, sizeof(k), out);
		ok &= ASSERT_MEMEQ(&v, &v2, sizeof(v), out);
	}
	return ok;
}

static bool garden_validity(void)
{
	struct g511_garden_key k = { .prefixlen = 129 };
	struct g511_garden_val v = { .nports = 1 };
	bool ok = true;

	ok &= ASSERT_TRUE(!garden_key_valid(&k), "prefixlen 129");
	k.prefixlen = 8;
	k.addr[1] = 1;
	ok &= ASSERT_TRUE(!garden_key_valid(&k), "host bits");
	ok &= ASSERT_TRUE(!garden_val_valid(&v), "port 0 in use");
	v.ports[0] = 80;
	v.ports[3] = 1;
	ok &= ASSERT_TRUE(!garden_val_valid(&v), "port past nports");
	v.ports[3] = 0;
	v.nports = 9;
	ok &= ASSERT_TRUE(!garden_val_valid(&v), "nports 9");
	return ok;
}

struct dur_case {
	const char *in;
	int err;
	uint64_t secs;
	const char *out;
};

static const struct dur_case dur_cases[] = {
	{ "0", 0, 0, "0s" },
	{ "90", 0, 90, "1m30s" },
	{ "90s", 0, 90, "1m30s" },
	{ "15m", 0, 900, "15m" },
	{ "8h", 0, 28800, "8h" },
	{ "7d", 0, 604800, "7d" },
	{ "3660d", 0, 3660ULL * 86400, "3660d" },
	{ "3661d", -EINVAL, 0, NULL },
	{ "99999999999999999999", -EINVAL, 0, NULL },
	{ "1w", -EINVAL, 0, NULL },
	{ "1hh", -EINVAL, 0, NULL },
	{ "-1", -EINVAL, 0, NULL },
	{ "", -EINVAL, 0, NULL },
	{ "h", -EINVAL, 0, NULL },
	{ " 1", -EINVAL, 0, NULL },
};

static bool duration_table(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(dur_cases) / sizeof(dur_cases[0]); i++) {
		const struct dur_case *c = &dur_cases[i];
		char out[32];
		uint64_t s = 0;
		int err = duration_parse(c->in, &s);

		if (!ASSERT_EQ(err, c->err, c->in)) {
			ok = false;
			continue;
		}
		if (err)
			continue;
		ok &= ASSERT_EQ(s, c->secs, c->in);
		duration_format(s, out, sizeof(out));
		ok &= ASSERT_STREQ(out, c->out, c->in);
	}
	return ok;
}

/* What may hold a grant on a gateway at 10.51.0.1/24 and fd51::1/64. */
static bool grantable_table(void)
{
	static const struct { const char *who; bool ok; } cases[] = {
		{ "10.51.0.2", true },
		{ "10.51.0.254", true },
		{ "10.99.0.255", true },	/* not a client prefix: only the DB knows */
		{ "fd51::2", true },
		{ "fe80::1234", true },
		{ "02:00:00:00:00:17", true },
		{ "10.51.0.255", false },	/* subnet broadcast */
		{ "10.51.0.0", false },		/* network address */
		{ "10.51.0.1", false },		/* the gateway */
		{ "fd51::1", false },		/* the gateway */
		{ "127.0.0.1", false },
		{ "127.1.2.3", false },
		{ "::1", false },
	};
	struct g511_config x = { .n_local_addrs = 2, .n_client_nets = 2 };
	struct g511_client c;
	const char *why;
	bool ok = true;

	addr_parse("10.51.0.1", &x.local_addrs[0]);
	addr_parse("fd51::1", &x.local_addrs[1]);
	addr_parse("10.51.0.0", (struct g511_addr *)x.client_nets[0].addr);
	x.client_nets[0].prefixlen = 96 + 24;
	addr_parse("fd51::", (struct g511_addr *)x.client_nets[1].addr);
	x.client_nets[1].prefixlen = 64;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct g511_addr a;

		memset(&c, 0, sizeof(c));
		if (client_parse(cases[i].who, &c)) {
			/* client_parse refuses some itself; force the address in */
			ok &= ASSERT_EQ(addr_parse(cases[i].who, &a), 0, cases[i].who);
			c.kind = G511_CLIENT_ADDR;
			memcpy(c.key, a.addr, 16);
		}
		ok &= ASSERT_EQ(client_grantable(&c, &x, &why) == 0, cases[i].ok, cases[i].who);
		if (!cases[i].ok)
			ok &= ASSERT_TRUE(why && *why, "a reason is given");
	}
	/* unspecified, multicast, broadcast and non-unicast MACs by hand */
	memset(&c, 0, sizeof(c));
	c.kind = G511_CLIENT_ADDR;
	ok &= ASSERT_EQ(client_grantable(&c, &x, &why), -EINVAL, "::");
	c.key[0] = 0xff;
	ok &= ASSERT_EQ(client_grantable(&c, &x, &why), -EINVAL, "ff00::");
	memset(&c, 0, sizeof(c));
	c.kind = G511_CLIENT_MAC;
	memcpy(c.key, "\x01\x00\x5e\x00\x00\x01", 6);
	ok &= ASSERT_EQ(client_grantable(&c, &x, &why), -EINVAL, "multicast MAC");
	/* no config: only what holds everywhere */
	client_parse("10.51.0.1", &c);
	ok &= ASSERT_EQ(client_grantable(&c, NULL, &why), 0, "no config, gateway unknown");
	return ok;
}

/* The client prefixes' host masks the daemon writes beside them. */
static bool hostmasks_table(void)
{
	struct g511_config x = { .n_client_nets = 3 };
	bool ok = true;

	x.client_nets[0].prefixlen = 96 + 24;	/* IPv4 /24 */
	x.client_nets[1].prefixlen = 64;
	x.client_nets[2].prefixlen = 128;
	x.client_nets[3].prefixlen = 0;		/* beyond n: must stay zero */
	memset(x.client_hostmasks, 0xaa, sizeof(x.client_hostmasks));
	g511_config_set_hostmasks(&x);
	ok &= ASSERT_EQ(x.client_hostmasks[0][0], 0, "/120 word 0");
	ok &= ASSERT_EQ(x.client_hostmasks[0][2], 0, "/120 word 2");
	ok &= ASSERT_EQ(x.client_hostmasks[0][3], htonl(0xff), "/120 word 3");
	ok &= ASSERT_EQ(x.client_hostmasks[1][1], 0, "/64 word 1");
	ok &= ASSERT_EQ(x.client_hostmasks[1][2], 0xffffffff, "/64 word 2");
	ok &= ASSERT_EQ(x.client_hostmasks[1][3], 0xffffffff, "/64 word 3");
	for (int w = 0; w < 4; w++) {
		ok &= ASSERT_EQ(x.client_hostmasks[2][w], 0, "/128: no host part");
		ok &= ASSERT_EQ(x.client_hostmasks[3][w], 0, "unused prefix: zero (fails closed)");
	}
	return ok;
}

int main(void)
{
	RUN_CASE(addr_table);
	RUN_CASE(addr_v4_mapped);
	RUN_CASE(mac_cases);
	RUN_CASE(client_table);
	RUN_CASE(client_validity);
	RUN_CASE(garden_table);
	RUN_CASE(garden_validity);
	RUN_CASE(duration_table);
	RUN_CASE(grantable_table);
	RUN_CASE(hostmasks_table);
	return test_summary();
}
