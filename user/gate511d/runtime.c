// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.c - the configuration in force and its map (runtime.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "conf_diff.h"
#include "garden.h"
#include "log.h"
#include "maps.h"
#include "runtime.h"

static int config_apply_locked(struct g511_daemon *d)
{
	struct map_set set;
	__u32 zero = 0;

	g511_config_set_hostmasks(&d->conf.xdp);
	maps_distinct(d, G511_MAP_ID_CONFIG, &set);
	for (int i = 0; i < set.n; i++) {
		int err = bpf_map_update_elem(set.fds[i], &zero, &d->conf.xdp, BPF_ANY);

		if (err) {
			log_warnx("cannot write map %s: %s", G511_MAP_CONFIG, strerror(-err));
			return err;
		}
	}
	return 0;
}

int config_filter_widen_locked(struct g511_daemon *d, enum g511_map_id id, const void *key)
{
	struct g511_config next = d->conf.xdp;

	if (id == G511_MAP_ID_MACS)
		g511_filter_add_mac(&next, ((const struct g511_mac *)key)->mac);
	else
		g511_filter_add_garden(&next, key);
	if (!memcmp(&next, &d->conf.xdp, sizeof(next)))
		return 0;
	d->conf.xdp = next;
	return config_apply_locked(d);
}

/* Add every key of the distinct maps of id to cfg's filter; -errno. */
static int filter_from_maps(struct g511_daemon *d, enum g511_map_id id, struct g511_config *cfg)
{
	union {
		struct g511_mac mac;
		struct g511_garden_key garden;
	} key, next;
	struct map_set set;

	maps_distinct(d, id, &set);
	for (int i = 0; i < set.n; i++) {
		bool first = true;
		int err;

		while ((err = bpf_map_get_next_key(set.fds[i], first ? NULL : &key, &next)) == 0) {
			first = false;
			key = next;
			if (id == G511_MAP_ID_MACS)
				g511_filter_add_mac(cfg, key.mac.mac);
			else
				g511_filter_add_garden(cfg, &key.garden);
		}
		if (err != -ENOENT)
			return err;
	}
	return set.n ? 0 : -ENOENT;
}

int config_filter_refresh_locked(struct g511_daemon *d)
{
	struct g511_config next = d->conf.xdp;

	g511_filters_clear(&next);
	next.filtered = 0;
	if (filter_from_maps(d, G511_MAP_ID_MACS, &next) == 0)
		next.filtered |= G511_FILTER_MACS;
	if (filter_from_maps(d, G511_MAP_ID_GARDEN, &next) == 0)
		next.filtered |= G511_FILTER_GARDEN;
	if (!memcmp(&next, &d->conf.xdp, sizeof(next)))
		return 0;
	d->conf.xdp = next;
	return config_apply_locked(d);
}

int config_apply(struct g511_daemon *d)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = config_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int config_set_capport(struct g511_daemon *d, const struct g511_listen *l)
{
	int err;

	pthread_mutex_lock(&d->lock);
	memset(&d->conf.xdp.capport_addr, 0, sizeof(d->conf.xdp.capport_addr));
	d->conf.xdp.capport_port = 0;
	if (l && l->set) {
		d->conf.xdp.capport_addr = l->addr;
		d->conf.xdp.capport_port = l->port;
	}
	err = config_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int config_set_boot_offset(struct g511_daemon *d, __u64 offset_ns)
{
	int err;

	pthread_mutex_lock(&d->lock);
	d->conf.xdp.boot_offset_ns = offset_ns;
	err = config_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static void log_change(const char *line, void *ctx)
{
	(void)ctx;
	log_info("reload: %s", line);
}

static void listen_keep(struct g511_listen *next, const struct g511_listen *run,
			const char *key)
{
	if (next->set != run->set || next->port != run->port ||
	    memcmp(&next->addr, &run->addr, sizeof(next->addr)))
		log_warnx("%s changed: takes effect at restart", key);
	*next = *run;
}

int config_replace(struct g511_daemon *d, const struct g511_conf *next)
{
	struct g511_conf *conf, *old;
	int err;

	/* struct g511_conf is large: not on a thread's stack */
	conf = malloc(sizeof(*conf));
	old = malloc(sizeof(*old));
	if (!conf || !old) {
		free(conf);
		free(old);
		return -ENOMEM;
	}
	memcpy(conf, next, sizeof(*conf));

	pthread_mutex_lock(&d->lock);
#define KEEP(field, key)						\
	do {								\
		if (strcmp(conf->field, d->conf.field))			\
			log_warnx("%s changed: takes effect at restart", key); \
		memcpy(conf->field, d->conf.field, sizeof(conf->field)); \
	} while (0)
	KEEP(state_path, "state_db");
	KEEP(ctl_path, "control_socket");
	KEEP(admin_group, "admin_group");
	KEEP(portal_group, "portal_group");
	/* the listeners read their certificates once, at start */
	KEEP(tls_cert, "tls_cert");
	KEEP(tls_key, "tls_key");
	KEEP(api_client_ca, "api_client_ca");
#undef KEEP
	/* the listeners' sockets, and the RFC 8908 pass (config_set_capport()) */
	listen_keep(&conf->capport_listen, &d->conf.capport_listen, "capport_listen");
	listen_keep(&conf->api_listen, &d->conf.api_listen, "api_listen");
	listen_keep(&conf->metrics_listen, &d->conf.metrics_listen, "metrics_listen");
	/* the RADIUS module copies its settings (and reads the secret file)
	 * at start; a half-changed set of servers and secrets would be worse */
	if (memcmp(&conf->radius, &d->conf.radius, sizeof(conf->radius)))
		log_warnx("radius_* or acct_* changed: takes effect at restart");
	conf->radius = d->conf.radius;
	conf->xdp.capport_addr = d->conf.xdp.capport_addr;
	conf->xdp.capport_port = d->conf.xdp.capport_port;
	if (conf->n_ifnames != d->conf.n_ifnames ||
	    memcmp(conf->ifnames, d->conf.ifnames, sizeof(conf->ifnames)))
		log_warnx("interface changed: takes effect at restart");
	memcpy(conf->ifnames, d->conf.ifnames, sizeof(conf->ifnames));
	conf->n_ifnames = d->conf.n_ifnames;
	/* kept current by main.c, not a setting of the file */
	conf->xdp.boot_offset_ns = d->conf.xdp.boot_offset_ns;
	conf->xdp.box_tag = d->conf.xdp.box_tag;	/* the database's, not the file's */
	/* the filters describe the maps, not the file: keep them */
	conf->xdp.filtered = d->conf.xdp.filtered;
	memcpy(conf->xdp.mac_filter, d->conf.xdp.mac_filter, sizeof(conf->xdp.mac_filter));
	memcpy(conf->xdp.garden_filter4, d->conf.xdp.garden_filter4,
	       sizeof(conf->xdp.garden_filter4));
	memcpy(conf->xdp.garden_filter6, d->conf.xdp.garden_filter6,
	       sizeof(conf->xdp.garden_filter6));
	memcpy(old, &d->conf, sizeof(*old));
	memcpy(&d->conf, conf, sizeof(*conf));
	err = config_apply_locked(d);
	if (!err)
		err = garden_apply_locked(d);
	/*
	 * One line per key that changed, once it is in force. The keys kept
	 * above (restart-only) never differ here: their warning said it.
	 */
	if (!err && conf_diff(old, &d->conf, log_change, NULL) < 0)
		log_warnx("reload: out of memory listing the changes");
	pthread_mutex_unlock(&d->lock);
	free(conf);
	free(old);
	return err;
}
