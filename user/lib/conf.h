/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf.h - gate511d's configuration file (`key = value`, # comments) and
 * the struct it is parsed into. conf_parse() is pure: it never touches the
 * maps; the daemon applies a parsed config only when it parsed cleanly, so
 * a bad file leaves the old config in force.
 */
#ifndef GATE511_CONF_H
#define GATE511_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gate511.h"
#include "gardenname.h"

#define G511_CONF_PATH_DEFAULT	"/etc/gate511/gate511.conf"
#define G511_STATE_PATH_DEFAULT	"/var/lib/gate511/state.db"
#define G511_CTL_PATH_DEFAULT	"/run/gate511/ctl.sock"
#define G511_URL_MAX		512
#define G511_PATH_MAX		256
#define G511_CONF_MAX_IFACES	8	/* interface = ... (repeatable) */
#define G511_IFNAME_LEN		16	/* IFNAMSIZ */
#define G511_GROUP_LEN		64

#define G511_CONF_MAX_API_KEYS	16	/* api_key = ... (more: api_keys = FILE) */
#define G511_API_KEYID_LEN	33	/* 1 to 32 of [A-Za-z0-9_.-] */
#define G511_SECRET_LEN		32	/* bytes: 64 hex digits in the file */

/* A listener's ADDR:PORT (IPv6 in brackets). */
struct g511_listen {
	bool set;
	struct g511_addr addr;		/* IPv4 as ::ffff:a.b.c.d */
	__u16 port;
};

struct g511_api_key {
	char id[G511_API_KEYID_LEN];
	__u8 secret[G511_SECRET_LEN];
};

/*
 * RADIUS (radius_* and acct_* keys). A server is an IP address (no name
 * lookups in a NAS's AAA path: a dead resolver would stall every login);
 * the ports default to 1812 and 1813.
 */
#define G511_RADIUS_MAX_SERVERS		4	/* radius_server (repeatable) */
#define G511_RADIUS_SECRET_MAX		128	/* shared secret, printable */
#define G511_RADIUS_MAX_DAE_CLIENTS	4	/* radius_dae_clients */
#define G511_RADIUS_NAS_ID_LEN		64

struct g511_radius_server {
	struct g511_addr addr;		/* IPv4 as ::ffff:a.b.c.d */
	__u16 auth_port;
	__u16 acct_port;
};

enum g511_nas_port { G511_NAS_PORT_ETHERNET, G511_NAS_PORT_WIRELESS };

struct g511_radius_conf {
	struct g511_radius_server servers[G511_RADIUS_MAX_SERVERS];
	unsigned int n_servers;			/* 0 = RADIUS off */
	char secret[G511_RADIUS_SECRET_MAX + 1];	/* radius_secret */
	char secret_file[G511_PATH_MAX];	/* radius_secret_file: read at start */
	char nas_identifier[G511_RADIUS_NAS_ID_LEN];	/* "" = gateway_id or box id */
	unsigned int timeout_s;			/* radius_timeout, per try */
	unsigned int retries;			/* radius_retries, per server */
	struct g511_listen dae_listen;		/* radius_dae_listen (RFC 5176) */
	struct g511_addr dae_clients[G511_RADIUS_MAX_DAE_CLIENTS];
	__u8 n_dae_clients;			/* radius_dae_clients */
	bool mac_auth;				/* radius_mac_auth */
	uint64_t mac_auth_reject_s;		/* radius_mac_auth_reject_cache */
	__u8 nas_port_type;			/* radius_nas_port_type: enum g511_nas_port */
	uint64_t acct_interim_s;		/* acct_interim_interval, 0 = none */
	bool acct_all;				/* acct_all: account every grant */
};

#define G511_CONF_MAX_GNAMES	256	/* garden names in the config file */

struct g511_garden_entry {
	struct g511_garden_key key;	/* prefix, 16-byte address */
	struct g511_garden_val val;	/* ports */
};

enum g511_nets_mode {
	G511_NETS_AUTO = 0,	/* the prefixes of the interfaces' addresses */
	G511_NETS_ANY,		/* sources not checked */
	G511_NETS_LIST,		/* xdp.client_nets as configured */
};

/* shaping: may gate511d install fq as the root qdisc for download rates */
enum g511_shaping {
	G511_SHAPING_AUTO = 0,	/* when a grant has a download rate, on a default qdisc */
	G511_SHAPING_OFF = 1,	/* never: rates down are then not enforced */
};

