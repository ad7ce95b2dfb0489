// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_render.c - one struct metrics_snap as Prometheus text
 * (metrics.h, prom.h). Pure: no locks, maps or sockets.
 *
 * Names: gate511_ + what is counted + the base unit + _total for
 * counters. Labels carry what the daemon's own tables name, so a value is
 * spelled the same in the metrics as in `gate511ctl stats`/`status`.
 * Every series of a family is written even when zero (a verdict that
 * never happened is 0, not absent), except where the source could not be
 * read: then the family is left out and gate511_scrape_source_ok says so.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "maptab.h"
#include "metrics.h"
#include "prom.h"

static const char *const stat_names[] = G511_STAT_NAMES;

static const enum g511_map_id fill_map_id[METRICS_MAP__MAX] = {
	[METRICS_MAP_CLIENTS] = G511_MAP_ID_CLIENTS,
	[METRICS_MAP_MACS] = G511_MAP_ID_MACS,
	[METRICS_MAP_GARDEN] = G511_MAP_ID_GARDEN,
};

/* A one-label sample. */
static void u64_1(struct prom_writer *w, const char *label, const char *value, uint64_t v)
{
	struct prom_label l = { label, value };

	prom_u64(w, &l, 1, v);
}

static void render_process(struct prom_writer *w, const struct metrics_snap *s)
{
	prom_family(w, "gate511_build_info", PROM_GAUGE,
		    "The gate511d release running; always 1.");
	u64_1(w, "version", G511_VERSION, 1);
	prom_family(w, "process_start_time_seconds", PROM_GAUGE,
		    "When gate511d started, in seconds since the Unix epoch.");
	prom_u64(w, NULL, 0, s->started_wall);
}

static void render_sources(struct prom_writer *w, const struct metrics_snap *s)
{
	bool maps_ok = true;

	for (int i = 0; i < METRICS_MAP__MAX; i++)
		maps_ok &= s->fill[i].known;
	prom_family(w, "gate511_scrape_source_ok", PROM_GAUGE,
		    "1 if this scrape could read the source, 0 if its families are left out.");
	u64_1(w, "source", "xdp_stats", s->stats_ok);
	u64_1(w, "source", "state_db", s->grants_ok);
	u64_1(w, "source", "maps", maps_ok);
}

/* g511_stats: verdicts and events, split by the "ev_" prefix of their names. */
static void render_xdp(struct prom_writer *w, const struct metrics_snap *s)
{
	if (!s->stats_ok)
		return;
	prom_family(w, "gate511_packets_total", PROM_COUNTER,
		    "Packets the XDP program decided on, by verdict (g511_stats).");
	for (int i = 0; i < G511_STAT__MAX; i++)
		if (strncmp(stat_names[i], "ev_", 3))
			u64_1(w, "verdict", stat_names[i], s->stats[i]);
	prom_family(w, "gate511_events_total", PROM_COUNTER,
		    "Grant checks of the XDP program that found a grant but refused it, by event.");
	for (int i = 0; i < G511_STAT__MAX; i++)
		if (!strncmp(stat_names[i], "ev_", 3))
			u64_1(w, "event", stat_names[i] + 3, s->stats[i]);
}

