// SPDX-License-Identifier: GPL-2.0
/*
 * radius_login.c - LOGIN (radius.h): one PAP Access-Request, and an
 * Accept made into a grant through grants_allow() like any other writer.
 * The password lives in this stack frame and the packet only (hidden
 * with the secret), and both are wiped before return.
 *
 * Accept -> grant: Session-Timeout is the ttl and Idle-Timeout the idle
 * timeout (the config defaults when absent), Class and the Acct-Session-Id
 * sent go on the grant, rates and quota too: grant_spec_check() decides
 * whether this datapath can enforce them (fail closed: a limit it cannot
 * enforce refuses the grant, it is not dropped). Acct-Interim-Interval
 * goes to the accounting (acct.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "grants.h"
#include "log.h"
#include "macauth_tab.h"
#include "radius.h"

static int build_request(struct g511_radius *r, const struct g511_client *c, const char *user,
			 const char *password, uint32_t service, const struct g511_addr *framed,
			 const char *sid, struct rad_packet *p)
{
	uint8_t auth[RAD_AUTH_LEN], id;
	int err;

	if (getrandom(auth, sizeof(auth), 0) != sizeof(auth) || getrandom(&id, 1, 0) != 1)
		return -EIO;
	rad_init(p, RAD_ACCESS_REQUEST, id, auth);
	err = rad_add_str(p, RAD_USER_NAME, user);
	if (!err)
		err = rad_add_password(p, password, r->secret, r->secret_len);
	if (!err)
		err = rad_add_u32(p, RAD_SERVICE_TYPE, service);
	if (!err)
		err = radius_add_nas(r, p);
	if (!err)
		err = radius_add_client(r, p, c, false, NULL);
	if (!err && framed && addr_is_v4(framed))
		err = rad_add(p, RAD_FRAMED_IP_ADDRESS, framed->addr + 12, 4);
	else if (!err && framed)
		err = rad_add(p, RAD_FRAMED_IPV6_ADDRESS, framed->addr, 16);
	if (!err)
		err = rad_add_str(p, RAD_ACCT_SESSION_ID, sid);
	if (!err)
		err = rad_sign(p, NULL, r->secret, r->secret_len);
	return err;
}

static void login_count(struct g511_radius *r, uint64_t *c)
{
	pthread_mutex_lock(&r->mu);
	(*c)++;
	pthread_mutex_unlock(&r->mu);
}

/* The counters of a login, or of a MAC authentication. */
struct auth_counters {
	uint64_t *requests, *accepts, *rejects, *timeouts;
};

static int auth_grant(struct g511_daemon *d, const struct g511_client *client, const char *user,
		      const char *password, uint32_t service, const struct g511_addr *framed,
		      const struct auth_counters *k,
		      struct g511_ctl_grant *out, char *msg, size_t msg_len)
{
	struct g511_radius *r = d->radius;
	uint8_t reply[RAD_MAX_PACKET];
	struct grant_result res;
	struct grant_spec spec;
	struct rad_accept acc;
	struct rad_packet p;
	struct rad_view v;
	char sid[17], who[G511_CLIENT_STRLEN];
	const char *why;
	int err;

	msg[0] = '\0';
	if (!r) {
		snprintf(msg, msg_len, "RADIUS is not configured (radius_server)");
		return -ENOTCONN;
	}
	client_format(client, who, sizeof(who));
	err = radius_session_id(sid);
	if (!err)
		err = build_request(r, client, user, password, service, framed, sid, &p);
	if (err) {
		explicit_bzero(&p, sizeof(p));
		snprintf(msg, msg_len, "cannot build the Access-Request: %s", strerror(-err));
		return err;
	}
	login_count(r, k->requests);
	err = radius_exchange(r, false, &p, reply, sizeof(reply), &v);
	explicit_bzero(&p, sizeof(p));
	if (err) {
		login_count(r, k->timeouts);
		snprintf(msg, msg_len, "no RADIUS server answered (%u tried, %u tries of %us "
			 "each); nothing granted", r->conf.n_servers, 1 + r->conf.retries,
			 r->conf.timeout_s);
		log_warnx("login %s user %s: %s", who, user, msg);
		return -ETIMEDOUT;
	}
	rad_accept_read(&v, &acc);
	if (v.code != RAD_ACCESS_ACCEPT) {
		login_count(r, k->rejects);
		snprintf(msg, msg_len, "%s", acc.reply_msg[0] ? acc.reply_msg :
			 v.code == RAD_ACCESS_CHALLENGE ? "challenge not supported" :
			 "access rejected");
		log_info("login %s user %s: rejected (%s)", who, user, msg);
		return -EACCES;
	}
	login_count(r, k->accepts);

