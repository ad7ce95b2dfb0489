// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.c - the configuration in force and its map (runtime.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
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

int config_empty_clear_locked(struct g511_daemon *d, unsigned int bits)
{
	if (!(d->conf.xdp.empty_maps & bits))
		return 0;
	d->conf.xdp.empty_maps &= ~bits;
	return config_apply_locked(d);
}

/* Every distinct map of id empty? A map that cannot be read is not. */
static bool maps_empty(struct g511_daemon *d, enum g511_map_id id)
{
	__u8 key[sizeof(struct g511_garden_key)];
	struct map_set set;

	maps_distinct(d, id, &set);
	for (int i = 0; i < set.n; i++)
		if (bpf_map_get_next_key(set.fds[i], NULL, key) != -ENOENT)
			return false;
	return set.n > 0;
}

int config_empty_refresh_locked(struct g511_daemon *d)
{
	unsigned int bits = 0;

	if (maps_empty(d, G511_MAP_ID_MACS))
		bits |= G511_EMPTY_MACS;
	if (maps_empty(d, G511_MAP_ID_GARDEN))
		bits |= G511_EMPTY_GARDEN;
	if (bits == d->conf.xdp.empty_maps)
		return 0;
	d->conf.xdp.empty_maps = bits;
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

int config_set_boot_offset(struct g511_daemon *d, __u64 offset_ns)
{
	int err;

	pthread_mutex_lock(&d->lock);
	d->conf.xdp.boot_offset_ns = offset_ns;
	err = config_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int config_replace(struct g511_daemon *d, const struct g511_conf *next)
{
	struct g511_conf *conf;
	int err;

	/* struct g511_conf is large: not on a thread's stack */
	conf = malloc(sizeof(*conf));
	if (!conf)
		return -ENOMEM;
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
	KEEP(ctl_group, "control_group");
#undef KEEP
	/* kept current by main.c, not a setting of the file */
	conf->xdp.boot_offset_ns = d->conf.xdp.boot_offset_ns;
	/* look everything up until the garden is written (garden_apply) */
	conf->xdp.empty_maps = 0;
	memcpy(&d->conf, conf, sizeof(*conf));
	err = config_apply_locked(d);
	if (!err)
		err = garden_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	free(conf);
	return err;
}