struct g511_conf {
	char portal_url[G511_URL_MAX];		/* portal_url */
	char template_path[G511_PATH_MAX];	/* template = /path/511.html */
	char state_path[G511_PATH_MAX];		/* state_db */
	char ctl_path[G511_PATH_MAX];		/* control_socket */
	/*
	 * Who may use the control socket besides root (group names, "" =
	 * nobody): portal_group may allow, deny, show and list; admin_group
	 * may do everything. control_group is the 0.1 name of admin_group.
	 */
	char portal_group[G511_GROUP_LEN];	/* portal_group */
	char admin_group[G511_GROUP_LEN];	/* admin_group, control_group */
	/* interface = IF (repeatable); gate511d -i replaces the list */
	char ifnames[G511_CONF_MAX_IFACES][G511_IFNAME_LEN];
	unsigned int n_ifnames;
	bool probes_302;			/* probe_redirect = yes|no */
	uint64_t default_ttl_s;			/* session_timeout (s), 0 none */
	uint64_t default_idle_s;		/* idle_timeout (s), 0 none */
	/* The XDP side, written to g511_config as is. */
	struct g511_config xdp;			/* redirect_ports, https_action,
						 * dns_policy, dns_resolvers,
						 * vlan_policy, local_addrs,
						 * client_nets */
	int client_nets_mode;			/* client_nets = auto|any|list */
	struct g511_garden_entry garden[G511_MAX_GARDEN];	/* garden = ... (repeatable) */
	unsigned int n_garden;
	/* garden = NAME[:PORTS] (gardenname.h); garden_dns_ttl_min is in
	 * xdp.gdns_ttl_min */
	struct g511_gname garden_names[G511_CONF_MAX_GNAMES];
	unsigned int n_garden_names;
	/*
	 * The network-facing listeners, each off unless set. capport (RFC
	 * 8908) is TLS only; the portal API is TLS unless it listens on
	 * loopback; metrics are plain HTTP.
	 */
	struct g511_listen capport_listen;	/* capport_listen */
	struct g511_listen api_listen;		/* api_listen */
	struct g511_listen metrics_listen;	/* metrics_listen */
	char tls_cert[G511_PATH_MAX];		/* tls_cert: PEM, chain allowed */
	char tls_key[G511_PATH_MAX];		/* tls_key: PEM */
	char api_client_ca[G511_PATH_MAX];	/* api_client_ca: client-cert TLS */
	char api_keys_path[G511_PATH_MAX];	/* api_keys = FILE of ID:HEX lines */
	struct g511_api_key api_keys[G511_CONF_MAX_API_KEYS];	/* api_key (repeatable) */
	unsigned int n_api_keys;
	bool portal_sign;			/* portal_sign_key is set */
	__u8 portal_sign_key[G511_SECRET_LEN];	/* portal_sign_key = 64 hex digits */
	char venue_info_url[G511_URL_MAX];	/* venue_info_url */
	char network_name[64];			/* network_name: the 511 page's title */
	char gateway_id[64];			/* gateway_id (gw= of the signed URL) */
	bool can_extend_session;		/* can_extend_session = yes|no */
	struct g511_radius_conf radius;		/* radius_*, acct_* */
	__u8 shaping;				/* shaping = auto|off (G511_SHAPING_*) */
};

/* Fill in the built-in defaults. */
void conf_defaults(struct g511_conf *conf);

/*
 * Parse the text of a config file into *conf (which conf_parse first resets
 * to the defaults). On error returns -EINVAL and writes "line N: what" into
 * err; *conf is then unspecified, so parse into a scratch copy.
 */
int conf_parse(struct g511_conf *conf, const char *text, size_t len,
	       char *err, size_t err_len);

/*
 * One api_key value, "KEYID:64 hex digits" (also a line of an api_keys
 * file). -EINVAL with why filled in.
 */
int conf_api_key_parse(const char *v, struct g511_api_key *key, char *why, size_t why_len);

/*
 * One radius_server value, HOST[:AUTHPORT[:ACCTPORT]] (IPv6 in brackets);
 * -EINVAL with why filled in. Pure (conf_radius.c).
 */
int conf_radius_server_parse(const char *v, struct g511_radius_server *out,
			     char *why, size_t why_len);
/* A shared secret: 1 to G511_RADIUS_SECRET_MAX printable ASCII
 * characters (also the first line of a radius_secret_file). */
bool conf_radius_secret_ok(const char *s);

/* Read the file at path and parse it; -errno if it cannot be read. */
int conf_load(struct g511_conf *conf, const char *path, char *err, size_t err_len);

#endif /* GATE511_CONF_H */
