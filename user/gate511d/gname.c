// SPDX-License-Identifier: GPL-2.0
/*
 * gname.c - the walled garden by name (gname.h): names from the config
 * file and from the state DB (table garden_names) written into
 * g511_gnames; the addresses the TC program learned for them
 * (g511_garden_dns) listed, expired and dropped with their name.
 *
 * name_id: a DB name's row id (below 2^31); a config name's is 2^31 | a
 * hash of its text, stable across reloads, so that what was learned for
 * it survives one. An address whose name_id no name has is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <bpf/bpf.h>
#include "gname.h"
#include "log.h"
#include "maps.h"
#include "state.h"

#define GNAME_CONF_ID	0x80000000U

struct gname_item {
	struct g511_gname g;
	__u32 id;
	__u8 source;		/* enum g511_garden_source */
};

struct gname_set {
	struct gname_item *e;
	size_t n, cap;
};

static __u32 conf_id(const char *name)
{
	__u32 h = 2166136261U;

	for (; *name; name++)
		h = (h ^ (__u8)*name) * 16777619U;
	return GNAME_CONF_ID | (h & ~GNAME_CONF_ID);
}

static int set_add(struct gname_set *s, const struct g511_gname *g, __u32 id, __u8 source)
{
	struct gname_item *it;

	/* a DB name replaces the config's of the same text */
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->e[i].g.name, g->name)) {
			s->e[i].g = *g;
			s->e[i].id = id;
			s->e[i].source = source;
			return 0;
		}
	}
	if (grow((void **)&s->e, &s->cap, s->n + 1, sizeof(*s->e)))
		return -ENOMEM;
	it = &s->e[s->n++];
	it->g = *g;
	it->id = id;
	it->source = source;
	return 0;
}

/* ---- state DB: garden_names (schema v4, state.c) ---- */

static int db_foreach(struct g511_daemon *d, struct gname_set *s)
{
	sqlite3 *db = state_sqlite(d->state);
	sqlite3_stmt *stmt;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db, "SELECT id, name, ports FROM garden_names ORDER BY id",
				-1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return state_note_failure(d->state, rc, "read garden_names");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 1);
		const char *ports = (const char *)sqlite3_column_text(stmt, 2);
		sqlite3_int64 id = sqlite3_column_int64(stmt, 0);
		struct g511_gname g;

		if (!name || !ports || id <= 0 || id >= GNAME_CONF_ID ||
		    gname_parse(name, &g) || strcmp(g.name, name) ||
		    (ports[0] && garden_ports_parse(ports, &g.ports))) {
			log_warnx("state: skipping malformed garden_names row");
			continue;
		}
		err = set_add(s, &g, (__u32)id, G511_GARDEN_SRC_DB);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = state_note_failure(d->state, rc, "read garden_names");
	sqlite3_finalize(stmt);
	return err;
}

static int db_exec(struct g511_daemon *d, const char *sql, const struct g511_gname *g,
		   bool with_ports)
{
	sqlite3 *db = state_sqlite(d->state);
	char ports[G511_GARDEN_PORTS * 6 + 1] = "";
	sqlite3_stmt *stmt;
	size_t off = 0;
	int rc;

	for (unsigned int i = 0; i < g->ports.nports && i < G511_GARDEN_PORTS; i++)
		off += snprintf(ports + off, sizeof(ports) - off, "%s%u", i ? "," : "",
				g->ports.ports[i]);
	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return state_note_failure(d->state, rc, sql);
	rc = sqlite3_bind_text(stmt, 1, g->name, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && with_ports)
		rc = sqlite3_bind_text(stmt, 2, ports, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return state_note_failure(d->state, rc, sql);
	return sqlite3_changes(db) ? 0 : -ENOENT;
}

/* ---- what the maps should hold ---- */

static int desired(struct g511_daemon *d, struct gname_set *s)
{
	int err = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < d->conf.n_garden_names && !err; i++)
		err = set_add(s, &d->conf.garden_names[i], conf_id(d->conf.garden_names[i].name),
			      G511_GARDEN_SRC_CONFIG);
	if (!err && d->state)
		err = db_foreach(d, s);
	if (err) {
		free(s->e);
		s->e = NULL;
		s->n = 0;
	}
	return err;
}