static void render_responder(struct prom_writer *w, const struct metrics_snap *s)
{
	const struct g511_xsk_counters *x = &s->xsk;

	prom_family(w, "gate511_responder_sockets", PROM_GAUGE,
		    "AF_XDP sockets the responder serves.");
	prom_u64(w, NULL, 0, x->sockets);
	prom_family(w, "gate511_responder_zerocopy_sockets", PROM_GAUGE,
		    "AF_XDP sockets of the responder in zero-copy mode.");
	prom_u64(w, NULL, 0, x->zerocopy);
	prom_family(w, "gate511_responder_rx_frames_total", PROM_COUNTER,
		    "Frames the responder took off its RX rings.");
	prom_u64(w, NULL, 0, x->rx_frames);
	prom_family(w, "gate511_responder_tx_frames_total", PROM_COUNTER,
		    "Reply frames the responder put on its TX rings.");
	prom_u64(w, NULL, 0, x->tx_frames);
	prom_family(w, "gate511_responder_actions_total", PROM_COUNTER,
		    "What the responder answered a frame with (http_511: the 511 page).");
	for (int i = 0; i < G511_RESP__MAX; i++)
		u64_1(w, "action", g511_resp_action_name(i), x->actions[i]);
	prom_family(w, "gate511_responder_drops_total", PROM_COUNTER,
		    "Frames the responder answered with nothing, by reason.");
	for (int i = 1; i < G511_RESP_DROP__MAX; i++)
		u64_1(w, "reason", g511_resp_drop_name(i), x->drops[i]);
	prom_family(w, "gate511_responder_tx_lost_total", PROM_COUNTER,
		    "Reply frames lost before the TX ring, by reason.");
	u64_1(w, "reason", "no_frame", x->tx_no_frame);
	u64_1(w, "reason", "ring_full", x->tx_ring_full);
	prom_family(w, "gate511_responder_rx_dropped_total", PROM_COUNTER,
		    "Frames the kernel dropped before the responder saw them "
		    "(RX ring full, invalid descriptors).");
	prom_u64(w, NULL, 0, x->rx_dropped);
}

static void render_grants(struct prom_writer *w, const struct metrics_snap *s)
{
	static const char *const kinds[] = {
		[G511_CLIENT_ADDR] = "address",
		[G511_CLIENT_MAC] = "mac",
	};

	if (!s->grants_ok)
		return;
	prom_family(w, "gate511_grants", PROM_GAUGE,
		    "Grants in force in the state DB, by kind and origin.");
	for (int k = G511_CLIENT_ADDR; k <= G511_CLIENT_MAC; k++) {
		for (int o = 0; o < G511_ORIGIN__MAX; o++) {
			struct prom_label l[] = {
				{ "kind", kinds[k] },
				{ "origin", ctl_origin_name(o) },
			};

			prom_u64(w, l, 2, s->grants[k][o]);
		}
	}
}

static void render_maps(struct prom_writer *w, const struct metrics_snap *s)
{
	bool any = false;

	for (int i = 0; i < METRICS_MAP__MAX; i++)
		any |= s->fill[i].known;
	if (!any)
		return;
	prom_family(w, "gate511_map_entries", PROM_GAUGE,
		    "Entries in the BPF map now.");
	for (int i = 0; i < METRICS_MAP__MAX; i++)
		if (s->fill[i].known)
			u64_1(w, "map", g511_map_table[fill_map_id[i]].name, s->fill[i].entries);
	prom_family(w, "gate511_map_max_entries", PROM_GAUGE,
		    "Capacity of the BPF map (max_entries).");
	for (int i = 0; i < METRICS_MAP__MAX; i++)
		if (s->fill[i].known)
			u64_1(w, "map", g511_map_table[fill_map_id[i]].name,
			      s->fill[i].max_entries);
}

static void render_hist(struct prom_writer *w, const char *name, const char *help,
			const struct latency_snap *h)
{
	prom_family(w, name, PROM_HISTOGRAM, help);
	prom_histogram(w, NULL, 0, latency_bounds_s, h->buckets, LATENCY_BUCKETS,
		       h->buckets[LATENCY_BUCKETS], (double)h->sum_ns / 1e9);
}

static void render_latency(struct prom_writer *w, const struct metrics_snap *s)
{
	render_hist(w, "gate511_sweep_duration_seconds",
		    "Time one expiry sweep of the grants took.", &s->sweep);
	render_hist(w, "gate511_db_commit_duration_seconds",
		    "Time one state DB commit took (durable on return).", &s->commit);
}