	memset(&spec, 0, sizeof(spec));
	spec.client = *client;
	pthread_mutex_lock(&d->lock);
	spec.ttl_s = acc.ttl_s ? acc.ttl_s : d->conf.default_ttl_s;
	spec.idle_s = acc.idle_s ? acc.idle_s : d->conf.default_idle_s;
	pthread_mutex_unlock(&d->lock);
	spec.quota_bytes = acc.quota_bytes;
	spec.rate_up_bps = acc.rate_up_bps;
	spec.rate_down_bps = acc.rate_down_bps;
	spec.origin = G511_ORIGIN_RADIUS;
	snprintf(spec.user, sizeof(spec.user), "%s", user);
	memcpy(spec.class, acc.class, acc.class_len);
	spec.class_len = acc.class_len;
	snprintf(spec.acct_session_id, sizeof(spec.acct_session_id), "%s", sid);
	err = grants_check(d, &spec, &why);
	if (err) {
		snprintf(msg, msg_len, "the RADIUS server accepted %s, but its grant cannot be "
			 "made: %s; nothing granted", user, why);
		log_warnx("login %s: %s", who, msg);
		return err;
	}
	err = grants_allow_r(d, &spec, out, &res);
	if (err) {
		snprintf(msg, msg_len, "cannot grant %s: %s", who,
			 res.db_error[0] ? res.db_error : strerror(-err));
		return err;
	}
	acct_set_interval(r, sid, acc.interim_s);
	log_info("login %s user %s: accepted, ttl %llus idle %llus, session %s", who, user,
		 (unsigned long long)spec.ttl_s, (unsigned long long)spec.idle_s, sid);
	if (acc.reply_msg[0])
		snprintf(msg, msg_len, "%s", acc.reply_msg);
	return 0;
}

int radius_login(struct g511_daemon *d, const struct g511_client *client, const char *user,
		 const char *password, struct g511_ctl_grant *out, char *msg, size_t msg_len)
{
	struct g511_radius *r = d->radius;
	struct auth_counters k = { 0 };

	if (r)
		k = (struct auth_counters){ &r->cnt.access_requests, &r->cnt.accepts,
					    &r->cnt.rejects, &r->cnt.auth_timeouts };
	return auth_grant(d, client, user, password, RAD_SERVICE_LOGIN, NULL, &k, out, msg,
			  msg_len);
}

int radius_mac_login(struct g511_daemon *d, const uint8_t mac[6], const struct g511_addr *ip,
		     struct g511_ctl_grant *out, char *msg, size_t msg_len)
{
	struct g511_radius *r = d->radius;
	struct g511_client c = { .kind = G511_CLIENT_MAC };
	struct auth_counters k;
	char name[18];

	if (!r) {
		snprintf(msg, msg_len, "RADIUS is not configured (radius_server)");
		return -ENOTCONN;
	}
	memcpy(c.key, mac, 6);
	macauth_user(mac, name);
	k = (struct auth_counters){ &r->cnt.mac_requests, &r->cnt.mac_accepts,
				    &r->cnt.mac_rejects, &r->cnt.mac_timeouts };
	return auth_grant(d, &c, name, name, RAD_SERVICE_CALL_CHECK, ip, &k, out, msg, msg_len);
}
