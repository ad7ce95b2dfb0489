// SPDX-License-Identifier: GPL-2.0
/*
 * httpd.c - HTTP(S) listeners on libmicrohttpd (httpd.h).
 *
 * One MHD daemon per listener, with its own epoll thread. A request's
 * life: the URI callback allocates its state and keeps the target as sent
 * (MHD hands the access handler a decoded path without the query, and a
 * signature is over the bytes the client sent); the access handler is
 * then called once with the headers (a declared body over max_body is
 * answered 413 right there, unread), once per body chunk, and once at the
 * end, when the handler runs and its response is queued.
 *
 * A deferred request (httpd_defer) is suspended after the handler; its
 * worker thread fills rs->resp and resumes it, and the access handler,
 * called again, queues that response. The listener counts its workers and
 * httpd_stop() waits for them before MHD_stop_daemon() (MHD must not stop
 * with a connection suspended).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "addr.h"
#include "httpd.h"
#include "json_writer.h"
#include "log.h"

struct httpd {
	struct MHD_Daemon *mhd;
	struct httpd_opts o;
	char name[16];
	char *cert_pem, *key_pem, *ca_pem;
	_Atomic uint64_t requests, s2xx, s4xx, s5xx, too_large, tls_errors, refused;
	pthread_mutex_t mu;	/* guards n_deferred */
	pthread_cond_t cv;
	unsigned int n_deferred;
};

struct req_state {
	char *target;		/* as sent */
	char *body;
	size_t len, cap;
	bool too_large;
	bool done;		/* a response is queued */
	bool deferring;		/* the handler called httpd_defer() */
	_Atomic bool ready;	/* the deferred response is in resp */
	struct httpd_resp resp;	/* the deferred response */
};

struct defer_job {
	struct httpd *h;
	struct MHD_Connection *conn;
	struct req_state *rs;
	httpd_work work;
	void *arg;
};

/* ---- responses ---- */

bool httpd_resp_text(struct httpd_resp *resp, unsigned int status, const char *type,
		     const char *text)
{
	size_t n = strlen(text);

	free(resp->body);
	resp->body = malloc(n + 1);
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = type;
	if (!resp->body)
		return false;
	memcpy(resp->body, text, n + 1);
	resp->body_len = n;
	return true;
}

void httpd_resp_error(struct httpd_resp *resp, unsigned int status, const char *fmt, ...)
{
	char msg[512], *buf = NULL;
	size_t len = 0;
	struct json_writer *jw;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = "application/json";
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	jw = jw_new(f, false);
	if (jw) {
		jw_start_object(jw);
		jw_string_field(jw, "error", msg);
		jw_end_object(jw);
		jw_destroy(jw);
	}
	if (fclose(f) == 0 && buf) {
		resp->body = buf;
		resp->body_len = len;
	} else {
		free(buf);
	}
}

bool httpd_resp_add_header(struct httpd_resp *resp, const char *name, const char *value)
{
	if (resp->n_headers == HTTPD_HEADERS_MAX)
		return false;
	resp->headers[resp->n_headers].name = name;
	resp->headers[resp->n_headers].value = value;
	resp->n_headers++;
	return true;
}

const char *httpd_header(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result queue(struct httpd *h, struct MHD_Connection *conn,
			     struct httpd_resp *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = r->status ? r->status : 500;

	resp = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : "",
					       r->body ? MHD_RESPMEM_MUST_FREE :
							 MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type : "application/json");
	for (unsigned int i = 0; i < r->n_headers; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	h->requests++;
	if (status >= 200 && status < 300)
		h->s2xx++;
	else if (status >= 400 && status < 500)
		h->s4xx++;
	else if (status >= 500)
		h->s5xx++;
	return ret;
}

static enum MHD_Result queue_error(struct httpd *h, struct MHD_Connection *conn,
				   unsigned int status, const char *msg)
{
	struct httpd_resp r = { 0 };

	httpd_resp_error(&r, status, "%s", msg);
	return queue(h, conn, &r);
}

/* ---- requests ---- */

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req_state *rs = calloc(1, sizeof(*rs));

	(void)cls;
	(void)conn;
	if (rs)
		rs->target = strdup(uri ? uri : "");
	return rs;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_state *rs = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!rs)
		return;
	free(rs->resp.body);
	free(rs->target);
	free(rs->body);
	free(rs);
	*con_cls = NULL;
}

