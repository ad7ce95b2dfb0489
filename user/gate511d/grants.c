// SPDX-License-Identifier: GPL-2.0
/*
 * grants.c - the grant verbs (grants.h): allow, deny, import, set. Each is
 * validate -> DB -> maps -> commit, with every map write recorded in one
 * map_txn so that any failure puts the maps back as they were and rolls
 * the DB back (map_txn_finish(), maps.c).
 *
 * Clocks: the DB holds wall seconds (created, expires) and the session
 * length granted (ttl); the maps hold CLOCK_BOOTTIME deadlines. A new
 * grant's map deadline is boot_now + ttl; see reconcile.c for the rules at
 * start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grant_rec.h"
#include "grants.h"
#include "log.h"
#include "maps.h"
#include "revoke.h"
#include "shaping.h"
#include "runtime.h"
#include "state.h"

/* The largest rate the datapath enforces exactly (bpf/gate511.bpf.c). */
#define G511_RATE_MAX_BPS	100000000000ULL

int grant_spec_check(const struct grant_spec *spec, const struct g511_config *x,
		     const char **why)
{
	int err;

	err = client_grantable(&spec->client, x, why);
	if (err)
		return err;
	if (spec->ttl_s > G511_CTL_TIMEOUT_MAX || spec->idle_s > G511_CTL_TIMEOUT_MAX) {
		*why = "timeout longer than 10 years";
		return -EINVAL;
	}
	if (spec->mac_bound &&
	    (spec->client.kind != G511_CLIENT_ADDR || !mac_is_unicast(spec->mac))) {
		*why = "only an address can be bound, and only to a unicast MAC";
		return -EINVAL;
	}
	if (spec->origin == G511_ORIGIN_NONE || spec->origin >= G511_ORIGIN__MAX) {
		*why = "grant without a known origin";
		return -EINVAL;
	}
	if (!memchr(spec->user, '\0', sizeof(spec->user)) ||
	    !memchr(spec->acct_session_id, '\0', sizeof(spec->acct_session_id)) ||
	    spec->class_len > G511_CLASS_MAX) {
		*why = "user name, class or accounting session id too long";
		return -EINVAL;
	}
	if (spec->quota_bytes > G511_CTL_QUOTA_MAX || spec->rate_up_bps > G511_CTL_RATE_MAX ||
	    spec->rate_down_bps > G511_CTL_RATE_MAX) {
		*why = "quota or rate out of range";
		return -EINVAL;
	}
	/*
	 * Rates are enforced by both programs (XDP polices the upload, the
	 * TC egress program shapes the download). The XDP token bucket's
	 * refill is exact up to ~147 Gbit/s (bpf/gate511.bpf.c,
	 * rate_up_take()): past that a rate would not be what it says.
	 */
	if (spec->rate_up_bps > G511_RATE_MAX_BPS || spec->rate_down_bps > G511_RATE_MAX_BPS) {
		*why = "rate above 100 Gbit/s, more than the datapath can police";
		return -EINVAL;
	}
	return 0;
}

int grants_check(struct g511_daemon *d, const struct grant_spec *spec, const char **why)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = grant_spec_check(spec, &d->conf.xdp, why);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static void rec_from_spec(const struct grant_spec *spec, uint64_t now_wall,
			  struct g511_grant_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->client = spec->client;
	rec->mac_bound = spec->mac_bound;
	memcpy(rec->mac, spec->mac, 6);
	rec->created_wall = now_wall;
	rec->ttl_s = spec->ttl_s;
	rec->expires_wall = spec->ttl_s ? now_wall + spec->ttl_s : 0;
	rec->idle_s = spec->idle_s;
	rec->quota_bytes = spec->quota_bytes;
	rec->rate_up_bps = spec->rate_up_bps;
	rec->rate_down_bps = spec->rate_down_bps;
	rec->origin = spec->origin;
	memcpy(rec->user, spec->user, sizeof(rec->user));
	memcpy(rec->class, spec->class, sizeof(rec->class));
	rec->class_len = spec->class_len;
	memcpy(rec->acct_session_id, spec->acct_session_id, sizeof(rec->acct_session_id));
}

/*
 * The DB part of one grant, inside the caller's transaction: close the
 * client's previous session as "replaced" and write the row; *val is what
 * the maps must get. *v is set up for the client; for a renewal it holds
 * what the maps had (counters for the history, values to put back).
 */
static int grant_db(struct g511_daemon *d, const struct client_maps *cm,
		    const struct grant_spec *spec, const struct clock_pair *now,
		    struct grant_view *v, struct g511_grant_rec *rec, struct g511_grant *val)
{
	struct g511_grant_rec old;
	struct g511_session_rec s;
	struct g511_grant live;
	bool in_map;
	int err;

