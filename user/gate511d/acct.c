// SPDX-License-Identifier: GPL-2.0
/*
 * acct.c - durable RADIUS accounting (radius.h).
 *
 * Durable before sent: a record is a row of acct_queue (schema v3) written
 * inside the very transaction that makes the event true. The state DB
 * hooks (state.h) run when a grant row is written (a new accounted
 * session: a row in acct_sessions and a Start) and when a session is
 * recorded as closed (a Stop with the cause its close reason maps to), so
 * every path that grants or closes - the CLI, import, login, CoA and
 * Disconnect, the sweep, the reconcile at start, a journalled revocation
 * replayed - queues its record without knowing about RADIUS, and a grant
 * that rolls back takes its record with it. The attributes are encoded
 * when the event happens; sending adds only Acct-Delay-Time and the
 * Message-Authenticator.
 *
 * Sent exactly once per event: one thread sends the queue head, in id
 * order, one record at a time (a Start is never overtaken by its Stop),
 * and deletes the row only when a genuine Accounting-Response came back.
 * Retransmissions of one send are the same bytes with the same
 * identifier; after a round that got no answer (the server is down) the
 * record is re-encoded with the Acct-Delay-Time of then, which RFC 2866
 * 5.2 says makes it a new request, so it gets a new identifier. A kill -9
 * between the server's answer and the delete sends that record again
 * after the restart: the one case in which a server can see a record
 * twice (same Acct-Session-Id, Status-Type and Event-Timestamp, which a
 * server can deduplicate on).
 *
 * Nothing here blocks a grant: the hooks only insert rows; the network
 * is the sender thread's, which takes daemon->lock only for the short
 * reads and deletes of the queue. Interim-Updates are queued by the same
 * thread (at most one waiting per session; none while the queue holds
 * more than ACCT_QUEUE_SOFT_MAX records, so an outage costs a bounded
 * queue, never a refused grant).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "log.h"
#include "maps.h"
#include "radius.h"
#include "state.h"

#define ACCT_QUEUE_SOFT_MAX	100000
#define ACCT_BACKOFF_MAX_S	8
#define ACCT_INTERIM_BATCH	256

struct radius_acct {
	struct g511_radius *r;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool kick;		/* a record was queued */
	uint8_t next_id;
	char on_id[24];		/* Acct-Session-Id of Accounting-On/Off */
};

/* What one record says. */
struct acct_event {
	unsigned int status;	/* enum rad_acct_status */
	const char *sid;
	const char *user;
	const struct g511_client *client;	/* NULL for On/Off */
	bool mac_bound;
	const uint8_t *mac;
	const uint8_t *class;
	unsigned int class_len;
	uint64_t event_wall, start_wall;
	uint64_t bytes_in, bytes_out, packets_in, packets_out;	/* from the client: upload */
	unsigned int cause;	/* Stop */
};

static unsigned int term_cause(unsigned int reason)
{
	switch (reason) {
	case G511_REASON_EXPIRED:
	case G511_REASON_QUOTA:
		return RAD_TERM_SESSION_TIMEOUT;
	case G511_REASON_IDLE:
		return RAD_TERM_IDLE_TIMEOUT;
	case G511_REASON_REVOKED:
	case G511_REASON_DISCONNECTED:
		return RAD_TERM_ADMIN_RESET;
	case G511_REASON_REPLACED:
		return RAD_TERM_USER_REQUEST;	/* logged in again */
	default:
		return RAD_TERM_NAS_REQUEST;
	}
}

static int add_octets(struct rad_packet *p, uint8_t lo, uint8_t hi, uint64_t v)
{
	int err = rad_add_u32(p, lo, (uint32_t)v);

	if (!err && v >> 32)
		err = rad_add_u32(p, hi, (uint32_t)(v >> 32));
	return err;
}

/* The attributes of ev (no Acct-Delay-Time, no Message-Authenticator). */
static int event_encode(struct g511_radius *r, const struct acct_event *ev,
			struct rad_packet *p)
{
	int err;

