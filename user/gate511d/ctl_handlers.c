// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_handlers.c - the control socket's requests, one function each, and
 * the dispatch from message type to function (control_int.h). Each turns a
 * request into a call of the grant verbs (grants.h) or a query (query.h)
 * and the result into replies; none writes a map or the database itself.
 * The socket, the workers and who may connect are control.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "clientset.h"
#include "control.h"
#include "control_int.h"
#include "ctl_auth.h"
#include "ctl_io.h"
#include "garden.h"
#include "gname.h"
#include "grants.h"
#include "maps.h"
#include "query.h"
#include "radius_ctl.h"
#include "lockfile.h"
#include "log.h"

#define LIST_PAGE	1024

/* ------------------------------------------------------------ requests */

static void defaults_get(struct g511_daemon *d, uint64_t *ttl, uint64_t *idle)
{
	pthread_mutex_lock(&d->lock);
	*ttl = d->conf.default_ttl_s;
	*idle = d->conf.default_idle_s;
	pthread_mutex_unlock(&d->lock);
}

/*
 * A grant request into a spec. 1 = skip it (an import item whose absolute
 * deadline has passed), 0 = use it, -EINVAL = refuse.
 */
static int spec_from_req(const struct g511_ctl_grant_req *r, unsigned int origin,
			 uint64_t def_ttl, uint64_t def_idle, uint64_t now_wall,
			 struct grant_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->client = r->client;
	spec->origin = origin;
	spec->quota_bytes = r->quota_bytes;
	spec->rate_up_bps = r->rate_up_bps;
	spec->rate_down_bps = r->rate_down_bps;
	/* ctl_decode() checked the strings are terminated and class fits */
	memcpy(spec->user, r->user, sizeof(spec->user));
	memcpy(spec->acct_session_id, r->acct_session_id, sizeof(spec->acct_session_id));
	spec->class_len = r->class_len;
	memcpy(spec->class, r->class, r->class_len);
	spec->ttl_s = def_ttl;
	if (r->flags & G511_CTL_F_TTL)
		spec->ttl_s = r->ttl_s;
	if (r->flags & G511_CTL_F_EXPIRES_AT) {
		if (!r->expires_wall)
			spec->ttl_s = 0;
		else if (r->expires_wall <= now_wall)
			return 1;
		else if (r->expires_wall - now_wall > G511_CTL_TIMEOUT_MAX)
			return -EINVAL;
		else
			spec->ttl_s = r->expires_wall - now_wall;
	}
	spec->idle_s = (r->flags & G511_CTL_F_IDLE) ? r->idle_s : def_idle;
	if (r->flags & G511_CTL_F_MAC) {
		spec->mac_bound = true;
		memcpy(spec->mac, r->mac, 6);
	}
	return 0;
}

static const char *client_map_name(const struct g511_client *c)
{
	return c->kind == G511_CLIENT_MAC ? G511_MAP_MACS : G511_MAP_CLIENTS;
}

static __u32 client_map_max(struct g511_daemon *d, const struct g511_client *c)
{
	if (!d->n_ifaces)
		return 0;
	return d->ifaces[0].maps.max_entries[client_map_id(c->kind)];
}

/* res: what the verb said (NULL for a read); its db_error names the DB's reason. */
static int reply_grant_error(struct worker *w, __u32 seq, const char *verb,
			     const struct g511_client *c, int err,
			     const struct grant_result *res)
{
	struct g511_daemon *d = w->ctl->d;
	char who[G511_CLIENT_STRLEN];

	client_format(c, who, sizeof(who));
	if (err == -EINPROGRESS)	/* a deny: in force, not durable */
		return ctl_send_error(&w->conn, seq, EINPROGRESS,
				      "%s: revoked in the datapath, but not recorded in the "
				      "state database (%s); %s", who,
				      res && res->db_error[0] ? res->db_error : "?",
				      res && res->journalled ?
				      "gate511d retries, and it stays revoked across a restart" :
				      "gate511d retries, but the revocation journal cannot hold "
				      "it: a restart before then brings the grant back");
	if (res && res->db_error[0])
		return ctl_send_error(&w->conn, seq, -err, "cannot %s %s: the state database "
				      "cannot commit: %s; nothing changed", verb, who,
				      res->db_error);
	switch (err) {
	case -ENOSPC:
		return ctl_send_error(&w->conn, seq, ENOSPC,
				      "map %s is full (%u entries): %s refused, "
				      "no grant was evicted", client_map_name(c),
				      client_map_max(d, c), verb);
	case -ENOENT:
		return ctl_send_error(&w->conn, seq, ENOENT, "%s holds no grant", who);
	default:
		return ctl_send_error(&w->conn, seq, -err, "cannot %s %s: %s", verb,
				      who, strerror(-err));
	}
}

