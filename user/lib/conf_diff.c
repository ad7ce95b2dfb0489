// SPDX-License-Identifier: GPL-2.0
/*
 * conf_diff.c - what a reload changed (conf_diff.h).
 *
 * Each key is printed the way the file writes it and the two texts are
 * compared, so a key is "changed" exactly when its printed value differs:
 * one formatter per key and no second notion of equality to keep in step.
 * The garden is the exception: thousands of entries, so it is a set
 * difference over sorted copies, printed as + and - items.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "conf_diff.h"
#include "gardenname.h"
#include "duration.h"

#define VALUE_MAX	(G511_URL_MAX + 16)

/* A line being built; what does not fit is counted in `more`. */
struct line {
	char buf[CONF_DIFF_LINE_MAX];
	size_t off;
	unsigned int more;
};

/* room kept for " ... (4096 more)" */
#define LINE_TAIL	24

static void line_add(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line_add(struct line *l, const char *fmt, ...)
{
	size_t room = sizeof(l->buf) - LINE_TAIL - l->off;
	va_list ap;
	int n;

	if (l->more) {
		l->more++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->off, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		l->buf[l->off] = '\0';
		l->more = 1;
		return;
	}
	l->off += n;
}

static void line_end(struct line *l)
{
	if (l->more)
		snprintf(l->buf + l->off, sizeof(l->buf) - l->off, " ... (%u more)", l->more);
}

static const char *const https_names[] = { "rst", "drop" };
static const char *const dns_names[] = { "resolvers", "any", "none" };
static const char *const vlan_names[] = { "allow", "drop" };
static const char *const shaping_names[] = { "auto", "off" };

static const char *choice(const char *const *names, size_t n, unsigned int v)
{
	return v < n ? names[v] : "?";
}

#define CHOICE(names, v)	choice(names, sizeof(names) / sizeof(names[0]), v)

static void fmt_str(char *out, const char *s, const char *empty)
{
	snprintf(out, VALUE_MAX, "%s", s[0] ? s : empty);
}

static void fmt_addrs(char *out, const struct g511_addr *a, unsigned int n)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		char s[G511_ADDR_STRLEN];

		addr_format(&a[i], s, sizeof(s));
		off += snprintf(out + off, VALUE_MAX - off, "%s%s", i ? ", " : "", s);
	}
	if (!n)
		snprintf(out, VALUE_MAX, "(none)");
}

static void fmt_nets(char *out, const struct g511_conf *c)
{
	static const struct g511_garden_val all;
	size_t off = 0;

	out[0] = '\0';
	if (c->client_nets_mode == G511_NETS_ANY) {
		snprintf(out, VALUE_MAX, "any");
		return;
	}
	/* auto: the prefixes the daemon found on the interfaces, if any */
	if (c->client_nets_mode == G511_NETS_AUTO)
		off += snprintf(out, VALUE_MAX, "auto%s", c->xdp.n_client_nets ? " (" : "");
	for (unsigned int i = 0; i < c->xdp.n_client_nets && i < G511_MAX_CLIENT_NETS; i++) {
		char s[G511_GARDEN_STRLEN];

		garden_format(&c->xdp.client_nets[i], &all, s, sizeof(s));
		off += snprintf(out + off, VALUE_MAX - off, "%s%s", i ? ", " : "", s);
	}
	if (c->client_nets_mode == G511_NETS_AUTO && c->xdp.n_client_nets)
		snprintf(out + off, VALUE_MAX - off, ")");
	else if (!out[0])
		snprintf(out, VALUE_MAX, "(none)");
}

/* Print key k of c into out (VALUE_MAX bytes). */
typedef void (*key_fmt)(const struct g511_conf *c, char *out);

static void k_interface(const struct g511_conf *c, char *out)
{
	size_t off = 0;

	snprintf(out, VALUE_MAX, "(none)");
	for (unsigned int i = 0; i < c->n_ifnames && i < G511_CONF_MAX_IFACES; i++)
		off += snprintf(out + off, VALUE_MAX - off, "%s%s", i ? ", " : "",
				c->ifnames[i]);
}

static void k_portal_url(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->portal_url, "(none)");
}

static void k_template(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->template_path, "(built-in)");
}

static void k_probe(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", c->probes_302 ? "yes" : "no");
}

static void k_session(const struct g511_conf *c, char *out)
{
	duration_format(c->default_ttl_s, out, VALUE_MAX);
}