static bool set_has_key(const struct gname_set *s, const struct g511_gname_key *k)
{
	struct g511_gname_key mine;

	for (size_t i = 0; i < s->n; i++) {
		gname_key(&s->e[i].g, &mine);
		if (!memcmp(&mine, k, sizeof(mine)))
			return true;
	}
	return false;
}

static bool set_has_id(const struct gname_set *s, __u32 id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].id == id)
			return true;
	return false;
}

static bool dns_stale(const struct g511_gdns_val *v, const struct gname_set *s,
		      uint64_t now_boot)
{
	return (now_boot && v->expires_ns <= now_boot) || (s && !set_has_id(s, v->name_id));
}

/*
 * Learned addresses: drop those expired (now_boot > 0) and those no name
 * of s taught (s non-NULL). Returns how many went.
 */
static unsigned int dns_prune(int fd, const struct gname_set *s, uint64_t now_boot)
{
	struct g511_addr key, next, *stale = NULL;
	size_t nstale = 0, cap = 0;
	struct g511_gdns_val v;
	unsigned int gone = 0;
	bool first = true;

	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &next, &v))
			continue;
		if (dns_stale(&v, s, now_boot)) {
			if (grow((void **)&stale, &cap, nstale + 1, sizeof(*stale)))
				break;
			stale[nstale++] = next;
		}
	}
	/*
	 * gate511_tc may have refreshed an entry since it was read: take it
	 * out and look at what was taken; a fresh one goes back at once (a
	 * SYN in those microseconds is retransmitted; a plain delete would
	 * drop the new answer until the client resolves again).
	 */
	for (size_t i = 0; i < nstale; i++) {
		if (bpf_map_lookup_and_delete_elem(fd, &stale[i], &v))
			continue;
		if (dns_stale(&v, s, now_boot))
			gone++;
		else
			bpf_map_update_elem(fd, &stale[i], &v, BPF_NOEXIST);
	}
	free(stale);
	return gone;
}

int gname_apply_locked(struct g511_daemon *d)
{
	struct map_set names, dns;
	struct gname_set s;
	int err;

	err = desired(d, &s);
	if (err)
		return err;
	maps_distinct(d, G511_MAP_ID_GARDEN_NAMES, &names);
	maps_distinct(d, G511_MAP_ID_GARDEN_DNS, &dns);
	for (int i = 0; i < names.n && !err; i++) {
		struct g511_gname_key key, next, *stale = NULL;
		size_t nstale = 0, cap = 0;
		bool first = true;

		while (bpf_map_get_next_key(names.fds[i], first ? NULL : &key, &next) == 0) {
			first = false;
			key = next;
			if (set_has_key(&s, &next))
				continue;
			if (grow((void **)&stale, &cap, nstale + 1, sizeof(*stale))) {
				err = -ENOMEM;
				break;
			}
			stale[nstale++] = next;
		}
		for (size_t k = 0; k < nstale; k++)
			bpf_map_delete_elem(names.fds[i], &stale[k]);
		free(stale);
		for (size_t k = 0; k < s.n && !err; k++) {
			struct g511_gname_val val = { .name_id = s.e[k].id,
						      .nports = s.e[k].g.ports.nports };

			gname_key(&s.e[k].g, &key);
			if (gname_is_wildcard(&s.e[k].g))
				val.flags = G511_GNAME_F_WILDCARD;
			memcpy(val.ports, s.e[k].g.ports.ports, sizeof(val.ports));
			err = bpf_map_update_elem(names.fds[i], &key, &val, BPF_ANY);
			if (err) {
				err = map_write_err(err);
				log_warnx("map %s: cannot add %s: %s", G511_MAP_GARDEN_NAMES,
					  s.e[k].g.name, strerror(-err));
			}
		}
	}
	/* what names no longer there taught goes with them */
	for (int i = 0; i < dns.n; i++)
		dns_prune(dns.fds[i], &s, 0);
	free(s.e);
	return err;
}

