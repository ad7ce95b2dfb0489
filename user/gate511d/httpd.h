/* SPDX-License-Identifier: GPL-2.0 */
/*
 * httpd.h - the daemon's HTTP(S) listeners (libmicrohttpd, TLS by GnuTLS):
 * the RFC 8908 API, the portal API, the metrics. Each listener is one
 * thread of libmicrohttpd's own (epoll), never the control loop's or a
 * responder's, and everything about it is bounded: connections in all and
 * per source address, the body (a bigger one is answered 413 before it is
 * read), the time a connection may take. A handler sees one whole request
 * and fills in one response; it runs on the listener's thread, so it may
 * take the daemon's lock, but must not wait on the network. A handler that
 * has to wait (a RADIUS login) hands the wait to httpd_defer().
 */
#ifndef GATE511D_HTTPD_H
#define GATE511D_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conf.h"

#define HTTPD_BODY_MAX		(64 * 1024)	/* default max_body */
#define HTTPD_HEADERS_MAX	4		/* extra response headers */

struct httpd_req {
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* decoded path, no query */
	const char *target;		/* path and query exactly as sent */
	const char *body;		/* NUL-terminated (not counted) */
	size_t body_len;
	struct g511_addr peer;		/* source address, IPv4 mapped */
	uint16_t peer_port;
	bool tls;
	/* With client_ca: the client sent a certificate that chains to it
	 * and is valid now. client_dn is its subject ("" without). */
	bool client_cert_ok;
	char client_dn[256];
	void *conn;			/* for httpd_header() */
	void *priv;			/* httpd's, for httpd_defer() */
};

/* A request header by name (case-insensitive), or NULL. */
const char *httpd_header(const struct httpd_req *req, const char *name);

struct httpd_resp {
	unsigned int status;		/* 0: 500 */
	const char *content_type;	/* NULL: application/json */
	char *body;			/* malloc'd (httpd frees it) or NULL */
	size_t body_len;
	struct {
		const char *name, *value;	/* static or owned by the handler's ctx */
	} headers[HTTPD_HEADERS_MAX];
	unsigned int n_headers;
};

/* Set resp's body to a copy of text (and the status); false if out of memory. */
bool httpd_resp_text(struct httpd_resp *resp, unsigned int status, const char *type,
		     const char *text);
/* {"error": msg} with status; msg is JSON-escaped. */
void httpd_resp_error(struct httpd_resp *resp, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool httpd_resp_add_header(struct httpd_resp *resp, const char *name, const char *value);

typedef void (*httpd_handler)(void *ctx, const struct httpd_req *req, struct httpd_resp *resp);

struct httpd_opts {
	const char *name;		/* "capport", "api", "metrics": logs, metrics */
	struct g511_listen listen;
	const char *tls_cert;		/* PEM files; NULL: plain HTTP */
	const char *tls_key;
	const char *client_ca;		/* PEM: ask for and check client certs */
	size_t max_body;		/* 0: HTTPD_BODY_MAX */
	unsigned int max_conns;		/* 0: 256 */
	unsigned int max_per_ip;	/* 0: 16 */
	unsigned int timeout_s;		/* idle/slow connection: 0: 10 s */
	httpd_handler handler;
	void *ctx;
};

/* What a listener has seen (for status and the metrics). */
struct httpd_counters {
	uint64_t requests;		/* handled */
	uint64_t status_2xx, status_4xx, status_5xx;
	uint64_t too_large;		/* 413 before the body was read */
	uint64_t tls_errors;		/* handshakes that failed */
	uint64_t conns_refused;		/* over max_conns or max_per_ip */
};

struct httpd;

#define HTTPD_DEFER_MAX		16	/* deferred requests at once, per listener */

typedef void (*httpd_work)(void *arg, struct httpd_resp *resp);

/*
 * From a handler: answer this request later. The connection is suspended
 * (the listener goes on serving the others), work(arg, resp) runs on a
 * thread of its own and fills in resp, then the connection is resumed and
 * resp sent. The handler's own resp is ignored. work owns arg (it frees
 * it). -EAGAIN when HTTPD_DEFER_MAX are already waiting, or the thread
 * cannot start: arg is not used, the handler answers itself (503).
 * httpd_stop() waits for the deferred work to end.
 */
int httpd_defer(const struct httpd_req *req, httpd_work work, void *arg);

/* Load the PEM files, bind, start the thread. -errno; why says what. */
int httpd_start(const struct httpd_opts *o, struct httpd **out, char *why, size_t why_len);
/* Stop accepting, finish or drop what is in flight, join, free. NULL ok. */
void httpd_stop(struct httpd *h);
void httpd_counters(const struct httpd *h, struct httpd_counters *c);
/* The bound port (the configured one, or the kernel's for port 0 in tests). */
uint16_t httpd_port(const struct httpd *h);

#endif /* GATE511D_HTTPD_H */