static void k_idle(const struct g511_conf *c, char *out)
{
	duration_format(c->default_idle_s, out, VALUE_MAX);
}

static void k_redirect_ports(const struct g511_conf *c, char *out)
{
	size_t off = 0;

	snprintf(out, VALUE_MAX, "80");	/* 0 ports: the XDP default */
	for (unsigned int i = 0; i < c->xdp.n_redirect_ports && i < G511_MAX_REDIRECT_PORTS; i++)
		off += snprintf(out + off, VALUE_MAX - off, "%s%u", i ? ", " : "",
				c->xdp.redirect_ports[i]);
}

static void k_https(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", CHOICE(https_names, c->xdp.https_action));
}

static void k_dns_policy(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", CHOICE(dns_names, c->xdp.dns_policy));
}

static void k_resolvers(const struct g511_conf *c, char *out)
{
	fmt_addrs(out, c->xdp.resolvers, c->xdp.n_resolvers < G511_MAX_RESOLVERS ?
		  c->xdp.n_resolvers : G511_MAX_RESOLVERS);
}

static void k_vlan(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", CHOICE(vlan_names, c->xdp.vlan_policy));
}

static void k_shaping(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", CHOICE(shaping_names, c->shaping));
}

static void k_local_addrs(const struct g511_conf *c, char *out)
{
	fmt_addrs(out, c->xdp.local_addrs, c->xdp.n_local_addrs < G511_MAX_LOCAL_ADDRS ?
		  c->xdp.n_local_addrs : G511_MAX_LOCAL_ADDRS);
}

static void k_client_nets(const struct g511_conf *c, char *out)
{
	fmt_nets(out, c);
}

static void k_state_db(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->state_path, "(none)");
}

static void k_ctl(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->ctl_path, "(none)");
}

static void k_portal_group(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->portal_group, "(none)");
}

static void k_admin_group(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->admin_group, "(none)");
}

static void fmt_listen(char *out, const struct g511_listen *l)
{
	char a[64];

	if (!l->set) {
		snprintf(out, VALUE_MAX, "(off)");
		return;
	}
	addr_format(&l->addr, a, sizeof(a));
	snprintf(out, VALUE_MAX, addr_is_v4(&l->addr) ? "%s:%u" : "[%s]:%u", a, l->port);
}

/* A secret is never printed: a 32-bit FNV-1a tag of it shows it changed. */
static unsigned int secret_tag(const __u8 *k, size_t n)
{
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

static void k_capport_listen(const struct g511_conf *c, char *out)
{
	fmt_listen(out, &c->capport_listen);
}

static void k_api_listen(const struct g511_conf *c, char *out)
{
	fmt_listen(out, &c->api_listen);
}

static void k_metrics_listen(const struct g511_conf *c, char *out)
{
	fmt_listen(out, &c->metrics_listen);
}

static void k_tls_cert(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->tls_cert, "(none)");
}

static void k_tls_key(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->tls_key, "(none)");
}

static void k_api_client_ca(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->api_client_ca, "(none)");
}

static void k_api_keys_path(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->api_keys_path, "(none)");
}

static void k_api_key(const struct g511_conf *c, char *out)
{
	size_t off = 0;

	snprintf(out, VALUE_MAX, "(none)");
	for (unsigned int i = 0; i < c->n_api_keys && i < G511_CONF_MAX_API_KEYS; i++)
		off += snprintf(out + off, VALUE_MAX - off, "%s%s (#%08x)", i ? ", " : "",
				c->api_keys[i].id,
				secret_tag(c->api_keys[i].secret, G511_SECRET_LEN));
}

static void k_portal_sign_key(const struct g511_conf *c, char *out)
{
	if (c->portal_sign)
		snprintf(out, VALUE_MAX, "(set, #%08x)",
			 secret_tag(c->portal_sign_key, G511_SECRET_LEN));
	else
		snprintf(out, VALUE_MAX, "(none)");
}

static void k_venue_info_url(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->venue_info_url, "(none)");
}

static void k_network_name(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->network_name, "(none)");
}

static void k_gateway_id(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->gateway_id, "(the box id)");
}

static void k_can_extend(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", c->can_extend_session ? "yes" : "no");
}