	rad_init(p, RAD_ACCT_REQUEST, 0, NULL);
	err = rad_add_u32(p, RAD_ACCT_STATUS_TYPE, ev->status);
	if (!err)
		err = rad_add_str(p, RAD_ACCT_SESSION_ID, ev->sid);
	if (!err && ev->user && ev->user[0])
		err = rad_add_str(p, RAD_USER_NAME, ev->user);
	if (!err)
		err = radius_add_nas(r, p);
	if (!err && ev->client)
		err = radius_add_client(r, p, ev->client, ev->mac_bound, ev->mac);
	if (!err && ev->class_len)
		err = rad_add(p, RAD_CLASS, ev->class, ev->class_len);
	if (!err)
		err = rad_add_u32(p, RAD_EVENT_TIMESTAMP, (uint32_t)ev->event_wall);
	if (!err && (ev->status == RAD_ACCT_STOP || ev->status == RAD_ACCT_INTERIM)) {
		uint64_t t = ev->event_wall > ev->start_wall ? ev->event_wall - ev->start_wall : 0;

		err = rad_add_u32(p, RAD_ACCT_SESSION_TIME, (uint32_t)t);
		if (!err)
			err = add_octets(p, RAD_ACCT_INPUT_OCTETS, RAD_ACCT_INPUT_GIGAWORDS,
					 ev->bytes_in);
		if (!err)
			err = add_octets(p, RAD_ACCT_OUTPUT_OCTETS, RAD_ACCT_OUTPUT_GIGAWORDS,
					 ev->bytes_out);
		if (!err)
			err = rad_add_u32(p, RAD_ACCT_INPUT_PACKETS, (uint32_t)ev->packets_in);
		if (!err)
			err = rad_add_u32(p, RAD_ACCT_OUTPUT_PACKETS, (uint32_t)ev->packets_out);
	}
	if (!err && ev->status == RAD_ACCT_STOP)
		err = rad_add_u32(p, RAD_ACCT_TERMINATE_CAUSE, ev->cause);
	return err;
}

static int sql_fail(struct g511_state *st, int rc, const char *what)
{
	return state_note_failure(st, rc, what);
}