static void peer_of(struct MHD_Connection *conn, struct httpd_req *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(&req->peer, 0, sizeof(req->peer));
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		req->peer.addr[10] = req->peer.addr[11] = 0xff;
		memcpy(req->peer.addr + 12, &in->sin_addr, 4);
		req->peer_port = ntohs(in->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		memcpy(req->peer.addr, &in6->sin6_addr, 16);
		req->peer_port = ntohs(in6->sin6_port);
	}
}

/* The client's certificate chains to client_ca and is valid now. */
static void client_cert_of(struct MHD_Connection *conn, struct httpd_req *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s = ci ? (gnutls_session_t)ci->tls_session : NULL;
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	unsigned int status = 0, n = 0;
	size_t dn_len = sizeof(req->client_dn);

	req->client_cert_ok = false;
	req->client_dn[0] = '\0';
	if (!s || gnutls_certificate_verify_peers2(s, &status) || status)
		return;
	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || !n || gnutls_x509_crt_init(&crt))
		return;
	if (!gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) &&
	    !gnutls_x509_crt_get_dn(crt, req->client_dn, &dn_len))
		req->client_cert_ok = true;
	else
		req->client_dn[0] = '\0';
	gnutls_x509_crt_deinit(crt);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	struct req_state *rs = *con_cls;
	size_t max = h->o.max_body ? h->o.max_body : HTTPD_BODY_MAX;
	struct httpd_req req = { 0 };
	struct httpd_resp resp = { 0 };
	const char *cl;

	(void)version;
	if (!rs)
		return MHD_NO;		/* out of memory in uri_cb: drop */
	if (rs->deferring) {
		if (!rs->ready)
			return MHD_YES;	/* a spurious call while suspended */
		rs->deferring = false;
		return queue(h, conn, &rs->resp);
	}
	if (rs->done) {
		*upload_size = 0;	/* the rest of a refused body: discarded */
		return MHD_YES;
	}
	if (!rs->body) {
		/* first call: headers only */
		unsigned long long n = 0;

		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl)
			n = strtoull(cl, NULL, 10);
		if (n > max) {
			rs->done = true;
			h->too_large++;
			return queue_error(h, conn, 413, "request body over the limit");
		}
		rs->cap = n ? n + 1 : 1024;
		rs->body = malloc(rs->cap);
		if (!rs->body)
			return MHD_NO;
		rs->body[0] = '\0';
		return MHD_YES;
	}
	if (*upload_size) {
		if (rs->len + *upload_size > max) {
			rs->too_large = true;
		} else {
			if (rs->len + *upload_size + 1 > rs->cap) {
				size_t cap = (rs->len + *upload_size + 1) * 2;
				char *nb;

				if (cap > max + 1)
					cap = max + 1;
				nb = realloc(rs->body, cap);
				if (!nb)
					return MHD_NO;
				rs->body = nb;
				rs->cap = cap;
			}
			memcpy(rs->body + rs->len, upload_data, *upload_size);
			rs->len += *upload_size;
			rs->body[rs->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	rs->done = true;
	if (rs->too_large) {
		h->too_large++;
		return queue_error(h, conn, 413, "request body over the limit");
	}
	req.method = method;
	req.path = url;
	req.target = rs->target;
	req.body = rs->body;
	req.body_len = rs->len;
	req.tls = h->o.tls_cert != NULL;
	req.conn = conn;
	req.priv = &(struct defer_job){ .h = h, .conn = conn, .rs = rs };
	peer_of(conn, &req);
	if (h->o.client_ca)
		client_cert_of(conn, &req);
	h->o.handler(h->o.ctx, &req, &resp);
	if (rs->deferring) {
		free(resp.body);
		return MHD_YES;	/* suspended in httpd_defer() */
	}
	return queue(h, conn, &resp);
}

static void *defer_main(void *arg)
{
	struct defer_job *j = arg;
	struct httpd *h = j->h;

	j->work(j->arg, &j->rs->resp);
	j->rs->ready = true;
	MHD_resume_connection(j->conn);
	free(j);
	pthread_mutex_lock(&h->mu);
	if (!--h->n_deferred)
		pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int httpd_defer(const struct httpd_req *req, httpd_work work, void *arg)
{
	const struct defer_job *tmpl = req->priv;
	struct httpd *h = tmpl->h;
	struct defer_job *j;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	pthread_mutex_lock(&h->mu);
	if (h->n_deferred >= HTTPD_DEFER_MAX) {
		pthread_mutex_unlock(&h->mu);
		return -EAGAIN;
	}
	h->n_deferred++;
	pthread_mutex_unlock(&h->mu);
	j = malloc(sizeof(*j));
	if (!j) {
		err = -ENOMEM;
		goto undo;
	}
	*j = *tmpl;
	j->work = work;
	j->arg = arg;
	memset(&j->rs->resp, 0, sizeof(j->rs->resp));
	j->rs->ready = false;
	j->rs->deferring = true;
	/* suspended before the worker can resume it */
	MHD_suspend_connection(j->conn);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = -pthread_create(&t, &attr, defer_main, j);
	pthread_attr_destroy(&attr);
	if (!err)
		return 0;
	MHD_resume_connection(j->conn);
	j->rs->deferring = false;
	free(j);
undo:
	pthread_mutex_lock(&h->mu);
	if (!--h->n_deferred)
		pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return -EAGAIN;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct httpd *h = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (strstr(msg, "TLS") || strstr(msg, "handshake"))
		h->tls_errors++;
	else if (strstr(msg, "limit"))
		h->refused++;
	log_debug("%s listener: %s", h->name, msg);
}

/* ---- listeners ---- */

static char *read_pem(const char *path, char *why, size_t why_len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f) {
		snprintf(why, why_len, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (1 << 20) ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(why, why_len, "%s: not a PEM file of at most 1 MiB", path);
		fclose(f);
		return NULL;
	}
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf) {
		snprintf(why, why_len, "cannot read %s", path);
		return NULL;
	}
	buf[n] = '\0';
	if (!strstr(buf, "-----BEGIN ")) {
		snprintf(why, why_len, "%s: no PEM block in it", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	/* the key is a secret: do not leave it in freed memory */
	if (h->key_pem)
		explicit_bzero(h->key_pem, strlen(h->key_pem));
	free(h->key_pem);
	free(h->cert_pem);
	free(h->ca_pem);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int httpd_start(const struct httpd_opts *o, struct httpd **out, char *why, size_t why_len)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			     MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_storage ss = { 0 };
	char addr[64];
	struct httpd *h;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->o = *o;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	snprintf(h->name, sizeof(h->name), "%s", o->name);
	if (o->tls_cert) {
		h->cert_pem = read_pem(o->tls_cert, why, why_len);
		h->key_pem = h->cert_pem ? read_pem(o->tls_key, why, why_len) : NULL;
		if (!h->key_pem)
			goto fail;
		if (o->client_ca && !(h->ca_pem = read_pem(o->client_ca, why, why_len)))
			goto fail;
		flags |= MHD_USE_TLS;
	}
	if (addr_is_v4(&o->listen.addr)) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(o->listen.port);
		memcpy(&in->sin_addr, o->listen.addr.addr + 12, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(o->listen.port);
		memcpy(&in6->sin6_addr, o->listen.addr.addr, 16);
		flags |= MHD_USE_IPv6;
	}
	addr_format(&o->listen.addr, addr, sizeof(addr));

	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem },
		{ h->ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, h->ca_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	h->mhd = MHD_start_daemon(flags, o->listen.port, NULL, NULL, access_cb, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)(o->max_conns ? o->max_conns : 256),
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)(o->max_per_ip ? o->max_per_ip : 16),
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)(o->timeout_s ? o->timeout_s : 10),
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
				  MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
				  MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				  MHD_OPTION_ARRAY, o->tls_cert ? tls_opts : tls_opts + 3,
				  MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(why, why_len, "cannot listen on %s%s%s:%u (address in use, not "
			 "local, or a bad certificate/key)", addr_is_v4(&o->listen.addr) ? "" : "[",
			 addr, addr_is_v4(&o->listen.addr) ? "" : "]", o->listen.port);
		goto fail;
	}
	log_info("%s listener on %s%s%s:%u (%s)", h->name, addr_is_v4(&o->listen.addr) ? "" : "[",
		 addr, addr_is_v4(&o->listen.addr) ? "" : "]", httpd_port(h),
		 o->tls_cert ? (o->client_ca ? "TLS, client certificates" : "TLS") : "plain HTTP");
	*out = h;
	return 0;
fail:
	httpd_free(h);
	return -EINVAL;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	/* the deferred work is bounded (a RADIUS exchange): wait it out */
	pthread_mutex_lock(&h->mu);
	while (h->n_deferred)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	httpd_free(h);
}

void httpd_counters(const struct httpd *h, struct httpd_counters *c)
{
	memset(c, 0, sizeof(*c));
	if (!h)
		return;
	c->requests = h->requests;
	c->status_2xx = h->s2xx;
	c->status_4xx = h->s4xx;
	c->status_5xx = h->s5xx;
	c->too_large = h->too_large;
	c->tls_errors = h->tls_errors;
	c->conns_refused = h->refused;
}

uint16_t httpd_port(const struct httpd *h)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);

	return di ? di->port : h->o.listen.port;
}