static void k_radius_server(const struct g511_conf *c, char *out)
{
	const struct g511_radius_conf *r = &c->radius;
	size_t off = 0;
	char a[64];

	snprintf(out, VALUE_MAX, "(none)");
	for (unsigned int i = 0; i < r->n_servers && i < G511_RADIUS_MAX_SERVERS; i++) {
		addr_format(&r->servers[i].addr, a, sizeof(a));
		off += snprintf(out + off, VALUE_MAX - off,
				addr_is_v4(&r->servers[i].addr) ? "%s%s:%u:%u" : "%s[%s]:%u:%u",
				i ? ", " : "", a, r->servers[i].auth_port,
				r->servers[i].acct_port);
		if (off >= VALUE_MAX)
			break;
	}
}

static void k_radius_secret(const struct g511_conf *c, char *out)
{
	if (c->radius.secret[0])
		snprintf(out, VALUE_MAX, "(set, #%08x)",
			 secret_tag((const __u8 *)c->radius.secret, strlen(c->radius.secret)));
	else
		snprintf(out, VALUE_MAX, "(none)");
}

static void k_radius_secret_file(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->radius.secret_file, "(none)");
}

static void k_radius_nas_id(const struct g511_conf *c, char *out)
{
	fmt_str(out, c->radius.nas_identifier, "(the gateway id)");
}

static void k_radius_timeout(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%us", c->radius.timeout_s);
}

static void k_radius_retries(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%u", c->radius.retries);
}

static void k_radius_dae_listen(const struct g511_conf *c, char *out)
{
	fmt_listen(out, &c->radius.dae_listen);
}

static void k_radius_dae_clients(const struct g511_conf *c, char *out)
{
	fmt_addrs(out, c->radius.dae_clients, c->radius.n_dae_clients);
}

static void k_radius_mac_auth(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", c->radius.mac_auth ? "yes" : "no");
}

static void k_radius_mac_auth_reject(const struct g511_conf *c, char *out)
{
	duration_format(c->radius.mac_auth_reject_s, out, VALUE_MAX);
}

static void k_radius_nas_port_type(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", c->radius.nas_port_type == G511_NAS_PORT_WIRELESS ?
		 "wireless" : "ethernet");
}

static void k_acct_interim(const struct g511_conf *c, char *out)
{
	if (c->radius.acct_interim_s)
		duration_format(c->radius.acct_interim_s, out, VALUE_MAX);
	else
		snprintf(out, VALUE_MAX, "(none)");
}

static void k_acct_all(const struct g511_conf *c, char *out)
{
	snprintf(out, VALUE_MAX, "%s", c->radius.acct_all ? "yes" : "no");
}

/* The file's key order (etc/gate511.conf); garden has its own diff. */
static const struct {
	const char *key;
	key_fmt fmt;
} keys[] = {
	{ "interface", k_interface },
	{ "portal_url", k_portal_url },
	{ "template", k_template },
	{ "probe_redirect", k_probe },
	{ "session_timeout", k_session },
	{ "idle_timeout", k_idle },
	{ "redirect_ports", k_redirect_ports },
	{ "https_action", k_https },
	{ "dns_policy", k_dns_policy },
	{ "dns_resolvers", k_resolvers },
	{ "vlan_policy", k_vlan },
	{ "local_addrs", k_local_addrs },
	{ "client_nets", k_client_nets },
	{ NULL, NULL },		/* garden goes here */
	{ "state_db", k_state_db },
	{ "control_socket", k_ctl },
	{ "portal_group", k_portal_group },
	{ "admin_group", k_admin_group },
	{ "capport_listen", k_capport_listen },
	{ "api_listen", k_api_listen },
	{ "metrics_listen", k_metrics_listen },
	{ "tls_cert", k_tls_cert },
	{ "tls_key", k_tls_key },
	{ "api_client_ca", k_api_client_ca },
	{ "api_keys", k_api_keys_path },
	{ "api_key", k_api_key },
	{ "portal_sign_key", k_portal_sign_key },
	{ "venue_info_url", k_venue_info_url },
	{ "network_name", k_network_name },
	{ "gateway_id", k_gateway_id },
	{ "can_extend_session", k_can_extend },
	{ "radius_server", k_radius_server },
	{ "radius_secret", k_radius_secret },
	{ "radius_secret_file", k_radius_secret_file },
	{ "radius_nas_identifier", k_radius_nas_id },
	{ "radius_timeout", k_radius_timeout },
	{ "radius_retries", k_radius_retries },
	{ "radius_dae_listen", k_radius_dae_listen },
	{ "radius_dae_clients", k_radius_dae_clients },
	{ "radius_mac_auth", k_radius_mac_auth },
	{ "radius_mac_auth_reject_cache", k_radius_mac_auth_reject },
	{ "radius_nas_port_type", k_radius_nas_port_type },
	{ "acct_interim_interval", k_acct_interim },
	{ "acct_all", k_acct_all },
	{ "shaping", k_shaping },
};

