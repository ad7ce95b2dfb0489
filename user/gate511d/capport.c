// SPDX-License-Identifier: GPL-2.0
/*
 * capport.c - the RFC 8908 API (capport.h): a thin shell around the pure
 * parts. A request is answered from what the daemon holds now:
 *
 *   method    GET or HEAD, else 405
 *   path      /capport or /capport/, else 404
 *   Accept    must accept application/captive+json (accept.h), else 406
 *   client    the TCP peer's address; its grant (query.h grants_show)
 *             counts if it is not MAC-bound or bound to the MAC the
 *             neighbour table holds for the peer (neigh.h); else the MAC
 *             grant of that MAC; else none
 *   answer    capport_facts_from_grant() + capport_json(), with
 *             Content-Type application/captive+json and
 *             Cache-Control: private, no-store
 *
 * A peer whose MAC cannot be found is answered as the address alone
 * allows: a MAC-bound grant then does not count (fail closed: the
 * datapath would not pass it either unless the frames carry that MAC).
 * The portal URL comes from capport_portal_url(), the one place that
 * builds it (the signed redirect replaces it there).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "accept.h"
#include "addr.h"
#include "capport.h"
#include "capport_json.h"
#include "daemon.h"
#include "httpd.h"
#include "metrics.h"
#include "log.h"
#include "neigh.h"
#include "portal_url.h"
#include "query.h"
#include "runtime.h"
#include "state.h"

struct g511_capport {
	struct g511_daemon *d;
	struct httpd *httpd;
	char uri[G511_URL_MAX];
};

/* Who the peer is: its address, and its MAC if the kernel knows it. */
struct capport_peer {
	struct g511_addr addr;
	bool has_mac;
	uint8_t mac[6];
};

static void peer_mac(struct g511_daemon *d, struct capport_peer *peer)
{
	int ifindex[G511_MAX_IFACES], n = 0;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].ifindex > 0)
			ifindex[n++] = d->ifaces[i].ifindex;
	pthread_mutex_unlock(&d->lock);
	for (int i = 0; i < n && !peer->has_mac; i++)
		peer->has_mac = neigh_mac(ifindex[i], &peer->addr, peer->mac) == 0;
}

/*
 * The grant that lets this peer through, if any: 0 and *g, or -ENOENT.
 * The same two checks as the datapath's (bpf/gate511.bpf.c): the source
 * address's grant, with its MAC binding; else the source MAC's grant.
 */
static int peer_grant(struct g511_daemon *d, const struct capport_peer *peer,
		      struct g511_ctl_grant *g)
{
	struct g511_client c = { .kind = G511_CLIENT_ADDR };
	int err;

	memcpy(c.key, peer->addr.addr, 16);
	err = grants_show(d, &c, g);
	if (!err && (!(g->flags & G511_CTL_GF_MAC_BOUND) ||
		     (peer->has_mac && !memcmp(g->mac, peer->mac, 6))))
		return 0;
	if (!peer->has_mac)
		return -ENOENT;
	memset(&c, 0, sizeof(c));
	c.kind = G511_CLIENT_MAC;
	memcpy(c.key, peer->mac, 6);
	return grants_show(d, &c, g);
}

/*
 * The user-portal-url for this peer: the configured portal_url, signed for
 * this client (portal_url.h: gw, client, mac, url empty, ts, sig) when
 * portal_sign_key is set, as the 511 page's link is.
 */
static void capport_portal_url(struct g511_daemon *d, const struct capport_peer *peer,
			       char *buf, size_t len)
{
	char id[STATE_BOX_ID_LEN];
	const char *gw;

	pthread_mutex_lock(&d->lock);
	if (d->conf.portal_sign) {
		gw = d->conf.gateway_id;
		if (!gw[0])
			gw = d->state && !state_box_id(d->state, id) ? id : "gate511";
		if (portal_url_sign(buf, len, d->conf.portal_url, gw, &peer->addr,
				    peer->has_mac ? peer->mac : NULL, NULL, g511_wall_s(),
				    d->conf.portal_sign_key) > 0) {
			pthread_mutex_unlock(&d->lock);
			return;
		}
	}
	/* unsigned (or no room, which the buffer's size rules out) */
	snprintf(buf, len, "%s", d->conf.portal_url);
	pthread_mutex_unlock(&d->lock);
}

