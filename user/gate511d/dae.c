// SPDX-License-Identifier: GPL-2.0
/*
 * dae.c - the RFC 5176 Dynamic Authorization listener (radius.h): CoA and
 * Disconnect requests on radius_dae_listen, in a thread of its own.
 *
 * Checks, in order, each failure changing nothing:
 *   source address not in radius_dae_clients        dropped, counted
 *   not a CoA/Disconnect request, or malformed      dropped, counted
 *   request authenticator or Message-Authenticator
 *   wrong, or no Message-Authenticator              dropped, counted
 *   Event-Timestamp more than 300 s off              dropped, counted
 *   NAS-Identifier / NAS-IP-Address not ours         NAK, Error-Cause 403
 *   an attribute gate511 does not act on             NAK 401
 *   no session identification attribute              NAK 402
 *   an identification attribute of a bad size        NAK 404
 *   no grant matches every one given                 NAK 503
 * then Disconnect -> grants_deny(disconnected) (fails closed, committed
 * or journalled first; the Stop is queued by acct.c with Admin-Reset) ->
 * ACK; CoA -> grants_set() of Session-Timeout, Idle-Timeout, WISPr-
 * Bandwidth-Max-Up/Down (or ChilliSpot-Bandwidth-Max-Up/Down, kbit/s) and
 * ChilliSpot-Max-Total-Octets (+ Gigawords) on every session it names,
 * in place (counters, Acct-Session-Id kept; no Stop/Start), all or none:
 * a value out of range -> NAK 407, nothing changed -> ACK.
 * Replies carry Proxy-State as received and a Message-Authenticator.
 *
 * A retransmitted request (same source, identifier and authenticator) is
 * answered from a small cache with the first answer, not acted on twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "addr.h"
#include "grants.h"
#include "log.h"
#include "query.h"
#include "radius.h"
#include "state.h"

#define DAE_FRESH_S	300
#define DAE_CACHE	16
#define DAE_MAX_MATCH	64	/* sessions one request may act on (a user's) */

struct dae_cached {
	struct sockaddr_storage from;
	uint8_t id;
	uint8_t auth[RAD_AUTH_LEN];
	uint8_t reply[RAD_MAX_PACKET];
	size_t len;
	bool used;
};

struct radius_dae {
	struct g511_radius *r;
	int fd;
	int wake[2];
	pthread_t thread;
	bool started;
	struct dae_cached cache[DAE_CACHE];
	unsigned int next;
};

static void dae_count(struct g511_radius *r, uint64_t *c)
{
	pthread_mutex_lock(&r->mu);
	(*c)++;
	pthread_mutex_unlock(&r->mu);
}