static int do_allow(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_daemon *d = w->ctl->d;
	struct g511_ctl_grant out;
	struct grant_result res;
	struct grant_spec spec;
	char who[G511_CLIENT_STRLEN];
	uint64_t def_ttl, def_idle;
	const char *why;
	int err;

	defaults_get(d, &def_ttl, &def_idle);
	err = spec_from_req(&m->body.grant_req, G511_ORIGIN_CLI, def_ttl, def_idle, g511_wall_s(),
			    &spec);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, EINVAL,
				      "the deadline has passed or is too far");
	err = grants_check(d, &spec, &why);
	if (err) {
		client_format(&spec.client, who, sizeof(who));
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "%s: %s", who, why);
	}
	err = grants_allow_r(d, &spec, &out, &res);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "grant", &spec.client, err, &res);
	client_format(&spec.client, who, sizeof(who));
	log_info("allow %s ttl %llus idle %llus%s (uid %u)", who,
		 (unsigned long long)spec.ttl_s, (unsigned long long)spec.idle_s,
		 spec.mac_bound ? " mac-bound" : "", w->peer.uid);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

static int do_deny(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_client *c = &m->body.client_req.client;
	struct g511_ctl_session out;
	struct grant_result res;
	char who[G511_CLIENT_STRLEN];
	int err;

	err = grants_deny_r(w->ctl->d, c, G511_REASON_REVOKED, &out, &res);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "revoke", c, err, &res);
	client_format(c, who, sizeof(who));
	log_info("deny %s (uid %u)", who, w->peer.uid);
	return ctl_send(&w->conn, G511_CTL_SESSION, m->hdr.seq, &out);
}

/*
 * SET: the live grant changed in place by grants_set() (counters, session
 * and Acct-Session-Id kept; no accounting Stop/Start). 0 removes a limit.
 */
static int do_set(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_set_req *r = &m->body.set_req;
	struct g511_ctl_grant out;
	struct grant_result res;
	struct grant_attrs a;
	char who[G511_CLIENT_STRLEN];
	int err;

	memset(&a, 0, sizeof(a));
	if (r->flags & G511_CTL_F_TTL)
		a.set |= GRANT_SET_TTL;
	if (r->flags & G511_CTL_F_IDLE)
		a.set |= GRANT_SET_IDLE;
	if (r->flags & G511_CTL_F_QUOTA)
		a.set |= GRANT_SET_QUOTA;
	if (r->flags & G511_CTL_F_RATE_UP)
		a.set |= GRANT_SET_RATE_UP;
	if (r->flags & G511_CTL_F_RATE_DOWN)
		a.set |= GRANT_SET_RATE_DOWN;
	a.ttl_s = r->ttl_s;
	a.idle_s = r->idle_s;
	a.quota_bytes = r->quota_bytes;
	a.rate_up_bps = r->rate_up_bps;
	a.rate_down_bps = r->rate_down_bps;
	err = grants_set_r(w->ctl->d, &r->client, &a, &out, &res);
	if (err == -EINVAL)
		return ctl_send_error(&w->conn, m->hdr.seq, EINVAL, "%s", res.why[0] ?
				      res.why : "value out of range; nothing changed");
	if (err)
		return reply_grant_error(w, m->hdr.seq, "change", &r->client, err, &res);
	client_format(&r->client, who, sizeof(who));
	log_info("set %s ttl %llus idle %llus quota %llu rate-up %llu rate-down %llu (uid %u)",
		 who, (unsigned long long)out.ttl_s, (unsigned long long)out.idle_s,
		 (unsigned long long)out.quota_bytes, (unsigned long long)out.rate_up_bps,
		 (unsigned long long)out.rate_down_bps, w->peer.uid);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

static int do_show(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_client *c = &m->body.client_req.client;
	struct g511_ctl_grant out;
	int err;

	err = grants_show(w->ctl->d, c, &out);
	if (err)
		return reply_grant_error(w, m->hdr.seq, "show", c, err, NULL);
	return ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &out);
}

