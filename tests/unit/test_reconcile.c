// SPDX-License-Identifier: GPL-2.0
/*
 * test_reconcile.c - reconcile_plan() (user/gate511d/reconcile.c), the pure
 * core of the restore at start: DB grants and map entries in, keep /
 * write / close / remove / resync out. No maps, no DB, no privileges: the
 * "maps" are arrays of entries and the clocks a fixed moment.
 *
 * A table: each case is the DB grants, the entries of one or two maps, and
 * what the plan must say about each grant and each map.
 */
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "sqlite_shim.h"
#include "../../user/gate511d/state.c"
#include "../../user/gate511d/clock.c"
#include "../../user/gate511d/maps.c"
#include "../../user/gate511d/grant_rec.c"
#include "../../user/gate511d/revoke.c"
#include "../../user/gate511d/reconcile.c"
#include "../../user/gate511d/garden.c"
#include "../../user/gate511d/gname.c"
#include "../../user/gate511d/runtime.c"

#define NS		NSEC_PER_SEC
#define WALL_NOW	1800000000ULL		/* 2027-01-15 */
#define BOOT_NOW	(5000ULL * NS)		/* 5000 s after boot */

static const struct clock_pair now = { .wall_s = WALL_NOW, .boot_ns = BOOT_NOW };

/* A DB grant: id, client, created/expires (wall), ttl, idle. */
struct db_row {
	uint32_t id;
	const char *who;
	int64_t expires_in;	/* wall deadline relative to now, s; 0 = none */
	uint64_t ttl, idle;
};

/* A map entry: client, grant_id, deadline relative to boot now (s). */
struct map_row {
	const char *who;
	uint32_t grant_id;
	int64_t expires_in;	/* 0 = none */
	uint64_t idle;
	int64_t seen_ago;	/* last seen, s before now */
	uint64_t packets, bytes;
};

enum expect { KEEP = 1, WRITE, CLOSE };

struct recon_case {
	const char *name;
	unsigned int kind;
	struct db_row db[4];
	int ndb;
	struct map_row maps[2][4];
	int nmap[2];
	int nmaps;
	/* per DB row */
	enum expect want[4];
	unsigned int reason[4];		/* when CLOSE */
	int64_t want_expires_in[4];	/* when WRITE: the map deadline, s */
	bool want_resync[4];
	/* per map */
	size_t want_writes[2], want_removes[2];
	size_t want_unknown;
};

static const struct recon_case cases[] = {
	{ "same boot, in force: kept untouched", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 600, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, 600, 0, 1, 10, 1000 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { KEEP } },
	{ "same boot, DB deadline drifted: resynced to the map's", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 900, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, 600, 0, 1, 0, 0 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { KEEP }, .want_resync = { true } },
	{ "same boot, drift within the step: no resync", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 601, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, 600, 0, 1, 0, 0 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { KEEP } },
	{ "same boot, map deadline passed: closed expired, removed", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 600, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, -5, 0, 1, 3, 300 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { CLOSE }, .reason = { G511_REASON_EXPIRED }, .want_removes = { 1 } },
	{ "same boot, idle too long: closed idle", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 0, 0, 60 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, 0, 60, 120, 0, 0 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { CLOSE }, .reason = { G511_REASON_IDLE }, .want_removes = { 1 } },
	{ "reboot: written with the wall clock's remainder", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 1200, 3600, 0 } }, .ndb = 1, .nmaps = 1,
	  .want = { WRITE }, .want_expires_in = { 1200 }, .want_writes = { 1 } },
	{ "reboot, wall clock went back: clamped to ttl", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 99999, 3600, 0 } }, .ndb = 1, .nmaps = 1,
	  .want = { WRITE }, .want_expires_in = { 3600 }, .want_writes = { 1 } },
	{ "reboot, deadline passed by the wall clock: closed, not written", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", -1, 3600, 0 } }, .ndb = 1, .nmaps = 1,
	  .want = { CLOSE }, .reason = { G511_REASON_EXPIRED } },
	{ "reboot, no deadline: written without one", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 0, 0, 900 } }, .ndb = 1, .nmaps = 1,
	  .want = { WRITE }, .want_expires_in = { 0 }, .want_writes = { 1 } },
	{ "stale map entry (other grant id): overwritten, not unknown", G511_CLIENT_ADDR,
	  .db = { { 8, "10.0.0.1", 600, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 3, 50, 0, 1, 0, 0 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { WRITE }, .want_expires_in = { 600 }, .want_writes = { 1 } },
	{ "map entry no DB grant backs: removed as unknown", G511_CLIENT_ADDR,
	  .db = { { 7, "10.0.0.1", 600, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "10.0.0.1", 7, 600, 0, 1, 0, 0 }, { "10.0.0.9", 99, 600, 0, 1, 0, 0 } } },
	  .nmap = { 2 }, .nmaps = 1,
	  .want = { KEEP }, .want_removes = { 1 }, .want_unknown = 1 },
	{ "two maps, one lacks it: written there only", G511_CLIENT_ADDR,
	  .db = { { 7, "2001:db8::7", 600, 3600, 0 } }, .ndb = 1,
	  .maps = { { { "2001:db8::7", 7, 600, 0, 1, 5, 500 } }, { } }, .nmap = { 1, 0 },
	  .nmaps = 2, .want = { KEEP }, .want_writes = { 0, 1 } },
	{ "MAC grants: their own key size", G511_CLIENT_MAC,
	  .db = { { 3, "02:00:00:00:00:42", 600, 3600, 0 },
		  { 4, "02:00:00:00:00:43", 300, 3600, 0 } }, .ndb = 2,
	  .maps = { { { "02:00:00:00:00:42", 3, 600, 0, 1, 0, 0 } } }, .nmap = { 1 }, .nmaps = 1,
	  .want = { KEEP, WRITE }, .want_expires_in = { 0, 300 }, .want_writes = { 1 } },
	{ "empty DB, empty maps: nothing to do", G511_CLIENT_ADDR, .nmaps = 1 },
};

