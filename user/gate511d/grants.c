// SPDX-License-Identifier: GPL-2.0
/*
 * grants.c - keep the BPF maps and the state database in step (grants.h).
 *
 * Clocks. The maps hold CLOCK_BOOTTIME deadlines; the database holds wall
 * seconds (created, expires) plus the session length granted (ttl). Rules:
 *  - While a grant is in a map, the map's BOOTTIME deadline is the truth:
 *    the sweep compares it with BOOTTIME now and never looks at the wall
 *    clock, so stepping the wall clock neither expires nor extends anyone.
 *    When the sweep sees the wall clock step (wall - boot moved by more than
 *    WALL_STEP_S), it shifts every stored wall deadline by the same amount,
 *    so the database keeps describing the same BOOTTIME deadlines.
 *  - A daemon restart within one boot finds the grant in the map with its
 *    grant_id (the DB row id) and keeps the map's deadline as it is.
 *  - After a reboot the maps are empty and the wall clock is all there is:
 *    deadline = boot_now + (expires_wall - wall_now), clamped to [0, ttl].
 *    The clamp means a wall clock that went backwards (bad RTC) can at most
 *    give a grant its original length again, never more; a clock that went
 *    forwards closes grants early (fail closed). Idle timers restart at the
 *    restore (last seen = now), as the last packet time did not survive.
 *
 * The maps may be shared between ifaces (one pinned map, several attach
 * points) or not (one program per iface): every write goes to each distinct
 * map (distinct by map id), counters are summed over them and last-seen is
 * the freshest of them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "grants.h"
#include "log.h"
#include "state.h"

#define NSEC_PER_SEC	1000000000ULL
#define DUMP_CHUNK	4096
#define PAGE_ROWS	1024
#define WALL_STEP_S	2

enum map_which { MAP_CLIENTS, MAP_MACS, MAP_GARDEN, MAP_CONFIG, MAP_STATS };

static const char *const map_names[] = {
	[MAP_CLIENTS] = G511_MAP_CLIENTS,
	[MAP_MACS] = G511_MAP_MACS,
	[MAP_GARDEN] = G511_MAP_GARDEN,
	[MAP_CONFIG] = G511_MAP_CONFIG,
	[MAP_STATS] = G511_MAP_STATS,
};

/* wall - boot (seconds) at the last sweep, to see wall-clock steps */
static int64_t sweep_wall_offset;
static bool sweep_wall_offset_set;

/* ------------------------------------------------------------------ maps */

union client_key {
	struct g511_addr addr;
	struct g511_mac mac;
};

static enum map_which client_map(unsigned int kind)
{
	return kind == G511_CLIENT_MAC ? MAP_MACS : MAP_CLIENTS;
}

static unsigned int client_key_size(unsigned int kind)
{
	return kind == G511_CLIENT_MAC ? sizeof(struct g511_mac) :
					 sizeof(struct g511_addr);
}

static void client_key(const struct g511_client *c, union client_key *k)
{
	memset(k, 0, sizeof(*k));
	if (c->kind == G511_CLIENT_MAC)
		memcpy(k->mac.mac, c->key, 6);
	else
		memcpy(k->addr.addr, c->key, 16);
}

static int map_fd(const struct g511_maps *m, enum map_which w)
{
	switch (w) {
	case MAP_CLIENTS:
		return m->clients_fd;
	case MAP_MACS:
		return m->macs_fd;
	case MAP_GARDEN:
		return m->garden_fd;
	case MAP_CONFIG:
		return m->config_fd;
	case MAP_STATS:
		return m->stats_fd;
	}
	return -1;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* The fds of the distinct maps of one kind over all ifaces. */
static int maps_distinct(struct g511_daemon *d, enum map_which w,
			 int fds[G511_MAX_IFACES])
{
	__u32 ids[G511_MAX_IFACES];
	struct bpf_map_info info;
	int i, j, n = 0;

	for (i = 0; i < d->n_ifaces && i < G511_MAX_IFACES; i++) {
		int fd = map_fd(&d->ifaces[i].maps, w);
		bool dup = false;

		if (fd < 0)
			continue;
		if (map_info(fd, &info))
			info.id = 0;
		for (j = 0; j < n; j++)
			if (fds[j] == fd || (info.id && ids[j] == info.id))
				dup = true;
		if (dup)
			continue;
		ids[n] = info.id;
		fds[n++] = fd;
	}
	return n;
}

static int map_write_err(int err)
{
	return err == -E2BIG || err == -ENOSPC ? -ENOSPC : err;
}

/* What the maps hold for one client, for reading and for putting back. */
struct grant_view {
	int n;
	int fds[G511_MAX_IFACES];
	bool had[G511_MAX_IFACES];
	struct g511_grant old[G511_MAX_IFACES];
	union client_key key;
};

/* The maps a client's grant lives in (fds from maps_distinct()). */
struct client_maps {
	int n[2];			/* [0] addresses, [1] MACs */
	int fds[2][G511_MAX_IFACES];
};

static void client_maps_get(struct g511_daemon *d, struct client_maps *cm)
{
	cm->n[0] = maps_distinct(d, MAP_CLIENTS, cm->fds[0]);
	cm->n[1] = maps_distinct(d, MAP_MACS, cm->fds[1]);
}

/* Set up v for c without reading the maps: every had[] false. */
static void view_init(const struct client_maps *cm, const struct g511_client *c,
		      struct grant_view *v)
{
	int w = c->kind == G511_CLIENT_MAC;

	client_key(c, &v->key);
	v->n = cm->n[w];
	memcpy(v->fds, cm->fds[w], sizeof(v->fds));
	memset(v->had, 0, sizeof(v->had));
}

static void view_lookup(struct grant_view *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		v->had[i] = bpf_map_lookup_elem(v->fds[i], &v->key, &v->old[i]) == 0;
}

static void view_read(struct g511_daemon *d, const struct g511_client *c,
		      struct grant_view *v)
{
	struct client_maps cm;

	client_maps_get(d, &cm);
	view_init(&cm, c, v);
	view_lookup(v);
}

/*
 * One value for the client over all maps: deadlines of the first map that
 * has it, counters summed, the freshest last-seen. false if in no map.
 */
static bool view_merge(const struct grant_view *v, struct g511_grant *sum)
{
	bool found = false;
	int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < v->n; i++) {
		const struct g511_grant *g = &v->old[i];

		if (!v->had[i])
			continue;
		if (!found) {
			*sum = *g;
			found = true;
			continue;
		}
		sum->packets += g->packets;
		sum->bytes += g->bytes;
		if (g->last_seen_ns > sum->last_seen_ns)
			sum->last_seen_ns = g->last_seen_ns;
	}
	return found;
}