void gname_sweep(struct g511_daemon *d)
{
	struct map_set dns;
	uint64_t now = g511_boot_ns();

	pthread_mutex_lock(&d->lock);
	maps_distinct(d, G511_MAP_ID_GARDEN_DNS, &dns);
	for (int i = 0; i < dns.n; i++)
		dns_prune(dns.fds[i], NULL, now);
	pthread_mutex_unlock(&d->lock);
}

int gname_add(struct g511_daemon *d, const struct g511_gname *g)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = state_begin(d->state);
	if (!err) {
		err = db_exec(d, "INSERT INTO garden_names(name, ports) VALUES (?1, ?2)"
			      " ON CONFLICT(name) DO UPDATE SET ports = excluded.ports", g, true);
		if (!err)
			err = state_commit(d->state);
		else
			state_rollback(d->state);
	}
	if (!err)
		err = gname_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

int gname_del(struct g511_daemon *d, const struct g511_gname *g)
{
	bool in_conf = false;
	int err;

	pthread_mutex_lock(&d->lock);
	for (unsigned int i = 0; i < d->conf.n_garden_names; i++)
		if (!strcmp(d->conf.garden_names[i].name, g->name))
			in_conf = true;
	err = state_begin(d->state);
	if (!err) {
		err = db_exec(d, "DELETE FROM garden_names WHERE name = ?1", g, false);
		if (!err)
			err = state_commit(d->state);
		else
			state_rollback(d->state);
	}
	if (err == -ENOENT && in_conf)
		err = -EPERM;
	if (!err)
		err = gname_apply_locked(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gname_item *)a)->g.name,
		      ((const struct gname_item *)b)->g.name);
}

int gname_list(struct g511_daemon *d, struct g511_ctl_gname **out, unsigned int *n)
{
	struct g511_ctl_gname *v;
	struct map_set dns;
	struct gname_set s;
	uint64_t now = g511_boot_ns();
	int err;

	pthread_mutex_lock(&d->lock);
	err = desired(d, &s);
	if (err) {
		pthread_mutex_unlock(&d->lock);
		return err;
	}
	qsort(s.e, s.n, sizeof(*s.e), item_cmp);
	v = calloc(s.n ? s.n : 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&d->lock);
		free(s.e);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s.n; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", s.e[i].g.name);
		v[i].source = s.e[i].source;
		v[i].ports = s.e[i].g.ports;
		v[i].name_id = s.e[i].id;
	}
	maps_distinct(d, G511_MAP_ID_GARDEN_DNS, &dns);
	if (dns.n) {
		struct g511_addr key, next;
		struct g511_gdns_val val;
		bool first = true;

		while (bpf_map_get_next_key(dns.fds[0], first ? NULL : &key, &next) == 0) {
			first = false;
			key = next;
			if (bpf_map_lookup_elem(dns.fds[0], &next, &val) || val.expires_ns <= now)
				continue;
			for (size_t i = 0; i < s.n; i++) {
				struct g511_ctl_gname_addr *a;

				if (v[i].name_id != val.name_id)
					continue;
				if (v[i].naddrs < G511_CTL_GNAME_ADDRS) {
					a = &v[i].addrs[v[i].naddrs];
					a->addr = next;
					a->ttl_s = (__u32)((val.expires_ns - now + NSEC_PER_SEC - 1) /
							   NSEC_PER_SEC);
				}
				v[i].naddrs++;
				break;
			}
		}
	}
	pthread_mutex_unlock(&d->lock);
	*out = v;
	*n = (unsigned int)s.n;
	free(s.e);
	return 0;
}
