/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps.h - gate511d's layer over the BPF maps: the distinct maps of the
 * interfaces (one pinned set shared by several attach points, or one set
 * per program), the grant of one client over all of them, whole-map dumps
 * and batch writes, and the one "write, put back on failure" log that every
 * writer uses (struct map_txn).
 *
 * Callers hold daemon->lock for anything that writes.
 */
#ifndef GATE511D_MAPS_H
#define GATE511D_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include "addr.h"
#include "daemon.h"


/* The fds of the distinct maps of one id over all ifaces. */
struct map_set {
	int n;
	int fds[G511_MAX_IFACES];
};

void maps_distinct(struct g511_daemon *d, enum g511_map_id id, struct map_set *set);
/* ENOSPC for a full map, whatever the map type says (E2BIG for arrays). */
int map_write_err(int err);

/* The map and key of a client: g511_clients by address, g511_macs by MAC. */
union client_key {
	struct g511_addr addr;
	struct g511_mac mac;
};

enum g511_map_id client_map_id(unsigned int kind);
unsigned int client_key_size(unsigned int kind);
void client_key(const struct g511_client *c, union client_key *k);

/*
 * The put-back log. Every map write made on the way to a commit is
 * recorded with what the map held before; if the DB transaction (or a
 * later write) fails, map_txn_rollback() puts every entry back, newest
 * first, so a key written twice ends as it was before both. A put-back
 * that fails is logged and counted: the caller learns the maps and the
 * DB may now disagree, and says so (a restart reconciles them).
 */
struct map_txn_ent {
	int fd;
	__u8 key[sizeof(struct g511_garden_key)];	/* the largest key */
	__u8 key_size;
	bool had;		/* the map held key before: old value in pool */
	__u32 val_size;
	size_t val_off;
};

struct map_txn {
	struct map_txn_ent *e;
	size_t n, cap;
	__u8 *pool;
	size_t pool_n, pool_cap;
};

/* Record the old state of fd[key] (had, old) without writing anything. */
int map_txn_note(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		 bool had, const void *old, unsigned int val_size);
/* Look up the old value, record it, then update (flags as bpf) or delete. */
int map_txn_update(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		   const void *val, unsigned int val_size);
int map_txn_delete(struct map_txn *t, int fd, const void *key, unsigned int key_size,
		   unsigned int val_size);
/* Put back everything recorded; returns how many put-backs failed. */
unsigned int map_txn_rollback(struct map_txn *t);
void map_txn_free(struct map_txn *t);

struct g511_state;
/*
 * The end of every writer's transaction: err == 0 commits the state DB
 * (durable when it returns), anything else, or a failed commit, puts the
 * maps back and rolls the DB back. Frees t; returns the outcome, a full
 * map as -ENOSPC.
 */
int map_txn_finish(struct g511_state *st, struct map_txn *t, int err);

/*
 * One client's grant over every distinct map. view_read() fills old[]
 * from the maps; view_merge() gives one value (deadlines of the first map
 * that has it, counters summed, the freshest last-seen).
 */
struct grant_view {
	int n;
	int fds[G511_MAX_IFACES];
	bool had[G511_MAX_IFACES];
	struct g511_grant old[G511_MAX_IFACES];
	union client_key key;
	unsigned int key_size;
};

/* The maps a client's grant lives in, fetched once per request. */
struct client_maps {
	struct map_set set[2];		/* [0] addresses, [1] MACs */
};

void client_maps_get(struct g511_daemon *d, struct client_maps *cm);
void view_init(const struct client_maps *cm, const struct g511_client *c,
	       struct grant_view *v);
void view_lookup(struct grant_view *v);
void view_read(struct g511_daemon *d, const struct g511_client *c, struct grant_view *v);
bool view_merge(const struct grant_view *v, struct g511_grant *sum);
/*
 * Write val into every map, recording the old entries in t. A map not
 * known to hold the client gets BPF_NOEXIST; if it held it after all, the
 * old value is read for putting back, then replaced. On failure the
 * writes of this call are put back (the rest of t is the caller's).
 */
int view_write(struct grant_view *v, const struct g511_grant *val, struct map_txn *t);
/* Delete from every map that had it, recording the old entries in t. */
int view_delete(struct grant_view *v, struct map_txn *t);

/* ------------------------------------------------ whole maps, batches */

struct map_entry {
	__u8 key[16];		/* the client key, zero-padded (MAC: 6 + 10) */
	struct g511_grant val;
	bool used;		/* matched a DB grant (reconcile) */
};

int map_entry_cmp(const void *a, const void *b);
/* Every entry of a grant map (hash of key_size -> struct g511_grant). */
int map_dump(int fd, unsigned int key_size, struct map_entry **out, size_t *out_n);

/* Writes (or deletes, vals NULL) for one map, made in a few batch calls. */
struct map_batch {
	__u8 *keys;
	struct g511_grant *vals;
	size_t n, cap;
};

int batch_add(struct map_batch *b, unsigned int key_size, const void *key,
	      const struct g511_grant *val);
void batch_free(struct map_batch *b);
/* Update in batches (single updates without batch support): entries done. */
size_t batch_update(int fd, const struct map_batch *b, unsigned int key_size, int *errp);
/* Returns how many deletes failed for another reason than ENOENT. */
unsigned int batch_delete(int fd, const struct map_batch *b, unsigned int key_size);

/* Grow *p (of *cap elements of size) to hold need; -ENOMEM. */
int grow(void **p, size_t *cap, size_t need, size_t size);

#endif /* GATE511D_MAPS_H */
