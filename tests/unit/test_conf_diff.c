// SPDX-License-Identifier: GPL-2.0
/*
 * test_conf_diff.c - user/lib/conf_diff.c: a table of (old file, new file,
 * the lines a reload logs), every key once, plus the garden's set
 * difference, a line too long for its buffer and the order of the lines.
 */
#include <errno.h>
#include "test.h"
#include "conf.h"
#include "conf_diff.h"

static struct g511_conf conf_a, conf_b;	/* big: not on the stack */

#define BASE "portal_url = http://a.example/\n"
#define MAX_LINES 8

struct diff_case {
	const char *name;
	const char *old_text;
	const char *new_text;
	const char *lines[MAX_LINES];	/* expected, in order, NULL-terminated */
};

static const struct diff_case cases[] = {
	{ "identical", BASE "garden = 10.0.0.0/8:443\n", BASE "garden = 10.0.0.0/8:443\n",
	  { "no changes" } },
	{ "comments and order do not matter",
	  BASE "garden = 10.0.0.0/8\ngarden = 192.0.2.0/24:80\n",
	  "# x\ngarden = 192.0.2.0/24:80   # y\n" BASE "garden = 10.0.0.0/8\n",
	  { "no changes" } },
	{ "a listener", BASE, BASE "metrics_listen = 127.0.0.1:9511\n",
	  { "metrics_listen: (off) -> 127.0.0.1:9511" } },
	{ "an API secret changes: shown by a tag, never in clear",
	  BASE "api_key = k1:1111111111111111111111111111111111111111111111111111111111111111\n", BASE "api_key = k1:2222222222222222222222222222222222222222222222222222222222222222\n",
	  { "api_key: k1 (#10850665) -> k1 (#f641f9c5)" } },
	{ "a RADIUS secret changes: shown by a tag, never in clear",
	  BASE "radius_secret = one\nradius_server = 10.0.0.2\n",
	  BASE "radius_secret = two\nradius_server = 10.0.0.2:1812:1913\n",
	  { "radius_server: 10.0.0.2:1812:1813 -> 10.0.0.2:1812:1913",
	    "radius_secret: (set, #ba2719ef) -> (set, #be248829)" } },
	{ "MAC auth and the port type",
	  BASE "radius_secret = one\nradius_server = 10.0.0.2\n",
	  BASE "radius_secret = one\nradius_server = 10.0.0.2\nradius_mac_auth = yes\n"
	  "radius_mac_auth_reject_cache = 1h\nradius_nas_port_type = wireless\n",
	  { "radius_mac_auth: no -> yes", "radius_mac_auth_reject_cache: 5m -> 1h",
	    "radius_nas_port_type: ethernet -> wireless" } },
	{ "portal_url", BASE, "portal_url = http://b.example/\n",
	  { "portal_url: http://a.example/ -> http://b.example/" } },
	{ "garden added and removed",
	  BASE "garden = 192.0.2.0/24\n", BASE "garden = 10.0.0.0/8:443\n",
	  { "garden: + 10.0.0.0/8:443, - 192.0.2.0/24" } },
	{ "garden ports changed", BASE "garden = 10.0.0.0/8:80\n", BASE "garden = 10.0.0.0/8:80,443\n",
	  { "garden: + 10.0.0.0/8:80,443, - 10.0.0.0/8:80" } },
	{ "garden names added and removed",
	  BASE "garden = *.idp.example:443\ngarden = pay.example\n",
	  BASE "garden = pay.example\ngarden = login.example:443\n",
	  { "garden: + login.example:443, - *.idp.example:443" } },
	{ "garden name's ports changed", BASE "garden = a.example:80\n",
	  BASE "garden = 10.0.0.0/8\ngarden = a.example:80,443\n",
	  { "garden: + 10.0.0.0/8, + a.example:80,443, - a.example:80" } },
	{ "garden IPv6", BASE, BASE "garden = [2001:db8::/32]:443\n",
	  { "garden: + [2001:db8::/32]:443" } },
	{ "dns_resolvers", BASE "dns_resolvers = 192.0.2.53\n",
	  BASE "dns_resolvers = 192.0.2.53, 2001:db8::53\n",
	  { "dns_resolvers: 192.0.2.53 -> 192.0.2.53, 2001:db8::53" } },
	{ "dns_resolvers emptied", BASE "dns_resolvers = 192.0.2.53\n", BASE,
	  { "dns_resolvers: 192.0.2.53 -> (none)" } },
	{ "scalars", BASE,
	  BASE "probe_redirect = no\nsession_timeout = 2h\nidle_timeout = 0\n"
	  "https_action = drop\ndns_policy = none\nvlan_policy = drop\nshaping = off\n",
	  { "probe_redirect: yes -> no", "session_timeout: 8h -> 2h",
	    "idle_timeout: 30m -> 0s", "https_action: rst -> drop",
	    "dns_policy: resolvers -> none", "vlan_policy: allow -> drop",
	    "shaping: auto -> off" } },
	{ "lists", BASE,
	  BASE "redirect_ports = 80, 8080\nlocal_addrs = 192.0.2.1\n"
	  "client_nets = 192.0.2.0/24\ninterface = eth1\ninterface = eth2\n",
	  { "interface: (none) -> eth1, eth2", "redirect_ports: 80 -> 80, 8080",
	    "local_addrs: (none) -> 192.0.2.1", "client_nets: auto -> 192.0.2.0/24" } },
	{ "client_nets any", BASE "client_nets = 192.0.2.0/24\n", BASE "client_nets = any\n",
	  { "client_nets: 192.0.2.0/24 -> any" } },
	{ "template", BASE, BASE "template = /etc/gate511/511.html\n",
	  { "template: (built-in) -> /etc/gate511/511.html" } },
	{ "restart-only keys are named too", BASE,
	  BASE "state_db = /tmp/s.db\ncontrol_socket = /tmp/c.sock\n"
	  "portal_group = p\nadmin_group = a\n",
	  { "state_db: /var/lib/gate511/state.db -> /tmp/s.db",
	    "control_socket: /run/gate511/ctl.sock -> /tmp/c.sock",
	    "portal_group: (none) -> p", "admin_group: (none) -> a" } },
	{ "several keys: file order, garden between client_nets and state_db",
	  BASE "garden = 192.0.2.0/24\n",
	  "state_db = /tmp/s.db\ngarden = 198.51.100.7:443\nportal_url = http://b.example/\n"
	  "client_nets = any\n",
	  { "portal_url: http://a.example/ -> http://b.example/",
	    "client_nets: auto -> any",
	    "garden: + 198.51.100.7/32:443, - 192.0.2.0/24",
	    "state_db: /var/lib/gate511/state.db -> /tmp/s.db" } },
};

