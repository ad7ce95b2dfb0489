// SPDX-License-Identifier: GPL-2.0
/*
 * conf.c - parse gate511d's config file (conf.h).
 *
 * Syntax: one `key = value` per line; blank lines and lines whose first
 * non-blank character is '#' are ignored; elsewhere '#' starts a comment
 * only after a blank, so a URL may carry a #fragment. A value may be put in
 * double quotes to keep blanks or " #" in it (no escapes inside). Every key
 * may appear once, except `garden` and `interface`. Lists are comma-separated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "addr.h"
#include "conf.h"
#include "duration.h"

#define CONF_LINE_MAX	4096
#define CONF_FILE_MAX	(1 << 20)

void conf_defaults(struct g511_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->portal_url[0] = '\0';	/* required: the file or --portal-url */
	snprintf(conf->state_path, sizeof(conf->state_path), "%s",
		 G511_STATE_PATH_DEFAULT);
	snprintf(conf->ctl_path, sizeof(conf->ctl_path), "%s",
		 G511_CTL_PATH_DEFAULT);
	conf->probes_302 = true;
	conf->default_ttl_s = 8 * 3600;
	conf->default_idle_s = 30 * 60;
	conf->xdp.version = G511_CONFIG_VERSION;
	conf->xdp.https_action = G511_HTTPS_RST;
	conf->xdp.dns_policy = G511_DNS_RESOLVERS;
	conf->xdp.vlan_policy = G511_VLAN_ALLOW;
	conf->xdp.n_redirect_ports = 1;
	conf->xdp.redirect_ports[0] = 80;
	conf->radius.timeout_s = 3;
	conf->radius.retries = 2;
	conf->radius.mac_auth_reject_s = 300;
	conf->radius.nas_port_type = G511_NAS_PORT_ETHERNET;
}

struct conf_parser {
	struct g511_conf *conf;
	unsigned int line;
	char *err;
	size_t err_len;
};

static int conf_error(struct conf_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int conf_error(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->err_len)
		return -EINVAL;
	n = snprintf(p->err, p->err_len, "line %u: ", p->line);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int set_string(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n >= size)
		return -EINVAL;
	memcpy(dst, v, n + 1);
	return 0;
}

static bool has_ctl_or_blank(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return true;
	return false;
}

static int parse_url(struct conf_parser *p, const char *key, const char *v, char *dst)
{
	const char *host;

	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		return conf_error(p, "%s must start with http:// or https://", key);
	if (!*host || *host == '/')
		return conf_error(p, "%s has no host", key);
	/* it goes into HTML and a Location header: no room for tricks */
	if (has_ctl_or_blank(v) || strpbrk(v, "\"'<>\\`"))
		return conf_error(p, "%s has characters a URL must percent-encode", key);
	if (set_string(dst, G511_URL_MAX, v))
		return conf_error(p, "%s longer than %d bytes", key, G511_URL_MAX - 1);
	return 0;
}

static int parse_path(struct conf_parser *p, const char *key, const char *v,
		      char *dst, size_t size, bool empty_ok)
{
	if (!*v && empty_ok) {
		dst[0] = '\0';
		return 0;
	}
	if (v[0] != '/')
		return conf_error(p, "%s must be an absolute path", key);
	if (has_ctl_or_blank(v))
		return conf_error(p, "%s has blanks or control characters", key);
	if (set_string(dst, size, v))
		return conf_error(p, "%s longer than %zu bytes", key, size - 1);
	return 0;
}

static int parse_group(struct conf_parser *p, const char *key, const char *v,
		       char *dst)
{
	const char *c;

	for (c = v; *c; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' ||
			  (c > v && (*c == '-' || *c == '.'));
		if (!ok)
			return conf_error(p, "%s: bad group name '%s'", key, v);
	}
	if (set_string(dst, G511_GROUP_LEN, v))
		return conf_error(p, "%s: group name too long", key);
	return 0;
}

/* ADDR:PORT, [IPv6]:PORT; a port is required, the address may not be
 * unspecified (bind to one address: the gateway has several faces) */