/* Put maps [0, upto) back as view_read() found them. */
static void view_restore(const struct grant_view *v, int upto)
{
	int i, err;

	for (i = 0; i < upto && i < v->n; i++) {
		if (v->had[i])
			err = bpf_map_update_elem(v->fds[i], &v->key, &v->old[i], BPF_ANY);
		else
			err = bpf_map_delete_elem(v->fds[i], &v->key);
		if (err && err != -ENOENT)
			log_warnx("cannot put a map entry back: %s", strerror(-err));
	}
}

/*
 * Write val into every map; on failure put back what was written. A map
 * not known to hold the client (had[i] false) gets BPF_NOEXIST; if it held
 * it after all, the old value is read for putting back, then replaced.
 */
static int view_write(struct grant_view *v, const struct g511_grant *val)
{
	int i, err;

	for (i = 0; i < v->n; i++) {
		err = bpf_map_update_elem(v->fds[i], &v->key, val,
					  v->had[i] ? BPF_ANY : BPF_NOEXIST);
		if (err == -EEXIST && !v->had[i]) {
			v->had[i] = bpf_map_lookup_elem(v->fds[i], &v->key,
							&v->old[i]) == 0;
			err = bpf_map_update_elem(v->fds[i], &v->key, val, BPF_ANY);
		}
		if (err) {
			view_restore(v, i);
			return map_write_err(err);
		}
	}
	return 0;
}

static void view_delete(const struct grant_view *v)
{
	int i, err;

	for (i = 0; i < v->n; i++) {
		if (!v->had[i])
			continue;
		err = bpf_map_delete_elem(v->fds[i], &v->key);
		if (err && err != -ENOENT)
			log_warnx("cannot delete a map entry: %s", strerror(-err));
	}
}

/* ------------------------------------------------------ record helpers */

static void grant_value(const struct g511_grant_rec *rec, uint64_t expires_ns,
			uint64_t now_ns, struct g511_grant *v)
{
	memset(v, 0, sizeof(*v));
	v->expires_ns = expires_ns;
	v->idle_ns = rec->idle_s * NSEC_PER_SEC;
	/* a fresh grant starts its idle period now, not at boot */
	v->last_seen_ns = now_ns;
	if (rec->mac_bound) {
		memcpy(v->mac, rec->mac, 6);
		v->flags = G511_GRANT_F_MAC_BOUND;
	}
	v->grant_id = rec->id;
}

/* A grant the maps have and the DB does not: describe it from the map. */
static void rec_from_map(const struct g511_client *c, const struct g511_grant *g,
			 struct g511_grant_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = g->grant_id;
	rec->client = *c;
	rec->mac_bound = g->flags & G511_GRANT_F_MAC_BOUND;
	if (rec->mac_bound)
		memcpy(rec->mac, g->mac, 6);
	rec->idle_s = g->idle_ns / NSEC_PER_SEC;
	if (g->expires_ns)
		rec->expires_wall = g511_boot_ns_to_wall(g->expires_ns);
}

static void grant_to_ctl(const struct g511_grant_rec *rec,
			 const struct g511_grant *live, struct g511_ctl_grant *out)
{
	memset(out, 0, sizeof(*out));
	out->client = rec->client;
	out->grant_id = rec->id;
	out->created_wall = rec->created_wall;
	out->expires_wall = rec->expires_wall;
	out->ttl_s = rec->ttl_s;
	out->idle_s = rec->idle_s;
	if (rec->mac_bound) {
		memcpy(out->mac, rec->mac, 6);
		out->flags |= G511_CTL_GF_MAC_BOUND;
	}
	if (!live)
		return;
	out->flags |= G511_CTL_GF_IN_MAP;
	if (live->expires_ns)
		out->expires_wall = g511_boot_ns_to_wall(live->expires_ns);
	if (live->last_seen_ns)
		out->last_seen_wall = g511_boot_ns_to_wall(live->last_seen_ns);
	out->packets = live->packets;
	out->bytes = live->bytes;
}

static void session_make(const struct g511_grant_rec *rec,
			 const struct g511_grant *live, unsigned int reason,
			 uint64_t end_wall, struct g511_session_rec *s)
{
	memset(s, 0, sizeof(*s));
	s->grant_id = rec->id;
	s->client = rec->client;
	s->mac_bound = rec->mac_bound;
	memcpy(s->mac, rec->mac, 6);
	s->start_wall = rec->created_wall;
	s->end_wall = end_wall < rec->created_wall ? rec->created_wall : end_wall;
	s->reason = reason;
	if (live) {
		s->packets = live->packets;
		s->bytes = live->bytes;
	}
}

static void session_to_ctl(const struct g511_session_rec *s,
			   struct g511_ctl_session *out)
{
	memset(out, 0, sizeof(*out));
	out->client = s->client;
	out->reason = s->reason;
	out->start_wall = s->start_wall;
	out->end_wall = s->end_wall;
	out->packets = s->packets;
	out->bytes = s->bytes;
	out->grant_id = s->grant_id;
	if (s->mac_bound) {
		memcpy(out->mac, s->mac, 6);
		out->flags = G511_CTL_GF_MAC_BOUND;
	}
}

/* Why a live grant is over at now, or 0; *end_ns = when it ended. */
static unsigned int grant_over(const struct g511_grant *g, uint64_t now_ns,
			       uint64_t *end_ns)
{
	if (g->expires_ns && now_ns >= g->expires_ns) {
		*end_ns = g->expires_ns;
		return G511_REASON_EXPIRED;
	}
	if (g->idle_ns && now_ns >= g->last_seen_ns + g->idle_ns) {
		*end_ns = g->last_seen_ns + g->idle_ns;
		return G511_REASON_IDLE;
	}
	return 0;
}

