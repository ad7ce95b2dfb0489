// SPDX-License-Identifier: GPL-2.0
/*
 * garden.c - the walled garden in the state DB and in g511_garden
 * (garden.h). Run-time changes are one transaction each, with the map
 * writes recorded in a map_txn as the grant verbs do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "garden.h"
#include "gname.h"
#include "log.h"
#include "maps.h"
#include "runtime.h"
#include "state.h"

struct garden_set {
	struct g511_ctl_garden *e;
	size_t n, cap;
};

static int garden_set_add(const struct g511_garden_entry *e, void *arg)
{
	struct garden_set *gs = arg;
	struct g511_ctl_garden *g;

	if (grow((void **)&gs->e, &gs->cap, gs->n + 1, sizeof(*gs->e)))
		return -ENOMEM;
	g = &gs->e[gs->n++];
	memset(g, 0, sizeof(*g));
	g->key = e->key;
	g->val = e->val;
	g->source = G511_GARDEN_SRC_DB;
	return 0;
}

/* key order; for one key the config entry sorts before the DB one */
static int garden_cmp(const void *a, const void *b)
{
	const struct g511_ctl_garden *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	if (c)
		return c;
	return (int)x->source - (int)y->source;
}

static int garden_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct g511_ctl_garden *)a)->key,
		      &((const struct g511_ctl_garden *)b)->key, sizeof(struct g511_garden_key));
}

/* What g511_garden should hold: the config's entries, overridden by the DB's. */
static int garden_desired(struct g511_daemon *d, struct garden_set *gs)
{
	size_t i, k;
	int err;

	memset(gs, 0, sizeof(*gs));
	if (grow((void **)&gs->e, &gs->cap, d->conf.n_garden + 1, sizeof(*gs->e)))
		return -ENOMEM;
	for (i = 0; i < d->conf.n_garden; i++) {
		struct g511_ctl_garden *g = &gs->e[gs->n++];

		memset(g, 0, sizeof(*g));
		g->key = d->conf.garden[i].key;
		g->val = d->conf.garden[i].val;
		g->source = G511_GARDEN_SRC_CONFIG;
	}
	err = state_garden_foreach(d->state, garden_set_add, gs);
	if (err) {
		free(gs->e);
		gs->e = NULL;
		return err;
	}
	qsort(gs->e, gs->n, sizeof(*gs->e), garden_cmp);
	/* keep the last of equal keys: the DB entry */
	for (i = 0, k = 0; i < gs->n; i++) {
		if (i + 1 < gs->n && !memcmp(&gs->e[i].key, &gs->e[i + 1].key, sizeof(gs->e[i].key)))
			continue;
		gs->e[k++] = gs->e[i];
	}
	gs->n = k;
	return 0;
}

unsigned int garden_count_locked(struct g511_daemon *d)
{
	struct garden_set gs;
	unsigned int n;

	if (garden_desired(d, &gs))
		return 0;
	n = gs.n;
	free(gs.e);
	return n;
}

