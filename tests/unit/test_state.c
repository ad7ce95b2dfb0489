// SPDX-License-Identifier: GPL-2.0
/*
 * test_state.c - gate511d's SQLite state (user/gate511d/state.c) in a
 * temporary directory: grants put/get/replace/delete/page, history with
 * and without a filter, garden entries, transactions that commit and that
 * roll back, WAL mode and file mode, data kept across a reopen, deadline
 * shifts, a database from a newer schema refused, the phase-2 fields
 * (schema v2) stored and read back, and the box id / fresh flag.
 * Migration from a 0.1.0 database and corruption: test_state_migrate.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "sqlite_shim.h"
#include "../../user/gate511d/state.c"

static char dir[64], path[128];
static struct g511_state *st;

static struct g511_grant_rec grant(const char *who, uint64_t expires)
{
	struct g511_grant_rec r;

	memset(&r, 0, sizeof(r));
	client_parse(who, &r.client);
	r.created_wall = 1000;
	r.expires_wall = expires;
	r.ttl_s = expires ? expires - 1000 : 0;
	r.idle_s = 600;
	return r;
}

static int count_cb(const struct g511_grant_rec *rec, void *arg)
{
	(void)rec;
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int count_grants(void)
{
	unsigned int n = 0;

	state_grants_foreach(st, 0, 0, count_cb, &n);
	return n;
}

static bool open_fresh(void)
{
	struct stat sb;
	bool ok = true;

	ok &= ASSERT_EQ(state_open(path, &st), 0, "open");
	ok &= ASSERT_EQ(stat(path, &sb), 0, "file exists");
	ok &= ASSERT_EQ(sb.st_mode & 0777, 0600, "mode 0600");
	ok &= ASSERT_EQ(stat(dir, &sb), 0, "dir exists");
	return ok;
}

static bool grant_put_get_replace(void)
{
	struct g511_grant_rec a = grant("10.0.0.5", 5000), b = grant("2001:db8::5", 0);
	struct g511_grant_rec m = grant("02:00:00:00:00:05", 9000), got, a2;
	uint32_t n;
	bool ok = true;

	a.mac_bound = true;
	memcpy(a.mac, "\x02\x11\x22\x33\x44\x55", 6);
	ok &= ASSERT_EQ(state_grant_put(st, &a), 0, "put v4");
	ok &= ASSERT_EQ(state_grant_put(st, &b), 0, "put v6");
	ok &= ASSERT_EQ(state_grant_put(st, &m), 0, "put mac");
	ok &= ASSERT_TRUE(a.id && b.id > a.id && m.id > b.id, "ids grow");

	ok &= ASSERT_EQ(state_grant_get(st, &a.client, &got), 0, "get");
	ok &= ASSERT_EQ(got.id, a.id, "id");
	ok &= ASSERT_TRUE(got.mac_bound, "mac bound");
	ok &= ASSERT_MEMEQ(got.mac, a.mac, 6, "mac");
	ok &= ASSERT_EQ(got.expires_wall, 5000, "expires");
	ok &= ASSERT_EQ(got.ttl_s, 4000, "ttl");
	ok &= ASSERT_EQ(got.idle_s, 600, "idle");
	ok &= ASSERT_EQ(state_grant_get(st, &b.client, &got), 0, "get v6");
	ok &= ASSERT_TRUE(!got.mac_bound, "not bound");

	/* same client again: replaced, with a new id never used before */
	a2 = grant("10.0.0.5", 7000);
	ok &= ASSERT_EQ(state_grant_put(st, &a2), 0, "replace");
	ok &= ASSERT_TRUE(a2.id > m.id, "new id");
	ok &= ASSERT_EQ(state_grant_get(st, &a.client, &got), 0, "get replaced");
	ok &= ASSERT_EQ(got.expires_wall, 7000, "new expiry");
	ok &= ASSERT_TRUE(!got.mac_bound, "binding gone with the old grant");
	ok &= ASSERT_EQ(count_grants(), 3, "three grants");
	ok &= ASSERT_EQ(state_grants_count(st, G511_CLIENT_ADDR, &n), 0, "count");
	ok &= ASSERT_EQ(n, 2, "two addresses");
	ok &= ASSERT_EQ(state_grants_count(st, G511_CLIENT_MAC, &n), 0, "count");
	ok &= ASSERT_EQ(n, 1, "one MAC");
	return ok;
}