static uint64_t rel_boot(int64_t s)
{
	return s ? (uint64_t)((int64_t)BOOT_NOW + s * (int64_t)NS) : 0;
}

static bool run_case(const struct recon_case *c)
{
	struct g511_grant_rec recs[4];
	struct map_entry ents[2][4];
	struct reconcile_map maps[2];
	struct reconcile_plan plan;
	bool ok = true;
	int i, j;

	memset(recs, 0, sizeof(recs));
	memset(ents, 0, sizeof(ents));
	for (i = 0; i < c->ndb; i++) {
		const struct db_row *r = &c->db[i];

		client_parse(r->who, &recs[i].client);
		recs[i].id = r->id;
		recs[i].created_wall = WALL_NOW - 100;
		recs[i].expires_wall = r->expires_in ? WALL_NOW + r->expires_in : 0;
		recs[i].ttl_s = r->ttl;
		recs[i].idle_s = r->idle;
		recs[i].origin = G511_ORIGIN_CLI;
	}
	qsort(recs, c->ndb, sizeof(recs[0]), rec_cmp);
	for (j = 0; j < c->nmaps; j++) {
		for (i = 0; i < c->nmap[j]; i++) {
			const struct map_row *m = &c->maps[j][i];
			struct g511_client cl;

			client_parse(m->who, &cl);
			memcpy(ents[j][i].key, cl.key, 16);
			ents[j][i].val.grant_id = m->grant_id;
			ents[j][i].val.expires_ns = rel_boot(m->expires_in);
			ents[j][i].val.idle_ns = m->idle * NS;
			ents[j][i].val.last_seen_ns = BOOT_NOW - m->seen_ago * NS;
			ents[j][i].val.packets = m->packets;
			ents[j][i].val.bytes = m->bytes;
		}
		qsort(ents[j], c->nmap[j], sizeof(ents[j][0]), map_entry_cmp);
		maps[j].ents = ents[j];
		maps[j].n = c->nmap[j];
	}

	if (!ASSERT_EQ(reconcile_plan(recs, c->ndb, c->kind, maps, c->nmaps, &now, &plan), 0,
		       "plan"))
		return false;
	for (i = 0; i < c->ndb; i++) {
		/* find the row again after the sort, by id */
		size_t k, n_in = 0;
		int row = -1;

		for (k = 0; k < (size_t)c->ndb; k++)
			if (recs[k].id == c->db[i].id)
				row = k;
		for (k = 0; k < plan.n_keep; k++)
			n_in += plan.keep[k] == (size_t)row;
		if (c->want[i] == KEEP)
			ok &= ASSERT_EQ(n_in, 1, "kept");
		for (k = 0; k < plan.n_close; k++) {
			if (plan.close[k].rec != (size_t)row)
				continue;
			ok &= ASSERT_EQ(c->want[i], CLOSE, "closed only when expected");
			ok &= ASSERT_EQ(plan.close[k].reason, c->reason[i], "close reason");
			n_in++;
		}
		if (c->want[i] == CLOSE)
			ok &= ASSERT_EQ(n_in, 1, "closed once");
		if (c->want[i] == WRITE) {
			/* the value written for it, in every map that lacks it */
			for (j = 0; j < c->nmaps; j++) {
				for (k = 0; k < plan.write[j].n; k++) {
					const __u8 *key = plan.write[j].keys +
							  k * client_key_size(c->kind);
					const struct g511_grant *v = &plan.write[j].vals[k];

					if (memcmp(key, recs[row].client.key,
						   client_key_size(c->kind)))
						continue;
					ok &= ASSERT_EQ(v->expires_ns,
							rel_boot(c->want_expires_in[i]),
							"deadline written");
					ok &= ASSERT_EQ(v->grant_id, recs[row].id, "grant id");
					ok &= ASSERT_EQ(v->last_seen_ns, BOOT_NOW,
							"idle restarts now");
					ok &= ASSERT_EQ(v->packets + v->bytes, 0, "counters zero");
				}
			}
		}
		n_in = 0;
		for (k = 0; k < plan.n_resync; k++)
			n_in += plan.resync[k].id == c->db[i].id;
		ok &= ASSERT_EQ(n_in, c->want_resync[i] ? 1 : 0, "resync");
		if (c->want_resync[i])
			ok &= ASSERT_EQ(plan.resync[0].expires_wall,
					WALL_NOW + c->maps[0][0].expires_in, "resynced to map");
	}
	for (j = 0; j < c->nmaps; j++) {
		ok &= ASSERT_EQ(plan.write[j].n, c->want_writes[j], "writes per map");
		ok &= ASSERT_EQ(plan.remove[j].n, c->want_removes[j], "removes per map");
	}
	ok &= ASSERT_EQ(plan.n_unknown, c->want_unknown, "unknown entries");
	/* every grant ends in exactly one list */
	ok &= ASSERT_EQ(plan.n_keep + plan.n_written + plan.n_close, (size_t)c->ndb,
			"one outcome per grant");
	reconcile_plan_free(&plan);
	return ok;
}