static void render_listeners(struct prom_writer *w, const struct metrics_snap *s)
{
	prom_family(w, "gate511_http_requests_total", PROM_COUNTER,
		    "Requests the HTTP listeners answered, by listener and status class.");
	for (unsigned int i = 0; i < s->n_listeners; i++) {
		const struct httpd_counters *c = &s->listeners[i].c;
		uint64_t known = c->status_2xx + c->status_4xx + c->status_5xx;
		const struct {
			const char *code;
			uint64_t v;
		} cls[] = {
			{ "2xx", c->status_2xx },
			{ "4xx", c->status_4xx },
			{ "5xx", c->status_5xx },
			{ "other", c->requests > known ? c->requests - known : 0 },
		};

		for (size_t j = 0; j < sizeof(cls) / sizeof(cls[0]); j++) {
			struct prom_label l[] = {
				{ "listener", s->listeners[i].name },
				{ "code", cls[j].code },
			};

			prom_u64(w, l, 2, cls[j].v);
		}
	}
	prom_family(w, "gate511_http_refused_total", PROM_COUNTER,
		    "Requests and connections the HTTP listeners refused, by listener "
		    "and reason (too_large: 413 before the body was read).");
	for (unsigned int i = 0; i < s->n_listeners; i++) {
		const struct httpd_counters *c = &s->listeners[i].c;
		struct prom_label l[] = {
			{ "listener", s->listeners[i].name },
			{ "reason", "too_large" },
		};

		prom_u64(w, l, 2, c->too_large);
		l[1].value = "conn_limit";
		prom_u64(w, l, 2, c->conns_refused);
	}
	prom_family(w, "gate511_http_tls_errors_total", PROM_COUNTER,
		    "TLS handshakes that failed, by listener.");
	for (unsigned int i = 0; i < s->n_listeners; i++)
		u64_1(w, "listener", s->listeners[i].name, s->listeners[i].c.tls_errors);

	if (!s->api_on)
		return;
	/* the portal API: by endpoint and status class, and why logins failed */
	prom_family(w, "gate511_api_requests_total", PROM_COUNTER,
		    "Portal API requests answered, by endpoint and status class.");
	for (int ep = 0; ep < API_EP__MAX; ep++) {
		static const char *const cls[API_SC__MAX] = { "2xx", "4xx", "5xx" };

		for (int c = 0; c < API_SC__MAX; c++) {
			struct prom_label l[] = {
				{ "endpoint", api_endpoint_name(ep) },
				{ "code", cls[c] },
			};

			prom_u64(w, l, 2, s->api.requests[ep][c]);
		}
	}
	prom_family(w, "gate511_api_auth_failures_total", PROM_COUNTER,
		    "Portal API requests refused by authentication (401, or 503 when "
		    "the nonce could not be recorded), by reason.");
	for (int v = SIG_OK + 1; v < SIG__MAX; v++)
		u64_1(w, "reason", sig_verdict_name(v), s->api.auth_failures[v]);
	prom_family(w, "gate511_api_throttled_total", PROM_COUNTER,
		    "Portal API requests answered 429 (a source over its budget of "
		    "failed authentications), with no signature work done.");
	prom_u64(w, NULL, 0, s->api.throttled);
	prom_family(w, "gate511_api_nonces", PROM_GAUGE,
		    "Nonces held by the replay cache now.");
	prom_u64(w, NULL, 0, s->api.nonces);
}

static void render_ifaces(struct prom_writer *w, const struct metrics_snap *s)
{
	prom_family(w, "gate511_interface_state", PROM_GAUGE,
		    "1 for the state each configured interface is in, 0 for the others.");
	for (unsigned int i = 0; i < s->n_ifaces; i++) {
		for (unsigned int st = 0; st < G511_LINK__MAX; st++) {
			struct prom_label l[] = {
				{ "interface", s->ifaces[i].name },
				{ "state", ctl_link_state_name(st) },
			};

			prom_u64(w, l, 2, s->ifaces[i].link_state == st);
		}
	}
}

/*
 * RADIUS, named as `gate511ctl radius -j` names its fields, under
 * gate511_radius_; servers labelled server="ADDR:AUTHPORT".
 */
static const char *const radius_srv_state[G511_RADIUS_SRV__MAX] = {
	[G511_RADIUS_SRV_UNKNOWN] = "unknown",
	[G511_RADIUS_SRV_UP] = "up",
	[G511_RADIUS_SRV_DOWN] = "down",
};

static void radius_srv_label(const struct g511_ctl_radius_server *v, char *buf, size_t len)
{
	char a[G511_ADDR_STRLEN];

	addr_format(&v->addr, a, sizeof(a));
	if (addr_is_v4(&v->addr))
		snprintf(buf, len, "%s:%u", a, v->auth_port);
	else
		snprintf(buf, len, "[%s]:%u", a, v->auth_port);
}

