// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - the SQLite state database (state.h).
 *
 * Durability: journal_mode=WAL with synchronous=FULL. gate511d answers
 * "ok" only after the grant or revoke is committed, and that promise must
 * hold across a power cut, not just a crash of the daemon: in WAL mode
 * NORMAL skips the fsync of the WAL at commit (a power loss may roll back
 * the last transactions), FULL syncs it. The cost is one fsync per allow or
 * deny; an import is one transaction, so one fsync for any number of grants.
 *
 * Times are wall-clock seconds. A grant row keeps both its wall deadline and
 * the session length it was granted (ttl), so a restore after a reboot can
 * refuse to believe a clock that would stretch a grant past its length
 * (see grants.c).
 *
 * Ids: grants.id is AUTOINCREMENT so a closed grant's id is never reused
 * while the daemon may still see it in a map (the map holds the low 32 bits
 * as grant_id; 2^32 grants would be needed to wrap).
 *
 * Schema: PRAGMA user_version holds the version. Each step below takes a
 * database from version i to i + 1 and is never edited once released (a
 * database written by that release must go through exactly those
 * statements); state_migrate() runs every step from the file's version up
 * and sets user_version in one transaction, so a crash leaves either the
 * old database or the new one. A new database runs every step from v0. A
 * database newer than this code is refused, never downgraded.
 *
 * At open, PRAGMA quick_check reads every page: a corrupt file is refused
 * at start, with a hint, instead of starting and then failing every allow
 * and deny. It skips the index-versus-table comparison of integrity_check,
 * so it costs one read of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "ctl_proto.h"
#include "log.h"
#include "state.h"

#define STATE_SCHEMA_VERSION	4

/* Shown with every refusal of a corrupt file. */
#define STATE_CORRUPT_HINT \
	"restore a backup, or move it aside and start gate511d with --adopt-maps"

enum state_stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_GRANT_PUT, S_GRANT_GET, S_GRANT_DEL, S_GRANT_SET_EXPIRES,
	S_GRANTS_SHIFT, S_GRANTS_PAGE, S_GRANTS_COUNT, S_GRANTS_COUNT_ALL,
	S_HISTORY_ADD, S_HISTORY_PAGE, S_HISTORY_PAGE_KEY,
	S_GARDEN_PUT, S_GARDEN_DEL, S_GARDEN_ALL,
	S__MAX,
};

/* The columns grant_from_row() and session_from_row() read, in order. */
#define GRANT_COLS							\
	"id, kind, key, mac, created, expires, ttl, idle, quota_bytes,"	\
	" rate_up_bps, rate_down_bps, origin, user, class, acct_session_id"
#define SESSION_COLS							\
	"id, grant_id, kind, key, mac, start, end, reason, packets, bytes,"	\
	" packets_down, bytes_down, origin, user, class, acct_session_id"

static const char *const state_sql[S__MAX] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_GRANT_PUT] =
		"INSERT OR REPLACE INTO grants(kind, key, mac, created, expires, ttl,"
		" idle, quota_bytes, rate_up_bps, rate_down_bps, origin, user, class,"
		" acct_session_id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_GRANT_GET] =
		"SELECT " GRANT_COLS " FROM grants WHERE kind = ?1 AND key = ?2",
	[S_GRANT_DEL] = "DELETE FROM grants WHERE kind = ?1 AND key = ?2",
	[S_GRANT_SET_EXPIRES] = "UPDATE grants SET expires = ?2 WHERE id = ?1",
	[S_GRANTS_SHIFT] =
		"UPDATE grants SET expires = max(1, expires + ?1) WHERE expires != 0",
	[S_GRANTS_PAGE] =
		"SELECT " GRANT_COLS " FROM grants WHERE id > ?1 ORDER BY id LIMIT ?2",
	[S_GRANTS_COUNT] = "SELECT count(*) FROM grants WHERE kind = ?1",
	[S_GRANTS_COUNT_ALL] = "SELECT count(*) FROM grants",
	[S_HISTORY_ADD] =
		"INSERT INTO sessions(grant_id, kind, key, mac, start, end, reason,"
		" packets, bytes, packets_down, bytes_down, origin, user, class,"
		" acct_session_id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_HISTORY_PAGE] =
		"SELECT " SESSION_COLS " FROM sessions WHERE id > ?1 ORDER BY id LIMIT ?2",
	[S_HISTORY_PAGE_KEY] =
		"SELECT " SESSION_COLS " FROM sessions"
		" WHERE kind = ?3 AND key = ?4 AND id > ?1 ORDER BY id LIMIT ?2",
	[S_GARDEN_PUT] =
		"INSERT OR REPLACE INTO garden(prefixlen, addr, ports) VALUES (?1, ?2, ?3)",
	[S_GARDEN_DEL] = "DELETE FROM garden WHERE prefixlen = ?1 AND addr = ?2",
	[S_GARDEN_ALL] =
		"SELECT prefixlen, addr, ports FROM garden ORDER BY prefixlen, addr",
};