/* A closed session carries what the maps counted, summed over the maps. */
static bool close_carries_counters(void)
{
	struct g511_grant_rec rec = { .id = 5, .ttl_s = 60, .origin = G511_ORIGIN_CLI };
	struct map_entry a = { 0 }, b = { 0 };
	struct reconcile_map maps[2] = { { &a, 1 }, { &b, 1 } };
	struct reconcile_plan plan;
	bool ok = true;

	client_parse("10.1.1.1", &rec.client);
	memcpy(a.key, rec.client.key, 16);
	memcpy(b.key, rec.client.key, 16);
	a.val = (struct g511_grant){ .grant_id = 5, .expires_ns = BOOT_NOW - NS,
				     .packets = 2, .bytes = 200, .bytes_down = 7 };
	b.val = a.val;
	b.val.packets = 3;
	if (!ASSERT_EQ(reconcile_plan(&rec, 1, G511_CLIENT_ADDR, maps, 2, &now, &plan), 0,
		       "plan"))
		return false;
	ok &= ASSERT_EQ(plan.n_close, 1, "closed");
	ok &= ASSERT_TRUE(plan.close[0].in_map, "from the maps");
	ok &= ASSERT_EQ(plan.close[0].live.packets, 5, "packets summed");
	ok &= ASSERT_EQ(plan.close[0].live.bytes, 400, "bytes summed");
	ok &= ASSERT_EQ(plan.close[0].live.bytes_down, 14, "download bytes summed");
	ok &= ASSERT_EQ(plan.close[0].end_wall, WALL_NOW - 1, "ended at the deadline");
	ok &= ASSERT_EQ(plan.remove[0].n + plan.remove[1].n, 2, "removed from both");
	reconcile_plan_free(&plan);
	return ok;
}

static bool too_many_maps_refused(void)
{
	struct reconcile_map maps[G511_MAX_IFACES + 1] = { { 0 } };
	struct reconcile_plan plan;

	return ASSERT_EQ(reconcile_plan(NULL, 0, G511_CLIENT_ADDR, maps, G511_MAX_IFACES + 1,
					&now, &plan), -EINVAL, "refused");
}

int main(void)
{
	log_init(1, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_current = cases[i].name;
		test_result(cases[i].name, run_case(&cases[i]));
	}
	RUN_CASE(close_carries_counters);
	RUN_CASE(too_many_maps_refused);
	return test_summary();
}