static int do_list(struct worker *w, const struct g511_ctl_msg *m)
{
	bool live_deadline = m->hdr.type == G511_CTL_LIST;	/* export: the DB's */
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_grant *page;
	unsigned int n, i;
	uint32_t after = 0;
	int err;

	page = calloc(LIST_PAGE, sizeof(*page));
	if (!page)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	do {
		err = grants_list_page(w->ctl->d, after, live_deadline, page, LIST_PAGE, &n);
		if (err) {
			err = ctl_send_error(&w->conn, m->hdr.seq, -err,
					     "cannot read the grants: %s",
					     strerror(-err));
			goto out;
		}
		for (i = 0; i < n; i++) {
			err = ctl_send(&w->conn, G511_CTL_GRANT, m->hdr.seq, &page[i]);
			if (err)
				goto out;
		}
		end.count += n;
		if (n)
			after = page[n - 1].grant_id;
	} while (n == LIST_PAGE);
	err = ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
out:
	free(page);
	return err;
}

static int do_history(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_history_req *r = &m->body.history_req;
	const struct g511_client *filter =
		(r->flags & G511_CTL_F_FILTER) ? &r->client : NULL;
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_session *page;
	unsigned int n, i;
	uint64_t after = 0;
	int err;

	page = calloc(LIST_PAGE, sizeof(*page));
	if (!page)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	do {
		err = grants_history_page(w->ctl->d, filter, &after, page,
					  LIST_PAGE, &n);
		if (err) {
			err = ctl_send_error(&w->conn, m->hdr.seq, -err,
					     "cannot read the history: %s",
					     strerror(-err));
			goto out;
		}
		for (i = 0; i < n; i++) {
			err = ctl_send(&w->conn, G511_CTL_SESSION, m->hdr.seq, &page[i]);
			if (err)
				goto out;
		}
		end.count += n;
	} while (n == LIST_PAGE);
	err = ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
out:
	free(page);
	return err;
}

static int do_stats(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_stats out;
	int err;

	err = grants_stats(w->ctl->d, &out);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err,
				      "cannot read %s: %s", G511_MAP_STATS,
				      strerror(-err));
	return ctl_send(&w->conn, G511_CTL_STATS_REPLY, m->hdr.seq, &out);
}

static int do_status(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_status *out;
	int err;

	out = malloc(sizeof(*out));
	if (!out)
		return ctl_send_error(&w->conn, m->hdr.seq, ENOMEM, "out of memory");
	err = grants_status(w->ctl->d, out);
	snprintf(out->version, sizeof(out->version), "%s", G511_VERSION);
	if (err)
		err = ctl_send_error(&w->conn, m->hdr.seq, -err,
				     "cannot read the state: %s", strerror(-err));
	else
		err = ctl_send(&w->conn, G511_CTL_STATUS_REPLY, m->hdr.seq, out);
	free(out);
	return err;
}

static int do_garden(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_garden *g = &m->body.garden;
	struct g511_ctl_count ok = { .count = 1 };
	struct g511_garden_entry e = { .key = g->key, .val = g->val };
	char text[G511_GARDEN_STRLEN];
	int err;

	garden_format(&g->key, &g->val, text, sizeof(text));
	if (m->hdr.type == G511_CTL_GARDEN_ADD)
		err = garden_add(w->ctl->d, &e);
	else
		err = garden_del(w->ctl->d, &g->key);
	switch (err) {
	case 0:
		log_info("garden %s %s (uid %u)",
			 m->hdr.type == G511_CTL_GARDEN_ADD ? "add" : "del", text,
			 w->peer.uid);
		return ctl_send(&w->conn, G511_CTL_OK, m->hdr.seq, &ok);
	case -ENOSPC:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOSPC,
				      "map %s is full: %s not added",
				      G511_MAP_GARDEN, text);
	case -ENOENT:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOENT,
				      "no garden entry %s", text);
	case -EPERM:
		return ctl_send_error(&w->conn, m->hdr.seq, EPERM,
				      "%s comes from the config file: remove it "
				      "there and reload", text);
	default:
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "garden %s: %s",
				      text, strerror(-err));
	}
}

static int do_garden_list(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_garden *list;
	unsigned int n, i;
	int err;

	err = garden_list(w->ctl->d, &list, &n);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err,
				      "cannot read the garden: %s", strerror(-err));
	for (i = 0; i < n && !err; i++)
		err = ctl_send(&w->conn, G511_CTL_GARDEN, m->hdr.seq, &list[i]);
	free(list);
	if (err)
		return err;
	end.count = n;
	return ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
}

