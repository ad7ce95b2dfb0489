/* SPDX-License-Identifier: GPL-2.0 */
/*
 * radius.h - gate511d as a RADIUS NAS: the client core (Access-Request
 * and Accounting-Request exchanges with failover, radius.c), the login
 * verb (radius_login.c), durable accounting (acct.c) and the RFC 5176
 * CoA/Disconnect listener (dae.c). All off unless radius_server is set.
 *
 * Threads: a login runs in the control worker that asked (it blocks only
 * that connection, for at most timeout * (1 + retries) * servers); the
 * accounting sender and the DAE listener have a thread each. None of them
 * holds daemon->lock while it waits on the network; what they write goes
 * through the grant verbs (grants.h) or, for the queue, a short
 * transaction under the lock.
 *
 * The radius_* keys are read at start; a reload does not change them.
 */
#ifndef GATE511D_RADIUS_H
#define GATE511D_RADIUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "conf.h"
#include "ctl_proto.h"
#include "daemon.h"
#include "radattr.h"

struct radius_acct;
struct radius_dae;
struct radius_macauth;

struct radius_server_state {
	struct g511_radius_server cfg;
	uint8_t state;		/* enum g511_radius_server_state */
	uint64_t last_ok_wall;
	uint64_t requests, timeouts, bad_replies;
};

struct radius_counters {
	uint64_t access_requests, accepts, rejects, auth_timeouts;
	uint64_t acct_sent, acct_acked, acct_timeouts;
	uint64_t coa_ack, coa_nak, dm_ack, dm_nak, dae_dropped;
	uint64_t mac_requests, mac_accepts, mac_rejects, mac_timeouts;
};

struct g511_radius {
	struct g511_daemon *d;
	struct g511_radius_conf conf;	/* a copy, taken at start */
	char secret[G511_RADIUS_SECRET_MAX + 1];
	size_t secret_len;
	char nas_id[G511_RADIUS_NAS_ID_LEN];
	bool has_nas_ip;
	uint8_t nas_ip[4];		/* NAS-IP-Address: our source to the first server */
	bool has_gw_mac;
	uint8_t gw_mac[6];		/* Called-Station-Id: the first interface's */
	pthread_mutex_t mu;		/* guards srv[] and cnt */
	struct radius_server_state srv[G511_RADIUS_MAX_SERVERS];
	struct radius_counters cnt;
	struct radius_acct *acct;
	struct radius_dae *dae;
	struct radius_macauth *macauth;	/* radius_mac_auth, else NULL */
	volatile int abort_io;		/* radius_stop(): exchanges give up */
	bool one_try;			/* the Accounting-Off at stop: one try, one server */
};

/*
 * Set up from d->conf (after state_open, before the reconcile, so the
 * sessions it closes are accounted): read the secret file, choose the
 * NAS-Identifier, hook the accounting into the state DB. d->radius stays
 * NULL when RADIUS is off. radius_start() (a listener) starts the
 * threads; radius_stop() stops them; radius_free() undoes radius_init().
 */
int radius_init(struct g511_daemon *d);
int radius_start(struct g511_daemon *d);
void radius_stop(struct g511_daemon *d);
void radius_free(struct g511_daemon *d);

/*
 * Send p (signed) to the servers in failover order, each 1 + retries
 * times with the same bytes, until one answers with a genuine reply
 * (rad_verify_reply: authenticator and Message-Authenticator) of a code
 * that fits the request. acct picks the accounting port. 0 with the reply
 * in buf/v; -ETIMEDOUT if no server did.
 */
int radius_exchange(struct g511_radius *r, bool acct, const struct rad_packet *p,
		    uint8_t *buf, size_t cap, struct rad_view *v);

/* The common identification attributes: NAS-Identifier, NAS-IP-Address
 * (if known), NAS-Port-Type, and the client (Framed-IP(v6)-Address,
 * Calling-Station-Id when its MAC is known). */
int radius_add_nas(struct g511_radius *r, struct rad_packet *p);
int radius_add_client(struct g511_radius *r, struct rad_packet *p,
		      const struct g511_client *c, bool has_mac, const uint8_t mac[6]);
/* 16 random hex digits, NUL-terminated, into out[17]. */
int radius_session_id(char out[17]);

/*
 * LOGIN: an Access-Request (PAP) for client with user/password; an
 * Accept becomes a grant through grants_allow() (origin radius). 0 and
 * *out; -EACCES rejected (msg: the Reply-Message); -ETIMEDOUT no server
 * answered; -ENOTCONN RADIUS is off; other errors of the grant verb with
 * msg saying why. Nothing is written unless 0.
 */
int radius_login(struct g511_daemon *d, const struct g511_client *client, const char *user,
		 const char *password, struct g511_ctl_grant *out, char *msg, size_t msg_len);

void radius_status(struct g511_daemon *d, struct g511_ctl_radius_status *out);

/*
 * MAC authentication (macauth.c): an Access-Request with User-Name and
 * User-Password the MAC as aa-bb-cc-dd-ee-ff, Service-Type Call-Check,
 * Calling-Station-Id the MAC, Framed-IP(v6)-Address the address the
 * redirected frame came from; an Accept is a MAC grant (origin radius,
 * user the MAC) like a login's. radius_mac_login() is the exchange
 * (blocking, radius_login's rules); radius_mac_seen() is what the
 * responder threads call for a client they redirected: it never blocks
 * (a trylock; busy = the sighting is dropped, a later one counts) and
 * only queues (macauth_tab.h decides); one thread of the module's sends.
 */
int radius_mac_login(struct g511_daemon *d, const uint8_t mac[6], const struct g511_addr *ip,
		     struct g511_ctl_grant *out, char *msg, size_t msg_len);
/* ip: the address the frame came from (Framed-IP(v6)-Address), or NULL */
void radius_mac_seen(struct g511_radius *r, const uint8_t mac[6], const struct g511_addr *ip);
int macauth_init(struct g511_radius *r);
int macauth_start(struct g511_radius *r);
void macauth_stop(struct g511_radius *r);
void macauth_free(struct g511_radius *r);
/* suppressed sightings (rate limit, reject cache, busy), pending now */
void macauth_counts(struct g511_radius *r, uint64_t *suppressed, uint64_t *pending);

/* acct.c */
int acct_init(struct g511_radius *r);
int acct_start(struct g511_radius *r);
void acct_stop(struct g511_radius *r);
void acct_free(struct g511_radius *r);
/* The interim interval the server gave a session (Acct-Interim-Interval). */
void acct_set_interval(struct g511_radius *r, const char *acct_session_id, uint64_t interim_s);
/* Queue depth and the event time of the oldest record (under d->lock). */
void acct_queue_info(struct g511_radius *r, uint64_t *depth, uint64_t *oldest_wall);

/* dae.c */
int dae_start(struct g511_radius *r);
void dae_stop(struct g511_radius *r);

#endif /* GATE511D_RADIUS_H */