/* v0 -> v1: the schema of release 0.1.0. */
static const char state_schema_v1[] =
	"CREATE TABLE IF NOT EXISTS grants ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"	/* 1 addr, 2 mac */
	"  key BLOB NOT NULL CHECK (length(key) = 16),"
	"  mac BLOB CHECK (mac IS NULL OR length(mac) = 6),"	/* bound MAC */
	"  created INTEGER NOT NULL,"				/* wall s */
	"  expires INTEGER NOT NULL,"				/* wall s, 0 none */
	"  ttl INTEGER NOT NULL,"				/* s, 0 none */
	"  idle INTEGER NOT NULL,"				/* s, 0 none */
	"  UNIQUE (kind, key));"
	"CREATE TABLE IF NOT EXISTS sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  grant_id INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  key BLOB NOT NULL,"
	"  mac BLOB,"
	"  start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL,"
	"  reason TEXT NOT NULL CHECK (reason IN"
	"    ('expired', 'idle', 'revoked', 'replaced')),"
	"  packets INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS sessions_by_key ON sessions (kind, key, id);"
	"CREATE TABLE IF NOT EXISTS garden ("
	"  prefixlen INTEGER NOT NULL CHECK (prefixlen BETWEEN 0 AND 128),"
	"  addr BLOB NOT NULL CHECK (length(addr) = 16),"
	"  ports TEXT NOT NULL,"				/* "80,443", "" = all */
	"  PRIMARY KEY (prefixlen, addr));";

/*
 * v1 -> v2: the phase-2 grant fields (quota, rates, origin, RADIUS user,
 * Class and Acct-Session-Id) on grants and sessions, download counters on
 * sessions, the close reasons 'quota' and 'disconnected', and a meta table
 * holding the box id. Existing rows get origin 'none' and zero/empty fields.
 *
 * SQLite cannot alter a CHECK, so sessions is rebuilt: new table, copy
 * every row with its id, drop, rename, index again. The origin and reason
 * lists are spelled out (not built from ctl_proto.c's tables) because a
 * released step must not change; a new origin or reason needs a new step.
 * The box id is 16 random bytes from SQLite's generator (seeded from
 * /dev/urandom) written in UUID v4 form.
 */
_Static_assert(G511_ORIGIN__MAX == 7,
	       "a new origin needs a schema step (grants/sessions.origin CHECK)");
_Static_assert(G511_REASON__MAX == 7,
	       "a new close reason needs a schema step (sessions.reason CHECK)");
static const char state_migrate_v2[] =
	"ALTER TABLE grants ADD COLUMN quota_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN rate_up_bps INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN rate_down_bps INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN origin TEXT NOT NULL DEFAULT 'none'"
	"  CHECK (origin IN ('none', 'cli', 'import', 'api', 'radius', 'coa',"
	"    'adopted'));"
	"ALTER TABLE grants ADD COLUMN user TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE grants ADD COLUMN class BLOB NOT NULL DEFAULT x''"
	"  CHECK (length(class) <= 253);"
	"ALTER TABLE grants ADD COLUMN acct_session_id TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE sessions_v2 ("
	"  id INTEGER PRIMARY KEY,"
	"  grant_id INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  key BLOB NOT NULL,"
	"  mac BLOB,"
	"  start INTEGER NOT NULL,"
	"  end INTEGER NOT NULL,"
	"  reason TEXT NOT NULL CHECK (reason IN"
	"    ('expired', 'idle', 'revoked', 'replaced', 'quota', 'disconnected')),"
	"  packets INTEGER NOT NULL,"				/* upload */
	"  bytes INTEGER NOT NULL,"				/* upload */
	"  packets_down INTEGER NOT NULL DEFAULT 0,"
	"  bytes_down INTEGER NOT NULL DEFAULT 0,"
	"  origin TEXT NOT NULL DEFAULT 'none'"
	"    CHECK (origin IN ('none', 'cli', 'import', 'api', 'radius', 'coa',"
	"      'adopted')),"
	"  user TEXT NOT NULL DEFAULT '',"
	"  class BLOB NOT NULL DEFAULT x'' CHECK (length(class) <= 253),"
	"  acct_session_id TEXT NOT NULL DEFAULT '');"
	"INSERT INTO sessions_v2 (id, grant_id, kind, key, mac, start, end, reason,"
	"    packets, bytes)"
	"  SELECT id, grant_id, kind, key, mac, start, end, reason, packets, bytes"
	"  FROM sessions;"
	"DROP TABLE sessions;"
	"ALTER TABLE sessions_v2 RENAME TO sessions;"
	"CREATE INDEX sessions_by_key ON sessions (kind, key, id);"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"INSERT INTO meta (key, value)"
	"  SELECT 'box_id', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) ||"
	"    '-4' || substr(h, 14, 3) || '-' ||"
	"    substr('89ab', 1 + unicode(substr(h, 17, 1)) % 4, 1) ||"
	"    substr(h, 18, 3) || '-' || substr(h, 21, 12))"
	"  FROM (SELECT hex(randomblob(16)) AS h);";

