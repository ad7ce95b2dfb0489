// SPDX-License-Identifier: GPL-2.0
/*
 * test_revoke.c - a revoke the state database cannot commit
 * (user/gate511d/revoke.c, the deny path of grants.c), on a state DB in a
 * temporary directory and no BPF maps (the daemon has no iface, so the map
 * side is empty and only the DB side is under test). A database that
 * cannot commit is made with PRAGMA query_only (every write fails) or
 * PRAGMA max_page_count (SQLITE_FULL, what a full disk gives).
 *
 * Cases: deny with a DB that refuses: -EINPROGRESS, journalled, pending,
 * hidden from show; the retry commits it (history row "revoked", grant
 * row gone, journal slot freed); a restart replays the journal (still
 * refused: still pending; then committed at start); a pending revocation
 * never closes a newer grant of the same client, nor a grant of another
 * database (a journal left behind is moved aside); a full journal (the
 * rest pending in memory, said not journalled); an allow refused by a
 * full database carries -ENOSPC and SQLite's reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "sqlite_shim.h"
#include "../../user/gate511d/state.c"
#include "../../user/gate511d/clock.c"
#include "../../user/gate511d/maps.c"
#include "../../user/gate511d/grant_rec.c"
#include "../../user/gate511d/revoke.c"
#include "../../user/gate511d/grants.c"
#include "../../user/gate511d/runtime.c"
#include "../../user/gate511d/garden.c"
#include "../../user/gate511d/gname.c"
#include "../../user/gate511d/query.c"

static char dir[] = "/tmp/g511-revoke-XXXXXX";
static struct g511_daemon d;

static void d_close(void)
{
	revoke_stop(&d);
	if (d.state)
		state_close(d.state);
	d.state = NULL;
}

static bool d_open(bool fresh)
{
	char p[512];

	d_close();
	if (fresh) {
		snprintf(p, sizeof(p), "rm -f %s/state.db*", dir);
		if (system(p))
			return false;
	}
	return ASSERT_EQ(state_open(d.conf.state_path, &d.state), 0, "state") &&
	       ASSERT_EQ(revoke_start(&d), 0, "revoke_start");
}

static void db_readonly(bool on)
{
	state_exec(d.state, on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0");
}

static bool put_grant(const char *who, struct g511_grant_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	client_parse(who, &rec->client);
	rec->created_wall = g511_wall_s() - 60;
	rec->origin = G511_ORIGIN_CLI;
	return ASSERT_EQ(state_grant_put(d.state, rec), 0, "put grant");
}

struct hist {
	unsigned int n, revoked;
};

static int hist_one(const struct g511_session_rec *s, void *arg)
{
	struct hist *h = arg;

	h->n++;
	h->revoked += s->reason == G511_REASON_REVOKED;
	return 0;
}

static struct hist history_of(const struct g511_client *c)
{
	struct hist h = { 0 };

	state_history_foreach(d.state, c, 0, 0, hist_one, &h);
	return h;
}

static bool test_deny_db_refuses(void)
{
	struct g511_ctl_session out;
	struct g511_ctl_grant shown;
	struct grant_result res;
	struct g511_grant_rec rec, now_rec;
	bool ok = true;

	if (!d_open(true) || !put_grant("10.0.0.5", &rec))
		return false;
	db_readonly(true);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny: in force, not durable");
	ok &= ASSERT_TRUE(res.journalled, "journalled");
	ok &= ASSERT_TRUE(strstr(res.db_error, "readonly") != NULL, "SQLite's reason");
	ok &= ASSERT_EQ(out.reason, G511_REASON_REVOKED, "the closed session is returned");
	ok &= ASSERT_TRUE(revoke_is_pending(&d, &rec.client, rec.id), "pending");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 1, "one journal record");
	ok &= ASSERT_EQ(state_grant_get(d.state, &rec.client, &now_rec), 0, "DB row still there");
	ok &= ASSERT_EQ(grants_show(&d, &rec.client, &shown), -ENOENT, "show: revoked");
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny again: still not durable");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 1, "still one journal record");
	/* the retry, while the DB still refuses: nothing changes */
	pthread_mutex_lock(&d.lock);
	revoke_flush_locked(&d, true);
	pthread_mutex_unlock(&d.lock);
	ok &= ASSERT_EQ(revoke_pending_count(&d), 1, "still pending");
	/* the DB takes writes again: the retry commits it */
	db_readonly(false);
	pthread_mutex_lock(&d.lock);
	revoke_flush_locked(&d, true);
	pthread_mutex_unlock(&d.lock);
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "nothing pending");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 0, "journal slot freed");
	ok &= ASSERT_EQ(state_grant_get(d.state, &rec.client, &now_rec), -ENOENT, "row gone");
	ok &= ASSERT_EQ(history_of(&rec.client).revoked, 1, "one revoked session");
	/* a second flush adds nothing */
	pthread_mutex_lock(&d.lock);
	revoke_flush_locked(&d, true);
	pthread_mutex_unlock(&d.lock);
	ok &= ASSERT_EQ(history_of(&rec.client).n, 1, "still one session");
	return ok;
}

