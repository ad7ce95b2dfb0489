// SPDX-License-Identifier: GPL-2.0
/*
 * maps.c - gate511d's layer over the BPF maps (maps.h): distinct maps,
 * the grant of one client over all of them, dumps, batches, and the
 * put-back log every writer goes through.
 *
 * The maps may be shared between ifaces (one pinned map, several attach
 * points) or not (one program per iface): every write goes to each distinct
 * map (distinct by map id), counters are summed over them and last-seen is
 * the freshest of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "latency.h"
#include "log.h"
#include "maps.h"
#include "state.h"

#define DUMP_CHUNK	4096
#define ENOTSUPP_	524	/* kernel-internal ENOTSUPP, seen by user space */

int grow(void **p, size_t *cap, size_t need, size_t size)
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

void maps_distinct(struct g511_daemon *d, enum g511_map_id id, struct map_set *set)
{
	__u32 ids[G511_MAX_IFACES];

	set->n = 0;
	for (int i = 0; i < d->n_ifaces && i < G511_MAX_IFACES; i++) {
		const struct g511_maps *m = &d->ifaces[i].maps;
		int fd = m->fd[id];
		bool dup = false;

		if (fd < 0)
			continue;
		for (int j = 0; j < set->n; j++)
			if (set->fds[j] == fd || (m->id[id] && ids[j] == m->id[id]))
				dup = true;
		if (dup)
			continue;
		ids[set->n] = m->id[id];
		set->fds[set->n++] = fd;
	}
}

int map_write_err(int err)
{
	return err == -E2BIG || err == -ENOSPC ? -ENOSPC : err;
}

enum g511_map_id client_map_id(unsigned int kind)
{
	return kind == G511_CLIENT_MAC ? G511_MAP_ID_MACS : G511_MAP_ID_CLIENTS;
}

unsigned int client_key_size(unsigned int kind)
{
	return kind == G511_CLIENT_MAC ? sizeof(struct g511_mac) : sizeof(struct g511_addr);
}

void client_key(const struct g511_client *c, union client_key *k)
{
	memset(k, 0, sizeof(*k));
	if (c->kind == G511_CLIENT_MAC)
		memcpy(k->mac.mac, c->key, 6);
	else
		memcpy(k->addr.addr, c->key, 16);
}

/* ------------------------------------------------------------ map_txn */

int map_txn_note(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		 bool had, const void *old, unsigned int val_size)
{
	struct map_txn_ent *e;
	int err;

	if (key_size > sizeof(e->key))
		return -EINVAL;
	err = grow((void **)&t->e, &t->cap, t->n + 1, sizeof(*t->e));
	if (!err && had)
		err = grow((void **)&t->pool, &t->pool_cap, t->pool_n + val_size, 1);
	if (err)
		return err;
	e = &t->e[t->n++];
	e->fd = fd;
	memcpy(e->key, key, key_size);
	e->key_size = key_size;
	e->had = had;
	e->val_size = val_size;
	e->val_off = t->pool_n;
	if (had) {
		memcpy(t->pool + t->pool_n, old, val_size);
		t->pool_n += val_size;
	}
	return 0;
}

/* The old value of fd[key] into buf: 1 found, 0 absent, -errno. */
static int txn_lookup(int fd, const void *key, void *buf)
{
	int err = bpf_map_lookup_elem(fd, key, buf);

	if (!err)
		return 1;
	return err == -ENOENT ? 0 : err;
}

/* A write went through but cannot be recorded: undo it at once. */
static void txn_undo_one(int fd, const void *key, int had, const void *old)
{
	if (had)
		bpf_map_update_elem(fd, key, old, BPF_ANY);
	else
		bpf_map_delete_elem(fd, key);
}

int map_txn_update(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		   const void *val, unsigned int val_size)
{
	__u8 old[sizeof(struct g511_config)];
	int had, err;

	if (val_size > sizeof(old))
		return -EINVAL;
	had = txn_lookup(fd, key, old);
	if (had < 0)
		return had;
	err = bpf_map_update_elem(fd, key, val, BPF_ANY);
	if (err)
		return map_write_err(err);	/* nothing changed */
	err = map_txn_note(t, fd, key, key_size, had, old, val_size);
	if (err)
		txn_undo_one(fd, key, had, old);
	return err;
}

int map_txn_delete(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		   unsigned int val_size)
{
	__u8 old[sizeof(struct g511_config)];
	int had, err;

	if (val_size > sizeof(old))
		return -EINVAL;
	had = txn_lookup(fd, key, old);
	if (had <= 0)
		return had;
	err = bpf_map_delete_elem(fd, key);
	if (err)
		return err == -ENOENT ? 0 : err;
	err = map_txn_note(t, fd, key, key_size, true, old, val_size);
	if (err)
		txn_undo_one(fd, key, true, old);
	return err;
}

/* Put back entries [from, t->n), newest first. */
static unsigned int txn_rollback_from(struct map_txn *t, size_t from)
{
	unsigned int failed = 0;
	int first_err = 0;

	while (t->n > from) {
		const struct map_txn_ent *e = &t->e[--t->n];
		int err;

		if (e->had)
			err = bpf_map_update_elem(e->fd, e->key, t->pool + e->val_off,
						  BPF_ANY);
		else
			err = bpf_map_delete_elem(e->fd, e->key);
		if (err && !(err == -ENOENT && !e->had)) {
			if (!failed)
				first_err = err;
			failed++;
		}
		if (e->had)
			t->pool_n = e->val_off;
	}
	if (failed)
		log_warnx("cannot put %u map entr%s back: %s; the maps and the state "
			  "database may disagree until gate511d restarts", failed,
			  failed == 1 ? "y" : "ies", strerror(-first_err));
	return failed;
}