/*
 * v2 -> v3: the RADIUS accounting queue (acct.c). acct_queue holds every
 * Accounting-Request not yet acknowledged, its attributes encoded when the
 * event happened (so the record sent after an outage is the one of the
 * event, only Acct-Delay-Time is added), in id order; acct_sessions the
 * sessions that had a Start queued (a Stop is owed), with their interim
 * interval and when the last Interim-Update was queued.
 */
static const char state_migrate_v3[] =
	"CREATE TABLE acct_queue ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  status INTEGER NOT NULL,"				/* Acct-Status-Type */
	"  acct_session_id TEXT NOT NULL,"
	"  event INTEGER NOT NULL,"				/* wall s */
	"  attrs BLOB NOT NULL CHECK (length(attrs) <= 4000));"
	"CREATE INDEX acct_queue_by_session ON acct_queue (acct_session_id, status);"
	"CREATE TABLE acct_sessions ("
	"  acct_session_id TEXT PRIMARY KEY,"
	"  kind INTEGER NOT NULL,"
	"  key BLOB NOT NULL,"
	"  interim INTEGER NOT NULL DEFAULT 0,"			/* s, 0 = the default */
	"  last_interim INTEGER NOT NULL);";			/* wall s */

/*
 * v3 -> v4: the walled garden by name (gate511ctl garden add NAME,
 * state_gname.c). id is the name_id the datapath carries; name is the
 * canonical text of gardenname.h ("*.example.com" for a wildcard).
 */
static const char state_migrate_v4[] =
	"CREATE TABLE garden_names ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),"
	"  ports TEXT NOT NULL);";				/* "80,443", "" = all */

/* state_steps[i] takes a database from version i to i + 1. */
static const struct state_step {
	const char *name;
	const char *sql;
} state_steps[] = {
	{ "v1 (release 0.1.0 schema)", state_schema_v1 },
	{ "v2 (phase-2 grant fields, box id)", state_migrate_v2 },
	{ "v3 (RADIUS accounting queue)", state_migrate_v3 },
	{ "v4 (garden names)", state_migrate_v4 },
};
_Static_assert(sizeof(state_steps) / sizeof(state_steps[0]) == STATE_SCHEMA_VERSION,
	       "one migration step per schema version");

struct g511_state {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__MAX];
	bool in_txn;
	bool fresh;		/* state_open created the schema from nothing */
	bool box_id_new;	/* this open generated the box id (migration to v2) */
	char box_id[STATE_BOX_ID_LEN];	/* "" if the meta row is missing */
	char path[G511_PATH_MAX];
	/* SQLite's reason for the last failure since state_error_clear() */
	char last_error[STATE_ERROR_LEN];
	struct state_hooks hooks;	/* state_set_hooks() */
};

static int state_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_FULL:	/* "database or disk is full" */
		return -ENOSPC;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static void state_error_note(struct g511_state *st, const char *msg)
{
	snprintf(st->last_error, sizeof(st->last_error), "%s", msg ? msg : "?");
}

static int state_fail(struct g511_state *st, int rc, const char *what)
{
	const char *msg = sqlite3_errmsg(st->db);

	log_warnx("state %s: %s: %s", st->path, what, msg);
	state_error_note(st, msg);
	return state_errno(rc);
}

void state_error_clear(struct g511_state *st)
{
	st->last_error[0] = '\0';
}

const char *state_error(const struct g511_state *st)
{
	return st->last_error[0] ? st->last_error : NULL;
}

/* Run sql (one or more statements); on failure log what, not the SQL. */
static int state_exec_as(struct g511_state *st, const char *sql,
			 const char *what)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_warnx("state %s: %s: %s", st->path, what, msg ? msg : "?");
		state_error_note(st, msg);
		sqlite3_free(msg);
		return state_errno(rc);
	}
	return 0;
}

static int state_exec(struct g511_state *st, const char *sql)
{
	return state_exec_as(st, sql, sql);
}

/* One integer from a one-row query (a PRAGMA, a count). */
static int state_query_int(struct g511_state *st, const char *sql, int *val)
{
	sqlite3_stmt *stmt = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*val = sqlite3_column_int(stmt, 0);
	} else if (rc == SQLITE_DONE) {
		log_warnx("state %s: %s: no answer", st->path, sql);
		err = -EIO;
	} else {
		err = state_fail(st, rc, sql);
	}
	sqlite3_finalize(stmt);
	return err;
}

/* Run a statement that returns no rows (or ignores them), then reset it. */
static int state_step_done(struct g511_state *st, enum state_stmt s)
{
	sqlite3_stmt *stmt = st->stmt[s];
	int rc;

	do {
		rc = sqlite3_step(stmt);
	} while (rc == SQLITE_ROW);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return state_fail(st, rc, state_sql[s]);
	return 0;
}

