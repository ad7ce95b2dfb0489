// SPDX-License-Identifier: GPL-2.0
/*
 * reconcile.c - the maps made to match the state DB at start, and the
 * expiry sweep (reconcile.h). reconcile_plan() decides, with the clock
 * rules next to it in reconcile.h; grants_reconcile() reads the maps and
 * the DB, calls it and carries the plan out; grants_sweep() runs every
 * second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "grant_rec.h"
#include "latency.h"
#include "log.h"
#include "reconcile.h"
#include "revoke.h"
#include "runtime.h"

/* ------------------------------------------------------------ the plan */

static struct map_entry *map_find(struct reconcile_map *m, const __u8 key[16])
{
	struct map_entry probe;

	memcpy(probe.key, key, 16);
	return bsearch(&probe, m->ents, m->n, sizeof(*m->ents), map_entry_cmp);
}

/* Close grant rec and take it out of every map that has it. */
static int plan_close(struct reconcile_plan *p, size_t rec, unsigned int reason,
		      uint64_t end_wall, const struct g511_grant *live,
		      struct map_entry *const found[], int nmaps, unsigned int key_size)
{
	struct reconcile_close *c = &p->close[p->n_close++];
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->rec = rec;
	c->reason = reason;
	c->end_wall = end_wall;
	if (live) {
		c->live = *live;
		c->in_map = true;
	}
	for (int i = 0; i < nmaps && !err; i++)
		if (found[i])
			err = batch_add(&p->remove[i], key_size, found[i]->key, NULL);
	return err;
}

int reconcile_plan(const struct g511_grant_rec *recs, size_t n, unsigned int kind,
		   struct reconcile_map *maps, int nmaps, const struct clock_pair *now,
		   struct reconcile_plan *p)
{
	unsigned int key_size = client_key_size(kind);
	int i, err = 0;

	memset(p, 0, sizeof(*p));
	if (nmaps > G511_MAX_IFACES)
		return -EINVAL;
	p->nmaps = nmaps;
	p->keep = calloc(n ? n : 1, sizeof(*p->keep));
	p->close = calloc(n ? n : 1, sizeof(*p->close));
	p->resync = calloc(n ? n : 1, sizeof(*p->resync));
	if (!p->keep || !p->close || !p->resync) {
		err = -ENOMEM;
		goto fail;
	}

	for (size_t k = 0; k < n; k++) {
		const struct g511_grant_rec *rec = &recs[k];
		struct map_entry *found[G511_MAX_IFACES];
		bool same[G511_MAX_IFACES], any_same = false;
		struct g511_grant target, live;
		uint64_t end_ns;
		unsigned int reason;

		memset(&live, 0, sizeof(live));
		for (i = 0; i < nmaps; i++) {
			found[i] = map_find(&maps[i], rec->client.key);
			if (found[i])
				found[i]->used = true;
			same[i] = found[i] && found[i]->val.grant_id == rec->id;
			if (!same[i])
				continue;
			if (!any_same) {
				live = found[i]->val;
			} else {
				live.packets += found[i]->val.packets;
				live.bytes += found[i]->val.bytes;
				live.packets_down += found[i]->val.packets_down;
				live.bytes_down += found[i]->val.bytes_down;
				if (found[i]->val.last_seen_ns > live.last_seen_ns)
					live.last_seen_ns = found[i]->val.last_seen_ns;
			}
			any_same = true;
		}

		if (any_same) {
			/* same boot: the map's BOOTTIME deadlines stand */
			reason = grant_over(&live, now->boot_ns, &end_ns);
			if (reason) {
				err = plan_close(p, k, reason, clock_boot_to_wall(now, end_ns),
						 &live, found, nmaps, key_size);
				if (err)
					goto fail;
				continue;
			}
			target = live;
			target.packets = target.bytes = 0;
			target.packets_down = target.bytes_down = 0;
			if (live.expires_ns) {
				uint64_t w = clock_boot_to_wall(now, live.expires_ns);

				if (w > rec->expires_wall + WALL_STEP_S ||
				    w + WALL_STEP_S < rec->expires_wall)
					p->resync[p->n_resync++] = (struct reconcile_resync){
						.id = rec->id, .expires_wall = w,
					};
			}
			p->keep[p->n_keep++] = k;
		} else {
			/* after a reboot: trust the wall clock, within ttl */
			uint64_t expires_ns = 0;

			if (rec->expires_wall) {
				uint64_t remaining;

				if (rec->expires_wall <= now->wall_s) {
					err = plan_close(p, k, G511_REASON_EXPIRED,
							 rec->expires_wall, NULL, found, nmaps,
							 key_size);
					if (err)
						goto fail;
					continue;
				}
				remaining = rec->expires_wall - now->wall_s;
				if (rec->ttl_s && remaining > rec->ttl_s)
					remaining = rec->ttl_s;
				expires_ns = now->boot_ns + remaining * NSEC_PER_SEC;
			}
			grant_value(rec, expires_ns, now->boot_ns, &target);
			p->n_written++;
		}
		for (i = 0; i < nmaps; i++) {
			if (same[i])
				continue;
			err = batch_add(&p->write[i], key_size, rec->client.key, &target);
			if (err)
				goto fail;
		}
	}