static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct g511_garden_entry));
}

static struct g511_garden_entry *sorted_copy(const struct g511_conf *c, size_t *n)
{
	struct g511_garden_entry *e;

	*n = c->n_garden < G511_MAX_GARDEN ? c->n_garden : G511_MAX_GARDEN;
	e = malloc((*n ? *n : 1) * sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e, c->garden, *n * sizeof(*e));
	qsort(e, *n, sizeof(*e), entry_cmp);
	return e;
}

/*
 * Items of a not in b, printed with sign; a and b sorted. An entry is its
 * prefix and its ports, so new ports on a prefix are a - and a +.
 */
static void garden_side(struct line *l, const struct g511_garden_entry *a, size_t na,
			const struct g511_garden_entry *b, size_t nb, char sign,
			unsigned int *items)
{
	size_t i = 0, j = 0;

	while (i < na) {
		int c = j < nb ? entry_cmp(&a[i], &b[j]) : -1;

		if (c > 0) {
			j++;
			continue;
		}
		if (c < 0) {
			char s[G511_GARDEN_STRLEN];

			garden_format(&a[i].key, &a[i].val, s, sizeof(s));
			line_add(l, "%s%c %s", (*items)++ ? ", " : "", sign, s);
		} else {
			j++;
		}
		i++;
	}
}

static bool gname_same(const struct g511_gname *a, const struct g511_gname *b)
{
	return !strcmp(a->name, b->name) && !memcmp(&a->ports, &b->ports, sizeof(a->ports));
}

/* The names of a not in b, printed with sign (a few hundred at most). */
static void gname_side(struct line *l, const struct g511_conf *a, const struct g511_conf *b,
		       char sign, unsigned int *items)
{
	for (unsigned int i = 0; i < a->n_garden_names && i < G511_CONF_MAX_GNAMES; i++) {
		char s[G511_GNAME_STRLEN + G511_GARDEN_STRLEN];
		bool found = false;

		for (unsigned int j = 0; j < b->n_garden_names && j < G511_CONF_MAX_GNAMES; j++)
			found |= gname_same(&a->garden_names[i], &b->garden_names[j]);
		if (found)
			continue;
		gname_format(&a->garden_names[i], s, sizeof(s));
		line_add(l, "%s%c %s", (*items)++ ? ", " : "", sign, s);
	}
}

/* 1 when the garden changed (the line is in l), 0 if not, -ENOMEM. */
static int garden_diff(const struct g511_conf *old, const struct g511_conf *next,
		       struct line *l)
{
	struct g511_garden_entry *a, *b;
	unsigned int items = 0;
	size_t na, nb;

	a = sorted_copy(old, &na);
	b = sorted_copy(next, &nb);
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	line_add(l, "garden: ");
	garden_side(l, b, nb, a, na, '+', &items);
	gname_side(l, next, old, '+', &items);
	garden_side(l, a, na, b, nb, '-', &items);
	gname_side(l, old, next, '-', &items);
	line_end(l);
	free(a);
	free(b);
	return items ? 1 : 0;
}

int conf_diff(const struct g511_conf *old, const struct g511_conf *next,
	      conf_diff_fn fn, void *ctx)
{
	struct line *lines;
	char va[VALUE_MAX], vb[VALUE_MAX];
	size_t n = sizeof(keys) / sizeof(keys[0]);
	int changed = 0, err = 0;

	/* every line first, so that -ENOMEM reports nothing half-way */
	lines = calloc(n, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct line *l = &lines[k];

		if (!keys[k].key) {
			err = garden_diff(old, next, l);
			if (err < 0)
				break;
			if (!err)
				l->buf[0] = '\0';
			changed += err;
			err = 0;
			continue;
		}
		keys[k].fmt(old, va);
		keys[k].fmt(next, vb);
		if (!strcmp(va, vb))
			continue;
		line_add(l, "%s: %s -> %s", keys[k].key, va, vb);
		line_end(l);
		changed++;
	}
	if (!err) {
		for (size_t k = 0; k < n; k++)
			if (lines[k].buf[0])
				fn(lines[k].buf, ctx);
		if (!changed)
			fn("no changes", ctx);
	}
	free(lines);
	return err ? err : changed;
}
