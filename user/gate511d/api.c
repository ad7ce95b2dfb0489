// SPDX-License-Identifier: GPL-2.0
/*
 * api.c - the signed API for remote login portals (api.h), a thin shell:
 * sig.c decides authentication, api_req.c reads bodies, grants.c and
 * query.c do the work, grant_json.c writes the answers.
 *
 * A request, in order:
 *   1. its source's bucket is empty (too many failed authentications):
 *      429, nothing hashed, nothing read;
 *   2. authentication: an Authorization header is always checked (HMAC,
 *      nonce recorded durably last); without one, a client certificate
 *      that chained to api_client_ca will do; a failure is 401 with the
 *      reason, counted, and costs the source a token; a nonce that cannot
 *      be recorded is 503 (nothing applied);
 *   3. the endpoint.
 *
 * Throttle: a fixed table of token buckets, one per source /32 (IPv4) or
 * /64 (IPv6), found by a keyed hash (a sender cannot aim at a slot). A
 * slot held by another prefix is taken over only when its bucket is full
 * again (that prefix has not failed lately); otherwise the newcomer
 * shares it: a flood from many addresses throttles itself, never costs
 * table memory, and a portal that authenticates never loses a token.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api.h"
#include "metrics.h"
#include "api_req.h"
#include "daemon.h"
#include "grant_json.h"
#include "grants.h"
#include "httpd.h"
#include "log.h"
#include "maps.h"
#include "nonce.h"
#include "query.h"
#include "radius.h"
#include "siphash.h"

#define G511_ADDR_STRLEN_API	64
#define API_KEYS_MAX		1024	/* api_keys file */
#define API_LIST_PAGE		1024
#define THROTTLE_SLOTS		1024
#define THROTTLE_BURST		10	/* failed authentications in a row */
#define THROTTLE_PER_S		1	/* refilled per second */

struct bucket {
	uint8_t prefix[8];
	bool used;
	double tokens;
	uint64_t last_ms;
};

struct api {
	struct g511_daemon *d;
	struct httpd *httpd;
	struct nonce_cache *nonces;
	struct g511_api_key *keys;
	size_t n_keys;
	bool client_ca;
	pthread_mutex_t mu;		/* the buckets */
	uint8_t hash_key[16];
	struct bucket buckets[THROTTLE_SLOTS];
};

static struct api *api_live;		/* api_live_mu: read by the metrics */
static pthread_mutex_t api_live_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t c_requests[API_EP__MAX][API_SC__MAX];
static _Atomic uint64_t c_auth[SIG__MAX];
static _Atomic uint64_t c_throttled;

void api_counters_get(struct api_counters *out)
{
	struct api *a;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&api_live_mu);
	a = api_live;
	for (int e = 0; e < API_EP__MAX; e++)
		for (int s = 0; s < API_SC__MAX; s++)
			out->requests[e][s] = c_requests[e][s];
	for (int v = 0; v < SIG__MAX; v++)
		out->auth_failures[v] = c_auth[v];
	out->throttled = c_throttled;
	if (a && a->nonces)
		out->nonces = nonce_count(a->nonces);
	pthread_mutex_unlock(&api_live_mu);
}

bool api_listener_counters(struct httpd_counters *out)
{
	bool on;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&api_live_mu);
	on = api_live && api_live->httpd;
	if (on)
		httpd_counters(api_live->httpd, out);
	pthread_mutex_unlock(&api_live_mu);
	return on;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ throttle */

/* The source's bucket, refilled to now; a->mu held. */
static struct bucket *bucket_of(struct api *a, const struct g511_addr *peer, uint64_t now)
{
	uint8_t prefix[8] = { 0 };
	struct bucket *b;
	bool full;

	if (addr_is_v4(peer))
		memcpy(prefix, &peer->addr[12], 4);	/* a /32 */
	else
		memcpy(prefix, peer->addr, 8);		/* a /64 */
	b = &a->buckets[g511_siphash24(a->hash_key, prefix, sizeof(prefix)) % THROTTLE_SLOTS];
	if (b->used) {
		b->tokens += (double)(now - b->last_ms) * THROTTLE_PER_S / 1000.0;
		if (b->tokens > THROTTLE_BURST)
			b->tokens = THROTTLE_BURST;
	}
	b->last_ms = now;
	full = !b->used || b->tokens >= THROTTLE_BURST;
	if (memcmp(b->prefix, prefix, sizeof(prefix)) && full) {
		memcpy(b->prefix, prefix, sizeof(prefix));
		b->tokens = THROTTLE_BURST;
	}
	b->used = true;
	return b;
}