static bool grant_delete(void)
{
	struct g511_grant_rec b = grant("2001:db8::5", 0), got;
	struct g511_client nobody;
	bool ok = true;

	client_parse("10.9.9.9", &nobody);
	ok &= ASSERT_EQ(state_grant_del(st, &b.client), 0, "delete");
	ok &= ASSERT_EQ(state_grant_get(st, &b.client, &got), -ENOENT, "gone");
	ok &= ASSERT_EQ(state_grant_del(st, &b.client), -ENOENT, "delete again");
	ok &= ASSERT_EQ(state_grant_get(st, &nobody, &got), -ENOENT, "never there");
	ok &= ASSERT_EQ(count_grants(), 2, "two left");
	return ok;
}

struct page_ctx {
	uint32_t ids[16];
	unsigned int n;
};

static int page_cb(const struct g511_grant_rec *rec, void *arg)
{
	struct page_ctx *p = arg;

	p->ids[p->n++] = rec->id;
	return 0;
}

static int stop_cb(const struct g511_grant_rec *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 42;
}

static bool grant_paging(void)
{
	struct page_ctx p = { .n = 0 };
	struct g511_grant_rec r;
	char who[32];
	bool ok = true;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(who, sizeof(who), "10.1.0.%d", i + 1);
		r = grant(who, 0);
		state_grant_put(st, &r);
	}
	ok &= ASSERT_EQ(state_grants_foreach(st, 0, 3, page_cb, &p), 0, "page 1");
	ok &= ASSERT_EQ(p.n, 3, "three");
	ok &= ASSERT_EQ(state_grants_foreach(st, p.ids[2], 3, page_cb, &p), 0, "page 2");
	ok &= ASSERT_EQ(p.n, 6, "three more");
	ok &= ASSERT_EQ(state_grants_foreach(st, p.ids[5], 3, page_cb, &p), 0, "page 3");
	ok &= ASSERT_EQ(p.n, 7, "the last one");
	for (i = 1; i < 7; i++)
		ok &= ASSERT_TRUE(p.ids[i] > p.ids[i - 1], "id order");
	ok &= ASSERT_EQ(state_grants_foreach(st, 0, 0, stop_cb, NULL), 42,
			"callback stops the walk");
	return ok;
}

struct hist_ctx {
	struct g511_session_rec s[8];
	unsigned int n;
};

static int hist_cb(const struct g511_session_rec *s, void *arg)
{
	struct hist_ctx *h = arg;

	if (h->n < 8)
		h->s[h->n] = *s;
	h->n++;
	return 0;
}