/* --------------------------------------------------------------- grant */

/*
 * The DB part of one grant, inside the caller's transaction: close the
 * client's previous session as "replaced" and write the row; *val is what
 * the maps must get. *v is set up for the client; for a renewal it holds
 * what the maps had (counters for the history, values to put back).
 */
static int grant_db(struct g511_daemon *d, const struct client_maps *cm,
		    const struct grant_spec *spec, uint64_t now_wall,
		    uint64_t now_boot, struct grant_view *v,
		    struct g511_grant_rec *rec, struct g511_grant *val)
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
			     now_wall, &s);
		err = state_history_add(d->state, &s);
		if (err)
			return err;
	}

	memset(rec, 0, sizeof(*rec));
	rec->client = spec->client;
	rec->mac_bound = spec->mac_bound;
	memcpy(rec->mac, spec->mac, 6);
	rec->created_wall = now_wall;
	rec->ttl_s = spec->ttl_s;
	rec->expires_wall = spec->ttl_s ? now_wall + spec->ttl_s : 0;
	rec->idle_s = spec->idle_s;
	err = state_grant_put(d->state, rec);
	if (err)
		return err;
	grant_value(rec, spec->ttl_s ? now_boot + spec->ttl_s * NSEC_PER_SEC : 0,
		    now_boot, val);
	return 0;
}

int grants_allow(struct g511_daemon *d, const struct grant_spec *spec,
		 struct g511_ctl_grant *out)
{
	uint64_t now_wall = g511_wall_s(), now_boot = g511_boot_ns();
	struct g511_grant_rec rec;
	struct client_maps cm;
	struct g511_grant val;
	struct grant_view v;
	int err;