/* A deny of a client whose revocation is pending, once the DB commits
 * again: the pending one is committed (with its counters), nothing more. */
static bool test_deny_pending_again(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec;
	bool ok = true;

	if (!d_open(true) || !put_grant("10.0.0.4", &rec))
		return false;
	db_readonly(true);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny");
	db_readonly(false);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-ENOENT, "deny again: already revoked");
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "nothing pending");
	ok &= ASSERT_EQ(history_of(&rec.client).n, 1, "one session");
	return ok;
}

static bool test_restart_replays_journal(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec, now_rec;
	bool ok = true;

	if (!d_open(true) || !put_grant("fd00::7", &rec))
		return false;
	db_readonly(true);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny");
	/* a restart: the memory list is gone, the journal is not */
	revoke_stop(&d);
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "memory list gone");
	ok &= ASSERT_EQ(revoke_start(&d), 0, "restart, DB still refusing");
	ok &= ASSERT_TRUE(revoke_is_pending(&d, &rec.client, rec.id),
			  "pending again from the journal");
	ok &= ASSERT_EQ(state_grant_get(d.state, &rec.client, &now_rec), 0, "row still there");
	/* the next start with a DB that commits: done at start */
	db_readonly(false);
	revoke_stop(&d);
	ok &= ASSERT_EQ(revoke_start(&d), 0, "restart, DB fine");
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "committed at start");
	ok &= ASSERT_EQ(state_grant_get(d.state, &rec.client, &now_rec), -ENOENT, "row gone");
	ok &= ASSERT_EQ(history_of(&rec.client).revoked, 1, "revoked session recorded");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 0, "journal empty");
	return ok;
}

static bool test_newer_grant_untouched(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec, newer, now_rec;
	bool ok = true;

	if (!d_open(true) || !put_grant("10.0.0.9", &rec))
		return false;
	db_readonly(true);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny");
	db_readonly(false);
	/* a new grant of the same client reaches the DB first (new id) */
	ok &= put_grant("10.0.0.9", &newer);
	ok &= ASSERT_NE(newer.id, rec.id, "a new id");
	ok &= ASSERT_TRUE(!revoke_is_pending(&d, &newer.client, newer.id), "new grant not pending");
	pthread_mutex_lock(&d.lock);
	revoke_flush_locked(&d, true);
	pthread_mutex_unlock(&d.lock);
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "the old revocation is done");
	ok &= ASSERT_EQ(state_grant_get(d.state, &rec.client, &now_rec), 0, "newer grant kept");
	ok &= ASSERT_EQ(now_rec.id, newer.id, "it is the newer one");
	return ok;
}

static bool test_journal_of_another_db(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec, other, now_rec;
	char p[512];
	bool ok = true;

	if (!d_open(true) || !put_grant("10.0.0.8", &rec))
		return false;
	db_readonly(true);
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-EINPROGRESS, "deny");
	d_close();
	/* the database replaced (the journal left behind): the same client
	 * gets the same grant id in the new one */
	snprintf(p, sizeof(p), "rm -f %s/state.db %s/state.db-wal %s/state.db-shm", dir, dir, dir);
	if (!ASSERT_EQ(system(p), 0, "rm"))
		return false;
	if (!ASSERT_EQ(state_open(d.conf.state_path, &d.state), 0, "new state"))
		return false;
	ok &= put_grant("10.0.0.8", &other);
	ok &= ASSERT_EQ(other.id, rec.id, "the same id in the new database");
	ok &= ASSERT_EQ(revoke_start(&d), 0, "revoke_start");
	ok &= ASSERT_TRUE(!revoke_is_pending(&d, &other.client, other.id), "not pending");
	ok &= ASSERT_EQ(state_grant_get(d.state, &other.client, &now_rec), 0, "grant kept");
	snprintf(p, sizeof(p), "%s/state.db-revoked.stale", dir);
	ok &= ASSERT_EQ(access(p, F_OK), 0, "old journal moved aside");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 0, "a new, empty journal");
	return ok;
}

