// SPDX-License-Identifier: GPL-2.0
/*
 * test_conf.c - user/lib/conf.c: defaults, every key, comments and quotes,
 * and a table of bad files that must be refused with the right line number.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "test.h"
#include "addr.h"
#include "conf.h"

static struct g511_conf conf;	/* big: not on the stack */
static char err[256];

static int parse(const char *text)
{
	return conf_parse(&conf, text, strlen(text), err, sizeof(err));
}

static bool defaults(void)
{
	bool ok = true;

	ok &= ASSERT_EQ(parse(""), 0, "empty file");
	ok &= ASSERT_STREQ(conf.portal_url, "", "portal: none, the daemon requires one");
	ok &= ASSERT_STREQ(conf.state_path, G511_STATE_PATH_DEFAULT, "state_db");
	ok &= ASSERT_STREQ(conf.ctl_path, G511_CTL_PATH_DEFAULT, "control_socket");
	ok &= ASSERT_STREQ(conf.admin_group, "", "admin_group");
	ok &= ASSERT_STREQ(conf.portal_group, "", "portal_group");
	ok &= ASSERT_EQ(conf.n_ifnames, 0, "no interfaces");
	ok &= ASSERT_STREQ(conf.template_path, "", "template");
	ok &= ASSERT_TRUE(conf.probes_302, "probe_redirect");
	ok &= ASSERT_EQ(conf.default_ttl_s, 8 * 3600, "session_timeout");
	ok &= ASSERT_EQ(conf.default_idle_s, 30 * 60, "idle_timeout");
	ok &= ASSERT_EQ(conf.xdp.version, G511_CONFIG_VERSION, "version");
	ok &= ASSERT_EQ(conf.xdp.n_redirect_ports, 1, "one redirect port");
	ok &= ASSERT_EQ(conf.xdp.redirect_ports[0], 80, "port 80");
	ok &= ASSERT_EQ(conf.xdp.https_action, G511_HTTPS_RST, "https");
	ok &= ASSERT_EQ(conf.xdp.dns_policy, G511_DNS_RESOLVERS, "dns");
	ok &= ASSERT_EQ(conf.xdp.n_resolvers, 0, "no resolvers");
	ok &= ASSERT_EQ(conf.xdp.vlan_policy, G511_VLAN_ALLOW, "vlan");
	ok &= ASSERT_EQ(conf.shaping, G511_SHAPING_AUTO, "shaping");
	ok &= ASSERT_EQ(conf.n_garden, 0, "garden");
	return ok;
}

static const char full_text[] =
	"# gate511 test config\n"
	"\n"
	"portal_url = https://login.example.net/portal?a=1#frag   # comment\n"
	"template = /etc/gate511/511.html\n"
	"state_db = /tmp/g511/state.db\n"
	"control_socket = /tmp/g511/ctl.sock\n"
	"control_group = gate511-admin\n"
	"probe_redirect = no\n"
	"session_timeout = 2h\n"
	"idle_timeout = 600\n"
	"redirect_ports = 80, 8080,3128\n"
	"https_action = drop\n"
	"dns_policy = any\n"
	"dns_resolvers = 192.0.2.53, 2001:db8::53\n"
	"vlan_policy = drop\n"
	"local_addrs = 10.0.0.1,fe80::1\n"
	"client_nets = 10.0.0.0/16, 2001:db8:5::/64\n"
	"\tgarden = 10.0.0.0/8:443\r\n"
	"garden = [2001:db8::/32]:80,443\n"
	"portal_group = g511-portal\n"
	"capport_listen = 10.0.0.1:443\n"
	"api_listen = [2001:db8::1]:8443\n"
	"metrics_listen = 127.0.0.1:9511\n"
	"tls_cert = /etc/gate511/cert.pem\n"
	"tls_key = /etc/gate511/key.pem\n"
	"api_key = portal-1:00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\n"
	"api_key = p2:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
	"portal_sign_key = 0101010101010101010101010101010101010101010101010101010101010101\n"
	"venue_info_url = https://cafe.example/info\n"
	"network_name = Cafe Wi-Fi\n"
	"gateway_id = gw-7\n"
	"can_extend_session = yes\n"
	"shaping = off\n"
	"interface = veth0\n"
	"interface = eth1.100\n"
	"garden=192.0.2.1";	/* no final newline */