static int mkdir_parent(const char *path)
{
	char dir[G511_PATH_MAX], *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	/* the last level holds client data: no world access */
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int state_refuse_newer(struct g511_state *st, int version)
{
	log_warnx("state %s: schema version %d is newer than this gate511d (%d)",
		  st->path, version, STATE_SCHEMA_VERSION);
	return -EPROTONOSUPPORT;
}

/*
 * Bring the schema to STATE_SCHEMA_VERSION: every step from the file's
 * version up, and the new user_version, in one transaction. The version is
 * read again under the write lock: another process may have migrated the
 * file while this one waited.
 */
static int state_migrate(struct g511_state *st)
{
	int version, objects = 0, from, err;
	char sql[96];

	err = state_query_int(st, "PRAGMA user_version", &version);
	if (err)
		return err;
	if (version > STATE_SCHEMA_VERSION)
		return state_refuse_newer(st, version);
	if (version == STATE_SCHEMA_VERSION)
		return 0;

	err = state_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = state_query_int(st, "PRAGMA user_version", &version);
	if (!err && version > STATE_SCHEMA_VERSION)
		err = state_refuse_newer(st, version);
	if (!err && version == 0)
		err = state_query_int(st, "SELECT count(*) FROM sqlite_master", &objects);
	if (!err && version == 0 && objects) {
		/* 0.1.0 set user_version with its tables: this is not ours */
		log_warnx("state %s: holds tables but no schema version: not a gate511d database",
			  st->path);
		err = -EPROTONOSUPPORT;
	}
	from = version;
	/* the sessions rebuild takes a while with a long history: say why */
	if (!err && from && from < STATE_SCHEMA_VERSION)
		log_info("state %s: migrating schema from version %d to %d",
			 st->path, from, STATE_SCHEMA_VERSION);
	for (; !err && version < STATE_SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql), "migration to schema %s",
			 state_steps[version].name);
		err = state_exec_as(st, state_steps[version].sql, sql);
	}
	if (!err && from < STATE_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			 STATE_SCHEMA_VERSION);
		err = state_exec(st, sql);
	}
	if (!err)
		err = state_exec(st, "COMMIT");
	if (err) {
		if (!sqlite3_get_autocommit(st->db))
			state_exec(st, "ROLLBACK");
		return err;
	}
	st->fresh = from == 0;
	st->box_id_new = from > 0 && from < 2;	/* v2 brought the box id */
	return 0;
}

/*
 * PRAGMA quick_check: -EBADMSG, logged with the path and a recovery hint,
 * if the file is corrupt or not a database at all.
 */
static int state_check(struct g511_state *st)
{
	sqlite3_stmt *stmt = NULL;
	char why[200] = "", *p;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(stmt, 0);

		snprintf(why, sizeof(why), "%s", res ? res : "?");
		if (!strcmp(why, "ok"))
			goto out;
	} else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		snprintf(why, sizeof(why), "%s", sqlite3_errmsg(st->db));
	} else {
		err = state_fail(st, rc, "PRAGMA quick_check");
		goto out;
	}
	for (p = why; *p; p++)	/* quick_check's report has newlines */
		if (*p == '\n')
			*p = ' ';
	log_warnx("state %s: corrupt database (%s): %s", st->path, why,
		  STATE_CORRUPT_HINT);
	err = -EBADMSG;
out:
	sqlite3_finalize(stmt);
	return err;
}

/* The box id into st->box_id; a missing or malformed one leaves it "". */
static int state_load_box_id(struct g511_state *st)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = 'box_id'";
	sqlite3_stmt *stmt = NULL;
	int rc, err = 0;

	st->box_id[0] = '\0';
	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);

		if (id && strlen(id) == STATE_BOX_ID_LEN - 1)
			memcpy(st->box_id, id, STATE_BOX_ID_LEN);
		else
			log_warnx("state %s: malformed box id", st->path);
	} else if (rc == SQLITE_DONE) {
		log_warnx("state %s: no box id", st->path);
	} else {
		err = state_fail(st, rc, sql);
	}
	sqlite3_finalize(stmt);
	return err;
}

/*
 * A database no daemon has settled against the maps yet, and that holds
 * nothing, counts as fresh on every open until state_mark_settled(): a
 * start refused for the conflict with the maps must find it fresh again.
 */
static int state_load_unsettled(struct g511_state *st)
{
	static const char sql[] =
		"SELECT NOT EXISTS (SELECT 1 FROM meta WHERE key = 'settled')"
		" AND NOT EXISTS (SELECT 1 FROM grants)"
		" AND NOT EXISTS (SELECT 1 FROM sessions)";
	sqlite3_stmt *stmt = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		st->fresh = st->fresh || sqlite3_column_int(stmt, 0);
	else
		err = state_fail(st, rc, sql);
	sqlite3_finalize(stmt);
	return err;
}

int state_mark_settled(struct g511_state *st)
{
	int err = state_exec(st, "INSERT OR REPLACE INTO meta (key, value)"
				 " VALUES ('settled', strftime('%s', 'now'))");

	if (!err)
		st->fresh = false;
	return err;
}

