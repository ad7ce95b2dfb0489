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
	err = prom_err(&w);
	*out = prom_finish(&w, len);
	if (!*out)
		return err ? err : -ENOMEM;
	return 0;
}