static bool every_key(void)
{
	struct g511_addr a;
	bool ok = true;

	if (!ASSERT_EQ(parse(full_text), 0, err))
		return false;
	ok &= ASSERT_STREQ(conf.portal_url,
			   "https://login.example.net/portal?a=1#frag", "url keeps #frag");
	ok &= ASSERT_STREQ(conf.template_path, "/etc/gate511/511.html", "template");
	ok &= ASSERT_STREQ(conf.state_path, "/tmp/g511/state.db", "state_db");
	ok &= ASSERT_STREQ(conf.ctl_path, "/tmp/g511/ctl.sock", "control_socket");
	ok &= ASSERT_STREQ(conf.admin_group, "gate511-admin", "control_group");
	ok &= ASSERT_STREQ(conf.portal_group, "g511-portal", "portal_group");
	ok &= ASSERT_TRUE(conf.capport_listen.set && conf.capport_listen.port == 443 &&
			  addr_is_v4(&conf.capport_listen.addr) &&
			  conf.capport_listen.addr.addr[15] == 1, "capport_listen");
	ok &= ASSERT_TRUE(conf.api_listen.set && conf.api_listen.port == 8443 &&
			  conf.api_listen.addr.addr[0] == 0x20, "api_listen");
	ok &= ASSERT_TRUE(conf.metrics_listen.set && conf.metrics_listen.port == 9511,
			  "metrics_listen");
	ok &= ASSERT_STREQ(conf.tls_cert, "/etc/gate511/cert.pem", "tls_cert");
	ok &= ASSERT_EQ(conf.n_api_keys, 2, "two api keys");
	ok &= ASSERT_STREQ(conf.api_keys[0].id, "portal-1", "key id");
	ok &= ASSERT_TRUE(conf.api_keys[0].secret[1] == 0x11 && conf.api_keys[0].secret[31] == 0xff,
			  "key secret, either case");
	ok &= ASSERT_TRUE(conf.portal_sign && conf.portal_sign_key[0] == 1, "portal_sign_key");
	ok &= ASSERT_STREQ(conf.venue_info_url, "https://cafe.example/info", "venue_info_url");
	ok &= ASSERT_STREQ(conf.network_name, "Cafe Wi-Fi", "network_name");
	ok &= ASSERT_STREQ(conf.gateway_id, "gw-7", "gateway_id");
	ok &= ASSERT_TRUE(conf.can_extend_session, "can_extend_session");
	ok &= ASSERT_EQ(conf.shaping, G511_SHAPING_OFF, "shaping");
	ok &= ASSERT_EQ(conf.n_ifnames, 2, "two interfaces");
	ok &= ASSERT_STREQ(conf.ifnames[0], "veth0", "interface 1");
	ok &= ASSERT_STREQ(conf.ifnames[1], "eth1.100", "interface 2");
	ok &= ASSERT_TRUE(!conf.probes_302, "probe_redirect");
	ok &= ASSERT_EQ(conf.default_ttl_s, 7200, "session_timeout");
	ok &= ASSERT_EQ(conf.default_idle_s, 600, "idle_timeout");
	ok &= ASSERT_EQ(conf.xdp.n_redirect_ports, 3, "ports");
	ok &= ASSERT_EQ(conf.xdp.redirect_ports[1], 8080, "port 2");
	ok &= ASSERT_EQ(conf.xdp.redirect_ports[2], 3128, "port 3");
	ok &= ASSERT_EQ(conf.xdp.https_action, G511_HTTPS_DROP, "https");
	ok &= ASSERT_EQ(conf.xdp.dns_policy, G511_DNS_ANY, "dns");
	ok &= ASSERT_EQ(conf.xdp.n_resolvers, 2, "resolvers");
	addr_parse("2001:db8::53", &a);
	ok &= ASSERT_MEMEQ(&conf.xdp.resolvers[1], &a, 16, "resolver 2");
	ok &= ASSERT_EQ(conf.xdp.vlan_policy, G511_VLAN_DROP, "vlan");
	ok &= ASSERT_EQ(conf.xdp.n_local_addrs, 2, "local addrs");
	ok &= ASSERT_EQ(conf.client_nets_mode, G511_NETS_LIST, "client_nets list");
	ok &= ASSERT_EQ(conf.xdp.n_client_nets, 2, "client nets");
	ok &= ASSERT_EQ(conf.xdp.client_nets[0].prefixlen, 96 + 16, "10.0/16");
	ok &= ASSERT_EQ(conf.xdp.client_nets[1].prefixlen, 64, "/64");
	ok &= ASSERT_EQ(conf.n_garden, 3, "garden entries");
	ok &= ASSERT_EQ(conf.garden[0].key.prefixlen, 104, "10/8");
	ok &= ASSERT_EQ(conf.garden[1].val.nports, 2, "two ports");
	ok &= ASSERT_EQ(conf.garden[2].key.prefixlen, 128, "host");
	ok &= ASSERT_EQ(conf.xdp.version, G511_CONFIG_VERSION, "version");
	return ok;
}

