// SPDX-License-Identifier: GPL-2.0
/*
 * nonce.c - the portal API's durable nonce cache (nonce.h).
 *
 * One table, (keyid, nonce) as primary key, stamped with the request's
 * ts (what the window is measured from: a request with ts outside
 * [now - 300, now + 300] is refused as stale before its nonce is looked
 * at, so an entry is needed only while ts >= now - 300; a minute more is
 * kept in case the clock is stepped back). An INSERT that hits the key is
 * the replay. Each claim is its own autocommit transaction: WAL,
 * synchronous=FULL, so the fsync is done when sqlite3_step() returns.
 * It is a separate file from the state DB so that a burst of API
 * requests never contends with a grant's transaction, and a lost nonce
 * file costs nothing but the replay window of the last five minutes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "log.h"
#include "nonce.h"

#define NONCE_SLACK_S	60

struct nonce_cache {
	sqlite3 *db;
	sqlite3_stmt *ins, *purge;
	pthread_mutex_t mu;
	unsigned int max, count;
	uint64_t last_purge;
	char path[256];
};

bool nonce_expired(uint64_t ts, uint64_t now)
{
	return ts + SIG_WINDOW_S + NONCE_SLACK_S < now;
}

static int db_fail(struct nonce_cache *nc, const char *what)
{
	log_warnx("%s: %s: %s", nc->path, what, sqlite3_errmsg(nc->db));
	return -EIO;
}

static int purge(struct nonce_cache *nc, uint64_t now)
{
	uint64_t cutoff = now > SIG_WINDOW_S + NONCE_SLACK_S ?
			  now - SIG_WINDOW_S - NONCE_SLACK_S : 0;
	int rc;

	nc->last_purge = now;
	sqlite3_reset(nc->purge);
	sqlite3_bind_int64(nc->purge, 1, (sqlite3_int64)cutoff);
	rc = sqlite3_step(nc->purge);
	sqlite3_reset(nc->purge);
	if (rc != SQLITE_DONE)
		return db_fail(nc, "cannot purge old nonces");
	nc->count -= (unsigned int)sqlite3_changes(nc->db) <= nc->count ?
		     (unsigned int)sqlite3_changes(nc->db) : nc->count;
	return 0;
}

int nonce_open(const char *path, unsigned int max, uint64_t now, struct nonce_cache **out)
{
	static const char schema[] =
		"PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=FULL;"
		"CREATE TABLE IF NOT EXISTS nonces (keyid TEXT NOT NULL, nonce TEXT NOT NULL,"
		" ts INTEGER NOT NULL, PRIMARY KEY (keyid, nonce)) WITHOUT ROWID;"
		"CREATE INDEX IF NOT EXISTS nonces_ts ON nonces(ts);";
	struct nonce_cache *nc;
	sqlite3_stmt *cnt = NULL;
	int rc, err = -EIO;

	nc = calloc(1, sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	pthread_mutex_init(&nc->mu, NULL);
	nc->max = max ? max : NONCE_MAX_DEFAULT;
	snprintf(nc->path, sizeof(nc->path), "%s", path);
	rc = sqlite3_open_v2(path, &nc->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_warnx("cannot open the nonce cache %s: %s", path,
			  nc->db ? sqlite3_errmsg(nc->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(nc->db, 2000);
	if (sqlite3_exec(nc->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(nc, "cannot set up the nonce table");
		goto fail;
	}
	if (sqlite3_prepare_v2(nc->db, "INSERT INTO nonces (keyid, nonce, ts) VALUES (?, ?, ?)",
			       -1, &nc->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(nc->db, "DELETE FROM nonces WHERE ts < ?", -1, &nc->purge,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(nc->db, "SELECT count(*) FROM nonces", -1, &cnt,
			       NULL) != SQLITE_OK) {
		db_fail(nc, "cannot prepare");
		goto fail;
	}
	if (sqlite3_step(cnt) != SQLITE_ROW) {
		db_fail(nc, "cannot count");
		goto fail;
	}
	nc->count = (unsigned int)sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	cnt = NULL;
	err = purge(nc, now);
	if (err)
		goto fail;
	*out = nc;
	return 0;
fail:
	sqlite3_finalize(cnt);
	nonce_close(nc);
	return err;
}

void nonce_close(struct nonce_cache *nc)
{
	if (!nc)
		return;
	sqlite3_finalize(nc->ins);
	sqlite3_finalize(nc->purge);
	sqlite3_close(nc->db);
	pthread_mutex_destroy(&nc->mu);
	free(nc);
}

int nonce_claim(struct nonce_cache *nc, const struct sig_auth *a, uint64_t now)
{
	int rc, err = 0;

	pthread_mutex_lock(&nc->mu);
	if (now != nc->last_purge || nc->count >= nc->max)
		err = purge(nc, now);
	if (!err && nc->count >= nc->max)
		err = -ENOSPC;
	if (err)
		goto out;
	sqlite3_reset(nc->ins);
	sqlite3_bind_text(nc->ins, 1, a->keyid, -1, SQLITE_STATIC);
	sqlite3_bind_text(nc->ins, 2, a->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_int64(nc->ins, 3, (sqlite3_int64)a->ts);
	rc = sqlite3_step(nc->ins);
	sqlite3_reset(nc->ins);
	sqlite3_clear_bindings(nc->ins);
	if (rc == SQLITE_DONE)
		nc->count++;
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		err = -EEXIST;
	else
		err = db_fail(nc, "cannot record a nonce");
out:
	pthread_mutex_unlock(&nc->mu);
	return err;
}

unsigned int nonce_count(const struct nonce_cache *nc)
{
	return nc->count;
}