	view_init(cm, &spec->client, v);
	err = state_grant_get(d->state, &spec->client, &old);
	if (err && err != -ENOENT)
		return err;
	if (!err) {
		/* a renewal: read its counters; a new client costs no lookup */
		view_lookup(v);
		in_map = view_merge(v, &live);
		session_make(&old, in_map ? &live : NULL, G511_REASON_REPLACED,
			     now->wall_s, &s);
		err = state_history_add(d->state, &s);
		if (err)
			return err;
	}
	rec_from_spec(spec, now->wall_s, rec);
	err = state_grant_put(d->state, rec);
	if (err)
		return err;
	grant_value(rec, spec->ttl_s ? now->boot_ns + spec->ttl_s * NSEC_PER_SEC : 0,
		    now->boot_ns, val);
	return 0;
}

/* SQLite's reason into res, if the DB is what failed. */
static void result_from_state(struct g511_daemon *d, int err, struct grant_result *res)
{
	const char *why = err ? state_error(d->state) : NULL;

	if (res)
		snprintf(res->db_error, sizeof(res->db_error), "%s", why ? why : "");
}

int grants_allow(struct g511_daemon *d, const struct grant_spec *spec,
		 struct g511_ctl_grant *out)
{
	return grants_allow_r(d, spec, out, NULL);
}

int grants_allow_r(struct g511_daemon *d, const struct grant_spec *spec,
		   struct g511_ctl_grant *out, struct grant_result *res)
{
	struct map_txn txn = { 0 };
	struct g511_grant_rec rec;
	struct clock_pair now;
	struct client_maps cm;
	struct g511_grant val;
	struct grant_view v;
	const char *why;
	int err;

	pthread_mutex_lock(&d->lock);
	/* a revocation still pending closes its grant before this one */
	revoke_flush_locked(d, true);
	state_error_clear(d->state);
	g511_clock_now(&now);
	client_maps_get(d, &cm);
	err = grant_spec_check(spec, &d->conf.xdp, &why);
	if (!err && spec->rate_down_bps)
		shaping_want(d);
	if (!err && spec->client.kind == G511_CLIENT_MAC)
		err = config_filter_widen_locked(d, G511_MAP_ID_MACS, spec->client.key);
	if (!err)
		err = state_begin(d->state);
	if (!err)
		err = grant_db(d, &cm, spec, &now, &v, &rec, &val);
	if (!err)
		err = view_write(&v, &val, &txn);
	err = map_txn_finish(d->state, &txn, err);
	if (err && spec->client.kind == G511_CLIENT_MAC)
		config_filter_refresh_locked(d);
	if (!err)
		grant_to_ctl(&rec, v.n ? &val : NULL, &now, out);
	result_from_state(d, err, res);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/*
 * Fail closed: the grant leaves the maps first, and stays out whatever the
 * database says. A DB that cannot commit makes the revocation pending
 * (revoke.h): journalled, retried, kept out of the reconcile at start.
 */
int grants_deny_r(struct g511_daemon *d, const struct g511_client *client,
		  unsigned int reason, struct g511_ctl_session *out,
		  struct grant_result *res)
{
	struct map_txn txn = { 0 };
	struct g511_grant_rec rec;
	struct g511_session_rec s;
	struct clock_pair now;
	struct g511_grant live;
	struct grant_view v;
	bool in_map, in_db;
	int err, jerr;

	if (res)
		memset(res, 0, sizeof(*res));
	if (reason != G511_REASON_REVOKED && reason != G511_REASON_DISCONNECTED)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	/* a pending revocation of this client closes its session first */
	revoke_flush_locked(d, true);
	state_error_clear(d->state);
	g511_clock_now(&now);
	view_read(d, client, &v);
	in_map = view_merge(&v, &live);
	err = state_grant_get(d->state, client, &rec);
	if (err && err != -ENOENT && !in_map)
		goto out;
	/* a DB that cannot even be read: the map's grant id names the row */
	in_db = !err || err != -ENOENT;
	if (!in_db && !in_map) {
		err = -ENOENT;
		goto out;
	}
	if (err)
		rec_from_map(client, &live, &now, &rec);
	session_make(&rec, in_map ? &live : NULL, reason, now.wall_s, &s);

