/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grants.h - the grant verbs: the one path by which any writer (the CLI
 * today; the portal API, RADIUS and CoA next) grants, revokes, imports or
 * changes a grant. None of them writes a map or the DB directly.
 *
 * Every verb takes daemon->lock itself (call it without the lock) and is
 * one transaction:
 *
 *   validate -> write the DB (BEGIN ... ) -> write the maps, each write
 *   recorded in a map_txn -> COMMIT (durable: synchronous=FULL)
 *   any failure: ROLLBACK the DB and put every map entry back
 *
 * so the DB and the maps agree for anyone holding the lock, and nothing is
 * acknowledged before it is durable. The one exception is a revoke the DB
 * cannot commit: it stays in force (fail closed) and is reported as not
 * durable (grants_deny()). The *_r forms also return SQLite's reason. A map that is full is never made room
 * in: the write fails with -ENOSPC and nothing changes (no eviction).
 */
#ifndef GATE511D_GRANTS_H
#define GATE511D_GRANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "ctl_proto.h"
#include "daemon.h"
#include "state.h"

/*
 * What a verb tells its caller beyond the return code, for the reply.
 * db_error: SQLite's reason when the state database is what refused
 * ("database or disk is full"); "" when it is not (a full map, bad input).
 * journalled: a deny that returned -EINPROGRESS is in the revocation
 * journal, so it survives a restart (revoke.h).
 */
struct grant_result {
	char db_error[STATE_ERROR_LEN];
	bool journalled;
	char why[96];		/* set: why a value was refused (-EINVAL) */
};

/* A grant to make; timeouts already resolved against the config defaults. */
struct grant_spec {
	struct g511_client client;
	uint64_t ttl_s;		/* session length, 0 = no deadline */
	uint64_t idle_s;	/* idle timeout, 0 = none */
	bool mac_bound;		/* address grants only */
	uint8_t mac[6];
	uint64_t quota_bytes;	/* both directions, 0 = none */
	uint64_t rate_up_bps;	/* 0 = unlimited */
	uint64_t rate_down_bps;
	unsigned int origin;	/* enum g511_origin: who asks (set by the writer) */
	char user[G511_USER_LEN];
	uint8_t class[G511_CLASS_MAX];
	unsigned int class_len;
	char acct_session_id[G511_ACCT_ID_LEN];
};

/*
 * Is spec one the daemon can enforce on a gateway configured as x? 0, or
 * -EINVAL (bad value, or a client no grant may name: client_grantable())
 * / -EOPNOTSUPP (a limit this datapath does not enforce yet) with a
 * sentence in *why. Pure. Every verb calls it under the lock.
 */
int grant_spec_check(const struct grant_spec *spec, const struct g511_config *x,
		     const char **why);
/* The same against the config in force, for a writer that wants the
 * sentence before calling a verb (takes daemon->lock). */
int grants_check(struct g511_daemon *d, const struct grant_spec *spec, const char **why);

/* Grant (or re-grant: the old session is closed as "replaced"). */
int grants_allow(struct g511_daemon *d, const struct grant_spec *spec,
		 struct g511_ctl_grant *out);
int grants_allow_r(struct g511_daemon *d, const struct grant_spec *spec,
		   struct g511_ctl_grant *out, struct grant_result *res);
/*
 * Revoke; out is the closed session, closed with reason (revoked, or
 * disconnected for RADIUS). -ENOENT if the client holds nothing.
 *
 * Fails closed: the grant leaves the maps before the DB is written, and
 * stays out. -EINPROGRESS (out is filled in) if the DB could not commit
 * it: revoked in the datapath, not yet durable; the daemon retries
 * (revoke.h) and res says why and whether the journal has it.
 */
int grants_deny(struct g511_daemon *d, const struct g511_client *client,
		unsigned int reason, struct g511_ctl_session *out);
int grants_deny_r(struct g511_daemon *d, const struct g511_client *client,
		  unsigned int reason, struct g511_ctl_session *out,
		  struct grant_result *res);
/*
 * All of specs in one transaction, or none of them: on any error the DB
 * is rolled back and every map entry put back. *failed_at is the spec
 * refused (grant_spec_check(), or the entry a full map refused: -ENOSPC),
 * or GRANTS_NO_ITEM when no one item is to blame (DB, memory, commit).
 */
#define GRANTS_NO_ITEM	((size_t)-1)
int grants_import(struct g511_daemon *d, const struct grant_spec *specs,
		  size_t n, size_t *failed_at);
int grants_import_r(struct g511_daemon *d, const struct grant_spec *specs,
		    size_t n, size_t *failed_at, struct grant_result *res);

/* What grants_set() changes in a grant in force; the rest stays. */
#define GRANT_SET_TTL		(1U << 0)	/* new session length, from now */
#define GRANT_SET_IDLE		(1U << 1)
#define GRANT_SET_QUOTA		(1U << 2)
#define GRANT_SET_RATE_UP	(1U << 3)
#define GRANT_SET_RATE_DOWN	(1U << 4)
#define GRANT_SET_CLASS		(1U << 5)
#define GRANT_SET_DRY		(1U << 6)	/* only check: the same answer, nothing written */

struct grant_attrs {
	unsigned int set;	/* GRANT_SET_* */
	uint64_t ttl_s, idle_s, quota_bytes, rate_up_bps, rate_down_bps;
	uint8_t class[G511_CLASS_MAX];
	unsigned int class_len;
};

/*
 * Change a grant in force without closing its session: counters and the
 * session id stay (CoA). -ENOENT if the client holds no grant.
 */
int grants_set(struct g511_daemon *d, const struct g511_client *client,
	       const struct grant_attrs *a, struct g511_ctl_grant *out);
int grants_set_r(struct g511_daemon *d, const struct g511_client *client,
		 const struct grant_attrs *a, struct g511_ctl_grant *out,
		 struct grant_result *res);

#endif /* GATE511D_GRANTS_H */