static bool quoting(void)
{
	bool ok = true;

	ok &= ASSERT_EQ(parse("portal_url = \"http://p.example/x#y\"  # c\n"), 0, err);
	ok &= ASSERT_STREQ(conf.portal_url, "http://p.example/x#y", "quoted");
	ok &= ASSERT_EQ(parse("portal_url = http://p.example/x #y\n"), 0, err);
	ok &= ASSERT_STREQ(conf.portal_url, "http://p.example/x", "' #' starts a comment");
	/* the blank inside the quotes makes it a bad URL: refused */
	ok &= ASSERT_EQ(parse("portal_url = \"http://p.example/x #y\"\n"), -EINVAL, "blank in URL");
	ok &= ASSERT_EQ(parse("template = \"\"\n"), 0, err);
	ok &= ASSERT_STREQ(conf.template_path, "", "empty template = built-in");
	ok &= ASSERT_EQ(parse("dns_resolvers =\n"), 0, err);
	ok &= ASSERT_EQ(conf.xdp.n_resolvers, 0, "empty list");
	return ok;
}

struct bad_case {
	const char *text;
	const char *err_prefix;		/* "line N: ..." */
};

static const struct bad_case bad_cases[] = {
	{ "bogus = 1\n", "line 1: unknown key 'bogus'" },
	{ "control_group = a\nadmin_group = b\n", "line 2: admin_group: admin_group already set" },
	{ "portal_group = -x\n", "line 1: portal_group: bad group name" },
	{ "capport_listen = 10.0.0.1:443\n", "line 1: capport_listen needs tls_cert and tls_key" },
	{ "tls_cert = /a\ncapport_listen = 10.0.0.1:443\n", "line 1: tls_cert and tls_key go together" },
	{ "metrics_listen = 10.0.0.1\n", "line 1: metrics_listen: want ADDR:PORT" },
	{ "metrics_listen = 0.0.0.0:9511\n", "line 1: metrics_listen: give the address" },
	{ "metrics_listen = [::]:9511\n", "line 1: metrics_listen: give the address" },
	{ "metrics_listen = ::1:9511\n", "line 1: metrics_listen: want ADDR:PORT" },
	{ "metrics_listen = 127.0.0.1:0\n", "line 1: metrics_listen: bad port '0'" },
	{ "metrics_listen = 127.0.0.1:65536\n", "line 1: metrics_listen: bad port" },
	{ "api_listen = 127.0.0.1:8080\n", "line 1: api_listen needs api_key" },
	{ "api_key = k:00\napi_listen = 10.0.0.1:8080\n", "line 1: api_key: secret: want 64 hex" },
	{ "api_key = k1:0000000000000000000000000000000000000000000000000000000000000000\n"
	  "api_listen = 10.0.0.1:8080\n", "line 2: api_listen on a non-loopback address needs" },
	{ "api_key = k/1:0000000000000000000000000000000000000000000000000000000000000000\n",
	  "line 1: api_key: key id: only" },
	{ "api_key = k:0000000000000000000000000000000000000000000000000000000000000000\n"
	  "api_key = k:1111111111111111111111111111111111111111111111111111111111111111\n",
	  "line 2: api_key: key id 'k' given twice" },
	{ "portal_sign_key = xyz\n", "line 1: portal_sign_key: want 64 hex digits" },
	{ "network_name = <b>x</b>\n", "line 1: network_name: control or markup" },
	{ "gateway_id = a b\n", "line 1: gateway_id: only letters" },
	{ "venue_info_url = ftp://x/\n", "line 1: venue_info_url must start" },
	{ "interface = eth0\ninterface = eth0\n", "line 2: interface: eth0 given twice" },
	{ "interface = a/b\n", "line 1: interface: bad interface name" },
	{ "interface = 0123456789abcdef\n", "line 1: interface: a name of 1 to 15 bytes" },
	{ "interface = a\ninterface = b\ninterface = c\ninterface = d\ninterface = e\n"
	  "interface = f\ninterface = g\ninterface = h\ninterface = i\n",
	  "line 9: interface: at most 8 interfaces" },
	{ "\n\nportal_url = ftp://x/\n", "line 3: portal_url must start" },
	{ "portal_url = http://\n", "line 1: portal_url has no host" },
	{ "portal_url = http://x/<script>\n", "line 1: portal_url has characters" },
	{ "session_timeout = 1h\nsession_timeout = 2h\n",
	  "line 2: duplicate key 'session_timeout' (first set on line 1)" },
	{ "session_timeout = soon\n", "line 1: session_timeout: bad duration" },
	{ "idle_timeout = -5\n", "line 1: idle_timeout: bad duration" },
	{ "idle_timeout = 4000d\n", "line 1: idle_timeout: bad duration" },
	{ "probe_redirect = maybe\n", "line 1: probe_redirect must be yes or no" },
	{ "https_action = reject\n", "line 1: https_action: unknown value" },
	{ "dns_policy = some\n", "line 1: dns_policy: unknown value" },
	{ "vlan_policy = yes\n", "line 1: vlan_policy: unknown value" },
	{ "shaping = fq\n", "line 1: shaping: unknown value" },
	{ "redirect_ports = 80,80\n", "line 1: redirect_ports: port 80 listed twice" },
	{ "redirect_ports = 0\n", "line 1: redirect_ports: bad port '0'" },
	{ "redirect_ports = 70000\n", "line 1: redirect_ports: bad port" },
	{ "redirect_ports = 1,2,3,4,5,6,7,8,9\n", "line 1: redirect_ports: more than 8" },
	{ "redirect_ports =\n", "line 1: redirect_ports: expected" },
	{ "redirect_ports = 80,,81\n", "line 1: redirect_ports: expected" },
	{ "dns_resolvers = 1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5\n",
	  "line 1: dns_resolvers: more than 4" },
	{ "dns_resolvers = 0.0.0.0\n", "line 1: dns_resolvers: unspecified" },
	{ "dns_resolvers = resolver.example\n", "line 1: dns_resolvers: bad address" },
	{ "local_addrs = 10.0.0.1,10.0.0.1\n", "line 1: local_addrs: '10.0.0.1' listed twice" },
	{ "client_nets = 10.0.0.5/24\n", "line 1: client_nets: bad prefix" },
	{ "client_nets = 10.0.0.0/24:53\n", "line 1: client_nets: bad prefix" },
	{ "client_nets = 10.0.0.0/24,10.0.0.0/24\n", "line 1: client_nets: '10.0.0.0/24' listed twice" },
	{ "client_nets = 1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8\n",
	  "line 1: client_nets: more than 4" },
	{ "client_nets = sometimes\n", "line 1: client_nets: bad prefix" },
	{ "garden = 10.0.0.5/8\n", "line 1: garden: bad entry" },
	{ "garden = 10.0.0.0/8\ngarden = 10.0.0.0/8:443\n", "line 2: garden: '10.0.0.0/8:443' listed twice" },
	{ "state_db = relative.db\n", "line 1: state_db must be an absolute path" },
	{ "control_socket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
	  "line 1: control_socket longer than" },
	{ "control_group = -admin\n", "line 1: control_group: bad group name" },
	{ "portal_url\n", "line 1: expected 'key = value'" },
	{ "= 5\n", "line 1: expected 'key = value'" },
	{ "Portal_url = http://x/\n", "line 1: expected 'key = value'" },
	{ "portal_url = \"http://x/\n", "line 1: portal_url: unterminated quote" },
	{ "portal_url = \"http://x/\" junk\n", "line 1: portal_url: text after the closing quote" },
	{ "radius_server = 10.0.0.1\n", "line 1: radius_server needs radius_secret" },
	{ "radius_secret = a b\n", "line 1: radius_secret: want 1 to 128 printable" },
	{ "radius_secret = s\nradius_secret_file = /s\n", "line 2: radius_secret and radius_secret_file" },
	{ "radius_server = radius.example\n", "line 1: radius_server: 'radius.example' is not an IP" },
	{ "radius_server = 10.0.0.1:0\n", "line 1: radius_server: want HOST[:AUTHPORT" },
	{ "radius_server = 10.0.0.1:1812:\n", "line 1: radius_server: want HOST" },
	{ "radius_server = 10.0.0.1:1812:1813:1\n", "line 1: radius_server: want HOST" },
	{ "radius_server = [::1\n", "line 1: radius_server: want HOST" },
	{ "radius_secret = s\nradius_server = 10.0.0.1\nradius_server = 10.0.0.1:1812\n",
	  "line 3: radius_server: '10.0.0.1:1812' listed twice" },
	{ "radius_secret = s\nradius_server = 10.0.0.1\nradius_server = 10.0.0.2\n"
	  "radius_server = 10.0.0.3\nradius_server = 10.0.0.4\nradius_server = 10.0.0.5\n",
	  "line 6: radius_server: at most 4" },
	{ "radius_timeout = 0\n", "line 1: radius_timeout: want a number from 1 to 60" },
	{ "radius_retries = 11\n", "line 1: radius_retries: want a number from 0 to 10" },
	{ "radius_retries = -1\n", "line 1: radius_retries: want a number" },
	{ "radius_secret = s\nradius_server = 10.0.0.1\nradius_dae_listen = 10.0.0.9:3799\n",
	  "line 3: radius_dae_listen needs radius_dae_clients" },
	{ "radius_dae_listen = 10.0.0.9:3799\nradius_dae_clients = 10.0.0.1\n",
	  "line 1: radius_dae_listen needs radius_server" },
	{ "radius_mac_auth = yes\n", "line 1: radius_mac_auth needs radius_server" },
	{ "radius_nas_port_type = dsl\n", "line 1: radius_nas_port_type: unknown value" },
	{ "radius_mac_auth_reject_cache = soon\n",
	  "line 1: radius_mac_auth_reject_cache: bad duration" },
	{ "radius_dae_clients = 0.0.0.0\n", "line 1: radius_dae_clients: unspecified" },
	{ "acct_interim_interval = often\n", "line 1: acct_interim_interval: bad duration" },
	{ "radius_secret = s\nradius_secret = t\n", "line 2: duplicate key 'radius_secret'" },
};