	err = view_delete(&v, &txn);
	if (err) {
		/* the maps refuse a delete: nothing is revoked, say so */
		map_txn_finish(d->state, &txn, err);
		goto out_filter;
	}
	map_txn_free(&txn);	/* never put back */
	if (!in_db)
		goto done;
	err = state_begin(d->state);
	if (!err)
		err = state_history_add(d->state, &s);
	if (!err)
		err = state_grant_del(d->state, client);
	if (err == -ENOENT)	/* the read failed, the row is not there */
		err = 0;
	if (err)
		state_rollback(d->state);
	else
		err = state_commit(d->state);
	if (err) {
		char who[G511_CLIENT_STRLEN];

		result_from_state(d, err, res);
		jerr = revoke_note_locked(d, &rec, &s);
		if (res)
			res->journalled = !jerr;
		client_format(client, who, sizeof(who));
		log_warnx("revoke %s: removed from the maps, but the state database cannot "
			  "commit it (%s)%s", who, strerror(-err),
			  jerr ? "; not journalled either: a restart before it is "
				 "committed brings the grant back" :
				 "; journalled, retrying");
		err = -EINPROGRESS;
	}
done:
	session_to_ctl(&s, out);
out_filter:
	if (client->kind == G511_CLIENT_MAC)
		config_filter_refresh_locked(d);
out:
	if (err && err != -EINPROGRESS)
		result_from_state(d, err, res);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int grants_deny(struct g511_daemon *d, const struct g511_client *client,
		unsigned int reason, struct g511_ctl_session *out)
{
	return grants_deny_r(d, client, reason, out, NULL);
}

/*
 * All grants of an import go to the DB first (one transaction), then to
 * each map in a few batch calls: 100k grants cost a handful of syscalls,
 * not 100k. The old state of every key is noted in the map_txn (renewals
 * from the lookup grant_db() made; new clients as absent), so a full map
 * puts everything back as it was. A map entry that no DB grant backed and
 * that the import replaced is deleted then: the restore at start would
 * have removed it anyway.
 */
int grants_import(struct g511_daemon *d, const struct grant_spec *specs,
		  size_t n, size_t *failed_at)
{
	return grants_import_r(d, specs, n, failed_at, NULL);
}

int grants_import_r(struct g511_daemon *d, const struct grant_spec *specs,
		    size_t n, size_t *failed_at, struct grant_result *res)
{
	struct map_batch batch[2] = { { 0 } };	/* [0] addresses, [1] MACs */
	size_t *which[2] = { NULL, NULL };	/* batch entry -> spec index */
	struct map_txn txn = { 0 };
	struct g511_grant_rec rec;
	struct clock_pair now;
	struct client_maps cm;
	struct g511_grant val;
	struct grant_view v;
	const char *why;
	size_t i;
	int err = 0, w, m;

	*failed_at = GRANTS_NO_ITEM;
	which[0] = malloc((n ? n : 1) * sizeof(size_t));
	which[1] = malloc((n ? n : 1) * sizeof(size_t));
	if (!which[0] || !which[1]) {
		free(which[0]);
		free(which[1]);
		return -ENOMEM;
	}
	if (res)
		memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&d->lock);
	revoke_flush_locked(d, true);
	state_error_clear(d->state);
	g511_clock_now(&now);
	client_maps_get(d, &cm);
	for (i = 0; i < n && !err; i++) {
		err = grant_spec_check(&specs[i], &d->conf.xdp, &why);
		if (err)
			*failed_at = i;
		else if (specs[i].rate_down_bps)
			shaping_want(d);
	}
	for (i = 0; i < n && !err; i++)
		if (specs[i].client.kind == G511_CLIENT_MAC)
			err = config_filter_widen_locked(d, G511_MAP_ID_MACS, specs[i].client.key);
	if (!err)
		err = state_begin(d->state);
	for (i = 0; i < n && !err; i++) {
		w = specs[i].client.kind == G511_CLIENT_MAC;
		err = grant_db(d, &cm, &specs[i], &now, &v, &rec, &val);
		for (m = 0; m < v.n && !err; m++)
			err = map_txn_note(&txn, v.fds[m], &v.key, v.key_size, v.had[m],
					   &v.old[m], sizeof(v.old[m]));
		if (!err) {
			which[w][batch[w].n] = i;
			err = batch_add(&batch[w], v.key_size, &v.key, &val);
		}
		/* a DB or memory error: not this item's fault, no failed_at */
	}
	for (w = 0; w < 2 && !err; w++) {
		for (m = 0; m < cm.set[w].n && !err; m++) {
			size_t done = batch_update(cm.set[w].fds[m], &batch[w],
						   client_key_size(w + 1), &err);

			if (err) {
				err = map_write_err(err);
				/* the entry the map refused (full at it) */
				if (done < batch[w].n)
					*failed_at = which[w][done];
			}
		}
	}
	err = map_txn_finish(d->state, &txn, err);
	config_filter_refresh_locked(d);
	if (!err)
		log_info("imported %zu grants", n);
	result_from_state(d, err, res);
	pthread_mutex_unlock(&d->lock);
	for (w = 0; w < 2; w++) {
		batch_free(&batch[w]);
		free(which[w]);
	}
	return err;
}

int grants_set(struct g511_daemon *d, const struct g511_client *client,
	       const struct grant_attrs *a, struct g511_ctl_grant *out)
{
	return grants_set_r(d, client, a, out, NULL);
}

int grants_set_r(struct g511_daemon *d, const struct g511_client *client,
		 const struct grant_attrs *a, struct g511_ctl_grant *out,
		 struct grant_result *res)
{
	struct map_txn txn = { 0 };
	struct g511_grant_rec rec;
	struct grant_spec check;
	struct clock_pair now;
	struct g511_grant live;
	struct grant_view v;
	const char *why;
	int err;