static int do_gname(struct worker *w, const struct g511_ctl_msg *m)
{
	const struct g511_ctl_gname *r = &m->body.gname;
	struct g511_ctl_count ok = { .count = 1 };
	bool add = m->hdr.type == G511_CTL_GNAME_ADD;
	char text[G511_GNAME_ENTRY_STRLEN];
	struct g511_gname g;
	int err;

	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "%s", r->name);
	g.ports = r->ports;
	gname_format(&g, text, sizeof(text));
	err = add ? gname_add(w->ctl->d, &g) : gname_del(w->ctl->d, &g);
	switch (err) {
	case 0:
		log_info("garden %s %s (uid %u)", add ? "add" : "del", text, w->peer.uid);
		return ctl_send(&w->conn, G511_CTL_OK, m->hdr.seq, &ok);
	case -ENOSPC:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOSPC,
				      "map %s is full: %s not added", G511_MAP_GARDEN_NAMES, text);
	case -ENOENT:
		return ctl_send_error(&w->conn, m->hdr.seq, ENOENT, "no garden name %s", text);
	case -EPERM:
		return ctl_send_error(&w->conn, m->hdr.seq, EPERM,
				      "%s comes from the config file: remove it there and reload",
				      text);
	default:
		return ctl_send_error(&w->conn, m->hdr.seq, -err, "garden %s: %s", text,
				      strerror(-err));
	}
}

static int do_gname_list(struct worker *w, const struct g511_ctl_msg *m)
{
	struct g511_ctl_count end = { 0 };
	struct g511_ctl_gname *list;
	unsigned int n, i;
	int err;

	err = gname_list(w->ctl->d, &list, &n);
	if (err)
		return ctl_send_error(&w->conn, m->hdr.seq, -err,
				      "cannot read the garden names: %s", strerror(-err));
	for (i = 0; i < n && !err; i++)
		err = ctl_send(&w->conn, G511_CTL_GNAME, m->hdr.seq, &list[i]);
	free(list);
	if (err)
		return err;
	end.count = n;
	return ctl_send(&w->conn, G511_CTL_END, m->hdr.seq, &end);
}

/* grants_import() failed: at spec (item), or for no one item (spec NULL);
 * res->db_error: the database could not commit, for no one item either. */
static int reply_import_error(struct worker *w, __u32 seq, int err,
			      const struct grant_spec *spec, unsigned int item,
			      const struct grant_result *res)
{
	struct g511_daemon *d = w->ctl->d;
	char who[G511_CLIENT_STRLEN];

	if (res->db_error[0])
		return ctl_send_error(&w->conn, seq, -err, "import: the state database cannot "
				      "commit: %s; nothing imported", res->db_error);
	if (!spec)
		return ctl_send_error(&w->conn, seq, -err, "import failed: %s; "
				      "nothing imported", strerror(-err));
	client_format(&spec->client, who, sizeof(who));
	if (err == -ENOSPC)
		return ctl_send_error(&w->conn, seq, ENOSPC, G511_CTL_ITEM_PREFIX
				      "%u: %s: map %s is full (%u entries): nothing "
				      "imported, no grant was evicted", item, who,
				      client_map_name(&spec->client),
				      client_map_max(d, &spec->client));
	return ctl_send_error(&w->conn, seq, -err, G511_CTL_ITEM_PREFIX "%u: %s: %s; "
			      "nothing imported", item, who, strerror(-err));
}

/*
 * An import: items up to END, each checked as it comes (an ERROR about an
 * item starts "import item N: ", G511_CTL_ITEM_PREFIX, so the CLI can name
 * the line), then all of them in one transaction. item_of[] maps a spec
 * back to its item (expired items are skipped and get no spec).
 */
