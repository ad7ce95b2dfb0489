// SPDX-License-Identifier: GPL-2.0
/*
 * gate511d - the gate511 daemon: adopts (or attaches) the XDP program on
 * each interface, answers unauthenticated HTTP through AF_XDP sockets, and
 * is the single writer of the grant maps, backed by the state database.
 *
 * Start-up order matters for "fail closed, lose nothing": maps first (from
 * the program already on the NIC when there is one, so enforcement never
 * pauses), then the database is reconciled into them, then the responder
 * sockets, then the control socket. On SIGTERM the program and its maps
 * stay (enforcement goes on without us) unless --detach-on-exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "addr.h"
#include "conf.h"
#include "ctl_proto.h"
#include "control.h"
#include "daemon.h"
#include "garden.h"
#include "gname.h"
#include "iface.h"
#include "listeners.h"
#include "portal_resolve.h"
#include "radius.h"
#include "reconcile.h"
#include "revoke.h"
#include "runtime.h"
#include "lockfile.h"
#include "log.h"
#include "responder.h"
#include "state.h"
#include "xsk.h"

_Static_assert(G511_CONF_MAX_IFACES <= G511_MAX_IFACES, "interface = fits the daemon");

#define OBJ_DEFAULT	G511_PREFIX "/lib/gate511/gate511.bpf.o"

struct options {
	const char *ifnames[G511_MAX_IFACES];
	int n_ifnames;
	const char *portal_url;
	const char *conf_path;
	bool conf_path_given;
	const char *obj_path;
	const char *pin_dir;
	const char *state_path;
	const char *ctl_path;
	const char *mode;		/* native | skb: when we attach */
	bool foreground;
	bool detach_on_exit;
	bool adopt_maps;		/* a new DB takes the maps' grants */
	bool reset_maps;		/* a new DB drops them */
	bool busy_poll;
	bool check_only;		/* -t: check the config and exit */
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gate511d [-i IFACE ...] [options]\n"
		"  -i, --interface IFACE   client-facing interface (repeatable; replaces\n"
		"                          the config's interface = lines)\n"
		"  -u, --portal-url URL    login portal the 511 page links to\n"
		"  -c, --config FILE       config file (default " G511_CONF_PATH_DEFAULT ")\n"
		"  -o, --obj PATH          XDP object to attach when none is attached\n"
		"                          (default " OBJ_DEFAULT ")\n"
		"  -P, --pin-dir DIR       where the maps are pinned (default "
		G511_PIN_DIR_DEFAULT ")\n"
		"  -s, --state PATH        state database (default " G511_STATE_PATH_DEFAULT ")\n"
		"  -S, --socket PATH       control socket (default " G511_CTL_PATH_DEFAULT ")\n"
		"  -m, --mode native|skb   XDP mode when attaching (default native, skb fallback)\n"
		"  -f, --foreground        stay in the foreground, log to stderr\n"
		"  -d, --detach-on-exit    detach the program and unpin the maps on exit\n"
		"      --adopt-maps        a new state database takes the grants the maps hold\n"
		"      --reset-maps        a new state database drops them\n"
		"  -b, --busy-poll         responder threads spin instead of sleeping\n"
		"  -v, --verbose           more logging (twice: libbpf debug too)\n"
		"  -t, --test-config       check the configuration and exit\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "portal-url", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "obj", required_argument, NULL, 'o' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "state", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'm' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "detach-on-exit", no_argument, NULL, 'd' },
		{ "adopt-maps", no_argument, NULL, 'A' },
		{ "reset-maps", no_argument, NULL, 'R' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	o->conf_path = G511_CONF_PATH_DEFAULT;
	o->obj_path = OBJ_DEFAULT;
	o->pin_dir = G511_PIN_DIR_DEFAULT;
	while ((c = getopt_long(argc, argv, "i:u:c:o:P:s:S:m:fdbvtVhAR", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->n_ifnames == G511_MAX_IFACES) {
				fprintf(stderr, "gate511d: at most %d interfaces\n",
					G511_MAX_IFACES);
				return -1;
			}
			o->ifnames[o->n_ifnames++] = optarg;
			break;
		case 'u': o->portal_url = optarg; break;
		case 'c': o->conf_path = optarg; o->conf_path_given = true; break;
		case 'o': o->obj_path = optarg; break;
		case 'P': o->pin_dir = optarg; break;
		case 's': o->state_path = optarg; break;
		case 'S': o->ctl_path = optarg; break;
		case 'm':
			if (strcmp(optarg, "native") && strcmp(optarg, "skb")) {
				fprintf(stderr, "gate511d: --mode: want native or skb\n");
				return -1;
			}
			o->mode = optarg;
			break;
		case 'f': o->foreground = true; break;
		case 'd': o->detach_on_exit = true; break;
		case 'A': o->adopt_maps = true; break;
		case 'R': o->reset_maps = true; break;
		case 'b': o->busy_poll = true; break;
		case 'v': o->verbose++; break;
		case 't': o->check_only = true; break;
		case 'V': printf("gate511d %s\n", G511_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "gate511d: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->adopt_maps && o->reset_maps) {
		fprintf(stderr, "gate511d: --adopt-maps and --reset-maps exclude each other\n");
		return -1;
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_BOOTTIME - CLOCK_MONOTONIC: what the XDP program adds to its
 * coarse monotonic clock (include/gate511.h). */
static __u64 boot_offset_ns(void)
{
	struct timespec b, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((__u64)b.tv_sec - m.tv_sec) * 1000000000ULL + b.tv_nsec - m.tv_nsec;
}

static void ifaces_close(struct g511_daemon *d)
{
	for (int i = 0; i < d->n_ifaces; i++)
		iface_close(&d->ifaces[i]);
}

/* Two interfaces whose programs share one XSKMAP would steal each other's
 * queue slots: refuse, and say how to fix it. */
static int check_xsks_distinct(struct g511_daemon *d)
{
	for (int i = 0; i < d->n_ifaces; i++) {
		for (int j = i + 1; j < d->n_ifaces; j++) {
			if (d->ifaces[i].maps.id[G511_MAP_ID_XSKS] ==
			    d->ifaces[j].maps.id[G511_MAP_ID_XSKS]) {
				log_warnx("%s and %s share one g511_xsks map (same pins); "
					  "run one gate511d per interface with its own --pin-dir",
					  d->ifaces[i].name, d->ifaces[j].name);
				return -EEXIST;
			}
		}
	}
	return 0;
}

#define MAPS_LOCK_DIR	"/run/gate511"
#define MAPS_LOCK_WAIT_MS 5000

/*
 * One daemon per set of maps, whatever its state database or control
 * socket: flock MAPS_LOCK_DIR/maps-<id of g511_clients>.lock (the map id is
 * unique for the life of the map) before anything reads the database into
 * the maps. The file holds the holder's PID and control socket: one on
 * another socket is another daemon, refused at once; one on ours is the
 * previous instance still exiting (a restart: control_claim() already saw
 * it go), waited for, bounded. Refused, we change nothing.
 */
/* Held by a daemon on another control socket: another daemon, refused at
 * once; on ours (or an emptied file), the previous one exiting: wait. */
static int maps_lock_held(long pid, const char *tag, void *ctx)
{
	(void)pid;
	return tag[0] && strcmp(tag, ctx) ? -EADDRINUSE : 0;	/* "": it is going */
}

static int maps_lock(struct g511_daemon *d, int *lock_fd)
{
	char path[128];
	long holder;
	int err;

	if (mkdir(MAPS_LOCK_DIR, 0750) < 0 && errno != EEXIST) {
		err = -errno;
		log_warn("cannot create %s", MAPS_LOCK_DIR);
		return err;
	}
	snprintf(path, sizeof(path), MAPS_LOCK_DIR "/maps-%u.lock",
		 d->ifaces[0].maps.id[G511_MAP_ID_CLIENTS]);
	err = lockfile_take(path, d->conf.ctl_path, MAPS_LOCK_WAIT_MS, maps_lock_held,
			    d->conf.ctl_path, lock_fd, &holder);
	if (err == -EADDRINUSE || err == -EWOULDBLOCK) {
		log_warnx("gate511d already runs for %s (pid %ld, the same maps); "
			  "stop it first, or give this one its own --pin-dir",
			  d->ifaces[0].name, holder);
		err = -EADDRINUSE;
	}
	return err;
}

static bool is_our_iface(const struct g511_daemon *d, const char *name)
{
	for (int i = 0; i < d->n_ifaces; i++)
		if (!strcmp(d->ifaces[i].name, name))
			return true;
	return false;
}

/* Address and prefix of an interface address, as gate511.h stores them. */
static bool ifa_to_key(const struct ifaddrs *ifa, struct g511_garden_key *net,
		       struct g511_addr *addr)
{
	const __u8 *a, *m;
	unsigned int off, len, plen = 0;

	memset(net, 0, sizeof(*net));
	memset(addr, 0, sizeof(*addr));
	if (ifa->ifa_addr->sa_family == AF_INET) {
		a = (const __u8 *)&((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		m = (const __u8 *)&((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr;
		off = 12;
		len = 4;
		addr->addr[10] = addr->addr[11] = 0xff;
		plen = 96;
	} else {
		a = ((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr.s6_addr;
		m = ((struct sockaddr_in6 *)ifa->ifa_netmask)->sin6_addr.s6_addr;
		off = 0;
		len = 16;
		if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
			return false;	/* link-local: always accepted by XDP */
	}
	memcpy(addr->addr + off, a, len);
	memcpy(net->addr, addr->addr, 16);
	for (unsigned int i = 0; i < len; i++) {
		net->addr[off + i] &= m[i];
		plen += __builtin_popcount(m[i]);
	}
	net->prefixlen = plen;
	return true;
}

/*
 * What the interfaces say when the config does not: the gateway's own
 * addresses (local_addrs) and, with client_nets = auto, the client
 * prefixes, so that spoofed sources are refused out of the box.
 */
static void derive_from_ifaces(const struct g511_daemon *d, struct g511_conf *conf)
{
	bool want_nets = conf->client_nets_mode == G511_NETS_AUTO;
	bool want_local = conf->xdp.n_local_addrs == 0;
	struct g511_config *x = &conf->xdp;
	struct ifaddrs *ifas, *ifa;
	bool nets_full = false;

	if (!want_nets && !want_local)
		return;
	if (getifaddrs(&ifas)) {
		log_warn("getifaddrs");
		return;
	}
	if (want_nets)
		x->n_client_nets = 0;
	for (ifa = ifas; ifa; ifa = ifa->ifa_next) {
		struct g511_garden_key net;
		struct g511_addr addr;
		unsigned int i;

		if (!ifa->ifa_addr || !ifa->ifa_netmask || !is_our_iface(d, ifa->ifa_name) ||
		    (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		if (!ifa_to_key(ifa, &net, &addr))
			continue;
		if (want_local && x->n_local_addrs < G511_MAX_LOCAL_ADDRS)
			x->local_addrs[x->n_local_addrs++] = addr;
		if (!want_nets)
			continue;
		for (i = 0; i < x->n_client_nets; i++)
			if (!memcmp(&x->client_nets[i], &net, sizeof(net)))
				break;
		if (i < x->n_client_nets)
			continue;
		if (x->n_client_nets == G511_MAX_CLIENT_NETS) {
			nets_full = true;
			continue;
		}
		x->client_nets[x->n_client_nets++] = net;
	}
	freeifaddrs(ifas);
	if (nets_full)
		log_warnx("more than %d client prefixes on the interfaces: sources in the "
			  "others are refused; list the prefixes in client_nets",
			  G511_MAX_CLIENT_NETS);
	if (want_nets && !x->n_client_nets)
		log_warnx("no client prefix on the interfaces: client sources are not checked");
}

/* gw= of the signed portal link: gateway_id, else the state DB's box id. */
static const char *gateway_id_of(const struct g511_conf *conf, struct g511_state *st,
				 char id[STATE_BOX_ID_LEN])
{
	if (conf->gateway_id[0])
		return conf->gateway_id;
	if (st && !state_box_id(st, id))
		return id;
	return "gate511";	/* replaced once the state DB is open */
}

static int resp_conf_build(const struct g511_conf *conf, struct g511_state *st,
			   struct g511_resp_conf *rc)
{
	char err[256], *tmpl = NULL, id[STATE_BOX_ID_LEN];
	size_t tmpl_len = 0;
	int ret;

	if (conf->template_path[0]) {
		ret = g511_resp_load_template(conf->template_path, &tmpl, &tmpl_len, err,
					      sizeof(err));
		if (ret) {
			log_warnx("template %s: %s", conf->template_path, err);
			return ret;
		}
	}
	ret = g511_resp_conf_init(rc, conf->portal_url, tmpl, tmpl_len, conf->probes_302, err,
				  sizeof(err));
	free(tmpl);
	if (!ret)
		ret = g511_resp_conf_brand(rc, conf->network_name, conf->venue_info_url, err,
					   sizeof(err));
	if (!ret && conf->portal_sign)
		ret = g511_resp_conf_sign(rc, gateway_id_of(conf, st, id), conf->portal_sign_key,
					  err, sizeof(err));
	if (ret)
		log_warnx("responder: %s", err);
	return ret;
}

/*
 * Responder configs in force or retired, newest first. A reload publishes
 * a new one to the responder threads (xsk_set_conf() gives it a
 * generation); a retired one is freed once every thread has passed the
 * generation that replaced it (xsk_set_seen_gen()), checked every tick of
 * the main loop. Any number of reloads, memory bounded by the reloads of
 * the last half second.
 */
struct resp_conf_node {
	struct g511_resp_conf rc;
	unsigned long replaced_gen;	/* 0 while in force */
	struct resp_conf_node *next;
};

static struct resp_conf_node *resp_confs;

static void resp_conf_node_free(struct resp_conf_node *n)
{
	g511_resp_conf_free(&n->rc);
	free(n);
}

static struct g511_resp_conf *resp_conf_new(const struct g511_conf *conf,
					     struct g511_state *st)
{
	struct resp_conf_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	if (resp_conf_build(conf, st, &n->rc)) {
		free(n);
		return NULL;
	}
	n->next = resp_confs;
	resp_confs = n;
	return &n->rc;
}

/* Drop the newest config, never published (a reload that failed). */
static void resp_conf_drop_newest(void)
{
	struct resp_conf_node *n = resp_confs;

	resp_confs = n->next;
	resp_conf_node_free(n);
}

/* The newest is now in force from generation gen: retire the one before. */
static void resp_conf_published(unsigned long gen)
{
	if (resp_confs && resp_confs->next && !resp_confs->next->replaced_gen)
		resp_confs->next->replaced_gen = gen;
}

/* Free the retired configs no thread can hold any more (all = at exit). */
static void resp_confs_trim(unsigned long seen_gen, bool all)
{
	struct resp_conf_node **pp = resp_confs ? &resp_confs->next : &resp_confs;

	if (all)
		pp = &resp_confs;
	while (*pp) {
		struct resp_conf_node *n = *pp;

		if (all || n->replaced_gen <= seen_gen) {
			*pp = n->next;
			resp_conf_node_free(n);
		} else {
			pp = &n->next;
		}
	}
}

static void responder_status(struct g511_daemon *d, struct g511_ctl_status *out)
{
	struct g511_xsk_counters c;

	pthread_mutex_lock(&d->lock);	/* responders_rebuild() swaps the set */
	xsk_set_counters(d, &c);
	pthread_mutex_unlock(&d->lock);
	out->xsk_sockets = c.sockets;
	out->xsk_zerocopy = c.zerocopy;
	out->resp_rx = c.rx_frames;
	out->resp_tx = c.tx_frames;
	out->resp_synack = c.actions[G511_RESP_SYNACK];
	out->resp_511 = c.actions[G511_RESP_HTTP];
	out->resp_302 = c.actions[G511_RESP_PROBE_302];
	out->resp_rst = c.actions[G511_RESP_RST];
	out->resp_silent = c.actions[G511_RESP_NONE];
	out->resp_lost = c.tx_no_frame + c.tx_ring_full;
	out->resp_rx_dropped = c.rx_dropped;
}

/*
 * A database created just now (missing, or emptied) facing maps that hold
 * grants is a conflict, not a reset: restoring from it would revoke every
 * client. Refuse unless the admin chose: --adopt-maps or --reset-maps.
 */
static int fresh_db_check(struct g511_daemon *d, const struct options *o)
{
	size_t adopted;
	long held;
	int err;

	if (!state_is_fresh(d->state))
		return 0;
	held = grants_in_maps(d);
	if (held < 0) {
		log_warnx("cannot read the grant maps: %s", strerror((int)-held));
		return (int)held;
	}
	if (held == 0 || o->reset_maps) {
		if (held)
			log_warnx("new state database %s: --reset-maps: dropping the %ld grants "
				  "the maps hold", d->conf.state_path, held);
		return 0;
	}
	if (!o->adopt_maps) {
		log_warnx("state database %s is new (missing or empty) but the maps hold %ld "
			  "grants: refusing to revoke them. Restore the database, or start with "
			  "--adopt-maps to keep the maps' grants in a new database, or "
			  "--reset-maps to drop them", d->conf.state_path, held);
		return -EEXIST;
	}
	err = grants_adopt(d, &adopted);
	if (err)
		log_warnx("cannot adopt the maps' grants into %s: %s", d->conf.state_path,
			  strerror(-err));
	else
		log_info("new state database %s: adopted %zu grants from the maps",
			 d->conf.state_path, adopted);
	return err;
}

/* The box id's first 32 bits: what the config map carries (gate511.h). */
static __u32 box_tag_of(const char *box_id)
{
	__u32 tag = 0;

	for (int i = 0; i < 8 && box_id[i]; i++)
		tag = tag << 4 | (__u32)hex_digit(box_id[i]);
	return tag ? tag : 1;
}

/*
 * The database and the maps must belong together: a database restored
 * from another gateway (or another box's backup) would remove every grant
 * the maps hold and write its own. The maps carry the box tag of the
 * database that filled them (g511_config.box_tag); a different one facing
 * maps with grants is refused like a fresh database, except that
 * --adopt-maps is no answer here (this database's grants would be
 * restored beside them): restore the right database, move this one aside
 * and adopt, or --reset-maps.
 */
static int identity_check(struct g511_daemon *d, const struct options *o)
{
	char id[STATE_BOX_ID_LEN];
	__u32 tag, key = 0;
	long held;

	if (state_box_id(d->state, id)) {
		log_warnx("state database %s has no box id: cannot check that it belongs to "
			  "these maps", d->conf.state_path);
		return 0;
	}
	tag = box_tag_of(id);
	for (int i = 0; i < d->n_ifaces; i++) {
		struct g511_config cur;

		if (bpf_map_lookup_elem(d->ifaces[i].maps.fd[G511_MAP_ID_CONFIG], &key, &cur) ||
		    cur.version != G511_CONFIG_VERSION || !cur.box_tag || cur.box_tag == tag)
			continue;
		if (state_is_fresh(d->state))
			break;		/* fresh_db_check() decides */
		if (state_box_id_new(d->state)) {
			log_info("state database %s: its box id is new (migrated): the maps' "
				 "(box tag %08x) are taken as its own", d->conf.state_path,
				 cur.box_tag);
			break;
		}
		held = grants_in_maps(d);
		if (held <= 0)
			break;		/* nothing to lose */
		if (o->reset_maps) {
			log_warnx("state database %s (box %s) did not fill these maps (box tag "
				  "%08x): --reset-maps: its grants replace the %ld the maps hold",
				  d->conf.state_path, id, cur.box_tag, held);
			break;
		}
		log_warnx("state database %s belongs to box %s, but the maps on %s were filled "
			  "by another database (box tag %08x) and hold %ld grants: refusing to "
			  "revoke them. Restore this gateway's database; or move %s aside and "
			  "start with --adopt-maps to keep the maps' grants; or --reset-maps to "
			  "replace them with this database's", d->conf.state_path, id,
			  d->ifaces[i].name, cur.box_tag, held, d->conf.state_path);
		return -EEXIST;
	}
	d->conf.xdp.box_tag = tag;
	return 0;
}

static void reload(struct g511_daemon *d, const struct options *o)
{
	struct g511_resp_conf *rc;
	struct g511_conf next;
	char err[256];

	/* Check the whole file, responder part included, before any of it
	 * takes effect: a bad file changes nothing. */
	if (conf_load(&next, d->conf_path, err, sizeof(err))) {
		log_warnx("%s: %s; keeping the running config", d->conf_path, err);
		return;
	}
	if (o->portal_url)
		snprintf(next.portal_url, sizeof(next.portal_url), "%s", o->portal_url);
	if (!next.portal_url[0]) {
		log_warnx("%s: no portal_url (and no --portal-url); keeping the running config",
			  d->conf_path);
		return;
	}
	rc = resp_conf_new(&next, d->state);
	if (!rc) {
		log_warnx("%s: responder settings refused; keeping the running config",
			  d->conf_path);
		return;
	}
	if (o->state_path)
		snprintf(next.state_path, sizeof(next.state_path), "%s", o->state_path);
	if (o->ctl_path)
		snprintf(next.ctl_path, sizeof(next.ctl_path), "%s", o->ctl_path);
	derive_from_ifaces(d, &next);
	if (config_replace(d, &next)) {
		resp_conf_drop_newest();
		return;
	}
	resp_conf_published(xsk_set_conf(d, rc));
	log_info("%s: reloaded", d->conf_path);
	portal_check_daemon(d);
}

/*
 * A link came back with our program on it: its old sockets are bound to
 * nothing. Rebuild the responder on every present link (a restart of the
 * set: simpler than per link, and it takes milliseconds). Until it is up
 * the program finds no socket for port 80 and drops: fail closed. A
 * failure is retried every tick.
 */
static int responders_rebuild(struct g511_daemon *d, const struct options *o)
{
	uint64_t t0 = mono_ms();
	int err;

	pthread_mutex_lock(&d->lock);	/* responder_status reads the set */
	xsk_set_stop(d);
	/* no thread holds any config now: free all but the one in force */
	resp_confs_trim(~0UL, false);
	err = xsk_set_start(d, &resp_confs->rc, o->busy_poll);
	pthread_mutex_unlock(&d->lock);
	if (err)
		log_warnx("cannot rebuild the responder: %s (retrying; port %u is dropped "
			  "meanwhile)", strerror(-err), d->conf.xdp.redirect_ports[0]);
	else
		log_info("responder rebuilt in %llu ms", (unsigned long long)(mono_ms() - t0));
	return err;
}

static int main_loop(struct g511_daemon *d, const struct options *o, int sig_fd, int link_fd)
{
	uint64_t next_tick = mono_ms() + 1000;
	bool rebuild = false;

	while (!d->stopping) {
		struct pollfd pfd[2] = {
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = link_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		uint64_t now = mono_ms();
		int wait = now >= next_tick ? 0 : (int)(next_tick - now);

		if (poll(pfd, 2, wait) < 0 && errno != EINTR)
			return -errno;
		/* links first: a link that came back gets its program before
		 * anything else is done */
		if (pfd[1].revents & POLLIN)
			rebuild |= links_poll(d, link_fd);
		if (rebuild)
			rebuild = responders_rebuild(d, o) != 0;
		while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				log_info("signal %u: stopping", si.ssi_signo);
				d->stopping = 1;
				return 0;
			}
			if (si.ssi_signo == SIGHUP) {
				if (d->conf_path)
					reload(d, o);
				else
					log_warnx("SIGHUP: no config file to reload");
			}
		}
		now = mono_ms();
		if (now < next_tick)
			continue;
		next_tick = now + 1000;
		rebuild |= links_check(d);
		{
			/* Keep the XDP clock on BOOTTIME across a suspend. */
			__u64 off = boot_offset_ns();
			__u64 cur = d->conf.xdp.boot_offset_ns;

			if (off > cur + 1000000 || cur > off + 1000000)
				config_set_boot_offset(d, off);
		}
		grants_sweep(d);
		gname_sweep(d);
		resp_confs_trim(xsk_set_seen_gen(d), false);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct g511_daemon daemon_state;
	struct g511_daemon *d = &daemon_state;
	struct options o = {};
	struct g511_resp_conf *rc;
	char err_text[256];
	int err, i, maps_lock_fd = -1, sig_fd = -1, link_fd = -1;
	struct iface_opts io;
	sigset_t sigs;

	if (parse_args(argc, argv, &o))
		return 1;
	io = (struct iface_opts){ .obj_path = o.obj_path, .pin_dir = o.pin_dir, .mode = o.mode };
	for (i = 0; i < G511_MAX_IFACES; i++) {
		d->ifaces[i].prog_fd = -1;
		d->ifaces[i].tc_prog_fd = -1;
	}
	log_init(1, o.verbose);
	libbpf_set_print(log_libbpf_print);

	pthread_mutex_init(&d->lock, NULL);
	d->started_wall = g511_wall_s();
	conf_defaults(&d->conf);
	if (access(o.conf_path, F_OK) == 0 || o.conf_path_given) {
		err = conf_load(&d->conf, o.conf_path, err_text, sizeof(err_text));
		if (err)
			fatalx("%s: %s", o.conf_path, err_text);
		d->conf_path = o.conf_path;
	}
	if (o.portal_url)
		snprintf(d->conf.portal_url, sizeof(d->conf.portal_url), "%s", o.portal_url);
	/* -i replaces the file's interface list */
	if (!o.n_ifnames)
		for (i = 0; i < (int)d->conf.n_ifnames; i++)
			o.ifnames[o.n_ifnames++] = d->conf.ifnames[i];
	if (!o.n_ifnames && !o.check_only)
		fatalx("no interface: set interface in %s or give -i IFACE", o.conf_path);
	if (o.state_path)
		snprintf(d->conf.state_path, sizeof(d->conf.state_path), "%s", o.state_path);
	if (o.ctl_path)
		snprintf(d->conf.ctl_path, sizeof(d->conf.ctl_path), "%s", o.ctl_path);
	d->conf.xdp.boot_offset_ns = boot_offset_ns();
	if (!d->conf.portal_url[0])
		fatalx("no portal URL: set portal_url in %s or give --portal-url", o.conf_path);

	rc = resp_conf_new(&d->conf, NULL);
	if (!rc)
		fatalx("cannot start the responder with this configuration");
	if (o.check_only) {
		/* the garden of the config file only: no state DB is opened */
		portal_check_conf(&d->conf, NULL, 0);
		printf("%s: configuration ok\n", d->conf_path ? d->conf_path : "(no file)");
		resp_confs_trim(0, true);
		return 0;
	}

	if (!o.foreground) {
		if (daemon(0, 0))
			fatal("daemon");
		log_init(0, o.verbose);
	}

	/* Signals are taken by the main loop only; threads inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0)
		fatal("signalfd");
	/* Before the interfaces are looked up: a link deleted and recreated
	 * while we start is heard, not missed. */
	link_fd = linkwatch_open();
	if (link_fd < 0)
		fatalx("cannot watch the links (rtnetlink): %s", strerror(-link_fd));

	/*
	 * Be the one daemon on this control socket before touching anything
	 * a previous instance may still hold (it may be exiting: bounded wait).
	 */
	err = control_claim(d);
	if (err)
		goto out;
	for (i = 0; i < o.n_ifnames; i++) {
		err = iface_setup(&io, &d->ifaces[i], o.ifnames[i]);
		d->n_ifaces = i + 1;
		if (err)
			goto out;
	}
	err = check_xsks_distinct(d);
	if (!err)
		err = maps_lock(d, &maps_lock_fd);
	if (err)
		goto out;

	derive_from_ifaces(d, &d->conf);
	err = state_open(d->conf.state_path, &d->state);
	if (err) {
		log_warnx("cannot open state database %s: %s", d->conf.state_path,
			  strerror(-err));
		goto out;
	}
	err = identity_check(d, &o);
	if (!err)
		err = fresh_db_check(d, &o);
	if (!err)	/* before the reconcile: the sessions it closes are accounted */
		err = radius_init(d);
	if (err)
		goto out;
	if (d->conf.portal_sign && !d->conf.gateway_id[0]) {
		char id[STATE_BOX_ID_LEN], e[128];

		/* not published yet: the box id is gw= from the first reply on */
		g511_resp_conf_sign(rc, gateway_id_of(&d->conf, d->state, id),
				    d->conf.portal_sign_key, e, sizeof(e));
	}
	/*
	 * Every resource held before anything is removed from a map: the
	 * responder sockets (which may wait for a previous instance's) bind
	 * first, then the config, garden and grant maps are made true.
	 */
	err = xsk_set_start(d, rc, o.busy_poll);
	if (err)
		goto out;
	err = config_apply(d);
	if (!err)
		err = garden_apply(d);
	if (!err)	/* revocations the DB could not commit stay revoked */
		err = revoke_start(d);
	if (!err)
		err = grants_reconcile(d);
	if (err) {
		log_warnx("cannot bring the maps in line with %s: %s", d->conf.state_path,
			  strerror(-err));
		goto out;
	}
	if (state_is_fresh(d->state)) {
		pthread_mutex_lock(&d->lock);
		err = state_mark_settled(d->state);
		pthread_mutex_unlock(&d->lock);
		if (err)
			goto out;
	}
	d->responder_status = responder_status;
	d->listeners_status = listeners_status;
	/* the listeners first: once `gate511ctl status` answers, every
	 * listener the config names is up (or the start has failed) */
	err = listeners_start(d);
	if (!err)
		err = control_start(d);
	if (err)
		goto out;
	log_info("gate511d running: portal %s", d->conf.portal_url);
	portal_check_daemon(d);

	err = main_loop(d, &o, sig_fd, link_fd);
out:
	listeners_stop(d);
	control_stop(d);
	xsk_set_stop(d);
	/* a daemon refused for another one's maps detaches nothing of theirs */
	if (o.detach_on_exit)
		for (i = 0; i < d->n_ifaces; i++)
			if (maps_lock_fd >= 0 || d->ifaces[i].attached_by_us)
				iface_detach(&io, &d->ifaces[i]);
	revoke_stop(d);
	radius_free(d);
	if (d->state)
		state_close(d->state);
	ifaces_close(d);
	resp_confs_trim(0, true);
	lockfile_release(maps_lock_fd);	/* last: every map write is done */
	if (link_fd >= 0)
		close(link_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	return err ? 1 : 0;
}