struct got {
	char lines[MAX_LINES + 1][CONF_DIFF_LINE_MAX];
	unsigned int n;
};

static struct got got;

static void collect(const char *line, void *ctx)
{
	struct got *g = ctx;

	if (g->n <= MAX_LINES)
		snprintf(g->lines[g->n], sizeof(g->lines[0]), "%s", line);
	g->n++;
}

static bool parse_both(const char *a, const char *b)
{
	char err[256];

	if (!ASSERT_EQ(conf_parse(&conf_a, a, strlen(a), err, sizeof(err)), 0, err))
		return false;
	return ASSERT_EQ(conf_parse(&conf_b, b, strlen(b), err, sizeof(err)), 0, err);
}

static bool run_case(const struct diff_case *c)
{
	unsigned int want = 0;
	int ret;
	bool ok = true;

	test_current = c->name;
	while (want < MAX_LINES && c->lines[want])
		want++;
	if (!parse_both(c->old_text, c->new_text))
		return false;
	memset(&got, 0, sizeof(got));
	ret = conf_diff(&conf_a, &conf_b, collect, &got);
	ok &= ASSERT_EQ(ret, strcmp(c->lines[0], "no changes") ? (int)want : 0, "return value");
	ok &= ASSERT_EQ(got.n, want, "number of lines");
	for (unsigned int i = 0; i < want && i < got.n; i++)
		ok &= ASSERT_STREQ(got.lines[i], c->lines[i], "line");
	return ok;
}

static bool table(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok &= run_case(&cases[i]);
	test_current = "table";
	return ok;
}

/* The other direction of each case names the same keys. */
static bool symmetric(void)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int want = 0;

		test_current = cases[i].name;
		while (want < MAX_LINES && cases[i].lines[want])
			want++;
		if (!parse_both(cases[i].new_text, cases[i].old_text))
			return false;
		memset(&got, 0, sizeof(got));
		conf_diff(&conf_a, &conf_b, collect, &got);
		ok &= ASSERT_EQ(got.n, want, "lines the other way round");
	}
	test_current = "symmetric";
	return ok;
}

/* 4000 new entries: one line, cut short with a count of what is left. */
static bool long_garden(void)
{
	bool ok = true;
	char *line;

	conf_defaults(&conf_a);
	conf_defaults(&conf_b);
	for (unsigned int i = 0; i < 4000; i++) {
		struct g511_garden_entry *e = &conf_b.garden[conf_b.n_garden++];

		memset(e, 0, sizeof(*e));
		e->key.prefixlen = 128;
		e->key.addr[10] = e->key.addr[11] = 0xff;
		e->key.addr[12] = 10;
		e->key.addr[14] = i >> 8;
		e->key.addr[15] = i & 0xff;
	}
	memset(&got, 0, sizeof(got));
	ok &= ASSERT_EQ(conf_diff(&conf_a, &conf_b, collect, &got), 1, "one key changed");
	ok &= ASSERT_EQ(got.n, 1, "one line");
	line = got.lines[0];
	ok &= ASSERT_TRUE(!strncmp(line, "garden: + 10.0.0.0/32, + 10.0.0.1/32", 36), line);
	ok &= ASSERT_TRUE(strstr(line, " more)") != NULL, "says how many are left out");
	ok &= ASSERT_TRUE(strlen(line) < CONF_DIFF_LINE_MAX, "fits");
	return ok;
}

int main(void)
{
	RUN_CASE(table);
	RUN_CASE(symmetric);
	RUN_CASE(long_garden);
	return test_summary();
}