	pthread_mutex_lock(&d->lock);
	client_maps_get(d, &cm);
	err = state_begin(d->state);
	if (err)
		goto out;
	err = grant_db(d, &cm, spec, now_wall, now_boot, &v, &rec, &val);
	if (!err)
		err = view_write(&v, &val);
	if (err) {
		state_rollback(d->state);
		goto out;
	}
	err = state_commit(d->state);
	if (err) {
		view_restore(&v, v.n);
		goto out;
	}
	grant_to_ctl(&rec, v.n ? &val : NULL, out);
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

int grants_deny(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_session *out)
{
	uint64_t now_wall = g511_wall_s();
	struct g511_grant_rec rec;
	struct g511_session_rec s;
	struct g511_grant live;
	struct grant_view v;
	bool in_map, in_db;
	int err;

	pthread_mutex_lock(&d->lock);
	view_read(d, client, &v);
	in_map = view_merge(&v, &live);
	err = state_grant_get(d->state, client, &rec);
	if (err && err != -ENOENT)
		goto out;
	in_db = !err;
	if (!in_db && !in_map) {
		err = -ENOENT;
		goto out;
	}
	if (!in_db)
		rec_from_map(client, &live, &rec);
	session_make(&rec, in_map ? &live : NULL, G511_REASON_REVOKED, now_wall, &s);

	err = state_begin(d->state);
	if (err)
		goto out;
	if (in_db) {
		err = state_history_add(d->state, &s);
		if (!err)
			err = state_grant_del(d->state, client);
		if (err) {
			state_rollback(d->state);
			goto out;
		}
	}
	view_delete(&v);
	err = state_commit(d->state);
	if (err) {
		view_restore(&v, v.n);
		goto out;
	}
	session_to_ctl(&s, out);
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

int grants_show(struct g511_daemon *d, const struct g511_client *client,
		struct g511_ctl_grant *out)
{
	struct g511_grant_rec rec;
	struct g511_grant live;
	struct grant_view v;
	bool in_map;
	int err;

	pthread_mutex_lock(&d->lock);
	view_read(d, client, &v);
	in_map = view_merge(&v, &live);
	err = state_grant_get(d->state, client, &rec);
	if (err == -ENOENT && in_map) {
		rec_from_map(client, &live, &rec);
		err = 0;
	}
	if (!err)
		grant_to_ctl(&rec, in_map ? &live : NULL, out);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/* ---------------------------------------------------------------- import */

/* Writes (or deletes) for one map, made in a few batch calls. */
struct map_batch {
	__u8 *keys;
	struct g511_grant *vals;
	size_t n, cap;
};

static int batch_add(struct map_batch *b, unsigned int key_size,
		     const __u8 *key, const struct g511_grant *val)
{
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 1024;
		void *nk = realloc(b->keys, ncap * key_size);

		if (!nk)
			return -ENOMEM;
		b->keys = nk;
		if (val || b->vals) {
			void *nv = realloc(b->vals, ncap * sizeof(*b->vals));

			if (!nv)
				return -ENOMEM;
			b->vals = nv;
		}
		b->cap = ncap;
	}
	memcpy(b->keys + b->n * key_size, key, key_size);
	if (val)
		b->vals[b->n] = *val;
	b->n++;
	return 0;
}

static void batch_free(struct map_batch *b)
{
	free(b->keys);
	free(b->vals);
	memset(b, 0, sizeof(*b));
}

/* Update in batches; falls back to single updates. Returns entries written. */
static size_t batch_update(int fd, const struct map_batch *b,
			   unsigned int key_size, int *errp)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t done = 0;
	int err = 0;

	while (done < b->n) {
		__u32 count = b->n - done > 65536 ? 65536 : b->n - done;

		err = bpf_map_update_batch(fd, b->keys + done * key_size,
					   b->vals + done, &count, &opts);
		done += count;
		if (err == -EINVAL || err == -EOPNOTSUPP || err == -524) {
			/* no batch support: one at a time */
			for (err = 0; done < b->n && !err; done++)
				err = bpf_map_update_elem(fd, b->keys + done * key_size,
							  b->vals + done, BPF_ANY);
			if (err)
				done--;
		}
		if (err)
			break;
	}
	*errp = err;
	return done;
}

static void batch_delete(int fd, const struct map_batch *b, unsigned int key_size)
{
	size_t i;

	/* few entries here (unknown ones): single deletes are fine */
	for (i = 0; i < b->n; i++)
		bpf_map_delete_elem(fd, b->keys + i * key_size);
}


/* What an import changed in the maps, to put back if it fails. */
struct undo_entry {
	struct g511_client client;
	__u8 had_mask;		/* bit i: map i had an entry before */
	__u32 pool_idx;		/* its old values, one per bit, in map order */
};

struct undo_log {
	struct undo_entry *e;
	size_t n, cap;
	struct g511_grant *pool;
	size_t pn, pcap;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int undo_push(struct undo_log *u, const struct grant_view *v,
		     const struct g511_client *c)
{
	struct undo_entry *e;
	int i, err;

	err = grow((void **)&u->e, &u->cap, u->n + 1, sizeof(*u->e));
	if (!err)
		err = grow((void **)&u->pool, &u->pcap, u->pn + v->n, sizeof(*u->pool));
	if (err)
		return err;
	e = &u->e[u->n++];
	e->client = *c;
	e->had_mask = 0;
	e->pool_idx = u->pn;
	for (i = 0; i < v->n; i++) {
		if (!v->had[i])
			continue;
		e->had_mask |= 1U << i;
		u->pool[u->pn++] = v->old[i];
	}
	return 0;
}

/* Newest first, so a client imported twice ends as it was before both. */
static void undo_apply(const struct client_maps *cm, const struct undo_log *u)
{
	int i;
	size_t k;

	for (k = u->n; k-- > 0;) {
		const struct undo_entry *e = &u->e[k];
		int w = e->client.kind == G511_CLIENT_MAC;
		__u32 p = e->pool_idx;
		union client_key key;

		client_key(&e->client, &key);
		for (i = 0; i < cm->n[w]; i++) {
			if (e->had_mask & (1U << i))
				bpf_map_update_elem(cm->fds[w][i], &key, &u->pool[p++],
						    BPF_ANY);
			else
				bpf_map_delete_elem(cm->fds[w][i], &key);
		}
	}
}

/*
 * All grants of an import go to the DB first (one transaction), then to
 * each map in a few batch calls: 100k grants cost a handful of syscalls,
 * not 100k. If a map fills up, everything is put back as it was (a map
 * entry that no DB grant backed, replaced by the import, is deleted then:
 * the restore at start would have removed it anyway).
 */
int grants_import(struct g511_daemon *d, const struct grant_spec *specs,
		  size_t n, size_t *failed_at)
{
	uint64_t now_wall = g511_wall_s(), now_boot = g511_boot_ns();
	struct map_batch batch[2] = { { 0 } };	/* [0] addresses, [1] MACs */
	size_t *which[2] = { NULL, NULL };	/* batch entry -> spec index */
	struct undo_log undo = { 0 };
	struct g511_grant_rec rec;
	struct client_maps cm;
	struct g511_grant val;
	struct grant_view v;
	size_t i;
	int err, w, m;

	*failed_at = 0;
	which[0] = malloc((n ? n : 1) * sizeof(size_t));
	which[1] = malloc((n ? n : 1) * sizeof(size_t));
	if (!which[0] || !which[1]) {
		free(which[0]);
		free(which[1]);
		return -ENOMEM;
	}
	pthread_mutex_lock(&d->lock);
	client_maps_get(d, &cm);
	err = state_begin(d->state);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		w = specs[i].client.kind == G511_CLIENT_MAC;
		err = grant_db(d, &cm, &specs[i], now_wall, now_boot, &v, &rec, &val);
		if (!err)
			err = undo_push(&undo, &v, &specs[i].client);
		if (!err) {
			which[w][batch[w].n] = i;
			err = batch_add(&batch[w], client_key_size(specs[i].client.kind),
					(const __u8 *)&v.key, &val);
		}
		if (err) {
			*failed_at = i;
			state_rollback(d->state);
			goto out;
		}
	}
	for (w = 0; w < 2; w++) {
		for (m = 0; m < cm.n[w]; m++) {
			size_t done = batch_update(cm.fds[w][m], &batch[w],
						   client_key_size(w + 1), &err);

			if (err) {
				*failed_at = which[w][done < batch[w].n ? done : 0];
				err = map_write_err(err);
				undo_apply(&cm, &undo);
				state_rollback(d->state);
				goto out;
			}
		}
	}
	err = state_commit(d->state);
	if (err)
		undo_apply(&cm, &undo);
	else
		log_info("imported %zu grants", n);
out:
	pthread_mutex_unlock(&d->lock);
	for (w = 0; w < 2; w++) {
		batch_free(&batch[w]);
		free(which[w]);
	}
	free(undo.e);
	free(undo.pool);
	return err;
}

/* ---------------------------------------------------------- list, history */

struct list_ctx {
	struct g511_daemon *d;
	bool with_counters;
	struct g511_ctl_grant *out;
	unsigned int n;
};

static int list_one(const struct g511_grant_rec *rec, void *arg)
{
	struct list_ctx *ctx = arg;
	struct g511_grant live;
	struct grant_view v;
	bool in_map = false;

	if (ctx->with_counters) {
		view_read(ctx->d, &rec->client, &v);
		in_map = view_merge(&v, &live);
	}
	grant_to_ctl(rec, in_map ? &live : NULL, &ctx->out[ctx->n++]);
	return 0;
}

int grants_list_page(struct g511_daemon *d, uint32_t after_id,
		     bool with_counters, struct g511_ctl_grant *out,
		     unsigned int max, unsigned int *n)
{
	struct list_ctx ctx = { .d = d, .with_counters = with_counters, .out = out };
	int err;

	pthread_mutex_lock(&d->lock);
	err = state_grants_foreach(d->state, after_id, max, list_one, &ctx);
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
	err = state_history_foreach(d->state, filter, *after_id, max, history_one,
				    &ctx);
	pthread_mutex_unlock(&d->lock);
	*n = ctx.n;
	*after_id = ctx.last_id;
	return err;
}

/* ------------------------------------------------------------ reconcile */

struct map_entry {
	__u8 key[16];		/* the client key, zero-padded (MAC: 6 + 10) */
	struct g511_grant val;
	bool used;		/* matched a DB grant */
};

static int map_entry_cmp(const void *a, const void *b)
{
	return memcmp(((const struct map_entry *)a)->key,
		      ((const struct map_entry *)b)->key, 16);
}

static int map_dump_slow(int fd, unsigned int key_size, struct map_entry **ents,
			 size_t *n, size_t *cap)
{
	__u8 key[16] = { 0 }, next[16] = { 0 };
	bool first = true;
	int err;

	for (;;) {
		err = bpf_map_get_next_key(fd, first ? NULL : key, next);
		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		first = false;
		memcpy(key, next, key_size);
		err = grow((void **)ents, cap, *n + 1, sizeof(**ents));
		if (err)
			return err;
		memset(&(*ents)[*n], 0, sizeof(**ents));
		memcpy((*ents)[*n].key, key, key_size);
		if (bpf_map_lookup_elem(fd, key, &(*ents)[*n].val) == 0)
			(*n)++;
	}
}

/* Every entry of a grant map (hash of key_size -> struct g511_grant). */
static int map_dump(int fd, unsigned int key_size, struct map_entry **out,
		    size_t *out_n)
{
	__u8 in_tok[32], out_tok[32];
	struct map_entry *ents = NULL;
	size_t n = 0, cap = 0;
	struct g511_grant *vals;
	__u8 *keys;
	bool first = true;
	__u32 i, count;
	int err = 0;

	keys = malloc((size_t)DUMP_CHUNK * key_size);
	vals = malloc((size_t)DUMP_CHUNK * sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = DUMP_CHUNK;
		err = bpf_map_lookup_batch(fd, first ? NULL : in_tok, out_tok, keys,
					   vals, &count, NULL);
		if (err && err != -ENOENT) {
			if (first && (err == -EINVAL || err == -EOPNOTSUPP ||
				      err == -524 /* ENOTSUPP */)) {
				err = map_dump_slow(fd, key_size, &ents, &n, &cap);
				break;
			}
			goto out;
		}
		if (grow((void **)&ents, &cap, n + count, sizeof(*ents))) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < count; i++) {
			memset(&ents[n], 0, sizeof(ents[n]));
			memcpy(ents[n].key, keys + (size_t)i * key_size, key_size);
			ents[n].val = vals[i];
			n++;
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		memcpy(in_tok, out_tok, sizeof(in_tok));
		first = false;
	}
out:
	free(keys);
	free(vals);
	if (err) {
		free(ents);
		return err;
	}
	*out = ents;
	*out_n = n;
	return 0;
}

static struct map_entry *map_find(struct map_entry *ents, size_t n,
				  const __u8 key[16])
{
	struct map_entry probe;

	memcpy(probe.key, key, 16);
	return bsearch(&probe, ents, n, sizeof(*ents), map_entry_cmp);
}

struct close_item {
	const struct g511_grant_rec *rec;
	unsigned int reason;
	uint64_t end_wall;
	struct g511_grant live;
	bool in_map;
};

struct reconcile_stats {
	size_t kept, written, closed, removed, resynced, unfit;
};

static int rec_cmp(const void *a, const void *b)
{
	return client_cmp(&((const struct g511_grant_rec *)a)->client,
			  &((const struct g511_grant_rec *)b)->client);
}

struct recs {
	struct g511_grant_rec *v;
	size_t n, cap;
};

static int recs_add(const struct g511_grant_rec *rec, void *arg)
{
	struct recs *r = arg;

	if (grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
		return -ENOMEM;
	r->v[r->n++] = *rec;
	return 0;
}

/*
 * Make the maps of one kind hold exactly the DB grants recs[0..n) (sorted).
 * Grants found over are appended to closes.
 */
static int reconcile_kind(struct g511_daemon *d, unsigned int kind,
			  const struct g511_grant_rec *recs, size_t n,
			  uint64_t now_wall, uint64_t now_boot,
			  struct close_item *closes, size_t *n_closes,
			  struct reconcile_stats *rs)
{
	unsigned int key_size = client_key_size(kind);
	int fds[G511_MAX_IFACES], nmaps, i, err = 0;
	struct map_entry *dump[G511_MAX_IFACES] = { NULL };
	size_t ndump[G511_MAX_IFACES] = { 0 };
	struct map_batch upd[G511_MAX_IFACES] = { { 0 } };
	struct map_batch del[G511_MAX_IFACES] = { { 0 } };
	size_t k, j;

	nmaps = maps_distinct(d, client_map(kind), fds);
	for (i = 0; i < nmaps; i++) {
		err = map_dump(fds[i], key_size, &dump[i], &ndump[i]);
		if (err) {
			log_warnx("cannot read map %s: %s", map_names[client_map(kind)],
				  strerror(-err));
			goto out;
		}
		qsort(dump[i], ndump[i], sizeof(*dump[i]), map_entry_cmp);
	}

	for (k = 0; k < n; k++) {
		const struct g511_grant_rec *rec = &recs[k];
		struct map_entry *found[G511_MAX_IFACES];
		struct g511_grant target, live;
		bool same[G511_MAX_IFACES], any_same = false;
		uint64_t end_ns;
		unsigned int reason;

		memset(&live, 0, sizeof(live));
		for (i = 0; i < nmaps; i++) {
			found[i] = map_find(dump[i], ndump[i], rec->client.key);
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
				if (found[i]->val.last_seen_ns > live.last_seen_ns)
					live.last_seen_ns = found[i]->val.last_seen_ns;
			}
			any_same = true;
		}

		if (any_same) {
			/* same boot: the map's BOOTTIME deadlines stand */
			reason = grant_over(&live, now_boot, &end_ns);
			if (reason) {
				closes[*n_closes] = (struct close_item){
					.rec = rec, .reason = reason, .live = live,
					.in_map = true,
					.end_wall = g511_boot_ns_to_wall(end_ns),
				};
				(*n_closes)++;
				for (i = 0; i < nmaps; i++)
					if (found[i] && (err = batch_add(&del[i], key_size,
							found[i]->key, NULL)))
						goto out;
				continue;
			}
			target = live;
			target.packets = target.bytes = 0;
			if (live.expires_ns) {
				uint64_t w = g511_boot_ns_to_wall(live.expires_ns);

				if (w > rec->expires_wall + WALL_STEP_S ||
				    w + WALL_STEP_S < rec->expires_wall) {
					state_grant_set_expires(d->state, rec->id, w);
					rs->resynced++;
				}
			}
			rs->kept++;
		} else {
			/* after a reboot: trust the wall clock, within ttl */
			uint64_t expires_ns = 0;

			if (rec->expires_wall) {
				uint64_t remaining;

				if (rec->expires_wall <= now_wall) {
					closes[*n_closes] = (struct close_item){
						.rec = rec, .reason = G511_REASON_EXPIRED,
						.end_wall = rec->expires_wall,
					};
					(*n_closes)++;
					for (i = 0; i < nmaps; i++)
						if (found[i] && (err = batch_add(&del[i],
								key_size, found[i]->key, NULL)))
							goto out;
					continue;
				}
				remaining = rec->expires_wall - now_wall;
				if (rec->ttl_s && remaining > rec->ttl_s)
					remaining = rec->ttl_s;
				expires_ns = now_boot + remaining * NSEC_PER_SEC;
			}
			grant_value(rec, expires_ns, now_boot, &target);
			rs->written++;
		}
		for (i = 0; i < nmaps; i++) {
			if (same[i])
				continue;
			err = batch_add(&upd[i], key_size, rec->client.key, &target);
			if (err)
				goto out;
		}
	}

	for (i = 0; i < nmaps; i++) {
		size_t done;

		for (j = 0; j < ndump[i]; j++) {
			if (dump[i][j].used)
				continue;
			err = batch_add(&del[i], key_size, dump[i][j].key, NULL);
			if (err)
				goto out;
			rs->removed++;
		}
		batch_delete(fds[i], &del[i], key_size);
		done = batch_update(fds[i], &upd[i], key_size, &err);
		if (err) {
			log_warnx("map %s: %zu of %zu grants do not fit: %s",
				  map_names[client_map(kind)], upd[i].n - done,
				  upd[i].n, strerror(-err));
			rs->unfit += upd[i].n - done;
			err = 0;
		}
	}
out:
	for (i = 0; i < G511_MAX_IFACES; i++) {
		free(dump[i]);
		batch_free(&upd[i]);
		batch_free(&del[i]);
	}
	return err;
}

struct map_shape {
	enum map_which which;
	__u32 type, key_size, value_size;
};

static const struct map_shape map_shapes[] = {
	{ MAP_CLIENTS, BPF_MAP_TYPE_HASH, sizeof(struct g511_addr),
	  sizeof(struct g511_grant) },
	{ MAP_MACS, BPF_MAP_TYPE_HASH, sizeof(struct g511_mac),
	  sizeof(struct g511_grant) },
	{ MAP_GARDEN, BPF_MAP_TYPE_LPM_TRIE, sizeof(struct g511_garden_key),
	  sizeof(struct g511_garden_val) },
	{ MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct g511_config) },
	{ MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64) },
};

