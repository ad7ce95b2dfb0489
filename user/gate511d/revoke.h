/* SPDX-License-Identifier: GPL-2.0 */
/*
 * revoke.h - revocations the state database could not commit yet.
 *
 * A revoke fails closed: grants_deny() removes the grant from the maps
 * first, whatever the database says. If the database then cannot commit
 * (disk full, I/O error), the revocation becomes pending:
 *
 *   - it is written to the revocation journal ("<state_db>-revoked",
 *     revjournal.h), whose blocks were allocated when it was created, so
 *     recording it needs no free space;
 *   - it is kept in memory too (also when the journal is full or missing),
 *     and revoke_flush_locked() retries committing it, from the sweep
 *     (once a second at first, backing off to once a minute) and before
 *     every grant or revoke;
 *   - at start, revoke_start() loads the journal before the maps are
 *     reconciled and commits what it can; a DB grant still pending is left
 *     out of the reconcile (revoke_is_pending()), so a restart never
 *     writes a revoked grant back into the maps.
 *
 * A pending revocation names the DB grant by its id: a grant made for the
 * same client afterwards (a new id) is never closed by it.
 *
 * Callers hold daemon->lock for everything but revoke_start/_stop.
 */
#ifndef GATE511D_REVOKE_H
#define GATE511D_REVOKE_H

#include <stdbool.h>
#include "daemon.h"
#include "state.h"

/* Open (create) the journal beside the state DB and commit what it holds. */
int revoke_start(struct g511_daemon *d);
void revoke_stop(struct g511_daemon *d);

/*
 * Make the revocation that closes rec as s pending (its DB commit failed).
 * 0 if the journal has it (it survives a restart); -ENOSPC if the journal
 * is full, or -errno if it cannot be written or is missing: pending in
 * memory only.
 */
int revoke_note_locked(struct g511_daemon *d, const struct g511_grant_rec *rec,
		       const struct g511_session_rec *s);

/* Try to commit every pending revocation; force ignores the backoff. */
void revoke_flush_locked(struct g511_daemon *d, bool force);

/* Is DB grant grant_id of client revoked but not yet committed? */
bool revoke_is_pending(struct g511_daemon *d, const struct g511_client *client,
		       uint32_t grant_id);
/* How many are pending (for status and logs). */
unsigned int revoke_pending_count(struct g511_daemon *d);

#endif /* GATE511D_REVOKE_H */