static int parse_listen(struct conf_parser *p, const char *key, const char *v,
			struct g511_listen *out)
{
	char host[64];
	const char *colon, *port_s;
	unsigned long port;
	char *end;
	size_t n;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || close[1] != ':')
			return conf_error(p, "%s: want ADDR:PORT or [IPv6]:PORT, not '%s'", key, v);
		n = close - v - 1;
		port_s = close + 2;
		v++;
	} else {
		colon = strrchr(v, ':');
		if (!colon || strchr(v, ':') != colon)
			return conf_error(p, "%s: want ADDR:PORT or [IPv6]:PORT, not '%s'", key, v);
		n = colon - v;
		port_s = colon + 1;
	}
	if (!n || n >= sizeof(host))
		return conf_error(p, "%s: bad address", key);
	memcpy(host, v, n);
	host[n] = '\0';
	if (addr_parse(host, &out->addr))
		return conf_error(p, "%s: bad address '%s'", key, host);
	if (addr_is_unspecified(&out->addr))
		return conf_error(p, "%s: give the address to listen on, not '%s'", key, host);
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || end == port_s || *port_s == '-' || *port_s == '+' || !port ||
	    port > 65535)
		return conf_error(p, "%s: bad port '%s'", key, port_s);
	out->port = port;
	out->set = true;
	return 0;
}

/* 64 hex digits into 32 bytes. */
static int parse_secret(const char *v, __u8 out[G511_SECRET_LEN])
{
	if (strlen(v) != 2 * G511_SECRET_LEN)
		return -EINVAL;
	for (int i = 0; i < G511_SECRET_LEN; i++) {
		int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

int conf_api_key_parse(const char *v, struct g511_api_key *key, char *why, size_t why_len)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : 0;

	memset(key, 0, sizeof(*key));
	if (!colon || !n || n >= G511_API_KEYID_LEN) {
		snprintf(why, why_len, "want KEYID:SECRET, KEYID of 1 to %d characters",
			 G511_API_KEYID_LEN - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-')) {
			snprintf(why, why_len, "key id: only letters, digits, '_', '.', '-'");
			return -EINVAL;
		}
	}
	if (parse_secret(colon + 1, key->secret)) {
		snprintf(why, why_len, "secret: want 64 hex digits (32 random bytes)");
		return -EINVAL;
	}
	memcpy(key->id, v, n);
	return 0;
}

static int parse_api_key(struct conf_parser *p, const char *key, const char *v)
{
	struct g511_conf *c = p->conf;
	struct g511_api_key k;
	char why[128];

	if (conf_api_key_parse(v, &k, why, sizeof(why)))
		return conf_error(p, "%s: %s", key, why);
	for (unsigned int i = 0; i < c->n_api_keys; i++)
		if (!strcmp(c->api_keys[i].id, k.id))
			return conf_error(p, "%s: key id '%s' given twice", key, k.id);
	if (c->n_api_keys == G511_CONF_MAX_API_KEYS)
		return conf_error(p, "%s: at most %d here; put more in an api_keys file", key,
				  G511_CONF_MAX_API_KEYS);
	c->api_keys[c->n_api_keys++] = k;
	return 0;
}

/* Text shown to people (network_name): printable, no markup characters. */
static int parse_text(struct conf_parser *p, const char *key, const char *v, char *dst,
		      size_t size)
{
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f || strchr("<>&\"'`\\", *c))
			return conf_error(p, "%s: control or markup characters (<>&\"'`\\)", key);
	if (set_string(dst, size, v))
		return conf_error(p, "%s longer than %zu bytes", key, size - 1);
	return 0;
}

/* A token for a URL query (gateway_id): unreserved characters only. */
static int parse_token(struct conf_parser *p, const char *key, const char *v, char *dst,
		       size_t size)
{
	if (!*v)
		return conf_error(p, "%s: empty", key);
	for (const char *c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("-._~", *c)))
			return conf_error(p, "%s: only letters, digits and -._~", key);
	if (set_string(dst, size, v))
		return conf_error(p, "%s longer than %zu bytes", key, size - 1);
	return 0;
}

/* interface = NAME: the kernel's rules for a link name (dev_valid_name) */
static int parse_ifname(struct conf_parser *p, const char *key, const char *v)
{
	struct g511_conf *c = p->conf;
	size_t n = strlen(v);

	if (!n || n >= G511_IFNAME_LEN)
		return conf_error(p, "%s: a name of 1 to %d bytes", key, G511_IFNAME_LEN - 1);
	if (!strcmp(v, ".") || !strcmp(v, "..") || strchr(v, '/') || strchr(v, ':') ||
	    has_ctl_or_blank(v))
		return conf_error(p, "%s: bad interface name '%s'", key, v);
	for (unsigned int i = 0; i < c->n_ifnames; i++)
		if (!strcmp(c->ifnames[i], v))
			return conf_error(p, "%s: %s given twice", key, v);
	if (c->n_ifnames == G511_CONF_MAX_IFACES)
		return conf_error(p, "%s: at most %d interfaces", key, G511_CONF_MAX_IFACES);
	memcpy(c->ifnames[c->n_ifnames++], v, n + 1);
	return 0;
}