int state_open(const char *path, struct g511_state **stp)
{
	struct g511_state *st;
	sqlite3_stmt *stmt = NULL;
	int fd, rc, err, i;

	*stp = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	snprintf(st->path, sizeof(st->path), "%s", path);

	err = mkdir_parent(path);
	if (err) {
		log_warnx("state %s: cannot create its directory: %s", path,
			  strerror(-err));
		goto fail;
	}
	/* create it 0600 ourselves: SQLite would make it world-readable */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		log_warn("state %s: cannot open", path);
		goto fail;
	}
	close(fd);

	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = st->db ? state_fail(st, rc, "open") : -ENOMEM;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);

	/* before anything writes to it */
	err = state_check(st);
	if (err)
		goto fail;
	/* journal_mode answers with the mode it got: insist on WAL */
	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW ||
	    sqlite3_stricmp((const char *)sqlite3_column_text(stmt, 0), "wal")) {
		sqlite3_finalize(stmt);
		err = rc == SQLITE_ROW ? -EIO : state_fail(st, rc, "journal_mode");
		if (rc == SQLITE_ROW)
			log_warnx("state %s: cannot switch to WAL mode", path);
		goto fail;
	}
	sqlite3_finalize(stmt);
	err = state_exec(st, "PRAGMA synchronous = FULL");
	if (err)
		goto fail;
	err = state_migrate(st);
	if (err)
		goto fail;
	err = state_load_box_id(st);
	if (!err)
		err = state_load_unsettled(st);
	if (err)
		goto fail;
	for (i = 0; i < S__MAX; i++) {
		rc = sqlite3_prepare_v3(st->db, state_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			err = state_fail(st, rc, state_sql[i]);
			goto fail;
		}
	}
	*stp = st;
	return 0;
fail:
	state_close(st);
	return err;
}

bool state_is_fresh(const struct g511_state *st)
{
	return st->fresh;
}

bool state_box_id_new(const struct g511_state *st)
{
	return st->box_id_new;
}

int state_box_id(const struct g511_state *st, char out[STATE_BOX_ID_LEN])
{
	if (!st->box_id[0])
		return -ENOENT;
	memcpy(out, st->box_id, STATE_BOX_ID_LEN);
	return 0;
}

void state_close(struct g511_state *st)
{
	int i;

	if (!st)
		return;
	if (st->in_txn)
		state_rollback(st);
	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db)
		sqlite3_close_v2(st->db);
	free(st);
}

int state_begin(struct g511_state *st)
{
	int err;

	if (st->in_txn) {
		log_warnx("state %s: transaction already open", st->path);
		return -EBUSY;
	}
	state_error_clear(st);
	err = state_step_done(st, S_BEGIN);
	if (!err)
		st->in_txn = true;
	return err;
}

int state_commit(struct g511_state *st)
{
	int err;

	if (!st->in_txn)
		return -EINVAL;
	err = state_step_done(st, S_COMMIT);
	if (err) {
		/* COMMIT can fail and leave the transaction open: close it */
		if (!sqlite3_get_autocommit(st->db))
			state_step_done(st, S_ROLLBACK);
	}
	st->in_txn = false;
	return err;
}

void state_rollback(struct g511_state *st)
{
	if (!st->in_txn)
		return;
	if (!sqlite3_get_autocommit(st->db))
		state_step_done(st, S_ROLLBACK);
	st->in_txn = false;
}

bool state_in_transaction(const struct g511_state *st)
{
	return st->in_txn;
}

static int bind_client(sqlite3_stmt *stmt, int kind_idx,
		       const struct g511_client *c)
{
	int rc;

	rc = sqlite3_bind_int(stmt, kind_idx, c->kind);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(stmt, kind_idx + 1, c->key, sizeof(c->key),
				       SQLITE_TRANSIENT);
	return rc;
}

static int bind_mac(sqlite3_stmt *stmt, int idx, bool bound, const uint8_t mac[6])
{
	if (!bound)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_blob(stmt, idx, mac, 6, SQLITE_TRANSIENT);
}

static uint64_t col_u64(sqlite3_stmt *stmt, int col)
{
	sqlite3_int64 v = sqlite3_column_int64(stmt, col);

	return v < 0 ? 0 : (uint64_t)v;
}

/* A row's kind + key; false if the row is not one we could have written. */
static bool col_client(sqlite3_stmt *stmt, int col, struct g511_client *c)
{
	const void *key;

	memset(c, 0, sizeof(*c));
	c->kind = sqlite3_column_int(stmt, col);
	key = sqlite3_column_blob(stmt, col + 1);
	if (!key || sqlite3_column_bytes(stmt, col + 1) != sizeof(c->key))
		return false;
	memcpy(c->key, key, sizeof(c->key));
	return client_valid(c);
}

static void col_mac(sqlite3_stmt *stmt, int col, bool *bound, uint8_t mac[6])
{
	const void *blob = sqlite3_column_blob(stmt, col);

	*bound = blob && sqlite3_column_bytes(stmt, col) == 6;
	if (*bound)
		memcpy(mac, blob, 6);
	else
		memset(mac, 0, 6);
}

/* Counters past 2^63 are stored as that; nobody passes 8 EiB. */
static int bind_u64(sqlite3_stmt *stmt, int idx, uint64_t v)
{
	return sqlite3_bind_int64(stmt, idx, v > INT64_MAX ? INT64_MAX :
				  (sqlite3_int64)v);
}