static bool throttle_allows(struct api *a, const struct g511_addr *peer)
{
	bool ok;

	pthread_mutex_lock(&a->mu);
	ok = bucket_of(a, peer, mono_ms())->tokens >= 1.0;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

static void throttle_charge(struct api *a, const struct g511_addr *peer)
{
	struct bucket *b;

	pthread_mutex_lock(&a->mu);
	b = bucket_of(a, peer, mono_ms());
	b->tokens = b->tokens >= 1.0 ? b->tokens - 1.0 : 0;
	pthread_mutex_unlock(&a->mu);
}

/* ------------------------------------------------------------ answers */

struct json_buf {
	FILE *f;
	char *text;
	size_t len;
	struct json_writer *jw;
};

static bool jbuf_open(struct json_buf *j)
{
	memset(j, 0, sizeof(*j));
	j->f = open_memstream(&j->text, &j->len);
	if (!j->f)
		return false;
	j->jw = jw_new(j->f, false);
	if (!j->jw) {
		fclose(j->f);
		free(j->text);
		return false;
	}
	return true;
}

/* The text into resp (resp owns it), or a 500. */
static void jbuf_send(struct json_buf *j, struct httpd_resp *resp, unsigned int status)
{
	jw_destroy(j->jw);
	if (fclose(j->f) || !j->text) {
		free(j->text);
		httpd_resp_error(resp, 500, "out of memory");
		return;
	}
	free(resp->body);
	resp->body = j->text;
	resp->body_len = j->len;
	resp->status = status;
}

static void send_grant_msg(struct httpd_resp *resp, unsigned int status,
			   const struct g511_ctl_grant *g, const char *reply_message)
{
	struct json_buf j;

	if (!jbuf_open(&j)) {
		httpd_resp_error(resp, 500, "out of memory");
		return;
	}
	/* as `gate511ctl -j show` prints it */
	jw_start_object(j.jw);
	jw_string_field(j.jw, "source", "daemon");
	jw_name(j.jw, "grant");
	grant_json(j.jw, g, g511_wall_s());
	if (reply_message)
		jw_string_field(j.jw, "reply_message", reply_message);
	jw_end_object(j.jw);
	jbuf_send(&j, resp, status);
}

static void send_grant(struct httpd_resp *resp, unsigned int status,
		       const struct g511_ctl_grant *g)
{
	send_grant_msg(resp, status, g, NULL);
}

/* An error of a grant verb: 404, 507 (full map, nobody evicted), 400, 503. */
static void verb_error(struct api *a, struct httpd_resp *resp, const struct g511_client *c,
		       const char *verb, int err)
{
	char who[G511_CLIENT_STRLEN];

	client_format(c, who, sizeof(who));
	switch (err) {
	case -ENOENT:
		httpd_resp_error(resp, 404, "%s holds no grant", who);
		break;
	case -ENOSPC: {
		struct g511_daemon *d = a->d;
		unsigned int max = d->n_ifaces ?
				   d->ifaces[0].maps.max_entries[client_map_id(c->kind)] : 0;

		httpd_resp_error(resp, 507, "map %s is full (%u entries): %s %s refused, "
				 "no grant was evicted",
				 c->kind == G511_CLIENT_MAC ? G511_MAP_MACS : G511_MAP_CLIENTS,
				 max, verb, who);
		break;
	}
	case -EINVAL:
		httpd_resp_error(resp, 400, "cannot %s %s: invalid", verb, who);
		break;
	case -ENOMEM:
		httpd_resp_error(resp, 500, "out of memory");
		break;
	default:
		httpd_resp_error(resp, 503, "cannot %s %s: the state database cannot commit "
				 "(%s); nothing was applied", verb, who, strerror(-err));
		break;
	}
}

/* ------------------------------------------------------------ endpoints */

static void grant_create(struct api *a, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct g511_daemon *d = a->d;
	struct api_grant_req r;
	struct g511_ctl_grant out;
	struct grant_spec spec;
	char err[256], who[G511_CLIENT_STRLEN];
	const char *why;
	int e;

	if (api_grant_req_parse(req->body ? req->body : "", req->body_len, &r, err,
				sizeof(err))) {
		httpd_resp_error(resp, 400, "%s", err);
		return;
	}
	memset(&spec, 0, sizeof(spec));
	spec.client = r.client;
	spec.origin = G511_ORIGIN_API;
	pthread_mutex_lock(&d->lock);
	spec.ttl_s = r.has_ttl ? r.ttl_s : d->conf.default_ttl_s;
	spec.idle_s = r.has_idle ? r.idle_s : d->conf.default_idle_s;
	pthread_mutex_unlock(&d->lock);
	spec.mac_bound = r.mac_bound;
	memcpy(spec.mac, r.mac, 6);
	spec.quota_bytes = r.quota_bytes;
	spec.rate_up_bps = r.rate_up_bps;
	spec.rate_down_bps = r.rate_down_bps;
	memcpy(spec.user, r.user, sizeof(spec.user));
	client_format(&spec.client, who, sizeof(who));

	e = grants_check(d, &spec, &why);
	if (e == -EOPNOTSUPP) {
		httpd_resp_error(resp, 501, "%s: not enforced by this gate511 yet (%s)",
				 r.quota_bytes ? "quota_bytes" :
				 r.rate_up_bps ? "rate_up_bps" : "rate_down_bps", why);
		return;
	}
	if (e) {
		httpd_resp_error(resp, 400, "%s: %s", who, why);
		return;
	}
	e = grants_allow(d, &spec, &out);
	if (e) {
		verb_error(a, resp, &spec.client, "grant", e);
		return;
	}
	log_info("api: allow %s ttl %llus idle %llus%s", who, (unsigned long long)spec.ttl_s,
		 (unsigned long long)spec.idle_s, spec.mac_bound ? " mac-bound" : "");
	send_grant(resp, 201, &out);
}

static void grant_get(struct api *a, const struct g511_client *c, struct httpd_resp *resp)
{
	struct g511_ctl_grant out;
	int e = grants_show(a->d, c, &out);

	if (e)
		verb_error(a, resp, c, "show", e);
	else
		send_grant(resp, 200, &out);
}

static void grant_delete(struct api *a, const struct g511_client *c, struct httpd_resp *resp)
{
	char who[G511_CLIENT_STRLEN];
	struct g511_ctl_session s;
	struct json_buf j;
	int e = grants_deny(a->d, c, G511_REASON_REVOKED, &s);

	if (e) {
		verb_error(a, resp, c, "revoke", e);
		return;
	}
	client_format(c, who, sizeof(who));
	log_info("api: deny %s", who);
	if (!jbuf_open(&j)) {
		httpd_resp_error(resp, 500, "revoked, but out of memory for the answer");
		return;
	}
	session_json(j.jw, &s);	/* as `gate511ctl -j deny` prints it */
	jbuf_send(&j, resp, 200);
}

static void grant_list(struct api *a, struct httpd_resp *resp)
{
	struct g511_ctl_grant *page;
	uint64_t now = g511_wall_s();
	struct json_buf j;
	uint32_t after = 0;
	unsigned int n;
	int e;

	page = calloc(API_LIST_PAGE, sizeof(*page));
	if (!page || !jbuf_open(&j)) {
		free(page);
		httpd_resp_error(resp, 500, "out of memory");
		return;
	}
	/* as `gate511ctl -j list` prints it */
	jw_start_object(j.jw);
	jw_string_field(j.jw, "source", "daemon");
	jw_name(j.jw, "grants");
	jw_start_array(j.jw);
	do {
		e = grants_list_page(a->d, after, true, page, API_LIST_PAGE, &n);
		if (e)
			break;
		for (unsigned int i = 0; i < n; i++)
			grant_json(j.jw, &page[i], now);
		if (n)
			after = page[n - 1].grant_id;
	} while (n == API_LIST_PAGE);
	jw_end_array(j.jw);
	jw_end_object(j.jw);
	free(page);
	if (e) {
		jw_destroy(j.jw);
		fclose(j.f);
		free(j.text);
		httpd_resp_error(resp, 503, "cannot read the grants: %s", strerror(-e));
		return;
	}
	jbuf_send(&j, resp, 200);
}

/*
 * POST /v1/login: the body is read here; the RADIUS round trip (up to
 * timeout * (1 + retries) * servers) runs on a deferred worker
 * (httpd_defer), so the listener serves other requests meanwhile, and
 * radius_login() holds no daemon lock while it waits. The password is
 * wiped as soon as the Access-Request is built and never logged.
 */
struct login_job {
	struct api *a;
	struct api_login_req r;
};

static void count(enum api_endpoint ep, unsigned int status)
{
	int sc = status >= 500 || !status ? API_SC_5XX : status >= 400 ? API_SC_4XX :
		 API_SC_2XX;

	c_requests[ep][sc]++;
}

static void login_work(void *arg, struct httpd_resp *resp)
{
	struct login_job *j = arg;
	struct g511_ctl_grant out;
	struct json_buf jb;
	char msg[512];
	int e;

	httpd_resp_add_header(resp, "Cache-Control", "no-store");
	e = radius_login(j->a->d, &j->r.client, j->r.user, j->r.password, &out, msg,
			 sizeof(msg));
	explicit_bzero(j->r.password, sizeof(j->r.password));
	switch (e) {
	case 0:
		send_grant_msg(resp, 201, &out, msg);
		break;
	case -EACCES:
		if (!jbuf_open(&jb)) {
			httpd_resp_error(resp, 403, "access rejected");
			break;
		}
		jw_start_object(jb.jw);
		jw_string_field(jb.jw, "error", "access rejected by the RADIUS server");
		jw_string_field(jb.jw, "reply_message", msg);
		jw_end_object(jb.jw);
		jbuf_send(&jb, resp, 403);
		break;
	case -ETIMEDOUT:
		httpd_resp_error(resp, 503, "%s", msg);
		httpd_resp_add_header(resp, "Retry-After", "5");
		break;
	case -ENOTCONN:
		httpd_resp_error(resp, 501, "%s", msg);
		break;
	case -EOPNOTSUPP:
		httpd_resp_error(resp, 501, "%s", msg);
		break;
	case -EINVAL:
		httpd_resp_error(resp, 400, "%s", msg);
		break;
	default:
		verb_error(j->a, resp, &j->r.client, "grant", e);
		break;
	}
	count(API_EP_LOGIN, resp->status);
	explicit_bzero(j, sizeof(*j));
	free(j);
}

/* true: deferred (login_work answers and counts); false: resp holds the answer. */
static bool login(struct api *a, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct login_job *j;
	char err[256];

	if (!a->d->radius) {
		httpd_resp_error(resp, 501, "RADIUS is not configured (no radius_server): "
				 "POST /v1/login needs it");
		return false;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		httpd_resp_error(resp, 500, "out of memory");
		return false;
	}
	j->a = a;
	if (api_login_req_parse(req->body ? req->body : "", req->body_len, &j->r, err,
				sizeof(err))) {
		httpd_resp_error(resp, 400, "%s", err);
		free(j);
		return false;
	}
	if (httpd_defer(req, login_work, j)) {
		explicit_bzero(j, sizeof(*j));
		free(j);
		httpd_resp_error(resp, 503, "too many logins in progress (%d); try again",
				 HTTPD_DEFER_MAX);
		httpd_resp_add_header(resp, "Retry-After", "1");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ dispatch */

#define GRANTS_PATH	"/v1/grants"
#define LOGIN_PATH	"/v1/login"

static enum api_endpoint classify(const struct httpd_req *req, const char **client)
{
	const size_t n = sizeof(GRANTS_PATH) - 1;

	*client = NULL;
	if (!strcmp(req->path, LOGIN_PATH))
		return strcmp(req->method, "POST") ? API_EP_OTHER : API_EP_LOGIN;
	if (strncmp(req->path, GRANTS_PATH, n))
		return API_EP_OTHER;
	if (!req->path[n]) {
		if (!strcmp(req->method, "POST"))
			return API_EP_GRANT_CREATE;
		if (!strcmp(req->method, "GET"))
			return API_EP_GRANT_LIST;
		return API_EP_OTHER;
	}
	if (req->path[n] != '/' || !req->path[n + 1])
		return API_EP_OTHER;
	*client = req->path + n + 1;
	if (!strcmp(req->method, "GET"))
		return API_EP_GRANT_GET;
	if (!strcmp(req->method, "DELETE"))
		return API_EP_GRANT_DELETE;
	return API_EP_OTHER;
}

static int claim(void *ctx, const struct sig_auth *auth)
{
	struct api *a = ctx;

	return nonce_claim(a->nonces, auth, g511_wall_s());
}

/* true: go on; false: resp holds the refusal. */
static bool authenticate(struct api *a, const struct httpd_req *req, struct httpd_resp *resp)
{
	const char *header = httpd_header(req, "Authorization");
	struct sig_request r = {
		.method = req->method, .target = req->target, .body = req->body,
		.body_len = req->body_len, .header = header, .now = g511_wall_s(),
		.keys = a->keys, .n_keys = a->n_keys, .nonce_claim = claim, .ctx = a,
	};
	struct sig_auth auth;
	enum sig_verdict v;

	if (!throttle_allows(a, &req->peer)) {
		c_throttled++;
		httpd_resp_error(resp, 429, "too many failed authentications from this address; "
				 "try again later");
		httpd_resp_add_header(resp, "Retry-After", "1");
		return false;
	}
	if (!header && a->client_ca && req->client_cert_ok)
		return true;
	v = sig_verify(&r, &auth);
	if (v == SIG_OK)
		return true;
	c_auth[v]++;
	if (log_getverbose() > 0) {
		char who[G511_ADDR_STRLEN_API];

		addr_format(&req->peer, who, sizeof(who));
		log_debug("api: %s %s from %s: %s (key \"%s\")", req->method, req->path, who,
			  sig_verdict_reason(v), auth.keyid);
	}
	if (v == SIG_NONCE_ERROR) {
		httpd_resp_error(resp, 503, "the nonce cache cannot record the request "
				 "(full of unexpired nonces, or its database failed); "
				 "nothing was applied");
		return false;
	}
	throttle_charge(a, &req->peer);
	httpd_resp_error(resp, 401, "authentication failed: %s", sig_verdict_reason(v));
	httpd_resp_add_header(resp, "WWW-Authenticate", SIG_SCHEME);
	return false;
}

static void handle(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct api *a = ctx;
	struct g511_client c;
	const char *client;
	enum api_endpoint ep = classify(req, &client);

	httpd_resp_add_header(resp, "Cache-Control", "no-store");
	if (!authenticate(a, req, resp))
		goto out;
	if (client && (ep == API_EP_GRANT_GET || ep == API_EP_GRANT_DELETE) &&
	    client_parse(client, &c)) {
		httpd_resp_error(resp, 400, "\"%s\" is not an IPv4 or IPv6 address or a MAC",
				 client);
		goto out;
	}
	switch (ep) {
	case API_EP_GRANT_CREATE:
		grant_create(a, req, resp);
		break;
	case API_EP_GRANT_LIST:
		grant_list(a, resp);
		break;
	case API_EP_GRANT_GET:
		grant_get(a, &c, resp);
		break;
	case API_EP_GRANT_DELETE:
		grant_delete(a, &c, resp);
		break;
	case API_EP_LOGIN:
		if (login(a, req, resp))
			return;		/* login_work counts it */
		break;
	default:
		if (!strcmp(req->path, LOGIN_PATH)) {
			httpd_resp_error(resp, 405, "%s not allowed on %s", req->method,
					 req->path);
			httpd_resp_add_header(resp, "Allow", "POST");
		} else if (!strncmp(req->path, GRANTS_PATH, sizeof(GRANTS_PATH) - 1) &&
		    (!req->path[sizeof(GRANTS_PATH) - 1] || client)) {
			httpd_resp_error(resp, 405, "%s not allowed on %s", req->method,
					 req->path);
			httpd_resp_add_header(resp, "Allow", client ? "GET, DELETE" : "GET, POST");
		} else {
			httpd_resp_error(resp, 404, "no such endpoint: %s", req->path);
		}
		break;
	}
out:
	count(ep, resp->status);
}

/* ------------------------------------------------------------ keys */

static int key_add(struct api *a, const struct g511_api_key *k, const char *where)
{
	for (size_t i = 0; i < a->n_keys; i++) {
		if (!strcmp(a->keys[i].id, k->id)) {
			log_warnx("%s: api key \"%s\" given twice", where, k->id);
			return -EINVAL;
		}
	}
	if (a->n_keys == API_KEYS_MAX) {
		log_warnx("%s: more than %d api keys", where, API_KEYS_MAX);
		return -E2BIG;
	}
	a->keys[a->n_keys++] = *k;
	return 0;
}

/* api_keys = FILE: KEYID:HEX lines, # comments. A file others may read
 * is refused: it holds the secrets. */
static int keys_file_load(struct api *a, const char *path)
{
	char line[512], why[128], where[G511_PATH_MAX + 32];
	struct g511_api_key k;
	unsigned int lineno = 0;
	struct stat st;
	int fd, err = 0;
	FILE *f;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		log_warn("cannot read api_keys %s", path);
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		log_warnx("api_keys %s: readable or writable by anyone (mode %04o); it holds "
			  "secrets: chmod 600 it", path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP))
		log_warnx("api_keys %s: readable by its group (mode %04o); 0600 is safer", path,
			  (unsigned int)(st.st_mode & 07777));
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s line %u", path, lineno);
		if (conf_api_key_parse(s, &k, why, sizeof(why))) {
			log_warnx("%s: %s", where, why);
			err = -EINVAL;
		} else {
			err = key_add(a, &k, where);
		}
	}
	fclose(f);
	return err;
}

static void conf_secret_check(const struct g511_daemon *d)
{
	struct stat st;

	if (d->conf.n_api_keys && d->conf_path && !stat(d->conf_path, &st) &&
	    (st.st_mode & S_IROTH))
		log_warnx("%s holds api_key secrets and is readable by anyone (mode %04o): "
			  "chmod o-r it, or move the keys to an api_keys file", d->conf_path,
			  (unsigned int)(st.st_mode & 07777));
}

/* ------------------------------------------------------------ start/stop */

static void api_free(struct api *a)
{
	if (!a)
		return;
	httpd_stop(a->httpd);
	nonce_close(a->nonces);
	if (a->keys)
		explicit_bzero(a->keys, API_KEYS_MAX * sizeof(*a->keys));
	free(a->keys);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

int api_start(struct g511_daemon *d)
{
	const struct g511_conf *conf = &d->conf;
	char path[G511_PATH_MAX + sizeof(NONCE_SUFFIX)], why[256], where[64];
	struct httpd_opts o = { 0 };
	struct api *a;
	int err = 0;

	if (!conf->api_listen.set)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	a->d = d;
	a->keys = calloc(API_KEYS_MAX, sizeof(*a->keys));
	if (!a->keys) {
		err = -ENOMEM;
		goto fail;
	}
	if (getrandom(a->hash_key, sizeof(a->hash_key), 0) != sizeof(a->hash_key)) {
		err = -errno;
		log_warn("api: no random bytes");
		goto fail;
	}
	conf_secret_check(d);
	for (unsigned int i = 0; i < conf->n_api_keys && !err; i++)
		err = key_add(a, &conf->api_keys[i], d->conf_path ? d->conf_path : "config");
	if (!err && conf->api_keys_path[0])
		err = keys_file_load(a, conf->api_keys_path);
	if (err)
		goto fail;
	a->client_ca = conf->api_client_ca[0] != '\0';

	snprintf(path, sizeof(path), "%s" NONCE_SUFFIX, conf->state_path);
	err = nonce_open(path, NONCE_MAX_DEFAULT, g511_wall_s(), &a->nonces);
	if (err)
		goto fail;

	o.name = "api";
	o.listen = conf->api_listen;
	o.tls_cert = conf->tls_cert[0] ? conf->tls_cert : NULL;
	o.tls_key = conf->tls_key[0] ? conf->tls_key : NULL;
	o.client_ca = a->client_ca ? conf->api_client_ca : NULL;
	o.handler = handle;
	o.ctx = a;
	err = httpd_start(&o, &a->httpd, why, sizeof(why));
	if (err) {
		log_warnx("api: cannot listen: %s", why);
		goto fail;
	}
	addr_format(&conf->api_listen.addr, where, sizeof(where));
	log_info("api listening on %s%s%s:%u (%s, %zu keys%s)",
		 addr_is_v4(&conf->api_listen.addr) ? "" : "[", where,
		 addr_is_v4(&conf->api_listen.addr) ? "" : "]", httpd_port(a->httpd),
		 o.tls_cert ? "https" : "http", a->n_keys,
		 a->client_ca ? ", client certificates" : "");
	pthread_mutex_lock(&api_live_mu);
	api_live = a;
	pthread_mutex_unlock(&api_live_mu);
	metrics_listener_add("api", a->httpd);
	return 0;
fail:
	api_free(a);
	return err;
}

void api_stop(struct g511_daemon *d)
{
	struct api *a;

	(void)d;
	pthread_mutex_lock(&api_live_mu);
	a = api_live;
	api_live = NULL;
	pthread_mutex_unlock(&api_live_mu);
	if (a) {
		metrics_listener_del(a->httpd);
		api_free(a);	/* httpd_stop() first: no handler runs after it */
	}
}