static int parse_bool(struct conf_parser *p, const char *key, const char *v,
		      bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return conf_error(p, "%s must be yes or no, not '%s'", key, v);
	return 0;
}

static int parse_choice(struct conf_parser *p, const char *key, const char *v,
			const char *const *names, __u8 *out)
{
	unsigned int i;

	for (i = 0; names[i]; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return conf_error(p, "%s: unknown value '%s'", key, v);
}

static int parse_secs(struct conf_parser *p, const char *key, const char *v,
		      uint64_t *out)
{
	if (duration_parse(v, out))
		return conf_error(p, "%s: bad duration '%s' (N[s|m|h|d], at most 10 years)",
				  key, v);
	return 0;
}

/* Split a comma list in place; empty items are errors. */
static int split_list(char *v, char **items, unsigned int max, unsigned int *n)
{
	char *save = NULL, *tok;

	*n = 0;
	if (!*v)
		return 0;
	if (v[0] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,"))
		return -EINVAL;
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		if (*n == max)
			return -E2BIG;
		items[(*n)++] = tok;
	}
	return 0;
}

/* Strip blanks at both ends of each list item in place. */
static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int parse_ports(struct conf_parser *p, const char *key, char *v)
{
	char *items[G511_MAX_REDIRECT_PORTS];
	unsigned int n, i, j;
	struct g511_config *x = &p->conf->xdp;
	int err;

	err = split_list(v, items, G511_MAX_REDIRECT_PORTS, &n);
	if (err == -E2BIG)
		return conf_error(p, "%s: more than %d ports", key,
				  G511_MAX_REDIRECT_PORTS);
	if (err || n == 0)
		return conf_error(p, "%s: expected a comma list of ports", key);
	for (i = 0; i < n; i++) {
		char *end;
		unsigned long port;

		trim_end(items[i]);
		errno = 0;
		port = strtoul(items[i], &end, 10);
		if (errno || *end || end == items[i] || items[i][0] == '-' ||
		    items[i][0] == '+' || port == 0 || port > 65535)
			return conf_error(p, "%s: bad port '%s'", key, items[i]);
		for (j = 0; j < i; j++)
			if (x->redirect_ports[j] == port)
				return conf_error(p, "%s: port %lu listed twice",
						  key, port);
		x->redirect_ports[i] = port;
	}
	x->n_redirect_ports = n;
	return 0;
}

static int parse_addrs(struct conf_parser *p, const char *key, char *v,
		       struct g511_addr *out, unsigned int max, __u8 *count)
{
	char *items[G511_MAX_RESOLVERS > G511_MAX_LOCAL_ADDRS ?
		    G511_MAX_RESOLVERS : G511_MAX_LOCAL_ADDRS];
	static const __u8 zero[16];
	unsigned int n, i, j;
	int err;

	err = split_list(v, items, max, &n);
	if (err == -E2BIG)
		return conf_error(p, "%s: more than %u addresses", key, max);
	if (err)
		return conf_error(p, "%s: expected a comma list of addresses", key);
	for (i = 0; i < n; i++) {
		trim_end(items[i]);
		if (addr_parse(items[i], &out[i]))
			return conf_error(p, "%s: bad address '%s'", key, items[i]);
		if (!memcmp(out[i].addr, zero, 16) ||
		    (addr_is_v4(&out[i]) && !memcmp(out[i].addr + 12, zero, 4)))
			return conf_error(p, "%s: unspecified address '%s'", key,
					  items[i]);
		for (j = 0; j < i; j++)
			if (!memcmp(&out[j], &out[i], sizeof(out[i])))
				return conf_error(p, "%s: '%s' listed twice", key,
						  items[i]);
	}
	for (i = n; i < max; i++)
		memset(&out[i], 0, sizeof(out[i]));
	*count = n;
	return 0;
}

static int parse_garden(struct conf_parser *p, const char *key, const char *v)
{
	struct g511_conf *c = p->conf;
	struct g511_garden_entry e;
	struct g511_gname g;
	unsigned int i;

	if (garden_parse(v, &e.key, &e.val) && gname_parse(v, &g) == 0) {
		for (i = 0; i < c->n_garden_names; i++)
			if (!strcmp(c->garden_names[i].name, g.name))
				return conf_error(p, "%s: '%s' listed twice", key, v);
		if (c->n_garden_names == G511_CONF_MAX_GNAMES)
			return conf_error(p, "%s: more than %d names", key, G511_CONF_MAX_GNAMES);
		c->garden_names[c->n_garden_names++] = g;
		return 0;
	}
	if (garden_parse(v, &e.key, &e.val))
		return conf_error(p, "%s: bad entry '%s' (CIDR[:PORT[,PORT...]], "
				  "[IPv6/LEN]:PORT, host bits zero, NAME[:PORTS], *.NAME, "
				  "at most %d ports)", key, v, G511_GARDEN_PORTS);
	for (i = 0; i < c->n_garden; i++)
		if (!memcmp(&c->garden[i].key, &e.key, sizeof(e.key)))
			return conf_error(p, "%s: '%s' listed twice", key, v);
	if (c->n_garden == G511_MAX_GARDEN)
		return conf_error(p, "%s: more than %d entries", key, G511_MAX_GARDEN);
	c->garden[c->n_garden++] = e;
	return 0;
}

/* client_nets = auto | any | CIDR[, CIDR...] */
static int parse_client_nets(struct conf_parser *p, const char *key, char *v)
{
	struct g511_conf *c = p->conf;
	char *items[G511_MAX_CLIENT_NETS];
	unsigned int n, i, j;
	int err;

	trim_end(v);
	memset(c->xdp.client_nets, 0, sizeof(c->xdp.client_nets));
	c->xdp.n_client_nets = 0;
	if (!strcmp(v, "auto")) {
		c->client_nets_mode = G511_NETS_AUTO;
		return 0;
	}
	if (!strcmp(v, "any")) {
		c->client_nets_mode = G511_NETS_ANY;
		return 0;
	}
	err = split_list(v, items, G511_MAX_CLIENT_NETS, &n);
	if (err == -E2BIG)
		return conf_error(p, "%s: more than %d prefixes", key, G511_MAX_CLIENT_NETS);
	if (err)
		return conf_error(p, "%s: expected auto, any or a comma list of prefixes", key);
	for (i = 0; i < n; i++) {
		struct g511_garden_val val;

		trim_end(items[i]);
		if (garden_parse(items[i], &c->xdp.client_nets[i], &val) || val.nports)
			return conf_error(p, "%s: bad prefix '%s' (IPv4/LEN or IPv6/LEN, "
					  "host bits zero)", key, items[i]);
		for (j = 0; j < i; j++)
			if (!memcmp(&c->xdp.client_nets[j], &c->xdp.client_nets[i],
				    sizeof(c->xdp.client_nets[i])))
				return conf_error(p, "%s: '%s' listed twice", key, items[i]);
	}
	c->xdp.n_client_nets = n;
	c->client_nets_mode = G511_NETS_LIST;
	return 0;
}

enum conf_key {
	K_PORTAL_URL, K_TEMPLATE, K_STATE_DB, K_CONTROL_SOCKET, K_CONTROL_GROUP,
	K_PROBE_REDIRECT, K_SESSION_TIMEOUT, K_IDLE_TIMEOUT, K_REDIRECT_PORTS,
	K_HTTPS_ACTION, K_DNS_POLICY, K_DNS_RESOLVERS, K_VLAN_POLICY,
	K_LOCAL_ADDRS, K_GARDEN, K_CLIENT_NETS, K_PORTAL_GROUP, K_ADMIN_GROUP,
	K_INTERFACE, K_CAPPORT_LISTEN, K_API_LISTEN, K_METRICS_LISTEN, K_TLS_CERT,
	K_TLS_KEY, K_API_CLIENT_CA, K_API_KEYS, K_API_KEY, K_PORTAL_SIGN_KEY,
	K_VENUE_INFO_URL, K_NETWORK_NAME, K_GATEWAY_ID, K_CAN_EXTEND_SESSION,
	K_RADIUS_SERVER, K_RADIUS_SECRET, K_RADIUS_SECRET_FILE, K_RADIUS_NAS_ID,
	K_RADIUS_TIMEOUT, K_RADIUS_RETRIES, K_RADIUS_DAE_LISTEN, K_RADIUS_DAE_CLIENTS,
	K_RADIUS_MAC_AUTH, K_RADIUS_MAC_AUTH_REJECT, K_RADIUS_NAS_PORT_TYPE,
	K_ACCT_INTERIM, K_ACCT_ALL, K_SHAPING, K_GDNS_TTL_MIN, K__MAX,
};

static const char *const conf_keys[K__MAX] = {
	[K_PORTAL_URL] = "portal_url",
	[K_TEMPLATE] = "template",
	[K_STATE_DB] = "state_db",
	[K_CONTROL_SOCKET] = "control_socket",
	[K_CONTROL_GROUP] = "control_group",
	[K_PROBE_REDIRECT] = "probe_redirect",
	[K_SESSION_TIMEOUT] = "session_timeout",
	[K_IDLE_TIMEOUT] = "idle_timeout",
	[K_REDIRECT_PORTS] = "redirect_ports",
	[K_HTTPS_ACTION] = "https_action",
	[K_DNS_POLICY] = "dns_policy",
	[K_DNS_RESOLVERS] = "dns_resolvers",
	[K_VLAN_POLICY] = "vlan_policy",
	[K_LOCAL_ADDRS] = "local_addrs",
	[K_GARDEN] = "garden",
	[K_CLIENT_NETS] = "client_nets",
	[K_PORTAL_GROUP] = "portal_group",
	[K_ADMIN_GROUP] = "admin_group",
	[K_INTERFACE] = "interface",
	[K_CAPPORT_LISTEN] = "capport_listen",
	[K_API_LISTEN] = "api_listen",
	[K_METRICS_LISTEN] = "metrics_listen",
	[K_TLS_CERT] = "tls_cert",
	[K_TLS_KEY] = "tls_key",
	[K_API_CLIENT_CA] = "api_client_ca",
	[K_API_KEYS] = "api_keys",
	[K_API_KEY] = "api_key",
	[K_PORTAL_SIGN_KEY] = "portal_sign_key",
	[K_VENUE_INFO_URL] = "venue_info_url",
	[K_NETWORK_NAME] = "network_name",
	[K_GATEWAY_ID] = "gateway_id",
	[K_CAN_EXTEND_SESSION] = "can_extend_session",
	[K_RADIUS_SERVER] = "radius_server",
	[K_RADIUS_SECRET] = "radius_secret",
	[K_RADIUS_SECRET_FILE] = "radius_secret_file",
	[K_RADIUS_NAS_ID] = "radius_nas_identifier",
	[K_RADIUS_TIMEOUT] = "radius_timeout",
	[K_RADIUS_RETRIES] = "radius_retries",
	[K_RADIUS_DAE_LISTEN] = "radius_dae_listen",
	[K_RADIUS_DAE_CLIENTS] = "radius_dae_clients",
	[K_RADIUS_MAC_AUTH] = "radius_mac_auth",
	[K_RADIUS_MAC_AUTH_REJECT] = "radius_mac_auth_reject_cache",
	[K_RADIUS_NAS_PORT_TYPE] = "radius_nas_port_type",
	[K_ACCT_INTERIM] = "acct_interim_interval",
	[K_ACCT_ALL] = "acct_all",
	[K_SHAPING] = "shaping",
	[K_GDNS_TTL_MIN] = "garden_dns_ttl_min",
};

static const char *const https_names[] = { "rst", "drop", NULL };
static const char *const dns_names[] = { "resolvers", "any", "none", NULL };
static const char *const vlan_names[] = { "allow", "drop", NULL };
static const char *const shaping_names[] = { "auto", "off", NULL };
static const char *const port_type_names[] = { "ethernet", "wireless", NULL };

static int radius_set(struct conf_parser *p, enum conf_key k, const char *key, char *v);
static int parse_small(struct conf_parser *p, const char *key, const char *v,
		       unsigned int lo, unsigned int hi, unsigned int *out);

static int conf_set(struct conf_parser *p, enum conf_key k, char *v)
{
	struct g511_conf *c = p->conf;
	const char *key = conf_keys[k];

	switch (k) {
	case K_PORTAL_URL:
		return parse_url(p, key, v, c->portal_url);
	case K_TEMPLATE:
		return parse_path(p, key, v, c->template_path,
				  sizeof(c->template_path), true);
	case K_STATE_DB:
		return parse_path(p, key, v, c->state_path, sizeof(c->state_path),
				  false);
	case K_CONTROL_SOCKET:
		return parse_path(p, key, v, c->ctl_path,
				  sizeof(((struct sockaddr_un *)0)->sun_path), false);
	case K_CONTROL_GROUP:
	case K_ADMIN_GROUP:
		if (c->admin_group[0])
			return conf_error(p, "%s: admin_group already set (control_group is its old name)",
					  key);
		return parse_group(p, key, v, c->admin_group);
	case K_PORTAL_GROUP:
		return parse_group(p, key, v, c->portal_group);
	case K_INTERFACE:
		return parse_ifname(p, key, v);
	case K_CAPPORT_LISTEN:
		return parse_listen(p, key, v, &c->capport_listen);
	case K_API_LISTEN:
		return parse_listen(p, key, v, &c->api_listen);
	case K_METRICS_LISTEN:
		return parse_listen(p, key, v, &c->metrics_listen);
	case K_TLS_CERT:
		return parse_path(p, key, v, c->tls_cert, sizeof(c->tls_cert), false);
	case K_TLS_KEY:
		return parse_path(p, key, v, c->tls_key, sizeof(c->tls_key), false);
	case K_API_CLIENT_CA:
		return parse_path(p, key, v, c->api_client_ca, sizeof(c->api_client_ca), false);
	case K_API_KEYS:
		return parse_path(p, key, v, c->api_keys_path, sizeof(c->api_keys_path), false);
	case K_API_KEY:
		return parse_api_key(p, key, v);
	case K_PORTAL_SIGN_KEY:
		if (parse_secret(v, c->portal_sign_key))
			return conf_error(p, "%s: want 64 hex digits (32 random bytes)", key);
		c->portal_sign = true;
		return 0;
	case K_VENUE_INFO_URL:
		return parse_url(p, key, v, c->venue_info_url);
	case K_NETWORK_NAME:
		return parse_text(p, key, v, c->network_name, sizeof(c->network_name));
	case K_GATEWAY_ID:
		return parse_token(p, key, v, c->gateway_id, sizeof(c->gateway_id));
	case K_CAN_EXTEND_SESSION:
		return parse_bool(p, key, v, &c->can_extend_session);
	case K_PROBE_REDIRECT:
		return parse_bool(p, key, v, &c->probes_302);
	case K_SESSION_TIMEOUT:
		return parse_secs(p, key, v, &c->default_ttl_s);
	case K_IDLE_TIMEOUT:
		return parse_secs(p, key, v, &c->default_idle_s);
	case K_REDIRECT_PORTS:
		return parse_ports(p, key, v);
	case K_HTTPS_ACTION:
		return parse_choice(p, key, v, https_names, &c->xdp.https_action);
	case K_DNS_POLICY:
		return parse_choice(p, key, v, dns_names, &c->xdp.dns_policy);
	case K_DNS_RESOLVERS:
		return parse_addrs(p, key, v, c->xdp.resolvers, G511_MAX_RESOLVERS,
				   &c->xdp.n_resolvers);
	case K_VLAN_POLICY:
		return parse_choice(p, key, v, vlan_names, &c->xdp.vlan_policy);
	case K_LOCAL_ADDRS:
		return parse_addrs(p, key, v, c->xdp.local_addrs,
				   G511_MAX_LOCAL_ADDRS, &c->xdp.n_local_addrs);
	case K_GARDEN:
		return parse_garden(p, key, v);
	case K_CLIENT_NETS:
		return parse_client_nets(p, key, v);
	case K_SHAPING:
		return parse_choice(p, key, v, shaping_names, &c->shaping);
	case K_GDNS_TTL_MIN: {
		unsigned int n;
		int err = parse_small(p, key, v, 1, G511_GDNS_TTL_MAX, &n);

		c->xdp.gdns_ttl_min = err ? 0 : n;
		return err;
	}
	case K_RADIUS_SERVER ... K_ACCT_ALL:
		return radius_set(p, k, key, v);
	default:
		return conf_error(p, "internal: key %d", k);
	}
}

static int parse_radius_server(struct conf_parser *p, const char *key, const char *v)
{
	struct g511_radius_conf *r = &p->conf->radius;
	char why[96];

	if (r->n_servers == G511_RADIUS_MAX_SERVERS)
		return conf_error(p, "%s: at most %d servers", key, G511_RADIUS_MAX_SERVERS);
	if (conf_radius_server_parse(v, &r->servers[r->n_servers], why, sizeof(why)))
		return conf_error(p, "%s: %s", key, why);
	for (unsigned int i = 0; i < r->n_servers; i++)
		if (!memcmp(&r->servers[i], &r->servers[r->n_servers], sizeof(r->servers[i])))
			return conf_error(p, "%s: '%s' listed twice", key, v);
	r->n_servers++;
	return 0;
}

/* A small count (timeout in seconds, retries) in [lo, hi]. */
static int parse_small(struct conf_parser *p, const char *key, const char *v,
		       unsigned int lo, unsigned int hi, unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || *v < '0' || *v > '9' || n < lo || n > hi)
		return conf_error(p, "%s: want a number from %u to %u, not '%s'", key, lo,
				  hi, v);
	*out = n;
	return 0;
}