	for (i = 0; i < nmaps; i++) {
		for (size_t j = 0; j < maps[i].n; j++) {
			if (maps[i].ents[j].used)
				continue;
			err = batch_add(&p->remove[i], key_size, maps[i].ents[j].key, NULL);
			if (err)
				goto fail;
			p->n_unknown++;
		}
	}
	return 0;
fail:
	reconcile_plan_free(p);
	return err;
}

void reconcile_plan_free(struct reconcile_plan *p)
{
	for (int i = 0; i < G511_MAX_IFACES; i++) {
		batch_free(&p->write[i]);
		batch_free(&p->remove[i]);
	}
	free(p->keep);
	free(p->close);
	free(p->resync);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------ the shell */

/* wall - boot (seconds) at the last sweep, to see wall-clock steps */
static int64_t sweep_wall_offset;
static bool sweep_wall_offset_set;

static void wall_offset_reset(const struct clock_pair *now)
{
	sweep_wall_offset = (int64_t)now->wall_s - (int64_t)(now->boot_ns / NSEC_PER_SEC);
	sweep_wall_offset_set = true;
}

static int rec_cmp(const void *a, const void *b)
{
	return client_cmp(&((const struct g511_grant_rec *)a)->client,
			  &((const struct g511_grant_rec *)b)->client);
}

struct recs {
	struct g511_grant_rec *v;
	size_t n, cap;
	struct g511_daemon *d;	/* to leave pending revocations out */
	size_t pending;
};

static int recs_add(const struct g511_grant_rec *rec, void *arg)
{
	struct recs *r = arg;

	/* revoked, not yet committed: never written back into a map */
	if (r->d && revoke_is_pending(r->d, &rec->client, rec->id)) {
		r->pending++;
		return 0;
	}
	if (grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
		return -ENOMEM;
	r->v[r->n++] = *rec;
	return 0;
}

/* Close the plan's sessions in one transaction: history rows, grant rows gone. */
static int close_grants(struct g511_daemon *d, const struct g511_grant_rec *recs,
			const struct reconcile_plan *p)
{
	struct g511_session_rec s;
	int err;

	if (!p->n_close)
		return 0;
	err = state_begin(d->state);
	for (size_t i = 0; i < p->n_close && !err; i++) {
		const struct reconcile_close *c = &p->close[i];

		session_make(&recs[c->rec], c->in_map ? &c->live : NULL, c->reason,
			     c->end_wall, &s);
		err = state_history_add(d->state, &s);
		if (!err)
			err = state_grant_del(d->state, &recs[c->rec].client);
		if (err == -ENOENT)
			err = 0;
	}
	if (err) {
		state_rollback(d->state);
		return err;
	}
	return state_commit(d->state);
}

struct reconcile_totals {
	size_t kept, written, closed, removed, unfit, put_back_failed;
};

/* Plan and carry out one kind; its sessions closed in the DB last. */
static int reconcile_kind(struct g511_daemon *d, unsigned int kind,
			  const struct g511_grant_rec *recs, size_t n,
			  const struct clock_pair *now, struct reconcile_totals *t)
{
	enum g511_map_id id = client_map_id(kind);
	const char *name = g511_map_table[id].name;
	unsigned int key_size = client_key_size(kind);
	struct reconcile_map maps[G511_MAX_IFACES] = { { 0 } };
	struct reconcile_plan plan;
	struct map_set set;
	int i, err = 0;

	maps_distinct(d, id, &set);
	for (i = 0; i < set.n; i++) {
		err = map_dump(set.fds[i], key_size, &maps[i].ents, &maps[i].n);
		if (err) {
			log_warnx("cannot read map %s: %s", name, strerror(-err));
			goto out;
		}
		qsort(maps[i].ents, maps[i].n, sizeof(*maps[i].ents), map_entry_cmp);
	}
	err = reconcile_plan(recs, n, kind, maps, set.n, now, &plan);
	if (err)
		goto out;

	/* the DB deadlines that drifted, before any map changes */
	err = state_begin(d->state);
	for (size_t k = 0; k < plan.n_resync && !err; k++)
		err = state_grant_set_expires(d->state, plan.resync[k].id,
					      plan.resync[k].expires_wall);
	if (err)
		state_rollback(d->state);
	else
		err = state_commit(d->state);
	if (err) {
		/* the maps' deadlines stand; the DB's drift until a later start */
		log_warnx("cannot resync deadlines in the state database: %s",
			  strerror(-err));
		err = 0;
	}

	for (i = 0; i < set.n; i++) {
		size_t done;

		t->put_back_failed += batch_delete(set.fds[i], &plan.remove[i], key_size);
		done = batch_update(set.fds[i], &plan.write[i], key_size, &err);
		if (err) {
			log_warnx("map %s: %zu of %zu grants do not fit: %s", name,
				  plan.write[i].n - done, plan.write[i].n, strerror(-err));
			t->unfit += plan.write[i].n - done;
			err = 0;
		}
	}
	err = close_grants(d, recs, &plan);
	if (err) {
		/* out of the maps already (fail closed); the next start closes them */
		log_warnx("cannot record the grants found over: %s", strerror(-err));
		err = 0;
	}
	t->kept += plan.n_keep;
	t->written += plan.n_written;
	t->closed += plan.n_close;
	t->removed += plan.n_unknown;
	reconcile_plan_free(&plan);
out:
	for (i = 0; i < G511_MAX_IFACES; i++)
		free(maps[i].ents);
	return err;
}

int grants_reconcile(struct g511_daemon *d)
{
	uint64_t t0 = g511_boot_ns();
	struct reconcile_totals t = { 0 };
	struct recs recs = { .d = d };
	struct clock_pair now;
	char why[256];
	size_t split;
	int err = 0;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < d->n_ifaces && !err; i++) {
		err = g511_maps_check(&d->ifaces[i].maps, why, sizeof(why));
		if (err)
			log_warnx("%s: %s", d->ifaces[i].name, why);
	}
	if (!err)
		err = state_grants_foreach(d->state, 0, 0, recs_add, &recs);
	if (err)
		goto out;
	qsort(recs.v, recs.n, sizeof(*recs.v), rec_cmp);
	/* kinds sort apart: addresses (1) first, then MACs (2) */
	for (split = 0; split < recs.n; split++)
		if (recs.v[split].client.kind != G511_CLIENT_ADDR)
			break;

	g511_clock_now(&now);
	wall_offset_reset(&now);
	for (size_t k = split; k < recs.n && !err; k++)
		err = config_filter_widen_locked(d, G511_MAP_ID_MACS, recs.v[k].client.key);
	if (!err)
		err = reconcile_kind(d, G511_CLIENT_ADDR, recs.v, split, &now, &t);
	if (!err)
		err = reconcile_kind(d, G511_CLIENT_MAC, recs.v + split, recs.n - split,
				     &now, &t);
	if (!err)
		err = config_filter_refresh_locked(d);
	if (err)
		goto out;
	if (t.put_back_failed)
		log_warnx("%zu map entries could not be removed", t.put_back_failed);
	if (recs.pending)
		log_warnx("%zu grant%s revoked but not yet removed from the state database "
			  "left out of the maps", recs.pending, recs.pending == 1 ? "" : "s");
	log_info("restored %zu grants (%zu kept from the maps, %zu written), "
		 "closed %zu, removed %zu unknown map entries, %zu did not fit, "
		 "in %llu ms", t.kept + t.written, t.kept, t.written, t.closed, t.removed,
		 t.unfit, (unsigned long long)((g511_boot_ns() - t0) / 1000000));
out:
	pthread_mutex_unlock(&d->lock);
	free(recs.v);
	return err;
}

/* ------------------------------------------------------ fresh database */

long grants_in_maps(struct g511_daemon *d)
{
	long total = 0;

	for (unsigned int kind = G511_CLIENT_ADDR; kind <= G511_CLIENT_MAC; kind++) {
		struct map_set set;

		maps_distinct(d, client_map_id(kind), &set);
		for (int i = 0; i < set.n; i++) {
			struct map_entry *ents;
			size_t n;
			int err = map_dump(set.fds[i], client_key_size(kind), &ents, &n);

			if (err)
				return err;
			free(ents);
			total += n;
		}
	}
	return total;
}

static int adopt_kind(struct g511_daemon *d, unsigned int kind, const struct clock_pair *now,
		      struct map_txn *txn, size_t *adopted)
{
	enum g511_map_id id = client_map_id(kind);
	unsigned int key_size = client_key_size(kind);
	struct map_set set;
	int err = 0;

	maps_distinct(d, id, &set);
	for (int i = 0; i < set.n && !err; i++) {
		struct map_entry *ents;
		size_t n;

		err = map_dump(set.fds[i], key_size, &ents, &n);
		for (size_t k = 0; k < n && !err; k++) {
			struct g511_grant_rec rec, have;
			struct g511_grant val = ents[k].val;
			struct g511_client c = { .kind = kind };

			memcpy(c.key, ents[k].key, key_size);
			if (!client_valid(&c))
				continue;
			/* a second map of the same grant: same row, its id */
			if (state_grant_get(d->state, &c, &have) == 0) {
				val.grant_id = have.id;
			} else {
				rec_from_map(&c, &ents[k].val, now, &rec);
				rec.origin = G511_ORIGIN_ADOPTED;
				rec.created_wall = now->wall_s;
				if (ents[k].val.expires_ns > now->boot_ns)
					rec.ttl_s = (ents[k].val.expires_ns - now->boot_ns) /
						    NSEC_PER_SEC + 1;
				err = state_grant_put(d->state, &rec);
				if (err)
					break;
				val.grant_id = rec.id;
				(*adopted)++;
			}
			err = map_txn_update(txn, set.fds[i], ents[k].key, key_size, &val,
					     sizeof(val));
		}
		free(ents);
	}
	return err;
}

int grants_adopt(struct g511_daemon *d, size_t *adopted)
{
	struct map_txn txn = { 0 };
	struct clock_pair now;
	int err;

	*adopted = 0;
	pthread_mutex_lock(&d->lock);
	g511_clock_now(&now);
	err = state_begin(d->state);
	if (!err)
		err = adopt_kind(d, G511_CLIENT_ADDR, &now, &txn, adopted);
	if (!err)
		err = adopt_kind(d, G511_CLIENT_MAC, &now, &txn, adopted);
	err = map_txn_finish(d->state, &txn, err);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/* ---------------------------------------------------------------- sweep */

struct sweep_item {
	struct g511_client client;
	__u32 grant_id;
};

static int sweep_kind(struct g511_daemon *d, unsigned int kind, uint64_t now_boot,
		      size_t *n_closed)
{
	enum g511_map_id id = client_map_id(kind);
	unsigned int key_size = client_key_size(kind);
	struct sweep_item *items = NULL;
	struct map_entry *dump = NULL;
	size_t ndump = 0, nitems = 0, i;
	struct map_set set;
	bool in_txn = false;
	int err;

	maps_distinct(d, id, &set);
	if (set.n == 0)
		return 0;
	/* read without the lock: the XDP side writes counters anyway */
	err = map_dump(set.fds[0], key_size, &dump, &ndump);
	if (err) {
		log_warnx("sweep: cannot read map %s: %s", g511_map_table[id].name,
			  strerror(-err));
		return err;
	}
	for (i = 0; i < ndump; i++) {
		uint64_t end_ns;

		if (!grant_over(&dump[i].val, now_boot, &end_ns))
			continue;
		if (!items) {
			items = calloc(ndump, sizeof(*items));
			if (!items) {
				err = -ENOMEM;
				goto out;
			}
		}
		items[nitems].client.kind = kind;
		memcpy(items[nitems].client.key, dump[i].key, 16);
		items[nitems].grant_id = dump[i].val.grant_id;
		nitems++;
	}
	if (!nitems)
		goto out;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < nitems; i++) {
		struct map_txn unused = { 0 };
		struct g511_grant_rec rec;
		struct g511_session_rec s;
		struct clock_pair now;
		struct g511_grant live;
		struct grant_view v;
		unsigned int reason;
		uint64_t end_ns;
		int ret;

		/* again under the lock: it may have been renewed, or seen */
		g511_clock_now(&now);
		view_read(d, &items[i].client, &v);
		if (!view_merge(&v, &live) || live.grant_id != items[i].grant_id)
			continue;
		reason = grant_over(&live, now.boot_ns, &end_ns);
		if (!reason)
			continue;
		ret = state_grant_get(d->state, &items[i].client, &rec);
		if (ret && ret != -ENOENT) {
			err = ret;
			break;
		}
		if (ret == 0 && rec.id != live.grant_id) {
			/* the map is stale for this client: leave it to a restart */
			continue;
		}
		if (!in_txn) {
			err = state_begin(d->state);
			if (err)
				break;
			in_txn = true;
		}
		if (ret == 0) {
			uint64_t end_wall = clock_boot_to_wall(&now, end_ns);

			session_make(&rec, &live, reason,
				     end_wall > now.wall_s ? now.wall_s : end_wall, &s);
			err = state_history_add(d->state, &s);
			if (!err)
				err = state_grant_del(d->state, &rec.client);
			if (err)
				break;
		}
		/* expired or idle either way: fail closed, delete now, and
		 * never put back (the XDP program refuses it already) */
		view_delete(&v, &unused);
		map_txn_free(&unused);
		(*n_closed)++;
	}
	if (in_txn) {
		if (err)
			state_rollback(d->state);
		else
			err = state_commit(d->state);
		if (err)
			log_warnx("sweep: closed grants not recorded: %s; a restart "
				  "will close them again", strerror(-err));
	}
	if (kind == G511_CLIENT_MAC)
		config_filter_refresh_locked(d);
	pthread_mutex_unlock(&d->lock);
out:
	free(items);
	free(dump);
	return err;
}

int grants_sweep(struct g511_daemon *d)
{
	uint64_t t0 = latency_now_ns();
	struct clock_pair now;
	int64_t offset;
	size_t closed = 0;
	int err, err2;

	g511_clock_now(&now);
	offset = (int64_t)now.wall_s - (int64_t)(now.boot_ns / NSEC_PER_SEC);
	if (!sweep_wall_offset_set) {
		wall_offset_reset(&now);
	} else if (offset - sweep_wall_offset > WALL_STEP_S ||
		   sweep_wall_offset - offset > WALL_STEP_S) {
		int64_t delta = offset - sweep_wall_offset;

		pthread_mutex_lock(&d->lock);
		err = state_grants_shift_expiry(d->state, delta);
		pthread_mutex_unlock(&d->lock);
		if (!err) {
			log_info("wall clock stepped by %+lld s: stored deadlines "
				 "moved with it, grants unchanged", (long long)delta);
			sweep_wall_offset = offset;
		}
	}

	pthread_mutex_lock(&d->lock);
	revoke_flush_locked(d, false);
	pthread_mutex_unlock(&d->lock);
	err = sweep_kind(d, G511_CLIENT_ADDR, now.boot_ns, &closed);
	err2 = sweep_kind(d, G511_CLIENT_MAC, now.boot_ns, &closed);
	if (closed)
		log_debug("sweep: closed %zu grants", closed);
	latency_since(&g511_lat_sweep, t0);
	return err ? err : err2;
}