/* The maps must have the layout of include/gate511.h as this daemon has it. */
static int maps_check(struct g511_daemon *d)
{
	struct bpf_map_info info;
	unsigned int s;
	int i, fd;

	for (i = 0; i < d->n_ifaces; i++) {
		struct g511_maps *m = &d->ifaces[i].maps;

		for (s = 0; s < sizeof(map_shapes) / sizeof(map_shapes[0]); s++) {
			const struct map_shape *ms = &map_shapes[s];

			fd = map_fd(m, ms->which);
			if (fd < 0)
				continue;
			if (map_info(fd, &info)) {
				log_warn("%s: cannot query map %s", d->ifaces[i].name,
					 map_names[ms->which]);
				return -errno;
			}
			if (info.type != ms->type || info.key_size != ms->key_size ||
			    info.value_size != ms->value_size) {
				log_warnx("%s: map %s has type %u key %u value %u, "
					  "expected type %u key %u value %u "
					  "(program and daemon from different builds?)",
					  d->ifaces[i].name, map_names[ms->which],
					  info.type, info.key_size, info.value_size,
					  ms->type, ms->key_size, ms->value_size);
				return -EINVAL;
			}
			if (ms->which == MAP_CLIENTS && !m->clients_max)
				m->clients_max = info.max_entries;
			if (ms->which == MAP_MACS && !m->macs_max)
				m->macs_max = info.max_entries;
		}
	}
	return 0;
}