/* Fields a grant and its closed session share: origin, user, class, acct id. */
static bool tags_valid(unsigned int origin, const char *user,
		       unsigned int class_len, const char *acct)
{
	return origin < G511_ORIGIN__MAX &&
	       strnlen(user, G511_USER_LEN) < G511_USER_LEN &&
	       class_len <= G511_CLASS_MAX &&
	       strnlen(acct, G511_ACCT_ID_LEN) < G511_ACCT_ID_LEN;
}

/* Binds ?idx origin, ?idx+1 user, ?idx+2 class, ?idx+3 acct_session_id. */
static int bind_tags(sqlite3_stmt *stmt, int idx, unsigned int origin,
		     const char *user, const uint8_t *class,
		     unsigned int class_len, const char *acct)
{
	int rc;

	rc = sqlite3_bind_text(stmt, idx, ctl_origin_name(origin), -1,
			       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, idx + 1, user, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)	/* zero length binds x'', not NULL */
		rc = sqlite3_bind_blob(stmt, idx + 2, class, (int)class_len,
				       SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, idx + 3, acct, -1, SQLITE_TRANSIENT);
	return rc;
}

static void col_text(sqlite3_stmt *stmt, int col, char *buf, size_t size)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	size_t len = text ? (size_t)sqlite3_column_bytes(stmt, col) : 0;

	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
}

/* The columns bind_tags() writes, from col on. */
static void col_tags(sqlite3_stmt *stmt, int col, unsigned int *origin,
		     char user[G511_USER_LEN], uint8_t class[G511_CLASS_MAX],
		     unsigned int *class_len, char acct[G511_ACCT_ID_LEN])
{
	const char *otext = (const char *)sqlite3_column_text(stmt, col);
	const void *blob = sqlite3_column_blob(stmt, col + 2);
	int n = sqlite3_column_bytes(stmt, col + 2), o;

	/* the CHECK allows only known names; anything else reads as none */
	o = otext ? ctl_origin_parse(otext) : -EINVAL;
	*origin = o < 0 ? G511_ORIGIN_NONE : (unsigned int)o;
	col_text(stmt, col + 1, user, G511_USER_LEN);
	if (!blob || n < 0)
		n = 0;
	if (n > G511_CLASS_MAX)
		n = G511_CLASS_MAX;
	if (n)
		memcpy(class, blob, n);
	*class_len = n;
	col_text(stmt, col + 3, acct, G511_ACCT_ID_LEN);
}

/* Columns GRANT_COLS. */
static bool grant_from_row(sqlite3_stmt *stmt, struct g511_grant_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = (uint32_t)sqlite3_column_int64(stmt, 0);
	if (!col_client(stmt, 1, &rec->client))
		return false;
	col_mac(stmt, 3, &rec->mac_bound, rec->mac);
	rec->created_wall = col_u64(stmt, 4);
	rec->expires_wall = col_u64(stmt, 5);
	rec->ttl_s = col_u64(stmt, 6);
	rec->idle_s = col_u64(stmt, 7);
	rec->quota_bytes = col_u64(stmt, 8);
	rec->rate_up_bps = col_u64(stmt, 9);
	rec->rate_down_bps = col_u64(stmt, 10);
	col_tags(stmt, 11, &rec->origin, rec->user, rec->class, &rec->class_len,
		 rec->acct_session_id);
	return true;
}

int state_grant_put(struct g511_state *st, struct g511_grant_rec *rec)
{
	sqlite3_stmt *stmt = st->stmt[S_GRANT_PUT];
	int rc, err;

	if (!tags_valid(rec->origin, rec->user, rec->class_len,
			rec->acct_session_id))
		return -EINVAL;
	if (st->hooks.grant_put) {
		err = st->hooks.grant_put(st->hooks.ctx, st, rec);
		if (err)
			return err;
	}
	rc = bind_client(stmt, 1, &rec->client);
	if (rc == SQLITE_OK)
		rc = bind_mac(stmt, 3, rec->mac_bound, rec->mac);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 4, rec->created_wall);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 5, rec->expires_wall);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 6, rec->ttl_s);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 7, rec->idle_s);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 8, rec->quota_bytes);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 9, rec->rate_up_bps);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 10, rec->rate_down_bps);
	if (rc == SQLITE_OK)
		rc = bind_tags(stmt, 11, rec->origin, rec->user, rec->class,
			       rec->class_len, rec->acct_session_id);
	if (rc != SQLITE_OK) {
		sqlite3_reset(stmt);
		return state_fail(st, rc, "bind grant");
	}
	err = state_step_done(st, S_GRANT_PUT);
	if (err)
		return err;
	rec->id = (uint32_t)sqlite3_last_insert_rowid(st->db);
	return 0;
}

int state_grant_get(struct g511_state *st, const struct g511_client *client,
		    struct g511_grant_rec *rec)
{
	sqlite3_stmt *stmt = st->stmt[S_GRANT_GET];
	int rc, err = 0;