static bool from_addr(const struct sockaddr_storage *ss, struct g511_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->addr[10] = a->addr[11] = 0xff;
		memcpy(a->addr + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(a->addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return true;
	}
	return false;
}

static bool client_allowed(struct g511_radius *r, const struct sockaddr_storage *ss)
{
	struct g511_addr a;

	if (!from_addr(ss, &a))
		return false;
	for (unsigned int i = 0; i < r->conf.n_dae_clients; i++)
		if (!memcmp(&r->conf.dae_clients[i], &a, sizeof(a)))
			return true;
	return false;
}

/* Is the request for this NAS? (identification attributes it carries) */
static bool nas_ours(struct g511_radius *r, const struct rad_dae_req *q)
{
	const struct g511_addr *l = &r->conf.dae_listen.addr;

	if (q->has_nas_id && strcmp(q->nas_id, r->nas_id))
		return false;
	if (q->has_nas_ip && !(r->has_nas_ip && !memcmp(q->nas_ip, r->nas_ip, 4)) &&
	    !(addr_is_v4(l) && !memcmp(q->nas_ip, l->addr + 12, 4)))
		return false;
	if (q->has_nas_ipv6 && (addr_is_v4(l) || memcmp(q->nas_ipv6, l->addr, 16)))
		return false;
	return true;
}

struct find_ctx {
	const struct rad_dae_req *q;
	struct g511_client found[DAE_MAX_MATCH];
	unsigned int n;
};

static int match_one(const struct g511_grant_rec *rec, void *arg)
{
	struct find_ctx *f = arg;
	const struct rad_dae_req *q = f->q;
	const struct g511_addr *a = (const struct g511_addr *)rec->client.key;
	const uint8_t *mac = rec->client.kind == G511_CLIENT_MAC ? rec->client.key :
			     rec->mac_bound ? rec->mac : NULL;

	if (q->has_session_id && strcmp(q->acct_session_id, rec->acct_session_id))
		return 0;
	if (q->has_user && strcmp(q->user, rec->user))
		return 0;
	if (q->has_ipv4 && (rec->client.kind != G511_CLIENT_ADDR || !addr_is_v4(a) ||
			    memcmp(a->addr + 12, q->ipv4, 4)))
		return 0;
	if (q->has_ipv6 && (rec->client.kind != G511_CLIENT_ADDR || addr_is_v4(a) ||
			    memcmp(a->addr, q->ipv6, 16)))
		return 0;
	if (q->has_mac && (!mac || memcmp(mac, q->mac, 6)))
		return 0;
	f->found[f->n++] = rec->client;
	return f->n == DAE_MAX_MATCH;	/* stop the walk: full */
}

/* The grants every identification attribute names; -ENOENT if none. */
static int find_sessions(struct g511_daemon *d, struct find_ctx *f)
{
	int err;

	pthread_mutex_lock(&d->lock);
	err = state_grants_foreach(d->state, 0, 0, match_one, f);
	pthread_mutex_unlock(&d->lock);
	if (err < 0)
		return err;
	return f->n ? 0 : -ENOENT;
}

static int reply_build(struct g511_radius *r, const struct rad_view *req, uint8_t code,
		       unsigned int cause, struct rad_packet *p)
{
	const uint8_t *val;
	size_t off = 0, vlen;
	uint8_t t;
	int err = 0;

	rad_init(p, code, req->id, NULL);
	if (cause)
		err = rad_add_u32(p, RAD_ERROR_CAUSE, cause);
	while (!err && rad_next(req, &off, &t, &val, &vlen))
		if (t == RAD_PROXY_STATE)
			err = rad_add(p, RAD_PROXY_STATE, val, vlen);
	if (!err)
		err = rad_sign(p, req->buf + 4, r->secret, r->secret_len);
	return err;
}

/* What a CoA asks of a grant (grants_set()); 0 in a value removes the limit. */
static void coa_attrs(const struct rad_dae_req *q, struct grant_attrs *at)
{
	memset(at, 0, sizeof(*at));
	if (q->has_ttl) {
		at->set |= GRANT_SET_TTL;
		at->ttl_s = q->ttl_s;
	}
	if (q->has_idle) {
		at->set |= GRANT_SET_IDLE;
		at->idle_s = q->idle_s;
	}
	if (q->has_rate_up) {
		at->set |= GRANT_SET_RATE_UP;
		at->rate_up_bps = q->rate_up_bps;
	}
	if (q->has_rate_down) {
		at->set |= GRANT_SET_RATE_DOWN;
		at->rate_down_bps = q->rate_down_bps;
	}
	if (q->has_quota) {
		at->set |= GRANT_SET_QUOTA;
		at->quota_bytes = q->quota_bytes;
	}
}

/* The attributes a grant had, to put back what a failed CoA changed. */
static void attrs_of(const struct g511_ctl_grant *g, unsigned int set, uint64_t now,
		     struct grant_attrs *at)
{
	memset(at, 0, sizeof(*at));
	at->set = set;
	at->ttl_s = g->expires_wall ? (g->expires_wall > now ? g->expires_wall - now : 1) : 0;
	at->idle_s = g->idle_s;
	at->quota_bytes = g->quota_bytes;
	at->rate_up_bps = g->rate_up_bps;
	at->rate_down_bps = g->rate_down_bps;
}

static unsigned int coa_cause(int err)
{
	switch (err) {
	case -ENOENT:
		return RAD_ERR_SESSION_NOT_FOUND;
	case -EINVAL:
		return RAD_ERR_INVALID_ATTRIBUTE_VALUE;
	default:
		return RAD_ERR_RESOURCES_UNAVAILABLE;
	}
}

/*
 * All or nothing, over every session the request names: each change is
 * checked first (a value out of range, a session gone: NAK, nothing
 * changed), then made; should a write fail after that (the DB), the
 * sessions changed so far get their old values back. 0 or an Error-Cause.
 */
static unsigned int coa_apply(struct g511_daemon *d, const struct g511_client *found,
			      unsigned int n, const struct grant_attrs *at_in)
{
	static struct g511_ctl_grant old[DAE_MAX_MATCH];	/* the DAE thread's */
	struct grant_attrs dry = *at_in, back;
	struct g511_ctl_grant g;
	uint64_t now = g511_wall_s();
	unsigned int i, j;
	int err;

	dry.set |= GRANT_SET_DRY;
	for (i = 0; i < n; i++) {
		err = grants_show(d, &found[i], &old[i]);
		if (!err)
			err = grants_set(d, &found[i], &dry, &g);
		if (err)
			return coa_cause(err);
	}
	for (i = 0; i < n; i++) {
		err = grants_set(d, &found[i], at_in, &g);
		if (!err)
			continue;
		for (j = 0; j < i; j++) {
			attrs_of(&old[j], at_in->set, now, &back);
			if (grants_set(d, &found[j], &back, &g))
				log_warnx("radius: CoA-Request failed half way; a session "
					  "keeps the change");
		}
		return coa_cause(err);
	}
	return 0;
}

/* What to answer: code and Error-Cause (0 = ACK); -1 = drop. */
static int dae_decide(struct radius_dae *dae, const struct rad_view *v, unsigned int *cause)
{
	struct g511_radius *r = dae->r;
	struct g511_daemon *d = r->d;
	bool coa = v->code == RAD_COA_REQUEST;
	uint8_t ack = coa ? RAD_COA_ACK : RAD_DISCONNECT_ACK;
	uint8_t nak = coa ? RAD_COA_NAK : RAD_DISCONNECT_NAK;
	static struct find_ctx f;	/* the DAE thread's alone */
	struct g511_ctl_session sess;
	struct grant_attrs at;
	struct rad_dae_req q;
	char who[G511_CLIENT_STRLEN];
	uint64_t now = g511_wall_s();
	unsigned int i, done = 0;
	int err;

	rad_dae_read(v, &q);
	if (q.has_event_ts && (q.event_ts + (uint64_t)DAE_FRESH_S < now ||
			       q.event_ts > now + DAE_FRESH_S))
		return -1;
	*cause = 0;
	if (!nas_ours(r, &q))
		*cause = RAD_ERR_NAS_ID_MISMATCH;
	else if (q.unsupported)
		*cause = RAD_ERR_UNSUPPORTED_ATTRIBUTE;
	else if (!q.has_session_id && !q.has_user && !q.has_ipv4 && !q.has_ipv6 && !q.has_mac)
		*cause = RAD_ERR_MISSING_ATTRIBUTE;
	else if (q.malformed)
		*cause = RAD_ERR_INVALID_REQUEST;
	if (*cause)
		return nak;
	memset(&f, 0, sizeof(f));
	f.q = &q;
	if (find_sessions(d, &f)) {
		*cause = RAD_ERR_SESSION_NOT_FOUND;
		return nak;
	}
	if (!coa) {
		/* every session it names; ACK if one was revoked */
		for (i = 0; i < f.n; i++) {
			client_format(&f.found[i], who, sizeof(who));
			err = grants_deny(d, &f.found[i], G511_REASON_DISCONNECTED, &sess);
			if (!err || err == -EINPROGRESS) {
				done++;
				log_info("radius: Disconnect-Request: %s revoked", who);
			}
		}
		if (!done)
			*cause = RAD_ERR_SESSION_NOT_FOUND;
		return done ? ack : nak;
	}
	coa_attrs(&q, &at);
	if (!at.set)
		return ack;	/* nothing to change: found, and so be it */
	*cause = coa_apply(d, f.found, f.n, &at);
	if (*cause)
		return nak;
	for (i = 0; i < f.n; i++) {
		client_format(&f.found[i], who, sizeof(who));
		log_info("radius: CoA-Request: %s%s%s%s%s%s", who,
			 q.has_ttl ? " session-timeout" : "", q.has_idle ? " idle-timeout" : "",
			 q.has_rate_up ? " rate-up" : "", q.has_rate_down ? " rate-down" : "",
			 q.has_quota ? " quota" : "");
	}
	return ack;
}

static struct dae_cached *cache_find(struct radius_dae *dae, const struct sockaddr_storage *from,
				     const struct rad_view *v)
{
	for (unsigned int i = 0; i < DAE_CACHE; i++) {
		struct dae_cached *c = &dae->cache[i];

		if (c->used && c->id == v->id && !memcmp(c->auth, v->buf + 4, RAD_AUTH_LEN) &&
		    !memcmp(&c->from, from, sizeof(*from)))
			return c;
	}
	return NULL;
}

static void dae_one(struct radius_dae *dae, const uint8_t *buf, size_t len,
		    const struct sockaddr_storage *from, socklen_t flen)
{
	struct g511_radius *r = dae->r;
	struct dae_cached *c;
	struct rad_packet p;
	struct rad_view v;
	unsigned int cause = 0;
	int code;

	if (!client_allowed(r, from) || rad_parse(buf, len, &v) ||
	    (v.code != RAD_COA_REQUEST && v.code != RAD_DISCONNECT_REQUEST) ||
	    rad_verify_request(&v, r->secret, r->secret_len)) {
		dae_count(r, &r->cnt.dae_dropped);
		return;
	}
	c = cache_find(dae, from, &v);
	if (c) {
		sendto(dae->fd, c->reply, c->len, 0, (const struct sockaddr *)from, flen);
		return;
	}
	code = dae_decide(dae, &v, &cause);
	if (code < 0 || reply_build(r, &v, code, cause, &p)) {
		dae_count(r, &r->cnt.dae_dropped);
		return;
	}
	dae_count(r, code == RAD_COA_ACK ? &r->cnt.coa_ack : code == RAD_COA_NAK ? &r->cnt.coa_nak :
		 code == RAD_DISCONNECT_ACK ? &r->cnt.dm_ack : &r->cnt.dm_nak);
	sendto(dae->fd, p.buf, p.len, 0, (const struct sockaddr *)from, flen);
	c = &dae->cache[dae->next++ % DAE_CACHE];
	memset(&c->from, 0, sizeof(c->from));
	memcpy(&c->from, from, flen);
	c->id = v.id;
	memcpy(c->auth, v.buf + 4, RAD_AUTH_LEN);
	memcpy(c->reply, p.buf, p.len);
	c->len = p.len;
	c->used = true;
}

static void *dae_main(void *arg)
{
	struct radius_dae *dae = arg;
	static uint8_t buf[RAD_MAX_PACKET];

	for (;;) {
		struct pollfd pfd[2] = { { .fd = dae->fd, .events = POLLIN },
					 { .fd = dae->wake[0], .events = POLLIN } };
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			break;
		memset(&from, 0, sizeof(from));
		n = recvfrom(dae->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
		if (n > 0)
			dae_one(dae, buf, n, &from, flen);
	}
	return NULL;
}

int dae_start(struct g511_radius *r)
{
	const struct g511_listen *l = &r->conf.dae_listen;
	struct radius_dae *dae;
	struct sockaddr_storage ss;
	socklen_t len;
	char a[G511_ADDR_STRLEN];
	int err;

	dae = calloc(1, sizeof(*dae));
	if (!dae)
		return -ENOMEM;
	dae->r = r;
	dae->wake[0] = dae->wake[1] = -1;
	memset(&ss, 0, sizeof(ss));
	addr_format(&l->addr, a, sizeof(a));
	if (addr_is_v4(&l->addr)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(l->port);
		memcpy(&s4->sin_addr, l->addr.addr + 12, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(l->port);
		memcpy(&s6->sin6_addr, l->addr.addr, 16);
		len = sizeof(*s6);
	}
	dae->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dae->fd < 0 || bind(dae->fd, (struct sockaddr *)&ss, len) < 0 ||
	    pipe2(dae->wake, O_CLOEXEC) < 0) {
		err = -errno;
		log_warn("radius_dae_listen %s:%u", a, l->port);
		goto fail;
	}
	err = -pthread_create(&dae->thread, NULL, dae_main, dae);
	if (err)
		goto fail;
	dae->started = true;
	r->dae = dae;
	log_info("radius: CoA/Disconnect on %s:%u", a, l->port);
	return 0;
fail:
	if (dae->fd >= 0)
		close(dae->fd);
	if (dae->wake[0] >= 0) {
		close(dae->wake[0]);
		close(dae->wake[1]);
	}
	free(dae);
	return err;
}

void dae_stop(struct g511_radius *r)
{
	struct radius_dae *dae = r->dae;

	if (!dae)
		return;
	if (write(dae->wake[1], "x", 1) < 0) {
		/* the pipe is ours and empty: cannot fail */
	}
	pthread_join(dae->thread, NULL);
	close(dae->fd);
	close(dae->wake[0]);
	close(dae->wake[1]);
	free(dae);
	r->dae = NULL;
}