static void radius_per_server(struct prom_writer *w, const struct g511_ctl_radius_status *r,
			      const char *name, const char *help, size_t off)
{
	char srv[G511_ADDR_STRLEN + 16];

	prom_family(w, name, PROM_COUNTER, help);
	for (unsigned int i = 0; i < r->n_servers && i < G511_CTL_RADIUS_SERVERS; i++) {
		const struct g511_ctl_radius_server *v = &r->servers[i];
		uint64_t x;

		memcpy(&x, (const char *)v + off, sizeof(x));
		radius_srv_label(v, srv, sizeof(srv));
		u64_1(w, "server", srv, x);
	}
}

/* radius_mac_auth: the counters `gate511ctl radius` shows on its
 * mac-auth line, one family each. */
static void render_mac_auth(struct prom_writer *w, const struct g511_ctl_radius_status *r)
{
	static const struct {
		const char *name, *help;
		enum prom_type type;
		size_t off;
	} fam[] = {
		{ "gate511_radius_mac_auth_requests_total", "MAC authentication Access-Requests sent.",
		  PROM_COUNTER, offsetof(struct g511_ctl_radius_status, mac_requests) },
		{ "gate511_radius_mac_auth_accepts_total", "MAC authentications accepted (a MAC grant).",
		  PROM_COUNTER, offsetof(struct g511_ctl_radius_status, mac_accepts) },
		{ "gate511_radius_mac_auth_rejects_total", "MAC authentications rejected (then cached).",
		  PROM_COUNTER, offsetof(struct g511_ctl_radius_status, mac_rejects) },
		{ "gate511_radius_mac_auth_timeouts_total", "MAC authentications no server answered.",
		  PROM_COUNTER, offsetof(struct g511_ctl_radius_status, mac_timeouts) },
		{ "gate511_radius_mac_auth_suppressed_total",
		  "Redirected MACs that sent nothing (rate limit, reject cache, busy).",
		  PROM_COUNTER, offsetof(struct g511_ctl_radius_status, mac_suppressed) },
		{ "gate511_radius_mac_auth_pending", "MAC authentications queued or in flight.",
		  PROM_GAUGE, offsetof(struct g511_ctl_radius_status, mac_pending) },
	};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)r + fam[i].off, sizeof(v));
		prom_family(w, fam[i].name, fam[i].type, fam[i].help);
		prom_u64(w, NULL, 0, v);
	}
}