static bool history(void)
{
	struct g511_session_rec s;
	struct g511_client a, b;
	struct hist_ctx h = { .n = 0 };
	bool ok = true;

	client_parse("10.0.0.5", &a);
	client_parse("02:00:00:00:00:05", &b);
	memset(&s, 0, sizeof(s));
	s.client = a;
	s.grant_id = 1;
	s.start_wall = 100;
	s.end_wall = 200;
	s.reason = G511_REASON_EXPIRED;
	s.packets = 10;
	s.bytes = (1ULL << 62) + 1;
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "add 1");
	s.reason = G511_REASON_REVOKED;
	s.mac_bound = true;
	memcpy(s.mac, "\x02\x00\x00\x00\x00\x07", 6);
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "add 2");
	s.client = b;
	s.reason = G511_REASON_IDLE;
	s.mac_bound = false;
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "add 3");
	s.reason = 0;
	ok &= ASSERT_EQ(state_history_add(st, &s), -EINVAL, "reason 0");
	s.reason = G511_REASON__MAX;
	ok &= ASSERT_EQ(state_history_add(st, &s), -EINVAL, "reason past the end");

	ok &= ASSERT_EQ(state_history_foreach(st, NULL, 0, 0, hist_cb, &h), 0, "all");
	ok &= ASSERT_EQ(h.n, 3, "three sessions");
	ok &= ASSERT_EQ(h.s[0].reason, G511_REASON_EXPIRED, "reason");
	ok &= ASSERT_EQ(h.s[0].bytes, (1ULL << 62) + 1, "bytes");
	ok &= ASSERT_EQ(h.s[0].packets, 10, "packets");
	ok &= ASSERT_EQ(h.s[0].start_wall, 100, "start");
	ok &= ASSERT_EQ(h.s[0].end_wall, 200, "end");
	ok &= ASSERT_TRUE(h.s[1].mac_bound, "bound mac kept");
	ok &= ASSERT_EQ(h.s[2].client.kind, G511_CLIENT_MAC, "mac client");
	h.n = 0;
	ok &= ASSERT_EQ(state_history_foreach(st, &a, 0, 0, hist_cb, &h), 0, "filter");
	ok &= ASSERT_EQ(h.n, 2, "two of 10.0.0.5");
	h.n = 0;
	ok &= ASSERT_EQ(state_history_foreach(st, NULL, 0, 1, hist_cb, &h), 0, "limit");
	ok &= ASSERT_EQ(h.n, 1, "one");
	ok &= ASSERT_EQ(state_history_foreach(st, NULL, h.s[0].id, 0, hist_cb, &h), 0,
			"after");
	ok &= ASSERT_EQ(h.n, 3, "the other two");
	return ok;
}

static int garden_cb(const struct g511_garden_entry *e, void *arg)
{
	struct g511_garden_entry *out = arg;
	unsigned int i = 0;

	while (out[i].key.prefixlen)
		i++;
	out[i] = *e;
	return 0;
}

static bool garden(void)
{
	struct g511_garden_entry e, got[4];
	bool ok = true;

	garden_parse("10.0.0.0/8:443,80", &e.key, &e.val);
	ok &= ASSERT_EQ(state_garden_put(st, &e), 0, "put");
	garden_parse("[2001:db8::/32]:53", &e.key, &e.val);
	ok &= ASSERT_EQ(state_garden_put(st, &e), 0, "put v6");
	garden_parse("2001:db8::/32", &e.key, &e.val);
	ok &= ASSERT_EQ(state_garden_put(st, &e), 0, "replace: all ports now");
	memset(got, 0, sizeof(got));
	ok &= ASSERT_EQ(state_garden_foreach(st, garden_cb, got), 0, "walk");
	ok &= ASSERT_EQ(got[0].key.prefixlen, 32, "v6 /32 first (prefixlen order)");
	ok &= ASSERT_EQ(got[0].val.nports, 0, "all ports");
	ok &= ASSERT_EQ(got[1].key.prefixlen, 104, "10/8");
	ok &= ASSERT_EQ(got[1].val.nports, 2, "two ports");
	ok &= ASSERT_EQ(got[1].val.ports[0], 80, "sorted");
	ok &= ASSERT_EQ(got[2].key.prefixlen, 0, "no third");
	ok &= ASSERT_EQ(state_garden_del(st, &got[0].key), 0, "del");
	ok &= ASSERT_EQ(state_garden_del(st, &got[0].key), -ENOENT, "del again");
	e.key.prefixlen = 129;
	ok &= ASSERT_EQ(state_garden_put(st, &e), -EINVAL, "bad key");
	return ok;
}

static bool transactions(void)
{
	struct g511_grant_rec r = grant("10.2.0.1", 0), got;
	unsigned int before = count_grants();
	bool ok = true;

	ok &= ASSERT_EQ(state_begin(st), 0, "begin");
	ok &= ASSERT_EQ(state_begin(st), -EBUSY, "not nested");
	ok &= ASSERT_EQ(state_grant_put(st, &r), 0, "put");
	ok &= ASSERT_EQ(state_grant_get(st, &r.client, &got), 0, "visible inside");
	state_rollback(st);
	ok &= ASSERT_TRUE(!state_in_transaction(st), "closed");
	ok &= ASSERT_EQ(state_grant_get(st, &r.client, &got), -ENOENT, "rolled back");
	ok &= ASSERT_EQ(count_grants(), before, "count unchanged");

	ok &= ASSERT_EQ(state_begin(st), 0, "begin");
	ok &= ASSERT_EQ(state_grant_put(st, &r), 0, "put");
	ok &= ASSERT_EQ(state_commit(st), 0, "commit");
	ok &= ASSERT_EQ(state_grant_get(st, &r.client, &got), 0, "committed");
	ok &= ASSERT_EQ(state_commit(st), -EINVAL, "commit without begin");
	return ok;
}