static bool radius_keys(void)
{
	static const char text[] =
		"portal_url = http://x/\n"
		"radius_server = 10.52.0.2\n"
		"radius_server = 10.52.0.3:11812\n"
		"radius_server = [2001:db8::2]:1645:1646\n"
		"radius_secret = \"s3cr#t\"\n"
		"radius_nas_identifier = gw-7\n"
		"radius_timeout = 2\n"
		"radius_retries = 0\n"
		"radius_dae_listen = 10.52.0.1:3799\n"
		"radius_dae_clients = 10.52.0.2, 10.52.0.3\n"
		"radius_mac_auth = yes\n"
		"radius_mac_auth_reject_cache = 10m\n"
		"radius_nas_port_type = wireless\n"
		"acct_interim_interval = 5m\n"
		"acct_all = yes\n";
	const struct g511_radius_conf *r = &conf.radius;
	bool ok = true;

	if (!ASSERT_EQ(parse(""), 0, err))
		return false;
	ok &= ASSERT_EQ(r->n_servers, 0, "off by default");
	ok &= ASSERT_EQ(r->timeout_s, 3, "timeout default");
	ok &= ASSERT_EQ(r->retries, 2, "retries default");
	ok &= ASSERT_EQ(r->mac_auth, false, "mac auth off by default");
	ok &= ASSERT_EQ(r->mac_auth_reject_s, 300, "reject cache default");
	ok &= ASSERT_EQ(r->nas_port_type, G511_NAS_PORT_ETHERNET, "port type default");
	if (!ASSERT_EQ(parse(text), 0, err))
		return false;
	ok &= ASSERT_EQ(r->n_servers, 3, "three servers");
	ok &= ASSERT_TRUE(addr_is_v4(&r->servers[0].addr) && r->servers[0].addr.addr[15] == 2,
			  "server 1");
	ok &= ASSERT_TRUE(r->servers[0].auth_port == 1812 && r->servers[0].acct_port == 1813,
			  "default ports");
	ok &= ASSERT_TRUE(r->servers[1].auth_port == 11812 && r->servers[1].acct_port == 1813,
			  "auth port only");
	ok &= ASSERT_TRUE(!addr_is_v4(&r->servers[2].addr) && r->servers[2].auth_port == 1645 &&
			  r->servers[2].acct_port == 1646, "IPv6 with both ports");
	ok &= ASSERT_STREQ(r->secret, "s3cr#t", "quoted secret keeps #");
	ok &= ASSERT_STREQ(r->nas_identifier, "gw-7", "nas id");
	ok &= ASSERT_EQ(r->timeout_s, 2, "timeout");
	ok &= ASSERT_EQ(r->retries, 0, "retries");
	ok &= ASSERT_TRUE(r->dae_listen.set && r->dae_listen.port == 3799, "dae listen");
	ok &= ASSERT_EQ(r->n_dae_clients, 2, "dae clients");
	ok &= ASSERT_TRUE(r->mac_auth && r->acct_all, "bools");
	ok &= ASSERT_EQ(r->acct_interim_s, 300, "interim");
	ok &= ASSERT_EQ(r->mac_auth_reject_s, 600, "reject cache");
	ok &= ASSERT_EQ(r->nas_port_type, G511_NAS_PORT_WIRELESS, "port type");
	return ok;
}

