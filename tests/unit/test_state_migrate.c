// SPDX-License-Identifier: GPL-2.0
/*
 * test_state_migrate.c - the state database across releases and damage:
 * tests/unit/fixtures/state-v1.db, written by release 0.1.0's state.c
 * (schema v1), opens with every grant, session and garden entry kept and
 * the new fields empty; a second open changes nothing; a migration that
 * fails leaves the v1 database as it was; a database with tables but no
 * schema version is refused; corrupt index pages are refused at open by
 * PRAGMA quick_check while the same database intact opens.
 *
 * Run from the repository root (tests/run.sh does): the fixture is read
 * from tests/unit/fixtures/ and copied, never opened in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "sqlite_shim.h"
#include "../../user/gate511d/state.c"

#define FIXTURE_V1	"tests/unit/fixtures/state-v1.db"

static char dir[64];

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	close(in);
	close(out);
	return err;
}

/* One integer from sql on the file at path, outside state.c; -1 on error. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long long val = -1;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		val = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close_v2(db);
	return val;
}

static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close_v2(db);
	return rc;
}

static bool copy_fixture(const char *to)
{
	bool ok = true;

	ok &= ASSERT_EQ(copy_file(FIXTURE_V1, to), 0,
			"copy " FIXTURE_V1 " (run from the repository root)");
	ok &= ASSERT_EQ(raw_int(to, "PRAGMA user_version"), 1, "fixture is schema v1");
	return ok;
}

/* What release 0.1.0 wrote into the fixture. */
static const struct v1_grant {
	const char *client;
	uint32_t id;
	uint64_t created, expires, ttl, idle;
	const char *mac;	/* bound MAC, NULL = none */
} v1_grants[] = {
	{ "10.0.3.17", 1, 1764000000, 1764003600, 3600, 0, NULL },
	{ "10.0.3.18", 2, 1764000001, 0, 0, 0, NULL },
	{ "2001:db8:5::17", 3, 1764000002, 1764010802, 10800, 900, NULL },
	{ "02:00:00:00:00:42", 4, 1764000003, 1764014403, 14400, 0, NULL },
	{ "10.0.3.19", 5, 1764000004, 1764018004, 18000, 0, "\x02\x00\x00\x00\x00\x19" },
};

static const struct v1_session {
	uint64_t id;
	uint32_t grant_id;
	const char *client;
	unsigned int reason;
	uint64_t packets, bytes;
} v1_sessions[] = {
	{ 1, 100, "10.0.3.17", G511_REASON_EXPIRED, 1000, 150000 },
	{ 2, 101, "10.0.3.18", G511_REASON_IDLE, 2000, 300000 },
	{ 3, 102, "2001:db8:5::17", G511_REASON_REVOKED, 3000, 450000 },
};

#define NV1_GRANTS	(sizeof(v1_grants) / sizeof(v1_grants[0]))
#define NV1_SESSIONS	(sizeof(v1_sessions) / sizeof(v1_sessions[0]))

struct grants_seen {
	struct g511_grant_rec g[8];
	unsigned int n;
};

static int grant_cb(const struct g511_grant_rec *rec, void *arg)
{
	struct grants_seen *gs = arg;

	if (gs->n < 8)
		gs->g[gs->n] = *rec;
	gs->n++;
	return 0;
}

struct sessions_seen {
	struct g511_session_rec s[8];
	unsigned int n;
};

static int session_cb(const struct g511_session_rec *rec, void *arg)
{
	struct sessions_seen *ss = arg;

	if (ss->n < 8)
		ss->s[ss->n] = *rec;
	ss->n++;
	return 0;
}

struct garden_seen {
	struct g511_garden_entry e[4];
	unsigned int n;
};

static int garden_cb(const struct g511_garden_entry *e, void *arg)
{
	struct garden_seen *gs = arg;

	if (gs->n < 4)
		gs->e[gs->n] = *e;
	gs->n++;
	return 0;
}

static bool tags_empty(unsigned int origin, const char *user,
		       unsigned int class_len, const char *acct)
{
	bool ok = true;

	ok &= ASSERT_EQ(origin, G511_ORIGIN_NONE, "origin none");
	ok &= ASSERT_STREQ(user, "", "no user");
	ok &= ASSERT_EQ(class_len, 0, "no class");
	ok &= ASSERT_STREQ(acct, "", "no acct id");
	return ok;
}