static void render_radius(struct prom_writer *w, const struct metrics_snap *s)
{
	const struct g511_ctl_radius_status *r = &s->radius;
	char srv[G511_ADDR_STRLEN + 16];
	uint64_t age;

	prom_family(w, "gate511_radius_enabled", PROM_GAUGE,
		    "1 if a radius_server is configured (the families below are written then).");
	prom_u64(w, NULL, 0, r->n_servers > 0);
	if (!r->n_servers && !r->dae_on)
		return;
	prom_family(w, "gate511_radius_server_state", PROM_GAUGE,
		    "1 for the state each RADIUS server is in (up: its last answer was good; "
		    "down: it timed out), 0 for the others.");
	for (unsigned int i = 0; i < r->n_servers && i < G511_CTL_RADIUS_SERVERS; i++) {
		radius_srv_label(&r->servers[i], srv, sizeof(srv));
		for (unsigned int st = 0; st < G511_RADIUS_SRV__MAX; st++) {
			struct prom_label l[] = { { "server", srv }, { "state", radius_srv_state[st] } };

			prom_u64(w, l, 2, r->servers[i].state == st);
		}
	}
	prom_family(w, "gate511_radius_server_last_ok_timestamp_seconds", PROM_GAUGE,
		    "When each server last answered well, in seconds since the Unix epoch "
		    "(0: never).");
	for (unsigned int i = 0; i < r->n_servers && i < G511_CTL_RADIUS_SERVERS; i++) {
		radius_srv_label(&r->servers[i], srv, sizeof(srv));
		u64_1(w, "server", srv, r->servers[i].last_ok_wall);
	}
	radius_per_server(w, r, "gate511_radius_server_requests_total",
			  "Packets sent to each server (retransmissions too).",
			  offsetof(struct g511_ctl_radius_server, requests));
	radius_per_server(w, r, "gate511_radius_server_timeouts_total",
			  "Exchanges with each server that got no valid answer.",
			  offsetof(struct g511_ctl_radius_server, timeouts));
	radius_per_server(w, r, "gate511_radius_server_bad_replies_total",
			  "Replies from each server dropped (wrong authenticator, no "
			  "Message-Authenticator, ...).",
			  offsetof(struct g511_ctl_radius_server, bad_replies));
	prom_family(w, "gate511_radius_access_requests_total", PROM_COUNTER,
		    "Access-Requests made (logins and MAC authentication).");
	prom_u64(w, NULL, 0, r->access_requests);
	prom_family(w, "gate511_radius_accepts_total", PROM_COUNTER, "Access-Accepts received.");
	prom_u64(w, NULL, 0, r->accepts);
	prom_family(w, "gate511_radius_rejects_total", PROM_COUNTER, "Access-Rejects received.");
	prom_u64(w, NULL, 0, r->rejects);
	prom_family(w, "gate511_radius_auth_timeouts_total", PROM_COUNTER,
		    "Access-Requests no server answered (after retries and failover).");
	prom_u64(w, NULL, 0, r->auth_timeouts);
	prom_family(w, "gate511_radius_acct_sent_total", PROM_COUNTER,
		    "Accounting-Requests sent.");
	prom_u64(w, NULL, 0, r->acct_sent);
	prom_family(w, "gate511_radius_acct_acked_total", PROM_COUNTER,
		    "Accounting records a server acknowledged (and so removed from the queue).");
	prom_u64(w, NULL, 0, r->acct_acked);
	prom_family(w, "gate511_radius_acct_timeouts_total", PROM_COUNTER,
		    "Accounting sends that got no answer.");
	prom_u64(w, NULL, 0, r->acct_timeouts);
	prom_family(w, "gate511_radius_queue_depth", PROM_GAUGE,
		    "Accounting records in the state DB not yet acknowledged.");
	prom_u64(w, NULL, 0, r->queue_depth);
	prom_family(w, "gate511_radius_queue_oldest_age_seconds", PROM_GAUGE,
		    "Age of the oldest unacknowledged accounting record (0: none).");
	age = r->queue_oldest_wall && s->now_wall > r->queue_oldest_wall ?
	      s->now_wall - r->queue_oldest_wall : 0;
	prom_u64(w, NULL, 0, age);
	prom_family(w, "gate511_radius_dae_enabled", PROM_GAUGE,
		    "1 if radius_dae_listen is set (CoA and Disconnect are served).");
	prom_u64(w, NULL, 0, r->dae_on);
	prom_family(w, "gate511_radius_dae_requests_total", PROM_COUNTER,
		    "CoA and Disconnect requests answered, by kind and result (ack, nak).");
	{
		static const char *const kind[] = { "coa", "coa", "disconnect", "disconnect" };
		static const char *const res[] = { "ack", "nak", "ack", "nak" };
		const uint64_t v[] = { r->coa_ack, r->coa_nak, r->dm_ack, r->dm_nak };

		for (int i = 0; i < 4; i++) {
			struct prom_label l[] = { { "kind", kind[i] }, { "result", res[i] } };

			prom_u64(w, l, 2, v[i]);
		}
	}
	prom_family(w, "gate511_radius_dae_dropped_total", PROM_COUNTER,
		    "CoA/Disconnect packets dropped unanswered (not a DAE client, not "
		    "authentic, stale, malformed).");
	prom_u64(w, NULL, 0, r->dae_dropped);
	if (r->mac_auth_on)
		render_mac_auth(w, r);
}

int metrics_render(const struct metrics_snap *s, char **out, size_t *len)
{
	struct prom_writer w;
	int err;

	prom_init(&w);
	render_process(&w, s);
	render_sources(&w, s);
	render_xdp(&w, s);
	render_responder(&w, s);
	render_grants(&w, s);
	render_maps(&w, s);
	render_latency(&w, s);
	render_listeners(&w, s);
	render_ifaces(&w, s);
	render_radius(&w, s);
	err = prom_err(&w);
	*out = prom_finish(&w, len);
	if (!*out)
		return err ? err : -ENOMEM;
	return 0;
}