static bool bad_files(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		int ret = parse(c->text);

		if (!ASSERT_EQ(ret, -EINVAL, c->text)) {
			ok = false;
			continue;
		}
		if (strncmp(err, c->err_prefix, strlen(c->err_prefix))) {
			fprintf(stderr, "  case %u: got \"%s\", want \"%s...\"\n", i,
				err, c->err_prefix);
			ok = false;
		}
	}
	return ok;
}

static bool nul_and_long_lines(void)
{
	char text[6000];
	bool ok = true;

	memcpy(text, "portal_url = http://x/\n\0junk\n", 30);
	ok &= ASSERT_EQ(conf_parse(&conf, text, 29, err, sizeof(err)), -EINVAL, "NUL");
	ok &= ASSERT_STREQ(err, "line 2: NUL byte in line", "NUL line");
	memset(text, '#', sizeof(text));
	ok &= ASSERT_EQ(conf_parse(&conf, text, sizeof(text), err, sizeof(err)),
			-EINVAL, "long line");
	ok &= ASSERT_STREQ(err, "line 1: line longer than 4095 bytes", "long line");
	return ok;
}

static bool garden_limit(void)
{
	static char text[G511_MAX_GARDEN * 24 + 64];
	size_t off = 0;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < G511_MAX_GARDEN; i++)
		off += snprintf(text + off, sizeof(text) - off,
				"garden = 10.%u.%u.0/24\n", i / 256, i % 256);
	ok &= ASSERT_EQ(parse(text), 0, err);
	ok &= ASSERT_EQ(conf.n_garden, G511_MAX_GARDEN, "all entries");
	snprintf(text + off, sizeof(text) - off, "garden = 11.0.0.0/8\n");
	ok &= ASSERT_EQ(parse(text), -EINVAL, "one too many");
	return ok;
}