/* Every v1 row of the fixture, read through state.c. */
static bool v1_content_kept(struct g511_state *st)
{
	struct grants_seen gs = { .n = 0 };
	struct sessions_seen ss = { .n = 0 };
	struct garden_seen gd = { .n = 0 };
	struct g511_garden_entry want;
	struct g511_client c;
	unsigned int i;
	bool ok = true;

	ok &= ASSERT_EQ(state_grants_foreach(st, 0, 0, grant_cb, &gs), 0, "grants");
	if (!ASSERT_EQ(gs.n, NV1_GRANTS, "every grant"))
		return false;
	for (i = 0; i < NV1_GRANTS; i++) {
		const struct v1_grant *w = &v1_grants[i];
		const struct g511_grant_rec *g = &gs.g[i];

		client_parse(w->client, &c);
		ok &= ASSERT_MEMEQ(&g->client, &c, sizeof(c), w->client);
		ok &= ASSERT_EQ(g->id, w->id, "id");
		ok &= ASSERT_EQ(g->created_wall, w->created, "created");
		ok &= ASSERT_EQ(g->expires_wall, w->expires, "expires");
		ok &= ASSERT_EQ(g->ttl_s, w->ttl, "ttl");
		ok &= ASSERT_EQ(g->idle_s, w->idle, "idle");
		ok &= ASSERT_EQ(g->mac_bound, w->mac != NULL, "mac bound");
		if (w->mac)
			ok &= ASSERT_MEMEQ(g->mac, w->mac, 6, "mac");
		ok &= ASSERT_EQ(g->quota_bytes, 0, "no quota");
		ok &= ASSERT_EQ(g->rate_up_bps, 0, "no rate up");
		ok &= ASSERT_EQ(g->rate_down_bps, 0, "no rate down");
		ok &= tags_empty(g->origin, g->user, g->class_len,
				 g->acct_session_id);
	}

	ok &= ASSERT_EQ(state_history_foreach(st, NULL, 0, 0, session_cb, &ss), 0,
			"sessions");
	if (!ASSERT_EQ(ss.n, NV1_SESSIONS, "every session"))
		return false;
	for (i = 0; i < NV1_SESSIONS; i++) {
		const struct v1_session *w = &v1_sessions[i];
		const struct g511_session_rec *s = &ss.s[i];

		client_parse(w->client, &c);
		ok &= ASSERT_MEMEQ(&s->client, &c, sizeof(c), w->client);
		ok &= ASSERT_EQ(s->id, w->id, "session id");
		ok &= ASSERT_EQ(s->grant_id, w->grant_id, "grant id");
		ok &= ASSERT_EQ(s->start_wall, 1763990000, "start");
		ok &= ASSERT_EQ(s->end_wall, 1763993600, "end");
		ok &= ASSERT_EQ(s->reason, w->reason, "reason");
		ok &= ASSERT_EQ(s->packets, w->packets, "packets");
		ok &= ASSERT_EQ(s->bytes, w->bytes, "bytes");
		ok &= ASSERT_TRUE(!s->mac_bound, "not bound");
		ok &= ASSERT_EQ(s->packets_down + s->bytes_down, 0, "no download counts");
		ok &= tags_empty(s->origin, s->user, s->class_len,
				 s->acct_session_id);
	}
	/* the per-client index came back with the rebuilt table */
	client_parse("10.0.3.18", &c);
	ss.n = 0;
	ok &= ASSERT_EQ(state_history_foreach(st, &c, 0, 0, session_cb, &ss), 0,
			"sessions of one client");
	ok &= ASSERT_EQ(ss.n, 1, "one of 10.0.3.18");

	ok &= ASSERT_EQ(state_garden_foreach(st, garden_cb, &gd), 0, "garden");
	ok &= ASSERT_EQ(gd.n, 1, "one garden entry");
	ok &= ASSERT_EQ(garden_parse("192.0.2.10/32:443", &want.key, &want.val), 0,
			"parse");
	ok &= ASSERT_MEMEQ(&gd.e[0].key, &want.key, sizeof(want.key), "garden key");
	ok &= ASSERT_EQ(gd.e[0].val.nports, 1, "one port");
	ok &= ASSERT_EQ(gd.e[0].val.ports[0], 443, "port 443");
	return ok;
}