/* Queue ev, in the caller's transaction (or its own). */
static int queue_put(struct radius_acct *a, struct g511_state *st, const struct acct_event *ev)
{
	sqlite3 *db = state_sqlite(st);
	struct rad_packet p;
	sqlite3_stmt *s = NULL;
	int rc, err;

	err = event_encode(a->r, ev, &p);
	if (err) {
		log_warnx("accounting: cannot encode a record of %s: %s", ev->sid,
			  strerror(-err));
		return err;
	}
	rc = sqlite3_prepare_v2(db, "INSERT INTO acct_queue (status, acct_session_id, event,"
				" attrs) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 1, ev->status);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, ev->sid, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, (sqlite3_int64)ev->event_wall);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(s, 4, p.buf + RAD_HDR_LEN, p.len - RAD_HDR_LEN,
				       SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	err = rc == SQLITE_DONE ? 0 : sql_fail(st, rc, "queue an accounting record");
	sqlite3_finalize(s);
	if (!err) {
		pthread_mutex_lock(&a->mu);
		a->kick = true;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
	return err;
}

/* One statement with text ?1 (and optionally more), returning changes(). */
static int exec_sid(struct g511_state *st, const char *sql, const char *sid,
		    const struct g511_client *c, int64_t now, int *changes)
{
	sqlite3 *db = state_sqlite(st);
	sqlite3_stmt *s = NULL;
	int rc, err;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, sid, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && c) {
		rc = sqlite3_bind_int(s, 2, c->kind);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_blob(s, 3, c->key, 16, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 4, now);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	err = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sql_fail(st, rc, sql);
	if (changes)
		*changes = rc == SQLITE_ROW ? 1 : sqlite3_changes(db);
	sqlite3_finalize(s);
	return err;
}

static int hook_grant_put(void *ctx, struct g511_state *st, struct g511_grant_rec *rec)
{
	struct radius_acct *a = ctx;
	struct acct_event ev;
	char id[17];
	int err, n = 0;

	if (rec->origin != G511_ORIGIN_RADIUS && rec->origin != G511_ORIGIN_COA &&
	    !a->r->conf.acct_all)
		return 0;
	if (!rec->acct_session_id[0]) {
		/* acct_all: a grant of another writer gets its session id here */
		err = radius_session_id(id);
		if (err)
			return err;
		snprintf(rec->acct_session_id, sizeof(rec->acct_session_id), "%s", id);
	}
	err = exec_sid(st, "INSERT OR IGNORE INTO acct_sessions (acct_session_id, kind, key,"
		       " interim, last_interim) VALUES (?1, ?2, ?3, 0, ?4)",
		       rec->acct_session_id, &rec->client, (int64_t)rec->created_wall, &n);
	if (err || n == 0)	/* a change to a session already started (CoA) */
		return err;
	memset(&ev, 0, sizeof(ev));
	ev.status = RAD_ACCT_START;
	ev.sid = rec->acct_session_id;
	ev.user = rec->user;
	ev.client = &rec->client;
	ev.mac_bound = rec->mac_bound;
	ev.mac = rec->mac;
	ev.class = rec->class;
	ev.class_len = rec->class_len;
	ev.event_wall = ev.start_wall = rec->created_wall;
	return queue_put(a, st, &ev);
}

static int hook_session_closed(void *ctx, struct g511_state *st,
			       const struct g511_session_rec *s)
{
	struct radius_acct *a = ctx;
	struct acct_event ev;
	int err, n = 0;

	if (!s->acct_session_id[0])
		return 0;
	err = exec_sid(st, "DELETE FROM acct_sessions WHERE acct_session_id = ?1",
		       s->acct_session_id, NULL, 0, &n);
	if (err || n == 0)	/* never started: not accounted */
		return err;
	memset(&ev, 0, sizeof(ev));
	ev.status = RAD_ACCT_STOP;
	ev.sid = s->acct_session_id;
	ev.user = s->user;
	ev.client = &s->client;
	ev.mac_bound = s->mac_bound;
	ev.mac = s->mac;
	ev.class = s->class;
	ev.class_len = s->class_len;
	ev.event_wall = s->end_wall;
	ev.start_wall = s->start_wall;
	ev.bytes_in = s->bytes;
	ev.packets_in = s->packets;
	ev.bytes_out = s->bytes_down;
	ev.packets_out = s->packets_down;
	ev.cause = term_cause(s->reason);
	return queue_put(a, st, &ev);
}

int acct_init(struct g511_radius *r)
{
	struct radius_acct *a;
	struct state_hooks h;
	char id[17];

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->r = r;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (radius_session_id(id) == 0)
		snprintf(a->on_id, sizeof(a->on_id), "ON-%s", id);
	a->next_id = (uint8_t)id[0];
	r->acct = a;
	h.grant_put = hook_grant_put;
	h.session_closed = hook_session_closed;
	h.ctx = a;
	state_set_hooks(r->d->state, &h);
	return 0;
}

void acct_free(struct g511_radius *r)
{
	struct radius_acct *a = r->acct;

	if (!a)
		return;
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
	r->acct = NULL;
}

/* Accounting-On / -Off, committed on its own (under daemon->lock). */
static int queue_onoff(struct radius_acct *a, unsigned int status)
{
	struct g511_daemon *d = a->r->d;
	struct acct_event ev;
	int err;

	memset(&ev, 0, sizeof(ev));
	ev.status = status;
	ev.sid = a->on_id;
	ev.event_wall = g511_wall_s();
	pthread_mutex_lock(&d->lock);
	err = queue_put(a, d->state, &ev);
	pthread_mutex_unlock(&d->lock);
	return err;
}

void acct_set_interval(struct g511_radius *r, const char *sid, uint64_t interim_s)
{
	struct g511_daemon *d = r->d;
	sqlite3_stmt *s = NULL;

	if (!interim_s)
		return;
	pthread_mutex_lock(&d->lock);
	if (sqlite3_prepare_v2(state_sqlite(d->state), "UPDATE acct_sessions SET interim = ?2"
			       " WHERE acct_session_id = ?1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(s, 1, sid, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 2, (sqlite3_int64)interim_s) == SQLITE_OK)
		sqlite3_step(s);
	sqlite3_finalize(s);
	pthread_mutex_unlock(&d->lock);
}

void acct_queue_info(struct g511_radius *r, uint64_t *depth, uint64_t *oldest)
{
	sqlite3_stmt *s = NULL;

	*depth = *oldest = 0;
	if (sqlite3_prepare_v2(state_sqlite(r->d->state),
			       "SELECT count(*), coalesce(min(event), 0) FROM acct_queue", -1, &s,
			       NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		*depth = sqlite3_column_int64(s, 0);
		*oldest = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
}

/* ------------------------------------------------------------ interim */

struct due {
	char sid[G511_ACCT_ID_LEN];
	struct g511_client client;
};

/* Queue an Interim-Update for each session whose interval has passed. */
static void interim_tick(struct radius_acct *a)
{
	struct g511_radius *r = a->r;
	struct g511_daemon *d = r->d;
	static struct due due[ACCT_INTERIM_BATCH];
	uint64_t now = g511_wall_s(), depth, oldest;
	sqlite3_stmt *s = NULL;
	unsigned int n = 0;
	sqlite3 *db;

	pthread_mutex_lock(&d->lock);
	db = state_sqlite(d->state);
	acct_queue_info(r, &depth, &oldest);
	if (depth > ACCT_QUEUE_SOFT_MAX)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT acct_session_id, kind, key FROM acct_sessions"
			       " WHERE (CASE interim WHEN 0 THEN ?1 ELSE interim END) > 0"
			       " AND last_interim + (CASE interim WHEN 0 THEN ?1 ELSE interim END)"
			       " <= ?2 AND acct_session_id NOT IN (SELECT acct_session_id FROM"
			       " acct_queue WHERE status = 3) LIMIT ?3", -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)r->conf.acct_interim_s);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_int(s, 3, ACCT_INTERIM_BATCH);
	while (n < ACCT_INTERIM_BATCH && sqlite3_step(s) == SQLITE_ROW) {
		const void *key = sqlite3_column_blob(s, 2);

		if (sqlite3_column_bytes(s, 2) != 16)
			continue;
		snprintf(due[n].sid, sizeof(due[n].sid), "%s", sqlite3_column_text(s, 0));
		memset(&due[n].client, 0, sizeof(due[n].client));
		due[n].client.kind = sqlite3_column_int(s, 1);
		memcpy(due[n].client.key, key, 16);
		n++;
	}
	sqlite3_finalize(s);
	if (!n || state_begin(d->state))
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		struct g511_grant_rec rec;
		struct g511_grant live;
		struct grant_view v;
		struct acct_event ev;

		exec_sid(d->state, "UPDATE acct_sessions SET last_interim = ?4 WHERE"
			 " acct_session_id = ?1 AND kind = ?2 AND key = ?3", due[i].sid,
			 &due[i].client, (int64_t)now, NULL);
		if (state_grant_get(d->state, &due[i].client, &rec) ||
		    strcmp(rec.acct_session_id, due[i].sid))
			continue;
		view_read(d, &due[i].client, &v);
		if (!view_merge(&v, &live) || live.grant_id != rec.id)
			continue;	/* closing: the sweep writes its Stop */
		memset(&ev, 0, sizeof(ev));
		ev.status = RAD_ACCT_INTERIM;
		ev.sid = rec.acct_session_id;
		ev.user = rec.user;
		ev.client = &rec.client;
		ev.mac_bound = rec.mac_bound;
		ev.mac = rec.mac;
		ev.class = rec.class;
		ev.class_len = rec.class_len;
		ev.event_wall = now;
		ev.start_wall = rec.created_wall;
		ev.bytes_in = live.bytes;
		ev.packets_in = live.packets;
		ev.bytes_out = live.bytes_down;
		ev.packets_out = live.packets_down;
		if (queue_put(a, d->state, &ev))
			break;
	}
	state_commit(d->state);
out:
	pthread_mutex_unlock(&d->lock);
}

/* ------------------------------------------------------------- sender */

struct queued {
	int64_t id;
	uint64_t event;
	uint8_t attrs[RAD_MAX_PACKET];
	size_t len;
};

static int queue_head(struct radius_acct *a, struct queued *q)
{
	struct g511_daemon *d = a->r->d;
	sqlite3_stmt *s = NULL;
	int err = -ENOENT;

	pthread_mutex_lock(&d->lock);
	if (sqlite3_prepare_v2(state_sqlite(d->state), "SELECT id, event, attrs FROM acct_queue"
			       " ORDER BY id LIMIT 1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		size_t n = sqlite3_column_bytes(s, 2);

		if (n <= RAD_MAX_PACKET - RAD_HDR_LEN - 24) {
			q->id = sqlite3_column_int64(s, 0);
			q->event = sqlite3_column_int64(s, 1);
			memcpy(q->attrs, sqlite3_column_blob(s, 2), n);
			q->len = n;
			err = 0;
		}
	}
	sqlite3_finalize(s);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/*
 * The delete of an acknowledged record is committed without an fsync of
 * its own (synchronous = NORMAL for this one statement): the WAL write is
 * in the kernel when it returns, so a kill -9 keeps it, and the next FULL
 * commit (any grant) or checkpoint makes it durable. A power cut before
 * that only sends the record again, the duplicate the top of this file
 * allows; a record is never lost by it. An fsync per acknowledged record
 * was most of the daemon's CPU for accounting (bench/radius.sh, perf:
 * block submits and journal commits).
 */
static void queue_del(struct radius_acct *a, int64_t id)
{
	struct g511_daemon *d = a->r->d;
	sqlite3 *db;
	sqlite3_stmt *s = NULL;

	pthread_mutex_lock(&d->lock);
	db = state_sqlite(d->state);
	sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "DELETE FROM acct_queue WHERE id = ?1", -1, &s,
			       NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 1, id) == SQLITE_OK && sqlite3_step(s) != SQLITE_DONE)
		log_warnx("accounting: cannot delete record %lld: %s", (long long)id,
			  sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("accounting: cannot restore synchronous = FULL: %s",
			  sqlite3_errmsg(db));
	pthread_mutex_unlock(&d->lock);
}

/* Send the head of the queue once (with retries and failover). */
static int send_head(struct radius_acct *a)
{
	struct g511_radius *r = a->r;
	static struct queued q;
	static uint8_t reply[RAD_MAX_PACKET];
	struct rad_packet p;
	struct rad_view v;
	uint64_t now = g511_wall_s();
	int err;

	err = queue_head(a, &q);
	if (err)
		return err;
	rad_init(&p, RAD_ACCT_REQUEST, a->next_id++, NULL);
	err = rad_add_raw(&p, q.attrs, q.len);
	if (!err)
		err = rad_add_u32(&p, RAD_ACCT_DELAY_TIME,
				  (uint32_t)(now > q.event ? now - q.event : 0));
	if (!err)
		err = rad_sign(&p, NULL, r->secret, r->secret_len);
	if (err) {
		log_warnx("accounting: record %lld cannot be sent (%s); dropped",
			  (long long)q.id, strerror(-err));
		queue_del(a, q.id);
		return 0;
	}
	pthread_mutex_lock(&r->mu);
	r->cnt.acct_sent++;
	pthread_mutex_unlock(&r->mu);
	err = radius_exchange(r, true, &p, reply, sizeof(reply), &v);
	pthread_mutex_lock(&r->mu);
	if (err)
		r->cnt.acct_timeouts++;
	else
		r->cnt.acct_acked++;
	pthread_mutex_unlock(&r->mu);
	if (err)
		return err;
	queue_del(a, q.id);
	return 0;
}

static void wait_s(struct radius_acct *a, unsigned int s, bool until_kick)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s;
	pthread_mutex_lock(&a->mu);
	while (!a->stop && !(until_kick && a->kick))
		if (pthread_cond_timedwait(&a->cv, &a->mu, &ts))
			break;
	a->kick = false;
	pthread_mutex_unlock(&a->mu);
}

static void *acct_main(void *arg)
{
	struct radius_acct *a = arg;
	unsigned int backoff = 1;
	uint64_t last_tick = 0;
	bool warned = false;
	int err;

	while (!a->stop) {
		uint64_t now = g511_wall_s();

		if (now != last_tick) {
			interim_tick(a);
			last_tick = now;
		}
		err = send_head(a);
		if (err == -ENOENT) {
			wait_s(a, 1, true);
		} else if (err) {
			if (!warned)
				log_warnx("accounting: no RADIUS server answers; records wait "
					  "in the state database");
			warned = true;
			wait_s(a, backoff, false);
			backoff = backoff * 2 > ACCT_BACKOFF_MAX_S ? ACCT_BACKOFF_MAX_S :
								    backoff * 2;
		} else {
			if (warned)
				log_info("accounting: a RADIUS server answers again");
			warned = false;
			backoff = 1;
		}
	}
	return NULL;
}

int acct_start(struct g511_radius *r)
{
	struct radius_acct *a = r->acct;
	int err;

	err = queue_onoff(a, RAD_ACCT_ON);
	if (err)
		return err;
	err = -pthread_create(&a->thread, NULL, acct_main, a);
	if (err)
		return err;
	a->started = true;
	return 0;
}

void acct_stop(struct g511_radius *r)
{
	struct radius_acct *a = r->acct;

	if (!a || !a->started)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	r->abort_io = 1;
	pthread_join(a->thread, NULL);
	a->started = false;
	/* Accounting-Off: queued (so it goes out after the next start if
	 * not now), then one bounded try of the whole queue head first */
	r->abort_io = 0;
	r->one_try = true;
	if (!queue_onoff(a, RAD_ACCT_OFF))
		for (int i = 0; i < 64 && send_head(a) == 0; i++)
			;
	r->one_try = false;
}