static void wall_offset_reset(uint64_t now_wall, uint64_t now_boot)
{
	sweep_wall_offset = (int64_t)now_wall - (int64_t)(now_boot / NSEC_PER_SEC);
	sweep_wall_offset_set = true;
}

/* Close sessions in one transaction: history rows, grant rows gone. */
static int close_grants(struct g511_daemon *d, const struct close_item *c,
			size_t n)
{
	struct g511_session_rec s;
	size_t i;
	int err;

	if (!n)
		return 0;
	err = state_begin(d->state);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		session_make(c[i].rec, c[i].in_map ? &c[i].live : NULL,
			     c[i].reason, c[i].end_wall, &s);
		err = state_history_add(d->state, &s);
		if (!err)
			err = state_grant_del(d->state, &c[i].rec->client);
		if (err && err != -ENOENT) {
			state_rollback(d->state);
			return err;
		}
	}
	return state_commit(d->state);
}

int grants_reconcile(struct g511_daemon *d)
{
	uint64_t now_wall, now_boot, t0 = g511_boot_ns();
	struct reconcile_stats rs = { 0 };
	struct close_item *closes = NULL;
	struct recs recs = { 0 };
	size_t n_closes = 0, split;
	int err;

	pthread_mutex_lock(&d->lock);
	err = maps_check(d);
	if (err)
		goto out;
	err = state_grants_foreach(d->state, 0, 0, recs_add, &recs);
	if (err)
		goto out;
	qsort(recs.v, recs.n, sizeof(*recs.v), rec_cmp);
	/* kinds sort apart: addresses (1) first, then MACs (2) */
	for (split = 0; split < recs.n; split++)
		if (recs.v[split].client.kind != G511_CLIENT_ADDR)
			break;
	closes = calloc(recs.n ? recs.n : 1, sizeof(*closes));
	if (!closes) {
		err = -ENOMEM;
		goto out;
	}

	now_wall = g511_wall_s();
	now_boot = g511_boot_ns();
	wall_offset_reset(now_wall, now_boot);
	err = state_begin(d->state);	/* the deadline resyncs */
	if (err)
		goto out;
	err = reconcile_kind(d, G511_CLIENT_ADDR, recs.v, split, now_wall,
			     now_boot, closes, &n_closes, &rs);
	if (!err)
		err = reconcile_kind(d, G511_CLIENT_MAC, recs.v + split,
				     recs.n - split, now_wall, now_boot, closes,
				     &n_closes, &rs);
	if (err) {
		state_rollback(d->state);
		goto out;
	}
	err = state_commit(d->state);
	if (!err)
		err = close_grants(d, closes, n_closes);
	if (err)
		goto out;
	rs.closed = n_closes;
	log_info("restored %zu grants (%zu kept from the maps, %zu written), "
		 "closed %zu, removed %zu unknown map entries, %zu did not fit, "
		 "in %llu ms", rs.kept + rs.written, rs.kept, rs.written,
		 rs.closed, rs.removed, rs.unfit,
		 (unsigned long long)((g511_boot_ns() - t0) / 1000000));
out:
	pthread_mutex_unlock(&d->lock);
	free(closes);
	free(recs.v);
	return err;
}