static int do_import(struct worker *w, const struct g511_ctl_msg *begin)
{
	struct g511_daemon *d = w->ctl->d;
	__u32 seq = begin->hdr.seq;
	struct g511_ctl_count ok = { 0 };
	struct grant_spec *specs = NULL;
	unsigned int *item_of = NULL, first;
	size_t n = 0, cap = 0, received = 0, failed_at;
	uint64_t def_ttl, def_idle, now_wall = g511_wall_s();
	char who[G511_CLIENT_STRLEN];
	struct clientset seen;
	struct g511_ctl_msg *m;
	struct grant_result res = { 0 };
	const char *why;
	int err;

	m = malloc(sizeof(*m));
	if (!m)
		return ctl_send_error(&w->conn, seq, ENOMEM, "out of memory");
	clientset_init(&seen);
	defaults_get(d, &def_ttl, &def_idle);
	for (;;) {
		err = ctl_recv(&w->conn, m);
		if (err) {
			err = ctl_send_error(&w->conn, seq, EBADMSG,
					     "import: bad or missing item after %zu: %s",
					     received, strerror(-err));
			goto out;
		}
		if (m->hdr.type == G511_CTL_IMPORT_END)
			break;
		if (m->hdr.type != G511_CTL_IMPORT_ITEM) {
			err = ctl_send_error(&w->conn, seq, EBADMSG,
					     "import: unexpected %s message",
					     ctl_type_name(m->hdr.type));
			goto out;
		}
		if (received == G511_CTL_IMPORT_MAX) {
			err = ctl_send_error(&w->conn, seq, EINVAL,
					     "import: more than %u grants",
					     G511_CTL_IMPORT_MAX);
			goto out;
		}
		received++;
		client_format(&m->body.grant_req.client, who, sizeof(who));
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			void *np = realloc(specs, ncap * sizeof(*specs));

			if (np)
				specs = np;
			np = np ? realloc(item_of, ncap * sizeof(*item_of)) : NULL;
			if (!np) {
				err = ctl_send_error(&w->conn, seq, ENOMEM,
						     "import: out of memory");
				goto out;
			}
			item_of = np;
			cap = ncap;
		}
		err = clientset_add(&seen, &m->body.grant_req.client, (unsigned int)received,
				    &first);
		if (err) {
			err = err < 0 ?
			      ctl_send_error(&w->conn, seq, ENOMEM, "import: out of memory") :
			      ctl_send_error(&w->conn, seq, EINVAL, G511_CTL_ITEM_PREFIX
					     "%zu: %s: the same client as item %u "
					     "(one grant a client); nothing imported",
					     received, who, first);
			goto out;
		}
		err = spec_from_req(&m->body.grant_req, G511_ORIGIN_IMPORT, def_ttl, def_idle, now_wall,
				    &specs[n]);
		if (err < 0) {
			err = ctl_send_error(&w->conn, seq, EINVAL, G511_CTL_ITEM_PREFIX
					     "%zu: %s: deadline more than 10 years "
					     "away; nothing imported", received, who);
			goto out;
		}
		if (err == 0 && (err = grants_check(d, &specs[n], &why))) {
			err = ctl_send_error(&w->conn, seq, -err, G511_CTL_ITEM_PREFIX
					     "%zu: %s: %s; nothing imported", received,
					     who, why);
			goto out;
		}
		if (err == 0) {	/* 1: its deadline passed, skip it */
			item_of[n] = (unsigned int)received;
			n++;
		}
	}
	if (m->body.count.count != received) {
		err = ctl_send_error(&w->conn, seq, EBADMSG,
				     "import: %zu items received, %u announced",
				     received, m->body.count.count);
		goto out;
	}
	err = grants_import_r(d, specs, n, &failed_at, &res);
	if (err) {
		err = reply_import_error(w, seq, err, failed_at < n ? &specs[failed_at] : NULL,
					 failed_at < n ? item_of[failed_at] : 0, &res);
		goto out;
	}
	log_info("import of %zu grants (%zu expired skipped) (uid %u)", n,
		 received - n, w->peer.uid);
	ok.count = n;
	err = ctl_send(&w->conn, G511_CTL_OK, seq, &ok);
out:
	clientset_free(&seen);
	free(item_of);
	free(specs);
	free(m);
	return err;
}

int ctl_dispatch(struct worker *w, const struct g511_ctl_msg *m)
{
	switch (m->hdr.type) {
	case G511_CTL_ALLOW:
		return do_allow(w, m);
	case G511_CTL_DENY:
		return do_deny(w, m);
	case G511_CTL_SHOW:
		return do_show(w, m);
	case G511_CTL_LIST:
	case G511_CTL_EXPORT:
		return do_list(w, m);
	case G511_CTL_STATS:
		return do_stats(w, m);
	case G511_CTL_STATUS:
		return do_status(w, m);
	case G511_CTL_GARDEN_ADD:
	case G511_CTL_GARDEN_DEL:
		return do_garden(w, m);
	case G511_CTL_GARDEN_LIST:
		return do_garden_list(w, m);
	case G511_CTL_GNAME_ADD:
	case G511_CTL_GNAME_DEL:
		return do_gname(w, m);
	case G511_CTL_GNAME_LIST:
		return do_gname_list(w, m);
	case G511_CTL_HISTORY:
		return do_history(w, m);
	case G511_CTL_IMPORT_BEGIN:
		return do_import(w, m);
	case G511_CTL_LOGIN:
		return radius_ctl_login(w, m);
	case G511_CTL_RADIUS_STATUS:
		return radius_ctl_status(w, m);
	case G511_CTL_SET:
		return do_set(w, m);
	default:
		return ctl_send_error(&w->conn, m->hdr.seq, EBADMSG,
				      "%s is not a request that starts a "
				      "conversation", ctl_type_name(m->hdr.type));
	}
}

