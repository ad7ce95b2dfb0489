// SPDX-License-Identifier: GPL-2.0
/*
 * revoke.c - pending revocations (revoke.h): the memory list, the journal
 * behind it, and the retry that commits them into the state database.
 *
 * Committing one is what grants_deny() would have done: a history row
 * closing the DB grant (its fields from the row, counters and end time
 * from the journal) and the row deleted, in one transaction; then its
 * journal slot is freed. A grant of that client with another id is a new
 * grant and is left alone; a grant already gone means an earlier commit
 * made it (its slot was not freed yet).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grant_rec.h"
#include "log.h"
#include "maps.h"
#include "revjournal.h"
#include "revoke.h"

#define RETRY_MAX_S	60
#define NO_SLOT		(~0U)

struct revoke_item {
	struct revj_rec r;
	unsigned int slot;	/* journal slot, NO_SLOT if not journalled */
};

struct g511_revoke {
	struct revjournal *j;	/* NULL: none (cannot be created) */
	struct revoke_item *v;
	size_t n, cap;
	uint64_t next_try_ns;	/* BOOTTIME */
	unsigned int backoff_s;
	char path[G511_PATH_MAX + 16];
};

static struct g511_revoke *revoke_get(struct g511_daemon *d)
{
	if (!d->revoke)
		d->revoke = calloc(1, sizeof(*d->revoke));
	return d->revoke;
}

static int item_add(struct g511_revoke *rv, const struct revj_rec *r, unsigned int slot)
{
	for (size_t i = 0; i < rv->n; i++) {
		if (rv->v[i].r.grant_id == r->grant_id &&
		    !client_cmp(&rv->v[i].r.client, &r->client)) {
			rv->v[i].r = *r;
			rv->v[i].slot = slot;
			return 0;
		}
	}
	if (grow((void **)&rv->v, &rv->cap, rv->n + 1, sizeof(*rv->v)))
		return -ENOMEM;
	rv->v[rv->n].r = *r;
	rv->v[rv->n].slot = slot;
	rv->n++;
	return 0;
}

static int load_one(const struct revj_rec *r, unsigned int slot, void *ctx)
{
	return item_add(ctx, r, slot);
}

/* Commit one pending revocation; 0 when nothing is left to do for it. */
static int commit_one(struct g511_daemon *d, const struct revj_rec *r)
{
	struct g511_grant_rec rec;
	struct g511_session_rec s;
	struct g511_grant counters = { 0 };
	int err;

	err = state_grant_get(d->state, &r->client, &rec);
	if (err == -ENOENT || (!err && rec.id != r->grant_id))
		return 0;
	if (err)
		return err;
	counters.packets = r->packets;
	counters.bytes = r->bytes;
	counters.packets_down = r->packets_down;
	counters.bytes_down = r->bytes_down;
	session_make(&rec, &counters, r->reason, r->end_wall, &s);
	err = state_begin(d->state);
	if (!err)
		err = state_history_add(d->state, &s);
	if (!err)
		err = state_grant_del(d->state, &r->client);
	if (err) {
		state_rollback(d->state);
		return err;
	}
	return state_commit(d->state);
}

void revoke_flush_locked(struct g511_daemon *d, bool force)
{
	struct g511_revoke *rv = d->revoke;
	uint64_t now = g511_boot_ns();
	size_t i, kept = 0, done = 0;
	int err = 0;

	if (!rv || !rv->n || (!force && now < rv->next_try_ns))
		return;
	for (i = 0; i < rv->n; i++) {
		struct revoke_item *it = &rv->v[i];
		char who[G511_CLIENT_STRLEN];

		if (!err)
			err = commit_one(d, &it->r);
		if (err) {
			rv->v[kept++] = *it;
			continue;
		}
		if (it->slot != NO_SLOT && rv->j) {
			int e = revj_clear(rv->j, it->slot);

			if (e)	/* harmless: the next start finds the grant gone */
				log_warnx("revocation journal %s: cannot free a slot: %s",
					  rv->path, strerror(-e));
		}
		client_format(&it->r.client, who, sizeof(who));
		log_info("revocation of %s now recorded in the state database", who);
		done++;
	}
	rv->n = kept;
	if (!kept) {
		rv->backoff_s = 0;
		rv->next_try_ns = 0;
		return;
	}
	if (done || !rv->backoff_s)
		log_warnx("%zu revocation%s still not recorded in the state database: %s;"
			  " retrying in %u s", kept, kept == 1 ? "" : "s", strerror(-err),
			  rv->backoff_s ? rv->backoff_s * 2 : 1);
	rv->backoff_s = rv->backoff_s ? rv->backoff_s * 2 : 1;
	if (rv->backoff_s > RETRY_MAX_S)
		rv->backoff_s = RETRY_MAX_S;
	rv->next_try_ns = now + rv->backoff_s * NSEC_PER_SEC;
}