unsigned int map_txn_rollback(struct map_txn *t)
{
	return txn_rollback_from(t, 0);
}

void map_txn_free(struct map_txn *t)
{
	free(t->e);
	free(t->pool);
	memset(t, 0, sizeof(*t));
}

int map_txn_finish(struct g511_state *st, struct map_txn *t, int err)
{
	if (!err) {
		uint64_t t0 = latency_now_ns();

		err = state_commit(st);		/* rolls back itself on failure */
		latency_since(&g511_lat_commit, t0);
		if (err)
			map_txn_rollback(t);
	} else {
		map_txn_rollback(t);
		if (state_in_transaction(st))
			state_rollback(st);
	}
	map_txn_free(t);
	return map_write_err(err);
}

/* --------------------------------------------------------- grant view */

void client_maps_get(struct g511_daemon *d, struct client_maps *cm)
{
	maps_distinct(d, G511_MAP_ID_CLIENTS, &cm->set[0]);
	maps_distinct(d, G511_MAP_ID_MACS, &cm->set[1]);
}

void view_init(const struct client_maps *cm, const struct g511_client *c,
	       struct grant_view *v)
{
	const struct map_set *s = &cm->set[c->kind == G511_CLIENT_MAC];

	client_key(c, &v->key);
	v->key_size = client_key_size(c->kind);
	v->n = s->n;
	memcpy(v->fds, s->fds, sizeof(v->fds));
	memset(v->had, 0, sizeof(v->had));
}

void view_lookup(struct grant_view *v)
{
	for (int i = 0; i < v->n; i++)
		v->had[i] = bpf_map_lookup_elem(v->fds[i], &v->key, &v->old[i]) == 0;
}

void view_read(struct g511_daemon *d, const struct g511_client *c, struct grant_view *v)
{
	struct client_maps cm;

	client_maps_get(d, &cm);
	view_init(&cm, c, v);
	view_lookup(v);
}

bool view_merge(const struct grant_view *v, struct g511_grant *sum)
{
	bool found = false;

	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < v->n; i++) {
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
		sum->packets_down += g->packets_down;
		sum->bytes_down += g->bytes_down;
		if (g->last_seen_ns > sum->last_seen_ns)
			sum->last_seen_ns = g->last_seen_ns;
	}
	return found;
}

int view_write(struct grant_view *v, const struct g511_grant *val, struct map_txn *t)
{
	size_t mark = t->n;
	int err = 0;

	for (int i = 0; i < v->n && !err; i++) {
		err = bpf_map_update_elem(v->fds[i], &v->key, val,
					  v->had[i] ? BPF_ANY : BPF_NOEXIST);
		if (err == -EEXIST && !v->had[i]) {
			v->had[i] = bpf_map_lookup_elem(v->fds[i], &v->key,
							&v->old[i]) == 0;
			err = bpf_map_update_elem(v->fds[i], &v->key, val, BPF_ANY);
		}
		if (err)
			break;
		err = map_txn_note(t, v->fds[i], &v->key, v->key_size, v->had[i],
				   &v->old[i], sizeof(v->old[i]));
		if (err)
			txn_undo_one(v->fds[i], &v->key, v->had[i], &v->old[i]);
	}
	if (err) {
		txn_rollback_from(t, mark);
		return map_write_err(err);
	}
	return 0;
}

int view_delete(struct grant_view *v, struct map_txn *t)
{
	for (int i = 0; i < v->n; i++) {
		int err;

		if (!v->had[i])
			continue;
		err = map_txn_note(t, v->fds[i], &v->key, v->key_size, true, &v->old[i],
				   sizeof(v->old[i]));
		if (err)
			return err;
		err = bpf_map_delete_elem(v->fds[i], &v->key);
		if (err && err != -ENOENT) {
			log_warnx("cannot delete a map entry: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

/* ------------------------------------------------------ dumps, batches */

int map_entry_cmp(const void *a, const void *b)
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

int map_dump(int fd, unsigned int key_size, struct map_entry **out, size_t *out_n)
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
				      err == -ENOTSUPP_)) {
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

int batch_add(struct map_batch *b, unsigned int key_size, const void *key,
	      const struct g511_grant *val)
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

void batch_free(struct map_batch *b)
{
	free(b->keys);
	free(b->vals);
	memset(b, 0, sizeof(*b));
}

size_t batch_update(int fd, const struct map_batch *b, unsigned int key_size, int *errp)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t done = 0;
	int err = 0;

	while (done < b->n) {
		__u32 count = b->n - done > 65536 ? 65536 : b->n - done;

		err = bpf_map_update_batch(fd, b->keys + done * key_size,
					   b->vals + done, &count, &opts);
		done += count;
		if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP_) {
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

unsigned int batch_delete(int fd, const struct map_batch *b, unsigned int key_size)
{
	unsigned int failed = 0;

	for (size_t i = 0; i < b->n; i++) {
		int err = bpf_map_delete_elem(fd, b->keys + i * key_size);

		if (err && err != -ENOENT)
			failed++;
	}
	return failed;
}