static bool deadlines(void)
{
	struct g511_grant_rec r = grant("10.3.0.1", 5000), n = grant("10.3.0.2", 0), got;
	bool ok = true;

	state_grant_put(st, &r);
	state_grant_put(st, &n);
	ok &= ASSERT_EQ(state_grant_set_expires(st, r.id, 6000), 0, "set");
	state_grant_get(st, &r.client, &got);
	ok &= ASSERT_EQ(got.expires_wall, 6000, "set to 6000");
	ok &= ASSERT_EQ(state_grants_shift_expiry(st, -500), 0, "shift");
	state_grant_get(st, &r.client, &got);
	ok &= ASSERT_EQ(got.expires_wall, 5500, "moved back");
	state_grant_get(st, &n.client, &got);
	ok &= ASSERT_EQ(got.expires_wall, 0, "no deadline stays none");
	ok &= ASSERT_EQ(got.ttl_s, 0, "ttl untouched");
	return ok;
}

static bool fresh_and_box_id(void)
{
	char id[STATE_BOX_ID_LEN], again[STATE_BOX_ID_LEN];
	struct g511_state *st2 = NULL;
	char other[160];
	bool ok = true;
	int i;

	ok &= ASSERT_TRUE(state_is_fresh(st), "created from nothing");
	ok &= ASSERT_EQ(state_box_id(st, id), 0, "box id");
	ok &= ASSERT_EQ(strlen(id), 36, "36 characters");
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		ok &= ASSERT_TRUE(dash ? id[i] == '-' :
				  !!strchr("0123456789abcdef", id[i]), "UUID form");
	}
	ok &= ASSERT_EQ(id[14], '4', "version 4");
	ok &= ASSERT_TRUE(strchr("89ab", id[19]) != NULL, "variant");

	/* another database gets another id */
	snprintf(other, sizeof(other), "%s/other.db", dir);
	ok &= ASSERT_EQ(state_open(other, &st2), 0, "open other");
	if (st2) {
		ok &= ASSERT_EQ(state_box_id(st2, again), 0, "other box id");
		ok &= ASSERT_TRUE(strcmp(id, again) != 0, "ids differ");
		state_close(st2);
	}
	unlink(other);
	return ok;
}

static struct g511_grant_rec grant_tagged(const char *who, unsigned int origin)
{
	struct g511_grant_rec r = grant(who, 9000);
	unsigned int i;

	r.quota_bytes = G511_CTL_QUOTA_MAX;
	r.rate_up_bps = 2000000;
	r.rate_down_bps = G511_CTL_RATE_MAX;
	r.origin = origin;
	snprintf(r.user, sizeof(r.user), "alice@example.net");
	/* Class is opaque octets: NULs and high bytes, the longest allowed */
	for (i = 0; i < G511_CLASS_MAX; i++)
		r.class[i] = (uint8_t)(i * 7);
	r.class_len = G511_CLASS_MAX;
	snprintf(r.acct_session_id, sizeof(r.acct_session_id), "5F3A0001-%u", origin);
	return r;
}

