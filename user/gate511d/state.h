/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - gate511d's state database (SQLite, WAL): the grants in force,
 * the history of closed sessions (accounting), and the walled-garden
 * entries added at run time. The maps are rebuilt from it at start.
 *
 * Not thread-safe by itself: callers hold daemon->lock (daemon.h). Every
 * function returns 0 or -errno and logs its own failure once.
 */
#ifndef GATE511D_STATE_H
#define GATE511D_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "addr.h"
#include "conf.h"
#include "ctl_proto.h"

struct g511_state;

/* A grant in force (table grants). */
struct g511_grant_rec {
	uint32_t id;		/* row id; the map's grant_id */
	struct g511_client client;
	bool mac_bound;
	uint8_t mac[6];
	uint64_t created_wall;	/* wall seconds */
	uint64_t expires_wall;	/* wall seconds, 0 = no deadline */
	uint64_t ttl_s;		/* session length granted, 0 = none */
	uint64_t idle_s;	/* idle timeout, 0 = none */
	/* schema v2 (phase 2); zero/empty in grants migrated from v1 */
	uint64_t quota_bytes;	/* both directions, 0 = none */
	uint64_t rate_up_bps;	/* 0 = unlimited */
	uint64_t rate_down_bps;
	unsigned int origin;	/* enum g511_origin (ctl_proto.h) */
	char user[G511_USER_LEN];
	uint8_t class[G511_CLASS_MAX];	/* RADIUS Class, opaque */
	unsigned int class_len;
	char acct_session_id[G511_ACCT_ID_LEN];
};

/* A closed session (table sessions). */
struct g511_session_rec {
	uint64_t id;		/* row id, for paging */
	uint32_t grant_id;
	struct g511_client client;
	bool mac_bound;
	uint8_t mac[6];
	uint64_t start_wall;
	uint64_t end_wall;
	unsigned int reason;	/* enum g511_close_reason (ctl_proto.h) */
	uint64_t packets;	/* upload */
	uint64_t bytes;		/* upload */
	/* schema v2 */
	uint64_t packets_down;
	uint64_t bytes_down;
	unsigned int origin;	/* enum g511_origin */
	char user[G511_USER_LEN];
	uint8_t class[G511_CLASS_MAX];
	unsigned int class_len;
	char acct_session_id[G511_ACCT_ID_LEN];
};

/* Callbacks return 0 to go on; anything else stops and is returned. */
typedef int (*state_grant_fn)(const struct g511_grant_rec *rec, void *ctx);
typedef int (*state_session_fn)(const struct g511_session_rec *rec, void *ctx);
typedef int (*state_garden_fn)(const struct g511_garden_entry *e, void *ctx);

/*
 * Open (create, migrate) the database at path; creates its directory.
 * -EBADMSG if PRAGMA quick_check finds the file corrupt (or it is not a
 * database), -EPROTONOSUPPORT if its schema is newer than this code or it
 * holds tables but no schema version.
 */
int state_open(const char *path, struct g511_state **stp);
void state_close(struct g511_state *st);

/*
 * True if this state_open found no schema (a missing or empty file) and
 * created it, or found a database that holds nothing (no grant, no
 * session) and was never settled against the maps (state_mark_settled()).
 */
bool state_is_fresh(const struct g511_state *st);
/* The daemon has brought the maps in line with this database once. */
int state_mark_settled(struct g511_state *st);

/*
 * The box id, generated once when the database was created or migrated to
 * schema v2: 36 characters in UUID form ("xxxxxxxx-xxxx-4xxx-yxxx-..."),
 * NUL-terminated. -ENOENT if the database holds none.
 */
#define STATE_BOX_ID_LEN	37
int state_box_id(const struct g511_state *st, char out[STATE_BOX_ID_LEN]);
/* The box id was made by this open (a migration from before box ids): it
 * cannot have filled any maps yet, so it proves nothing either way. */
bool state_box_id_new(const struct g511_state *st);

/*
 * One transaction (BEGIN IMMEDIATE ... COMMIT); not nested. Outside one,
 * every call below is its own transaction. state_commit() returns when the
 * commit is durable (synchronous=FULL); on failure the transaction is rolled
 * back and the error returned.
 */
int state_begin(struct g511_state *st);
int state_commit(struct g511_state *st);
void state_rollback(struct g511_state *st);
bool state_in_transaction(const struct g511_state *st);

/*
 * SQLite's reason for the last failure ("database or disk is full"), or
 * NULL if nothing failed since state_error_clear() (state_begin() clears
 * it too). For the caller's reply: the errno alone says too little.
 */
#define STATE_ERROR_LEN		128
void state_error_clear(struct g511_state *st);
const char *state_error(const struct g511_state *st);

/* Insert rec, replacing the grant of the same client; sets rec->id. */
int state_grant_put(struct g511_state *st, struct g511_grant_rec *rec);
/* -ENOENT if the client holds no grant. */
int state_grant_get(struct g511_state *st, const struct g511_client *client,
		    struct g511_grant_rec *rec);
int state_grant_del(struct g511_state *st, const struct g511_client *client);
int state_grant_set_expires(struct g511_state *st, uint32_t id,
			    uint64_t expires_wall);
/* Move every deadline by delta seconds (after a wall-clock step). */
int state_grants_shift_expiry(struct g511_state *st, int64_t delta_s);
/* Grants with id > after_id in id order, at most limit (0 = all). */
int state_grants_foreach(struct g511_state *st, uint32_t after_id,
			 unsigned int limit, state_grant_fn fn, void *ctx);
/* kind 0 = all */
int state_grants_count(struct g511_state *st, unsigned int kind,
		       uint32_t *count);
/* Grants in force by kind (G511_CLIENT_ADDR/_MAC) and origin; read only. */
int state_grants_tally(struct g511_state *st,
		       uint32_t count[G511_CLIENT_MAC + 1][G511_ORIGIN__MAX]);

int state_history_add(struct g511_state *st, const struct g511_session_rec *s);
/* Sessions with id > after_id (of filter's client, if filter), id order. */
int state_history_foreach(struct g511_state *st,
			  const struct g511_client *filter, uint64_t after_id,
			  unsigned int limit, state_session_fn fn, void *ctx);

/* Insert or replace the entry of the same prefix. */
int state_garden_put(struct g511_state *st, const struct g511_garden_entry *e);
/* -ENOENT if absent. */
int state_garden_del(struct g511_state *st, const struct g511_garden_key *key);
int state_garden_foreach(struct g511_state *st, state_garden_fn fn, void *ctx);

#endif /* GATE511D_STATE_H */