static bool load_file(void)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	bool ok = true;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (!ASSERT_TRUE(fd >= 0, "mkstemp"))
		return false;
	f = fdopen(fd, "w");
	fputs(full_text, f);
	fclose(f);
	ok &= ASSERT_EQ(conf_load(&conf, path, err, sizeof(err)), 0, err);
	ok &= ASSERT_EQ(conf.n_garden, 3, "parsed");
	unlink(path);
	ok &= ASSERT_EQ(conf_load(&conf, path, err, sizeof(err)), -ENOENT, "missing");
	ok &= ASSERT_EQ(conf_load(&conf, "/tmp", err, sizeof(err)), -EINVAL, "a directory");
	return ok;
}

/* garden = NAME beside CIDRs; garden_dns_ttl_min */
static bool garden_names(void)
{
	bool ok = true;

	ok &= ASSERT_EQ(parse("garden = 192.0.2.0/24\ngarden = Login.Example.com:443\n"
			      "garden = *.cdn.example\ngarden_dns_ttl_min = 5\n"), 0, err);
	ok &= ASSERT_EQ(conf.n_garden, 1, "one prefix");
	ok &= ASSERT_EQ(conf.n_garden_names, 2, "two names");
	ok &= ASSERT_STREQ(conf.garden_names[0].name, "login.example.com", "canonical");
	ok &= ASSERT_EQ(conf.garden_names[0].ports.nports, 1, "ports");
	ok &= ASSERT_STREQ(conf.garden_names[1].name, "*.cdn.example", "wildcard");
	ok &= ASSERT_EQ(conf.xdp.gdns_ttl_min, 5, "ttl min");
	ok &= ASSERT_TRUE(parse("garden = a.example\ngarden = A.example.\n") != 0, "twice");
	ok &= ASSERT_TRUE(parse("garden = bad..name\n") != 0, "bad name");
	ok &= ASSERT_TRUE(parse("garden_dns_ttl_min = 0\n") != 0, "ttl 0");
	ok &= ASSERT_TRUE(parse("garden_dns_ttl_min = 3601\n") != 0, "ttl over 1 h");
	ok &= ASSERT_EQ(parse("portal_url = http://p.example/\n"), 0, err);
	ok &= ASSERT_EQ(conf.xdp.gdns_ttl_min, 0, "default: 0 (30 s in the datapath)");
	return ok;
}

int main(void)
{
	RUN_CASE(defaults);
	RUN_CASE(every_key);
	RUN_CASE(quoting);
	RUN_CASE(bad_files);
	RUN_CASE(radius_keys);
	RUN_CASE(nul_and_long_lines);
	RUN_CASE(garden_limit);
	RUN_CASE(garden_names);
	RUN_CASE(load_file);
	return test_summary();
}