static void capport_handle(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct g511_capport *cp = ctx;
	struct g511_daemon *d = cp->d;
	struct capport_peer peer = { .addr = req->peer };
	/* a signed URL without the original URL: portal_url + at most ~490 bytes */
	char portal[G511_URL_MAX + 1024], venue[G511_URL_MAX];
	struct capport_facts f;
	struct g511_ctl_grant g;
	bool can_extend, granted;
	size_t len;
	char *body;

	httpd_resp_add_header(resp, "Cache-Control", "private, no-store");
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		httpd_resp_add_header(resp, "Allow", "GET, HEAD");
		httpd_resp_error(resp, 405, "method %s not allowed: GET %s", req->method,
				 CAPPORT_PATH);
		return;
	}
	if (strcmp(req->path, CAPPORT_PATH) && strcmp(req->path, CAPPORT_PATH "/")) {
		httpd_resp_error(resp, 404, "no such resource: the API is %s", CAPPORT_PATH);
		return;
	}
	if (!accept_allows(httpd_header(req, "Accept"), CAPPORT_MEDIA_TYPE)) {
		httpd_resp_error(resp, 406, "only %s is served here", CAPPORT_MEDIA_TYPE);
		return;
	}
	peer_mac(d, &peer);
	granted = peer_grant(d, &peer, &g) == 0;
	capport_portal_url(d, &peer, portal, sizeof(portal));
	pthread_mutex_lock(&d->lock);
	snprintf(venue, sizeof(venue), "%s", d->conf.venue_info_url);
	can_extend = d->conf.can_extend_session;
	pthread_mutex_unlock(&d->lock);
	capport_facts_from_grant(granted ? &g : NULL, g511_wall_s(), can_extend, portal,
				 venue, &f);
	if (capport_json(&f, &body, &len)) {
		httpd_resp_error(resp, 500, "out of memory");
		return;
	}
	free(resp->body);
	resp->status = 200;
	resp->content_type = CAPPORT_MEDIA_TYPE;
	resp->body = body;
	resp->body_len = len;
}

/* The first DNS name of the leaf certificate's subjectAltName, or "". */
static void cert_dns_name(const char *path, char *buf, size_t len)
{
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	char name[256];

	buf[0] = '\0';
	if (gnutls_load_file(path, &pem) < 0)
		return;
	if (gnutls_x509_crt_init(&crt) < 0)
		goto out;
	if (gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0)
		goto out;
	for (unsigned int seq = 0; seq < 64; seq++) {
		size_t n = sizeof(name);
		unsigned int critical;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, name, &n, &critical);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		/* a wildcard names no one host a client could be sent to */
		if (type == GNUTLS_SAN_DNSNAME && n < sizeof(name) && name[0] != '*') {
			snprintf(buf, len, "%.*s", (int)n, name);
			break;
		}
	}
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
}

static void uri_make(const struct g511_conf *conf, char *buf, size_t len)
{
	char host[256], addr[G511_ADDR_STRLEN], port[8] = "";

	cert_dns_name(conf->tls_cert, host, sizeof(host));
	if (!host[0]) {
		addr_format(&conf->capport_listen.addr, addr, sizeof(addr));
		snprintf(host, sizeof(host), addr_is_v4(&conf->capport_listen.addr) ?
			 "%s" : "[%s]", addr);
	}
	if (conf->capport_listen.port != 443)
		snprintf(port, sizeof(port), ":%u", conf->capport_listen.port);
	snprintf(buf, len, "https://%s%s%s", host, port, CAPPORT_PATH);
}

int capport_start(struct g511_daemon *d)
{
	struct httpd_opts o = {
		.name = "capport",
		.handler = capport_handle,
		.max_body = 1024,	/* GET only: nothing to read */
	};
	struct g511_capport *cp;
	char why[256];
	int err;

	if (!d->conf.capport_listen.set)
		return 0;
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->d = d;
	o.ctx = cp;
	o.listen = d->conf.capport_listen;
	o.tls_cert = d->conf.tls_cert;
	o.tls_key = d->conf.tls_key;
	err = httpd_start(&o, &cp->httpd, why, sizeof(why));
	if (err) {
		log_warnx("capport: %s", why);
		free(cp);
		return err;
	}
	uri_make(&d->conf, cp->uri, sizeof(cp->uri));
	err = config_set_capport(d, &d->conf.capport_listen);
	if (err) {
		log_warnx("capport: cannot open the datapath to the listener: %s",
			  strerror(-err));
		httpd_stop(cp->httpd);
		free(cp);
		return err;
	}
	d->capport = cp;
	metrics_listener_add("capport", cp->httpd);
	log_info("capport: RFC 8908 API at %s", cp->uri);
	return 0;
}

void capport_stop(struct g511_daemon *d)
{
	struct g511_capport *cp = d->capport;

	if (!cp)
		return;
	/* the pass goes first: no client is let in to a closing port */
	config_set_capport(d, NULL);
	metrics_listener_del(cp->httpd);
	httpd_stop(cp->httpd);
	pthread_mutex_lock(&d->lock);
	d->capport = NULL;
	pthread_mutex_unlock(&d->lock);
	free(cp);
}

void capport_uri(struct g511_daemon *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s", d->capport ? d->capport->uri : "");
}