int revoke_start(struct g511_daemon *d)
{
	struct g511_revoke *rv = revoke_get(d);
	char owner[STATE_BOX_ID_LEN] = "", stale[sizeof(rv->path) + 8];
	int err;

	if (!rv)
		return -ENOMEM;
	snprintf(rv->path, sizeof(rv->path), "%s-revoked", d->conf.state_path);
	state_box_id(d->state, owner);	/* none: "" */
	err = revj_open(rv->path, REVJ_SLOTS_DEFAULT, owner, &rv->j);
	if (err == -ESTALE) {
		/* a journal left by another database (restored or replaced):
		 * its grant ids name nobody here */
		snprintf(stale, sizeof(stale), "%s.stale", rv->path);
		log_warnx("revocation journal %s belongs to another state database: "
			  "moved to %s", rv->path, stale);
		err = rename(rv->path, stale) < 0 ? -errno : 0;
		if (!err)
			err = revj_open(rv->path, REVJ_SLOTS_DEFAULT, owner, &rv->j);
	}
	if (err == -EBADMSG) {
		log_warnx("revocation journal %s: not a gate511d journal (bad header): "
			  "move it aside if it is not one", rv->path);
		return err;
	}
	if (err) {
		/* revokes still fail closed; only their durability is at stake */
		log_warnx("revocation journal %s: cannot open or create: %s; a revoke the "
			  "state database cannot commit will not survive a restart",
			  rv->path, strerror(-err));
		return 0;
	}
	err = revj_foreach(rv->j, load_one, rv);
	if (err)
		return err;
	if (!rv->n)
		return 0;
	log_info("revocation journal %s: %zu revocation%s not yet in the state database",
		 rv->path, rv->n, rv->n == 1 ? "" : "s");
	pthread_mutex_lock(&d->lock);
	revoke_flush_locked(d, true);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void revoke_stop(struct g511_daemon *d)
{
	struct g511_revoke *rv = d->revoke;

	if (!rv)
		return;
	if (rv->n)
		log_warnx("stopping with %zu revocation%s not recorded in the state database"
			  "%s", rv->n, rv->n == 1 ? "" : "s",
			  rv->j ? " (the revocation journal keeps them)" : "");
	revj_close(rv->j);
	free(rv->v);
	free(rv);
	d->revoke = NULL;
}

int revoke_note_locked(struct g511_daemon *d, const struct g511_grant_rec *rec,
		       const struct g511_session_rec *s)
{
	struct g511_revoke *rv = revoke_get(d);
	unsigned int slot = NO_SLOT;
	struct revj_rec r = {
		.end_wall = s->end_wall,
		.packets = s->packets,
		.bytes = s->bytes,
		.packets_down = s->packets_down,
		.bytes_down = s->bytes_down,
		.grant_id = rec->id,
		.reason = s->reason,
		.client = rec->client,
	};
	int err, jerr = -ENOENT;

	if (!rv)
		return -ENOMEM;
	if (rv->j) {
		jerr = revj_put(rv->j, &r, &slot);
		if (jerr && jerr != -ENOSPC)
			log_warnx("revocation journal %s: cannot write: %s", rv->path,
				  strerror(-jerr));
		else if (jerr)
			log_warnx("revocation journal %s: full (%u revocations pending)",
				  rv->path, revj_used(rv->j));
	}
	err = item_add(rv, &r, slot);
	if (err)
		return err;
	if (!rv->next_try_ns)
		rv->next_try_ns = g511_boot_ns() + NSEC_PER_SEC;
	return jerr;
}

bool revoke_is_pending(struct g511_daemon *d, const struct g511_client *client,
		       uint32_t grant_id)
{
	struct g511_revoke *rv = d->revoke;

	if (!rv)
		return false;
	for (size_t i = 0; i < rv->n; i++)
		if (rv->v[i].r.grant_id == grant_id && !client_cmp(&rv->v[i].r.client, client))
			return true;
	return false;
}

unsigned int revoke_pending_count(struct g511_daemon *d)
{
	return d->revoke ? (unsigned int)d->revoke->n : 0;
}