	rc = bind_client(stmt, 1, client);
	if (rc != SQLITE_OK) {
		sqlite3_reset(stmt);
		return state_fail(st, rc, "bind client");
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		if (!grant_from_row(stmt, rec))
			err = -EIO;
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = state_fail(st, rc, state_sql[S_GRANT_GET]);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return err;
}

int state_grant_del(struct g511_state *st, const struct g511_client *client)
{
	sqlite3_stmt *stmt = st->stmt[S_GRANT_DEL];
	int rc, err;

	rc = bind_client(stmt, 1, client);
	if (rc != SQLITE_OK) {
		sqlite3_reset(stmt);
		return state_fail(st, rc, "bind client");
	}
	err = state_step_done(st, S_GRANT_DEL);
	if (err)
		return err;
	return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int state_grant_set_expires(struct g511_state *st, uint32_t id,
			    uint64_t expires_wall)
{
	sqlite3_stmt *stmt = st->stmt[S_GRANT_SET_EXPIRES];

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, expires_wall);
	return state_step_done(st, S_GRANT_SET_EXPIRES);
}

int state_grants_shift_expiry(struct g511_state *st, int64_t delta_s)
{
	sqlite3_bind_int64(st->stmt[S_GRANTS_SHIFT], 1, delta_s);
	return state_step_done(st, S_GRANTS_SHIFT);
}

int state_grants_foreach(struct g511_state *st, uint32_t after_id,
			 unsigned int limit, state_grant_fn fn, void *ctx)
{
	sqlite3_stmt *stmt = st->stmt[S_GRANTS_PAGE];
	struct g511_grant_rec rec;
	int rc, ret = 0;

	sqlite3_bind_int64(stmt, 1, after_id);
	sqlite3_bind_int64(stmt, 2, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!grant_from_row(stmt, &rec)) {
			log_warnx("state %s: skipping malformed grant row %lld",
				  st->path, (long long)sqlite3_column_int64(stmt, 0));
			continue;
		}
		ret = fn(&rec, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = state_fail(st, rc, state_sql[S_GRANTS_PAGE]);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return ret;
}

int state_grants_count(struct g511_state *st, unsigned int kind,
		       uint32_t *count)
{
	enum state_stmt s = kind ? S_GRANTS_COUNT : S_GRANTS_COUNT_ALL;
	sqlite3_stmt *stmt = st->stmt[s];
	int rc, err = 0;

	if (kind)
		sqlite3_bind_int(stmt, 1, kind);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*count = (uint32_t)sqlite3_column_int64(stmt, 0);
	else
		err = state_fail(st, rc, state_sql[s]);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return err;
}

int state_history_add(struct g511_state *st, const struct g511_session_rec *s)
{
	sqlite3_stmt *stmt = st->stmt[S_HISTORY_ADD];
	int rc, err;

	if (s->reason == 0 || s->reason >= G511_REASON__MAX ||
	    !tags_valid(s->origin, s->user, s->class_len, s->acct_session_id))
		return -EINVAL;
	rc = sqlite3_bind_int64(stmt, 1, s->grant_id);
	if (rc == SQLITE_OK)
		rc = bind_client(stmt, 2, &s->client);
	if (rc == SQLITE_OK)
		rc = bind_mac(stmt, 4, s->mac_bound, s->mac);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 5, s->start_wall);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 6, s->end_wall);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, 7, ctl_reason_name(s->reason), -1,
				       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 8, s->packets);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 9, s->bytes);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 10, s->packets_down);
	if (rc == SQLITE_OK)
		rc = bind_u64(stmt, 11, s->bytes_down);
	if (rc == SQLITE_OK)
		rc = bind_tags(stmt, 12, s->origin, s->user, s->class,
			       s->class_len, s->acct_session_id);
	if (rc != SQLITE_OK) {
		sqlite3_reset(stmt);
		return state_fail(st, rc, "bind session");
	}
	err = state_step_done(st, S_HISTORY_ADD);
	if (!err && st->hooks.session_closed)
		err = st->hooks.session_closed(st->hooks.ctx, st, s);
	return err;
}

void state_set_hooks(struct g511_state *st, const struct state_hooks *h)
{
	if (h)
		st->hooks = *h;
	else
		memset(&st->hooks, 0, sizeof(st->hooks));
}

struct sqlite3 *state_sqlite(struct g511_state *st)
{
	return st->db;
}

int state_note_failure(struct g511_state *st, int rc, const char *what)
{
	return state_fail(st, rc, what);
}