static bool grant_phase2_fields(void)
{
	struct g511_grant_rec r, got, plain = grant("10.4.0.99", 0);
	char who[32];
	unsigned int o;
	bool ok = true;

	for (o = 0; o < G511_ORIGIN__MAX; o++) {
		snprintf(who, sizeof(who), "10.4.0.%u", o + 1);
		r = grant_tagged(who, o);
		ok &= ASSERT_EQ(state_grant_put(st, &r), 0, ctl_origin_name(o));
		memset(&got, 0xa5, sizeof(got));
		ok &= ASSERT_EQ(state_grant_get(st, &r.client, &got), 0, "get");
		ok &= ASSERT_EQ(got.id, r.id, "id");
		ok &= ASSERT_EQ(got.quota_bytes, G511_CTL_QUOTA_MAX, "quota");
		ok &= ASSERT_EQ(got.rate_up_bps, 2000000, "rate up");
		ok &= ASSERT_EQ(got.rate_down_bps, G511_CTL_RATE_MAX, "rate down");
		ok &= ASSERT_EQ(got.origin, o, "origin");
		ok &= ASSERT_STREQ(got.user, r.user, "user");
		ok &= ASSERT_EQ(got.class_len, G511_CLASS_MAX, "class length");
		ok &= ASSERT_MEMEQ(got.class, r.class, G511_CLASS_MAX, "class");
		ok &= ASSERT_STREQ(got.acct_session_id, r.acct_session_id, "acct id");
		ok &= ASSERT_EQ(got.expires_wall, 9000, "v1 fields still there");
		state_grant_del(st, &r.client);
	}

	/* nothing set reads back as nothing: origin none, empty strings */
	ok &= ASSERT_EQ(state_grant_put(st, &plain), 0, "plain");
	memset(&got, 0xa5, sizeof(got));
	ok &= ASSERT_EQ(state_grant_get(st, &plain.client, &got), 0, "get plain");
	ok &= ASSERT_EQ(got.quota_bytes + got.rate_up_bps + got.rate_down_bps, 0,
			"no quota, no rates");
	ok &= ASSERT_EQ(got.origin, G511_ORIGIN_NONE, "origin none");
	ok &= ASSERT_STREQ(got.user, "", "no user");
	ok &= ASSERT_EQ(got.class_len, 0, "no class");
	ok &= ASSERT_STREQ(got.acct_session_id, "", "no acct id");
	state_grant_del(st, &plain.client);

	/* what the schema could not hold is refused before SQLite sees it */
	r = grant_tagged("10.4.0.200", G511_ORIGIN__MAX);
	ok &= ASSERT_EQ(state_grant_put(st, &r), -EINVAL, "origin past the end");
	r = grant_tagged("10.4.0.200", G511_ORIGIN_API);
	r.class_len = G511_CLASS_MAX + 1;
	ok &= ASSERT_EQ(state_grant_put(st, &r), -EINVAL, "class too long");
	r = grant_tagged("10.4.0.200", G511_ORIGIN_API);
	memset(r.user, 'u', sizeof(r.user));
	ok &= ASSERT_EQ(state_grant_put(st, &r), -EINVAL, "user not terminated");
	r = grant_tagged("10.4.0.200", G511_ORIGIN_API);
	memset(r.acct_session_id, 'a', sizeof(r.acct_session_id));
	ok &= ASSERT_EQ(state_grant_put(st, &r), -EINVAL, "acct id not terminated");
	ok &= ASSERT_EQ(state_grant_get(st, &r.client, &got), -ENOENT, "none stored");
	return ok;
}