	if (res)
		memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&d->lock);
	state_error_clear(d->state);
	g511_clock_now(&now);
	err = state_grant_get(d->state, client, &rec);
	if (err)
		goto out;
	view_read(d, client, &v);
	if (!view_merge(&v, &live) || live.grant_id != rec.id) {
		/* not enforced as the DB says: a restart reconciles it first */
		err = -ENOENT;
		goto out;
	}
	if (a->set & GRANT_SET_TTL) {
		rec.ttl_s = a->ttl_s;
		rec.expires_wall = a->ttl_s ? now.wall_s + a->ttl_s : 0;
		live.expires_ns = a->ttl_s ? now.boot_ns + a->ttl_s * NSEC_PER_SEC : 0;
	}
	if (a->set & GRANT_SET_IDLE) {
		rec.idle_s = a->idle_s;
		live.idle_ns = a->idle_s * NSEC_PER_SEC;
	}
	if (a->set & GRANT_SET_QUOTA)
		rec.quota_bytes = live.quota_bytes = a->quota_bytes;
	if (a->set & GRANT_SET_RATE_UP)
		rec.rate_up_bps = live.rate_up_bps = a->rate_up_bps;
	if (a->set & GRANT_SET_RATE_DOWN)
		rec.rate_down_bps = live.rate_down_bps = a->rate_down_bps;
	if (a->set & GRANT_SET_CLASS) {
		if (a->class_len > G511_CLASS_MAX) {
			err = -EINVAL;
			goto out;
		}
		memset(rec.class, 0, sizeof(rec.class));
		memcpy(rec.class, a->class, a->class_len);
		rec.class_len = a->class_len;
	}
	/* the same rules as a new grant */
	memset(&check, 0, sizeof(check));
	check.client = rec.client;
	check.ttl_s = rec.ttl_s;
	check.idle_s = rec.idle_s;
	check.mac_bound = rec.mac_bound;
	memcpy(check.mac, rec.mac, 6);
	check.quota_bytes = rec.quota_bytes;
	check.rate_up_bps = rec.rate_up_bps;
	check.rate_down_bps = rec.rate_down_bps;
	check.origin = rec.origin ? rec.origin : G511_ORIGIN_CLI;
	err = grant_spec_check(&check, &d->conf.xdp, &why);
	if (err) {
		if (res)
			snprintf(res->why, sizeof(res->why), "%s", why);
		goto out;
	}
	if (a->set & GRANT_SET_DRY)
		goto out;
	/* a first download rate: fq goes on the link (shaping.c) */
	if (check.rate_down_bps)
		shaping_want(d);

	/* the row is replaced (it gets a new id, so the maps are told the new
	 * grant_id): created, the session id and the origin stay */
	err = state_begin(d->state);
	if (!err)
		err = state_grant_put(d->state, &rec);
	/*
	 * Each map keeps its own counters: write only the daemon's fields,
	 * over what every map holds now (a packet counted between the read
	 * and this write is lost from the counters, never the grant).
	 */
	for (int i = 0; i < v.n && !err; i++) {
		struct g511_grant nv = v.old[i];

		if (!v.had[i])
			continue;
		nv.expires_ns = live.expires_ns;
		nv.idle_ns = live.idle_ns;
		nv.quota_bytes = live.quota_bytes;
		nv.rate_up_bps = live.rate_up_bps;
		nv.rate_down_bps = live.rate_down_bps;
		/* a new rate starts afresh: a full upload bucket, no download
		 * backlog scheduled at the old rate (the programs' state) */
		if (a->set & GRANT_SET_RATE_UP)
			nv.up_tokens = nv.up_stamp_ns = 0;
		if (a->set & GRANT_SET_RATE_DOWN)
			nv.down_next_ns = 0;
		nv.grant_id = rec.id;
		err = map_txn_update(&txn, v.fds[i], &v.key, v.key_size, &nv, sizeof(nv));
	}
	err = map_txn_finish(d->state, &txn, err);
	if (!err) {
		live.grant_id = rec.id;
		grant_to_ctl(&rec, &live, &now, out);
	}
out:
	result_from_state(d, err, res);
	pthread_mutex_unlock(&d->lock);
	return err;
}