int state_history_foreach(struct g511_state *st,
			  const struct g511_client *filter, uint64_t after_id,
			  unsigned int limit, state_session_fn fn, void *ctx)
{
	enum state_stmt s = filter ? S_HISTORY_PAGE_KEY : S_HISTORY_PAGE;
	sqlite3_stmt *stmt = st->stmt[s];
	struct g511_session_rec rec;
	int rc, ret = 0, reason;

	sqlite3_bind_int64(stmt, 1, after_id > INT64_MAX ? INT64_MAX :
			   (sqlite3_int64)after_id);
	sqlite3_bind_int64(stmt, 2, limit ? (sqlite3_int64)limit : -1);
	if (filter)
		bind_client(stmt, 3, filter);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *rtext = (const char *)sqlite3_column_text(stmt, 7);

		memset(&rec, 0, sizeof(rec));
		rec.id = col_u64(stmt, 0);
		rec.grant_id = (uint32_t)sqlite3_column_int64(stmt, 1);
		reason = rtext ? ctl_reason_parse(rtext) : -EINVAL;
		if (!col_client(stmt, 2, &rec.client) || reason < 0) {
			log_warnx("state %s: skipping malformed session row %llu",
				  st->path, (unsigned long long)rec.id);
			continue;
		}
		col_mac(stmt, 4, &rec.mac_bound, rec.mac);
		rec.start_wall = col_u64(stmt, 5);
		rec.end_wall = col_u64(stmt, 6);
		rec.reason = reason;
		rec.packets = col_u64(stmt, 8);
		rec.bytes = col_u64(stmt, 9);
		rec.packets_down = col_u64(stmt, 10);
		rec.bytes_down = col_u64(stmt, 11);
		col_tags(stmt, 12, &rec.origin, rec.user, rec.class,
			 &rec.class_len, rec.acct_session_id);
		ret = fn(&rec, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = state_fail(st, rc, state_sql[s]);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return ret;
}

int state_garden_put(struct g511_state *st, const struct g511_garden_entry *e)
{
	sqlite3_stmt *stmt = st->stmt[S_GARDEN_PUT];
	char ports[G511_GARDEN_PORTS * 6 + 1] = "";
	size_t off = 0;
	unsigned int i;
	int rc;

	if (!garden_key_valid(&e->key) || !garden_val_valid(&e->val))
		return -EINVAL;
	for (i = 0; i < e->val.nports; i++)
		off += snprintf(ports + off, sizeof(ports) - off, "%s%u",
				i ? "," : "", e->val.ports[i]);
	rc = sqlite3_bind_int(stmt, 1, e->key.prefixlen);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(stmt, 2, e->key.addr, 16, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, 3, ports, -1, SQLITE_TRANSIENT);
	if (rc != SQLITE_OK) {
		sqlite3_reset(stmt);
		return state_fail(st, rc, "bind garden");
	}
	return state_step_done(st, S_GARDEN_PUT);
}

int state_garden_del(struct g511_state *st, const struct g511_garden_key *key)
{
	sqlite3_stmt *stmt = st->stmt[S_GARDEN_DEL];
	int err;

	sqlite3_bind_int(stmt, 1, key->prefixlen);
	sqlite3_bind_blob(stmt, 2, key->addr, 16, SQLITE_TRANSIENT);
	err = state_step_done(st, S_GARDEN_DEL);
	if (err)
		return err;
	return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int state_garden_foreach(struct g511_state *st, state_garden_fn fn, void *ctx)
{
	sqlite3_stmt *stmt = st->stmt[S_GARDEN_ALL];
	struct g511_garden_entry e;
	int rc, ret = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const void *addr = sqlite3_column_blob(stmt, 1);
		const char *ports = (const char *)sqlite3_column_text(stmt, 2);

		memset(&e, 0, sizeof(e));
		e.key.prefixlen = sqlite3_column_int(stmt, 0);
		if (!addr || sqlite3_column_bytes(stmt, 1) != 16 || !ports ||
		    (ports[0] && garden_ports_parse(ports, &e.val))) {
			log_warnx("state %s: skipping malformed garden row",
				  st->path);
			continue;
		}
		memcpy(e.key.addr, addr, 16);
		if (!garden_key_valid(&e.key)) {
			log_warnx("state %s: skipping malformed garden row",
				  st->path);
			continue;
		}
		ret = fn(&e, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = state_fail(st, rc, state_sql[S_GARDEN_ALL]);
	sqlite3_reset(stmt);
	return ret;
}

int state_grants_tally(struct g511_state *st, uint32_t count[G511_CLIENT_MAC + 1][G511_ORIGIN__MAX])
{
	static const char sql[] =
		"SELECT kind, origin, count(*) FROM grants GROUP BY kind, origin";
	sqlite3_stmt *stmt;
	int rc, err = 0;

	memset(count, 0, sizeof(uint32_t) * (G511_CLIENT_MAC + 1) * G511_ORIGIN__MAX);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return state_fail(st, rc, sql);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(stmt, 0);
		const char *otext = (const char *)sqlite3_column_text(stmt, 1);
		int o = otext ? ctl_origin_parse(otext) : -EINVAL;

		if (kind < G511_CLIENT_ADDR || kind > G511_CLIENT_MAC || o < 0)
			continue;	/* the CHECKs forbid it; not counted */
		count[kind][o] = (uint32_t)sqlite3_column_int64(stmt, 2);
	}
	if (rc != SQLITE_DONE)
		err = state_fail(st, rc, sql);
	sqlite3_finalize(stmt);
	return err;
}