static bool fixture_v1_migrates(void)
{
	char path[128], id[STATE_BOX_ID_LEN], id2[STATE_BOX_ID_LEN];
	struct g511_state *st = NULL;
	struct g511_session_rec s;
	struct g511_grant_rec g;
	long long schema_cookie;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	if (!copy_fixture(path))
		return false;
	if (!ASSERT_EQ(state_open(path, &st), 0, "open migrates"))
		return false;
	ok &= ASSERT_TRUE(!state_is_fresh(st), "a migrated database is not fresh");
	ok &= ASSERT_EQ(state_box_id(st, id), 0, "box id created by the migration");
	ok &= ASSERT_EQ(strlen(id), 36, "UUID form");
	ok &= ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 4, "user_version 4");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM pragma_integrity_check"
				" WHERE integrity_check != 'ok'"), 0, "integrity");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master"
				" WHERE name = 'sessions_v2'"), 0, "no leftover table");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master"
				" WHERE type = 'index' AND name = 'sessions_by_key'"
				" AND tbl_name = 'sessions'"), 1, "index rebuilt");
	/* v3: the accounting queue, empty */
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				" AND name IN ('acct_queue', 'acct_sessions')"), 2,
			"v3 accounting tables");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM acct_queue"), 0, "queue empty");
	/* v4: the garden names, empty */
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM garden_names"), 0,
			"v4 garden_names empty");
	ok &= v1_content_kept(st);
	state_close(st);

	/* a second open is a no-op: same schema (cookie), rows and box id */
	schema_cookie = raw_int(path, "PRAGMA schema_version");
	st = NULL;
	if (!ASSERT_EQ(state_open(path, &st), 0, "second open"))
		return false;
	ok &= ASSERT_EQ(raw_int(path, "PRAGMA schema_version"), schema_cookie,
			"schema untouched");
	ok &= ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 4, "still 4");
	ok &= ASSERT_TRUE(!state_is_fresh(st), "not fresh");
	ok &= ASSERT_EQ(state_box_id(st, id2), 0, "box id");
	ok &= ASSERT_STREQ(id2, id, "same box id");
	ok &= v1_content_kept(st);

	/* and it takes what v2 added: AUTOINCREMENT goes on, new reasons fit */
	memset(&g, 0, sizeof(g));
	client_parse("10.0.3.20", &g.client);
	g.created_wall = 1764000100;
	g.origin = G511_ORIGIN_RADIUS;
	snprintf(g.user, sizeof(g.user), "carol");
	ok &= ASSERT_EQ(state_grant_put(st, &g), 0, "put into migrated");
	ok &= ASSERT_EQ(g.id, 6, "id after the v1 ones");
	memset(&s, 0, sizeof(s));
	client_parse("10.0.3.17", &s.client);
	s.reason = G511_REASON_DISCONNECTED;
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "reason disconnected");
	s.reason = G511_REASON_QUOTA;
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "reason quota");
	ok &= ASSERT_EQ(raw_int(path, "SELECT max(id) FROM sessions"), 5,
			"session ids go on");
	state_close(st);
	return ok;
}

/* A step that fails rolls back the whole migration: the v1 file is intact. */
static bool failed_migration_keeps_v1(void)
{
	char path[128];
	struct g511_state *st = NULL;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/v1-blocked.db", dir);
	if (!copy_fixture(path))
		return false;
	/* the v2 step creates meta: make that statement fail, late in the step */
	ok &= ASSERT_EQ(raw_exec(path, "CREATE TABLE meta (x)"), SQLITE_OK, "block");
	ok &= ASSERT_TRUE(state_open(path, &st) < 0, "migration fails");
	ok &= ASSERT_TRUE(st == NULL, "no handle");
	ok &= ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 1, "still v1");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM pragma_table_info('grants')"
				" WHERE name = 'quota_bytes'"), 0, "no new column");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM sessions"), 3,
			"sessions kept");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master"
				" WHERE name = 'sessions_v2'"), 0, "no half-built table");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM grants"), 5, "grants kept");

	/* once the obstacle is gone the same file migrates */
	ok &= ASSERT_EQ(raw_exec(path, "DROP TABLE meta"), SQLITE_OK, "unblock");
	ok &= ASSERT_EQ(state_open(path, &st), 0, "migrates now");
	if (st)
		ok &= v1_content_kept(st);
	state_close(st);
	return ok;
}