int garden_apply_locked(struct g511_daemon *d)
{
	struct g511_garden_key *stale = NULL;
	size_t k, nstale, cap = 0;
	struct garden_set gs;
	struct map_set set;
	int err;

	err = garden_desired(d, &gs);
	for (size_t k = 0; !err && k < gs.n; k++)
		err = config_filter_widen_locked(d, G511_MAP_ID_GARDEN, &gs.e[k].key);
	if (err) {
		free(gs.e);
		return err;
	}
	maps_distinct(d, G511_MAP_ID_GARDEN, &set);
	for (int i = 0; i < set.n && !err; i++) {
		struct g511_garden_key key, next;
		bool first = true;

		/* drop what should not be there first: room for what should */
		nstale = 0;
		while (bpf_map_get_next_key(set.fds[i], first ? NULL : &key, &next) == 0) {
			struct g511_ctl_garden probe = { .key = next };

			first = false;
			key = next;
			if (bsearch(&probe, gs.e, gs.n, sizeof(*gs.e), garden_key_cmp))
				continue;
			if (grow((void **)&stale, &cap, nstale + 1, sizeof(*stale))) {
				err = -ENOMEM;
				goto out;
			}
			stale[nstale++] = next;
		}
		for (k = 0; k < nstale; k++) {
			err = bpf_map_delete_elem(set.fds[i], &stale[k]);
			if (err && err != -ENOENT) {
				log_warnx("map %s: cannot remove a stale entry: %s",
					  G511_MAP_GARDEN, strerror(-err));
				goto out;
			}
			err = 0;
		}
		for (k = 0; k < gs.n; k++) {
			err = bpf_map_update_elem(set.fds[i], &gs.e[k].key, &gs.e[k].val,
						  BPF_ANY);
			if (err) {
				char text[G511_GARDEN_STRLEN];

				err = map_write_err(err);
				garden_format(&gs.e[k].key, &gs.e[k].val, text, sizeof(text));
				log_warnx("map %s: cannot add %s: %s", G511_MAP_GARDEN, text,
					  strerror(-err));
				goto out;
			}
		}
	}
out:
	free(stale);
	free(gs.e);
	if (!err)
		err = config_filter_refresh_locked(d);
	if (!err)
		err = gname_apply_locked(d);
	return err;
}

int garden_apply(struct g511_daemon *d)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = garden_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static const struct g511_garden_entry *conf_garden_find(const struct g511_conf *c,
							const struct g511_garden_key *k)
{
	for (unsigned int i = 0; i < c->n_garden; i++)
		if (!memcmp(&c->garden[i].key, k, sizeof(*k)))
			return &c->garden[i];
	return NULL;
}

int garden_add(struct g511_daemon *d, const struct g511_garden_entry *e)
{
	struct map_txn txn = { 0 };
	struct map_set set;
	int err;

	pthread_mutex_lock(&d->lock);
	maps_distinct(d, G511_MAP_ID_GARDEN, &set);
	err = config_filter_widen_locked(d, G511_MAP_ID_GARDEN, &e->key);
	if (!err)
		err = state_begin(d->state);
	if (!err)
		err = state_garden_put(d->state, e);
	for (int i = 0; i < set.n && !err; i++)
		err = map_txn_update(&txn, set.fds[i], &e->key, sizeof(e->key), &e->val,
				     sizeof(e->val));
	err = map_txn_finish(d->state, &txn, err);
	config_filter_refresh_locked(d);		/* back to empty if it failed */
	pthread_mutex_unlock(&d->lock);
	return err;
}

int garden_del(struct g511_daemon *d, const struct g511_garden_key *key)
{
	const struct g511_garden_entry *conf_e;
	struct map_txn txn = { 0 };
	struct map_set set;
	int err;

	pthread_mutex_lock(&d->lock);
	conf_e = conf_garden_find(&d->conf, key);
	maps_distinct(d, G511_MAP_ID_GARDEN, &set);
	err = state_begin(d->state);
	if (!err) {
		err = state_garden_del(d->state, key);
		if (err == -ENOENT && conf_e)
			err = -EPERM;
	}
	for (int i = 0; i < set.n && !err; i++) {
		/* a config entry under it comes back into force */
		if (conf_e)
			err = map_txn_update(&txn, set.fds[i], key, sizeof(*key), &conf_e->val,
					     sizeof(conf_e->val));
		else
			err = map_txn_delete(&txn, set.fds[i], key, sizeof(*key),
					     sizeof(struct g511_garden_val));
	}
	err = map_txn_finish(d->state, &txn, err);
	config_filter_refresh_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int garden_list(struct g511_daemon *d, struct g511_ctl_garden **out, unsigned int *n)
{
	struct garden_set gs;
	int err;

	pthread_mutex_lock(&d->lock);
	err = garden_desired(d, &gs);
	pthread_mutex_unlock(&d->lock);
	if (err)
		return err;
	*out = gs.e;
	*n = gs.n;
	return 0;
}