static bool session_phase2_fields(void)
{
	struct g511_session_rec s;
	struct g511_client c;
	struct hist_ctx h = { .n = 0 };
	bool ok = true;

	client_parse("10.5.0.1", &c);
	memset(&s, 0, sizeof(s));
	s.client = c;
	s.grant_id = 77;
	s.start_wall = 100;
	s.end_wall = 300;
	s.reason = G511_REASON_QUOTA;
	s.packets = 11;
	s.bytes = 1100;
	s.packets_down = 22;
	s.bytes_down = 1ULL << 40;
	s.origin = G511_ORIGIN_RADIUS;
	snprintf(s.user, sizeof(s.user), "bob");
	memcpy(s.class, "\x00\x01\xff", 3);
	s.class_len = 3;
	snprintf(s.acct_session_id, sizeof(s.acct_session_id), "ABCD-1");
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "add quota");
	s.reason = G511_REASON_DISCONNECTED;
	s.origin = G511_ORIGIN_COA;
	ok &= ASSERT_EQ(state_history_add(st, &s), 0, "add disconnected");
	s.origin = G511_ORIGIN__MAX;
	ok &= ASSERT_EQ(state_history_add(st, &s), -EINVAL, "origin past the end");

	ok &= ASSERT_EQ(state_history_foreach(st, &c, 0, 0, hist_cb, &h), 0, "walk");
	ok &= ASSERT_EQ(h.n, 2, "two sessions");
	ok &= ASSERT_EQ(h.s[0].reason, G511_REASON_QUOTA, "reason quota");
	ok &= ASSERT_EQ(h.s[1].reason, G511_REASON_DISCONNECTED, "reason disconnected");
	ok &= ASSERT_EQ(h.s[0].grant_id, 77, "grant id");
	ok &= ASSERT_EQ(h.s[0].packets, 11, "packets up");
	ok &= ASSERT_EQ(h.s[0].bytes, 1100, "bytes up");
	ok &= ASSERT_EQ(h.s[0].packets_down, 22, "packets down");
	ok &= ASSERT_EQ(h.s[0].bytes_down, 1ULL << 40, "bytes down");
	ok &= ASSERT_EQ(h.s[0].origin, G511_ORIGIN_RADIUS, "origin");
	ok &= ASSERT_EQ(h.s[1].origin, G511_ORIGIN_COA, "origin coa");
	ok &= ASSERT_STREQ(h.s[0].user, "bob", "user");
	ok &= ASSERT_EQ(h.s[0].class_len, 3, "class length");
	ok &= ASSERT_MEMEQ(h.s[0].class, "\x00\x01\xff", 3, "class");
	ok &= ASSERT_STREQ(h.s[0].acct_session_id, "ABCD-1", "acct id");
	return ok;
}

static bool reopen_keeps_data(void)
{
	char wal[160], id[STATE_BOX_ID_LEN], id2[STATE_BOX_ID_LEN];
	unsigned int before = count_grants();
	bool ok = true;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	ok &= ASSERT_EQ(access(wal, F_OK), 0, "WAL file in use");
	ok &= ASSERT_EQ(state_box_id(st, id), 0, "box id");
	state_close(st);
	ok &= ASSERT_EQ(state_open(path, &st), 0, "reopen");
	if (!st)
		return false;
	ok &= ASSERT_EQ(count_grants(), before, "same grants");
	ok &= ASSERT_TRUE(!state_is_fresh(st), "not fresh the second time");
	ok &= ASSERT_EQ(state_box_id(st, id2), 0, "box id again");
	ok &= ASSERT_STREQ(id2, id, "same box id");
	return ok;
}

static bool newer_schema_refused(void)
{
	char other[160];
	struct g511_state *st2 = NULL;
	sqlite3 *db;
	bool ok = true;

	snprintf(other, sizeof(other), "%s/newer.db", dir);
	sqlite3_open_v2(other, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close_v2(db);
	ok &= ASSERT_EQ(state_open(other, &st2), -EPROTONOSUPPORT, "schema 99");
	ok &= ASSERT_TRUE(st2 == NULL, "no handle");
	unlink(other);
	return ok;
}

static bool not_a_database(void)
{
	char other[160];
	struct g511_state *st2 = NULL;
	FILE *f;
	bool ok = true;

	snprintf(other, sizeof(other), "%s/garbage.db", dir);
	f = fopen(other, "w");
	fputs("this is not an SQLite database, not at all, no.\n", f);
	fclose(f);
	ok &= ASSERT_TRUE(state_open(other, &st2) < 0, "refused");
	unlink(other);
	return ok;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* the directory is created by state_open */
	snprintf(path, sizeof(path), "%s/sub/state.db", dir);
	log_init(1, 0);
	RUN_CASE(open_fresh);
	if (!st)
		return test_summary();
	RUN_CASE(fresh_and_box_id);
	RUN_CASE(grant_put_get_replace);
	RUN_CASE(grant_delete);
	RUN_CASE(grant_paging);
	RUN_CASE(history);
	RUN_CASE(garden);
	RUN_CASE(transactions);
	RUN_CASE(deadlines);
	RUN_CASE(grant_phase2_fields);
	RUN_CASE(session_phase2_fields);
	RUN_CASE(reopen_keeps_data);
	RUN_CASE(newer_schema_refused);
	RUN_CASE(not_a_database);
	state_close(st);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return test_summary();
}