static bool unversioned_tables_refused(void)
{
	char path[128];
	struct g511_state *st = NULL;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/foreign.db", dir);
	ok &= ASSERT_EQ(raw_exec(path, "CREATE TABLE grants (who TEXT);"
				 "INSERT INTO grants VALUES ('x')"), SQLITE_OK,
			"foreign database");
	ok &= ASSERT_EQ(state_open(path, &st), -EPROTONOSUPPORT, "refused");
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM grants"), 1, "untouched");
	ok &= ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 0, "still version 0");
	return ok;
}

/* An empty file (": > state.db") is a fresh database, like a missing one. */
static bool empty_file_is_fresh(void)
{
	char path[128];
	struct g511_state *st = NULL;
	bool ok = true;
	int fd;

	snprintf(path, sizeof(path), "%s/empty.db", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok &= ASSERT_TRUE(fd >= 0, "create empty");
	close(fd);
	ok &= ASSERT_EQ(state_open(path, &st), 0, "open");
	if (st)
		ok &= ASSERT_TRUE(state_is_fresh(st), "fresh");
	state_close(st);
	return ok;
}

/*
 * A real database with a multi-page index, then garbage over the cell
 * pointers of the index's root page: SQLite itself opens it and reads the
 * grants table fine, so only the check at open catches it.
 */
static bool corrupt_index_refused(void)
{
	char path[128], intact[128], sql[128];
	struct g511_state *st = NULL;
	struct g511_session_rec s;
	struct g511_grant_rec g;
	unsigned char junk[256];
	long long root, page_size;
	bool ok = true;
	int i, fd;

	snprintf(path, sizeof(path), "%s/corrupt.db", dir);
	snprintf(intact, sizeof(intact), "%s/intact.db", dir);
	if (!ASSERT_EQ(state_open(path, &st), 0, "create"))
		return false;
	ok &= ASSERT_EQ(state_begin(st), 0, "begin");
	for (i = 0; i < 2000; i++) {
		memset(&g, 0, sizeof(g));
		snprintf(sql, sizeof(sql), "10.%d.%d.1", 100 + i / 250, i % 250);
		client_parse(sql, &g.client);
		g.created_wall = 1000 + i;
		state_grant_put(st, &g);
		memset(&s, 0, sizeof(s));
		s.client = g.client;
		s.reason = G511_REASON_EXPIRED;
		state_history_add(st, &s);
	}
	ok &= ASSERT_EQ(state_commit(st), 0, "commit");
	state_close(st);
	st = NULL;
	/* everything in the main file, no WAL left to replay */
	ok &= ASSERT_EQ(raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK,
			"checkpoint");
	ok &= ASSERT_EQ(copy_file(path, intact), 0, "keep an intact copy");

	page_size = raw_int(path, "PRAGMA page_size");
	root = raw_int(path, "SELECT rootpage FROM sqlite_master"
		       " WHERE name = 'sessions_by_key'");
	ok &= ASSERT_TRUE(page_size >= 512 && root > 1, "index root page");
	ok &= ASSERT_TRUE(raw_int(path, "PRAGMA page_count") > root + 8,
			  "a database of many pages");
	memset(junk, 0x5a, sizeof(junk));
	fd = open(path, O_WRONLY);
	ok &= ASSERT_TRUE(fd >= 0, "open file");
	ok &= ASSERT_EQ(pwrite(fd, junk, sizeof(junk), (root - 1) * page_size + 8),
			sizeof(junk), "overwrite the index page");
	close(fd);
	ok &= ASSERT_EQ(raw_int(path, "SELECT count(*) FROM grants"), 2000,
			"SQLite alone does not notice");

	ok &= ASSERT_EQ(state_open(path, &st), -EBADMSG, "corrupt refused");
	ok &= ASSERT_TRUE(st == NULL, "no handle");
	ok &= ASSERT_EQ(state_open(intact, &st), 0, "intact opens");
	state_close(st);
	return ok;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state_migrate.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	log_init(1, 0);
	RUN_CASE(fixture_v1_migrates);
	RUN_CASE(failed_migration_keeps_v1);
	RUN_CASE(unversioned_tables_refused);
	RUN_CASE(empty_file_is_fresh);
	RUN_CASE(corrupt_index_refused);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return test_summary();
}