/* ---------------------------------------------------------------- sweep */

struct sweep_item {
	struct g511_client client;
	__u32 grant_id;
};

static int sweep_kind(struct g511_daemon *d, unsigned int kind,
		      uint64_t now_boot, size_t *n_closed)
{
	unsigned int key_size = client_key_size(kind);
	struct sweep_item *items = NULL;
	struct map_entry *dump = NULL;
	size_t ndump = 0, nitems = 0, i;
	int fds[G511_MAX_IFACES], err;
	bool in_txn = false;

	if (maps_distinct(d, client_map(kind), fds) == 0)
		return 0;
	/* read without the lock: the XDP side writes counters anyway */
	err = map_dump(fds[0], key_size, &dump, &ndump);
	if (err) {
		log_warnx("sweep: cannot read map %s: %s",
			  map_names[client_map(kind)], strerror(-err));
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
		uint64_t now_wall = g511_wall_s(), end_ns;
		struct g511_grant_rec rec;
		struct g511_session_rec s;
		struct g511_grant live;
		struct grant_view v;
		unsigned int reason;
		int ret;

		/* again under the lock: it may have been renewed, or seen */
		view_read(d, &items[i].client, &v);
		if (!view_merge(&v, &live) || live.grant_id != items[i].grant_id)
			continue;
		reason = grant_over(&live, g511_boot_ns(), &end_ns);
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
			uint64_t end_wall = g511_boot_ns_to_wall(end_ns);

			session_make(&rec, &live, reason,
				     end_wall > now_wall ? now_wall : end_wall, &s);
			err = state_history_add(d->state, &s);
			if (!err)
				err = state_grant_del(d->state, &rec.client);
			if (err)
				break;
		}
		/* expired or idle either way: fail closed, delete now */
		view_delete(&v);
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
	pthread_mutex_unlock(&d->lock);
out:
	free(items);
	free(dump);
	return err;
}

int grants_sweep(struct g511_daemon *d)
{
	uint64_t now_wall = g511_wall_s(), now_boot = g511_boot_ns();
	int64_t offset = (int64_t)now_wall - (int64_t)(now_boot / NSEC_PER_SEC);
	size_t closed = 0;
	int err, err2;

	if (!sweep_wall_offset_set) {
		wall_offset_reset(now_wall, now_boot);
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

	err = sweep_kind(d, G511_CLIENT_ADDR, now_boot, &closed);
	err2 = sweep_kind(d, G511_CLIENT_MAC, now_boot, &closed);
	if (closed)
		log_debug("sweep: closed %zu grants", closed);
	return err ? err : err2;
}

/* ---------------------------------------------------------- stats, status */

int grants_stats(struct g511_daemon *d, struct g511_ctl_stats *out)
{
	int fds[G511_MAX_IFACES], nmaps, ncpus, i, c, err = 0;
	__u32 k;
	__u64 *vals;

	memset(out, 0, sizeof(*out));
	out->n = G511_STAT__MAX;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	nmaps = maps_distinct(d, MAP_STATS, fds);
	for (i = 0; i < nmaps; i++) {
		for (k = 0; k < G511_STAT__MAX; k++) {
			err = bpf_map_lookup_elem(fds[i], &k, vals);
			if (err)
				goto out;
			for (c = 0; c < ncpus; c++)
				out->value[k] += vals[c];
		}
	}
out:
	free(vals);
	return err;
}

static unsigned int garden_count_locked(struct g511_daemon *d);

int grants_status(struct g511_daemon *d, struct g511_ctl_status *out)
{
	int i, err;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->lock);
	out->pid = getpid();
	out->started_wall = d->started_wall;
	out->now_wall = g511_wall_s();
	for (i = 0; i < d->n_ifaces && i < G511_CTL_IFACES; i++) {
		snprintf(out->ifaces[i], sizeof(out->ifaces[i]), "%s",
			 d->ifaces[i].name);
		out->n_ifaces++;
	}
	if (d->n_ifaces) {
		out->clients_max = d->ifaces[0].maps.clients_max;
		out->macs_max = d->ifaces[0].maps.macs_max;
	}
	err = state_grants_count(d->state, G511_CLIENT_ADDR, &out->n_clients);
	if (!err)
		err = state_grants_count(d->state, G511_CLIENT_MAC, &out->n_macs);
	out->n_garden = garden_count_locked(d);
	out->default_ttl_s = d->conf.default_ttl_s;
	out->default_idle_s = d->conf.default_idle_s;
	snprintf(out->portal_url, sizeof(out->portal_url), "%s", d->conf.portal_url);
	snprintf(out->state_path, sizeof(out->state_path), "%s", d->conf.state_path);
	snprintf(out->conf_path, sizeof(out->conf_path), "%s",
		 d->conf_path ? d->conf_path : "");
	pthread_mutex_unlock(&d->lock);
	if (d->responder_status)
		d->responder_status(d, out);
	return err;
}

