// SPDX-License-Identifier: GPL-2.0
/*
 * query.c - read-only answers (query.h): the DB for what was granted, the
 * maps for what the datapath counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "garden.h"
#include "grant_rec.h"
#include "log.h"
#include "maps.h"
#include "query.h"
#include "revoke.h"
#include "state.h"

int grants_show(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_grant *out)
{
	struct g511_grant_rec rec;
	struct clock_pair now;
	struct g511_grant live;
	struct grant_view v;
	bool in_map;
	int err;

	pthread_mutex_lock(&d->lock);
	g511_clock_now(&now);
	view_read(d, client, &v);
	in_map = view_merge(&v, &live);
	err = state_grant_get(d->state, client, &rec);
	if (!err && !in_map && revoke_is_pending(d, client, rec.id))
		err = -ENOENT;	/* revoked; the DB not told yet */
	if (err == -ENOENT && in_map) {
		rec_from_map(client, &live, &now, &rec);
		err = 0;
	}
	if (!err)
		grant_to_ctl(&rec, in_map ? &live : NULL, &now, out);
	pthread_mutex_unlock(&d->lock);
	return err;
}

struct list_ctx {
	struct g511_daemon *d;
	struct client_maps cm;
	struct clock_pair now;
	bool live_deadline;
	struct g511_ctl_grant *out;
	unsigned int n, max;
};

static int list_one(const struct g511_grant_rec *rec, void *arg)
{
	struct list_ctx *ctx = arg;
	struct g511_ctl_grant *out;
	struct g511_grant live;
	struct grant_view v;
	bool in_map;

	if (ctx->n == ctx->max)
		return 1;	/* the page is full */
	/* revoked, the DB not told yet: listed (or exported) it would come back */
	if (revoke_is_pending(ctx->d, &rec->client, rec->id))
		return 0;
	out = &ctx->out[ctx->n++];
	/* in_map is a fact of the maps now, for export too, never assumed */
	view_init(&ctx->cm, &rec->client, &v);
	view_lookup(&v);
	in_map = view_merge(&v, &live);
	grant_to_ctl(rec, in_map ? &live : NULL, &ctx->now, out);
	if (!ctx->live_deadline)
		out->expires_wall = rec->expires_wall;
	return 0;
}

int grants_list_page(struct g511_daemon *d, uint32_t after_id, bool live_deadline,
		     struct g511_ctl_grant *out, unsigned int max, unsigned int *n)
{
	struct list_ctx ctx = { .d = d, .live_deadline = live_deadline, .out = out,
				.max = max };
	int err;

	pthread_mutex_lock(&d->lock);
	g511_clock_now(&ctx.now);
	client_maps_get(d, &ctx.cm);
	/* no row limit when revocations are pending: the page skips them */
	err = state_grants_foreach(d->state, after_id,
				   revoke_pending_count(d) ? 0 : max, list_one, &ctx);
	if (err == 1)
		err = 0;
	pthread_mutex_unlock(&d->lock);
	*n = ctx.n;
	return err;
}

struct history_ctx {
	struct g511_ctl_session *out;
	unsigned int n;
	uint64_t last_id;
};

static int history_one(const struct g511_session_rec *s, void *arg)
{
	struct history_ctx *ctx = arg;

	session_to_ctl(s, &ctx->out[ctx->n++]);
	ctx->last_id = s->id;
	return 0;
}

int grants_history_page(struct g511_daemon *d, const struct g511_client *filter,
			uint64_t *after_id, struct g511_ctl_session *out,
			unsigned int max, unsigned int *n)
{
	struct history_ctx ctx = { .out = out, .last_id = *after_id };
	int err;

	pthread_mutex_lock(&d->lock);
	err = state_history_foreach(d->state, filter, *after_id, max, history_one, &ctx);
	pthread_mutex_unlock(&d->lock);
	*n = ctx.n;
	*after_id = ctx.last_id;
	return err;
}

int grants_stats(struct g511_daemon *d, struct g511_ctl_stats *out)
{
	struct map_set set;
	int ncpus, err = 0;
	__u64 *vals;

	memset(out, 0, sizeof(*out));
	out->n = G511_STAT__MAX;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	maps_distinct(d, G511_MAP_ID_STATS, &set);
	for (int i = 0; i < set.n && !err; i++) {
		for (__u32 k = 0; k < G511_STAT__MAX && !err; k++) {
			err = bpf_map_lookup_elem(set.fds[i], &k, vals);
			for (int c = 0; c < ncpus && !err; c++)
				out->value[k] += vals[c];
		}
	}
	free(vals);
	return err;
}

int grants_status(struct g511_daemon *d, struct g511_ctl_status *out)
{
	int i, err;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->lock);
	out->pid = getpid();
	out->started_wall = d->started_wall;
	out->now_wall = g511_wall_s();
	for (i = 0; i < d->n_ifaces && i < G511_CTL_IFACES; i++) {
		snprintf(out->ifaces[i], sizeof(out->ifaces[i]), "%s", d->ifaces[i].name);
		out->iface_state[i] = d->ifaces[i].link_state;
		out->iface_prog[i] = d->ifaces[i].link_state == G511_LINK_ENFORCING ?
				     d->ifaces[i].prog_id : d->ifaces[i].other_prog_id;
		out->n_ifaces++;
	}
	if (d->n_ifaces) {
		out->clients_max = d->ifaces[0].maps.max_entries[G511_MAP_ID_CLIENTS];
		out->macs_max = d->ifaces[0].maps.max_entries[G511_MAP_ID_MACS];
	}
	err = state_grants_count(d->state, G511_CLIENT_ADDR, &out->n_clients);
	if (!err)
		err = state_grants_count(d->state, G511_CLIENT_MAC, &out->n_macs);
	out->n_garden = garden_count_locked(d);
	out->default_ttl_s = d->conf.default_ttl_s;
	out->default_idle_s = d->conf.default_idle_s;
	snprintf(out->portal_url, sizeof(out->portal_url), "%s", d->conf.portal_url);
	snprintf(out->state_path, sizeof(out->state_path), "%s", d->conf.state_path);
	snprintf(out->conf_path, sizeof(out->conf_path), "%s", d->conf_path ? d->conf_path : "");
	pthread_mutex_unlock(&d->lock);
	if (d->responder_status)
		d->responder_status(d, out);
	if (d->listeners_status)
		d->listeners_status(d, out);
	return err;
}