static int radius_set(struct conf_parser *p, enum conf_key k, const char *key, char *v)
{
	struct g511_radius_conf *r = &p->conf->radius;

	switch (k) {
	case K_RADIUS_SERVER:
		return parse_radius_server(p, key, v);
	case K_RADIUS_SECRET:
		if (!conf_radius_secret_ok(v))
			return conf_error(p, "%s: want 1 to %d printable characters, no blanks",
					  key, G511_RADIUS_SECRET_MAX);
		snprintf(r->secret, sizeof(r->secret), "%s", v);
		return 0;
	case K_RADIUS_SECRET_FILE:
		return parse_path(p, key, v, r->secret_file, sizeof(r->secret_file), false);
	case K_RADIUS_NAS_ID:
		return parse_token(p, key, v, r->nas_identifier, sizeof(r->nas_identifier));
	case K_RADIUS_TIMEOUT:
		return parse_small(p, key, v, 1, 60, &r->timeout_s);
	case K_RADIUS_RETRIES:
		return parse_small(p, key, v, 0, 10, &r->retries);
	case K_RADIUS_DAE_LISTEN:
		return parse_listen(p, key, v, &r->dae_listen);
	case K_RADIUS_DAE_CLIENTS:
		return parse_addrs(p, key, v, r->dae_clients, G511_RADIUS_MAX_DAE_CLIENTS,
				   &r->n_dae_clients);
	case K_RADIUS_MAC_AUTH:
		return parse_bool(p, key, v, &r->mac_auth);
	case K_RADIUS_MAC_AUTH_REJECT:
		return parse_secs(p, key, v, &r->mac_auth_reject_s);
	case K_RADIUS_NAS_PORT_TYPE:
		return parse_choice(p, key, v, port_type_names, &r->nas_port_type);
	case K_ACCT_INTERIM:
		return parse_secs(p, key, v, &r->acct_interim_s);
	case K_ACCT_ALL:
		return parse_bool(p, key, v, &r->acct_all);
	default:
		return conf_error(p, "internal: key %d", k);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One line, NUL-terminated, without its newline. */
static int conf_line(struct conf_parser *p, char *s, unsigned int *seen)
{
	char *key, *v, *end;
	size_t klen;
	int k;

	while (is_blank(*s))
		s++;
	if (!*s || *s == '#')
		return 0;

	key = s;
	while ((*s >= 'a' && *s <= 'z') || *s == '_')
		s++;
	klen = s - key;
	while (is_blank(*s))
		s++;
	if (!klen || *s != '=') {
		/* show what was there, bounded */
		return conf_error(p, "expected 'key = value', got '%.40s'", key);
	}
	*s++ = '\0';
	key[klen] = '\0';
	for (k = 0; k < K__MAX; k++)
		if (strcmp(key, conf_keys[k]) == 0)
			break;
	if (k == K__MAX)
		return conf_error(p, "unknown key '%s'", key);
	if (seen[k] && k != K_GARDEN && k != K_INTERFACE && k != K_API_KEY &&
	    k != K_RADIUS_SERVER)
		return conf_error(p, "duplicate key '%s' (first set on line %u)",
				  key, seen[k]);
	seen[k] = p->line;

	while (is_blank(*s))
		s++;
	v = s;
	if (*v == '"') {
		v++;
		end = strchr(v, '"');
		if (!end)
			return conf_error(p, "%s: unterminated quote", key);
		*end++ = '\0';
		while (is_blank(*end))
			end++;
		if (*end && *end != '#')
			return conf_error(p, "%s: text after the closing quote", key);
	} else {
		/* '#' after a blank starts a comment */
		for (end = v; *end; end++)
			if (*end == '#' && end > v && is_blank(end[-1]))
				break;
		*end = '\0';
		while (end > v && is_blank(end[-1]))
			*--end = '\0';
	}
	return conf_set(p, k, v);
}

static int radius_check(struct conf_parser *p, const unsigned int *seen)
{
	const struct g511_radius_conf *r = &p->conf->radius;

	if (r->secret[0] && r->secret_file[0]) {
		p->line = seen[K_RADIUS_SECRET_FILE];
		return conf_error(p, "radius_secret and radius_secret_file exclude each other");
	}
	if (r->n_servers && !r->secret[0] && !r->secret_file[0]) {
		p->line = seen[K_RADIUS_SERVER];
		return conf_error(p, "radius_server needs radius_secret or radius_secret_file");
	}
	if (r->dae_listen.set && !r->n_dae_clients) {
		p->line = seen[K_RADIUS_DAE_LISTEN];
		return conf_error(p, "radius_dae_listen needs radius_dae_clients: who may "
				  "send CoA and Disconnect requests");
	}
	if ((r->dae_listen.set || r->mac_auth || r->acct_all) && !r->n_servers) {
		p->line = seen[r->dae_listen.set ? K_RADIUS_DAE_LISTEN :
			       r->mac_auth ? K_RADIUS_MAC_AUTH : K_ACCT_ALL];
		return conf_error(p, "%s needs radius_server",
				  r->dae_listen.set ? "radius_dae_listen" :
				  r->mac_auth ? "radius_mac_auth" : "acct_all");
	}
	return 0;
}

/* What one key needs of another, checked once the whole file is read. */
static int conf_check(struct conf_parser *p, const unsigned int *seen)
{
	struct g511_conf *c = p->conf;
	bool tls = c->tls_cert[0] && c->tls_key[0];

	if (!!c->tls_cert[0] != !!c->tls_key[0]) {
		p->line = seen[c->tls_cert[0] ? K_TLS_CERT : K_TLS_KEY];
		return conf_error(p, "tls_cert and tls_key go together");
	}
	if (c->capport_listen.set && !tls) {
		p->line = seen[K_CAPPORT_LISTEN];
		return conf_error(p, "capport_listen needs tls_cert and tls_key (RFC 8908: "
				  "the API is HTTPS only)");
	}
	if (c->api_listen.set && !tls && !addr_is_loopback(&c->api_listen.addr)) {
		p->line = seen[K_API_LISTEN];
		return conf_error(p, "api_listen on a non-loopback address needs tls_cert and "
				  "tls_key (plain HTTP only on loopback)");
	}
	if (c->api_listen.set && !c->n_api_keys && !c->api_keys_path[0] &&
	    !c->api_client_ca[0]) {
		p->line = seen[K_API_LISTEN];
		return conf_error(p, "api_listen needs api_key, api_keys or api_client_ca: "
				  "an API nobody can authenticate to is a mistake");
	}
	if (c->api_client_ca[0] && !tls) {
		p->line = seen[K_API_CLIENT_CA];
		return conf_error(p, "api_client_ca needs tls_cert and tls_key");
	}
	return radius_check(p, seen);
}

int conf_parse(struct g511_conf *conf, const char *text, size_t len,
	       char *err, size_t err_len)
{
	struct conf_parser p = { .conf = conf, .err = err, .err_len = err_len };
	unsigned int seen[K__MAX] = { 0 };
	char line[CONF_LINE_MAX];
	size_t off = 0;
	int ret;

	conf_defaults(conf);
	if (err && err_len)
		err[0] = '\0';
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t span = nl ? (size_t)(nl - (text + off)) : len - off;
		size_t n = span;

		p.line++;
		if (n >= sizeof(line))
			return conf_error(&p, "line longer than %d bytes",
					  CONF_LINE_MAX - 1);
		memcpy(line, text + off, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != n)
			return conf_error(&p, "NUL byte in line");
		ret = conf_line(&p, line, seen);
		if (ret)
			return ret;
		off += span + (nl ? 1 : 0);
	}
	conf->xdp.version = G511_CONFIG_VERSION;
	return conf_check(&p, seen);
}

int conf_load(struct g511_conf *conf, const char *path, char *err, size_t err_len)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_FILE_MAX) {
		ret = -EINVAL;
		snprintf(err, err_len, "%s: not a regular file of at most %d bytes",
			 path, CONF_FILE_MAX);
		goto out;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, err_len, "%s: out of memory", path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, err_len, "cannot read %s: %s", path,
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	ret = conf_parse(conf, text, len, err, err_len);
out:
	free(text);
	close(fd);
	return ret;
}