/* --------------------------------------------------------------- garden */

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
		if (i + 1 < gs->n &&
		    !memcmp(&gs->e[i].key, &gs->e[i + 1].key, sizeof(gs->e[i].key)))
			continue;
		gs->e[k++] = gs->e[i];
	}
	gs->n = k;
	return 0;
}

static unsigned int garden_count_locked(struct g511_daemon *d)
{
	struct garden_set gs;
	unsigned int n;

	if (garden_desired(d, &gs))
		return 0;
	n = gs.n;
	free(gs.e);
	return n;
}

static int garden_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct g511_ctl_garden *)a)->key,
		      &((const struct g511_ctl_garden *)b)->key,
		      sizeof(struct g511_garden_key));
}

static int garden_apply_locked(struct g511_daemon *d)
{
	int fds[G511_MAX_IFACES], nmaps, i, err = 0;
	struct g511_garden_key *stale = NULL;
	struct garden_set gs;
	size_t k, nstale, cap = 0;

	err = garden_desired(d, &gs);
	if (err)
		return err;
	nmaps = maps_distinct(d, MAP_GARDEN, fds);
	for (i = 0; i < nmaps; i++) {
		struct g511_garden_key key, next;
		bool first = true;

		/* drop what should not be there first: room for what should */
		nstale = 0;
		while (bpf_map_get_next_key(fds[i], first ? NULL : &key, &next) == 0) {
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
		for (k = 0; k < nstale; k++)
			bpf_map_delete_elem(fds[i], &stale[k]);

		for (k = 0; k < gs.n; k++) {
			err = bpf_map_update_elem(fds[i], &gs.e[k].key, &gs.e[k].val,
						  BPF_ANY);
			if (err) {
				char text[G511_GARDEN_STRLEN];

				err = map_write_err(err);
				garden_format(&gs.e[k].key, &gs.e[k].val, text,
					      sizeof(text));
				log_warnx("map %s: cannot add %s: %s", G511_MAP_GARDEN,
					  text, strerror(-err));
				goto out;
			}
		}
	}
out:
	free(stale);
	free(gs.e);
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
	unsigned int i;

	for (i = 0; i < c->n_garden; i++)
		if (!memcmp(&c->garden[i].key, k, sizeof(*k)))
			return &c->garden[i];
	return NULL;
}

int garden_add(struct g511_daemon *d, const struct g511_garden_entry *e)
{
	int fds[G511_MAX_IFACES], nmaps, i, err;
	struct g511_garden_val old[G511_MAX_IFACES];
	bool had[G511_MAX_IFACES];

	pthread_mutex_lock(&d->lock);
	nmaps = maps_distinct(d, MAP_GARDEN, fds);
	err = state_begin(d->state);
	if (err)
		goto out;
	err = state_garden_put(d->state, e);
	if (err) {
		state_rollback(d->state);
		goto out;
	}
	for (i = 0; i < nmaps; i++) {
		had[i] = bpf_map_lookup_elem(fds[i], &e->key, &old[i]) == 0;
		err = bpf_map_update_elem(fds[i], &e->key, &e->val, BPF_ANY);
		if (err)
			break;
	}
	if (!err)
		err = state_commit(d->state);
	else
		state_rollback(d->state);
	if (err) {
		/* put back maps [0, i) (all of them if the commit failed) */
		int upto = i;

		for (i = 0; i < upto; i++) {
			if (had[i])
				bpf_map_update_elem(fds[i], &e->key, &old[i], BPF_ANY);
			else
				bpf_map_delete_elem(fds[i], &e->key);
		}
		err = map_write_err(err);
	}
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

int garden_del(struct g511_daemon *d, const struct g511_garden_key *key)
{
	int fds[G511_MAX_IFACES], nmaps, i, err;
	const struct g511_garden_entry *conf_e;

	pthread_mutex_lock(&d->lock);
	conf_e = conf_garden_find(&d->conf, key);
	err = state_garden_del(d->state, key);
	if (err == -ENOENT && conf_e)
		err = -EPERM;
	if (err)
		goto out;
	nmaps = maps_distinct(d, MAP_GARDEN, fds);
	for (i = 0; i < nmaps; i++) {
		/* a config entry under it comes back into force */
		if (conf_e)
			bpf_map_update_elem(fds[i], key, &conf_e->val, BPF_ANY);
		else
			bpf_map_delete_elem(fds[i], key);
	}
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

int garden_list(struct g511_daemon *d, struct g511_ctl_garden **out,
		unsigned int *n)
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

/* --------------------------------------------------------------- config */

static int config_apply_locked(struct g511_daemon *d)
{
	int fds[G511_MAX_IFACES], nmaps, i, err;
	__u32 zero = 0;

	nmaps = maps_distinct(d, MAP_CONFIG, fds);
	for (i = 0; i < nmaps; i++) {
		err = bpf_map_update_elem(fds[i], &zero, &d->conf.xdp, BPF_ANY);
		if (err) {
			log_warnx("cannot write map %s: %s", G511_MAP_CONFIG,
				  strerror(-err));
			return err;
		}
	}
	return 0;
}

int config_apply(struct g511_daemon *d)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = config_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int config_replace(struct g511_daemon *d, const struct g511_conf *next)
{
	struct g511_conf *conf;
	int err;

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
	memcpy(&d->conf, conf, sizeof(*conf));
	err = config_apply_locked(d);
	if (!err)
		err = garden_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	free(conf);
	return err;
}

int config_reload(struct g511_daemon *d)
{
	struct g511_conf *conf;
	char err_text[256];
	int err;

	if (!d->conf_path)
		return -ENOENT;
	conf = malloc(sizeof(*conf));
	if (!conf)
		return -ENOMEM;
	err = conf_load(conf, d->conf_path, err_text, sizeof(err_text));
	if (err) {
		log_warnx("%s: %s; keeping the running config", d->conf_path,
			  err_text);
		free(conf);
		return err;
	}
	err = config_replace(d, conf);
	free(conf);
	if (!err)
		log_info("%s: reloaded", d->conf_path);
	return err;
}