/* More pending revocations than the journal has slots: the rest are in
 * force and retried, but said to be not journalled. */
static bool test_journal_full(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec;
	unsigned int i, n = REVJ_SLOTS_DEFAULT + 2, journalled = 0, not_journalled = 0;
	uint32_t left = 1;
	char who[32];
	bool ok = true;

	if (!d_open(true))
		return false;
	for (i = 0; i < n; i++) {
		snprintf(who, sizeof(who), "10.2.%u.%u", i / 250, i % 250 + 1);
		if (!put_grant(who, &rec))
			return false;
	}
	db_readonly(true);
	for (i = 0; i < n; i++) {
		snprintf(who, sizeof(who), "10.2.%u.%u", i / 250, i % 250 + 1);
		client_parse(who, &rec.client);
		if (grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res) !=
		    -EINPROGRESS)
			break;
		if (res.journalled)
			journalled++;
		else
			not_journalled++;
	}
	ok &= ASSERT_EQ(i, n, "every deny in force");
	ok &= ASSERT_EQ(journalled, REVJ_SLOTS_DEFAULT, "as many journalled as slots");
	ok &= ASSERT_EQ(not_journalled, 2, "the rest said not journalled");
	ok &= ASSERT_EQ(revoke_pending_count(&d), n, "all pending in memory");
	db_readonly(false);
	pthread_mutex_lock(&d.lock);
	revoke_flush_locked(&d, true);
	pthread_mutex_unlock(&d.lock);
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "all committed");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 0, "journal empty");
	state_grants_count(d.state, 0, &left);
	ok &= ASSERT_EQ(left, 0, "no grant left");
	return ok;
}

static bool test_deny_db_fine_is_durable(void)
{
	struct g511_ctl_session out;
	struct grant_result res;
	struct g511_grant_rec rec;
	bool ok = true;

	if (!d_open(true) || !put_grant("10.0.0.6", &rec))
		return false;
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res), 0,
			"deny commits");
	ok &= ASSERT_EQ(revoke_pending_count(&d), 0, "nothing pending");
	ok &= ASSERT_EQ(revj_used(d.revoke->j), 0, "journal untouched");
	ok &= ASSERT_EQ(grants_deny_r(&d, &rec.client, G511_REASON_REVOKED, &out, &res),
			-ENOENT, "deny again: nothing to revoke");
	return ok;
}

static bool test_allow_db_full(void)
{
	struct g511_ctl_grant out;
	struct grant_result res;
	struct grant_spec spec;
	char sql[64], who[32];
	int page_count = 0, err = 0, i;
	bool ok = true;

	memset(&res, 0, sizeof(res));
	if (!d_open(true))
		return false;
	state_query_int(d.state, "PRAGMA page_count", &page_count);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", page_count + 1);
	state_exec(d.state, sql);
	memset(&spec, 0, sizeof(spec));
	spec.origin = G511_ORIGIN_CLI;
	spec.ttl_s = 3600;
	for (i = 1; i < 2000 && !err; i++) {
		snprintf(who, sizeof(who), "10.1.%d.%d", i / 250, i % 250 + 1);
		client_parse(who, &spec.client);
		err = grants_allow_r(&d, &spec, &out, &res);
	}
	ok &= ASSERT_EQ(err, -ENOSPC, "a full database: ENOSPC, not EIO");
	ok &= ASSERT_STREQ(res.db_error, "database or disk is full", "SQLite's reason");
	state_exec(d.state, "PRAGMA max_page_count = 1073741823");
	return ok;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	pthread_mutex_init(&d.lock, NULL);
	snprintf(d.conf.state_path, sizeof(d.conf.state_path), "%s/state.db", dir);
	d.conf.xdp = (struct g511_config){ 0 };
	RUN_CASE(test_deny_db_refuses);
	RUN_CASE(test_deny_pending_again);
	RUN_CASE(test_restart_replays_journal);
	RUN_CASE(test_newer_grant_untouched);
	RUN_CASE(test_journal_of_another_db);
	RUN_CASE(test_journal_full);
	RUN_CASE(test_deny_db_fine_is_durable);
	RUN_CASE(test_allow_db_full);
	d_close();
	{
		char p[512];

		snprintf(p, sizeof(p), "rm -rf %s", dir);
		if (system(p))
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return test_summary();
}
