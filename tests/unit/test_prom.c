// SPDX-License-Identifier: GPL-2.0
/*
 * test_prom.c - user/lib/prom.c, the Prometheus text format writer:
 * escaping of label values and help text, the name rules, counters named
 * *_total, a family begun twice refused, histograms cumulative with
 * +Inf == _count; and user/gate511d/metrics_render.c on a made-up
 * snapshot, checked by the real `promtool check metrics` (Debian's
 * prometheus package; skipped without it) and for the series the e2e
 * test and dashboards rely on.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "prom.h"
#include "metrics.h"
#include "metrics_render.c"

#define PROMTOOL "/usr/bin/promtool"

static char *finish(struct prom_writer *w)
{
	size_t len = 0;

	return prom_finish(w, &len);
}

static bool escaping(void)
{
	struct prom_writer w;
	struct prom_label l[] = {
		{ "path", "a\\b\"c\nd" },
		{ "plain", "x y{}=," },
	};
	bool ok = true;
	char *s;

	prom_init(&w);
	prom_family(&w, "t_things_total", PROM_COUNTER, "help with \\ and\nnewline \"kept\"");
	prom_u64(&w, l, 2, 18446744073709551615ULL);
	s = finish(&w);
	ok &= ASSERT_TRUE(s != NULL, "rendered");
	if (!s)
		return false;
	ok &= ASSERT_STREQ(s,
			   "# HELP t_things_total help with \\\\ and\\nnewline \"kept\"\n"
			   "# TYPE t_things_total counter\n"
			   "t_things_total{path=\"a\\\\b\\\"c\\nd\",plain=\"x y{}=,\"} "
			   "18446744073709551615\n",
			   "escapes and a full u64");
	free(s);
	return ok;
}

static bool values(void)
{
	struct prom_writer w;
	bool ok = true;
	char *s;

	prom_init(&w);
	prom_family(&w, "t_gauge", PROM_GAUGE, NULL);
	prom_f64(&w, NULL, 0, 0.1);
	prom_f64(&w, NULL, 0, 1.5e-7);
	prom_f64(&w, NULL, 0, INFINITY);
	prom_f64(&w, NULL, 0, -INFINITY);
	prom_f64(&w, NULL, 0, NAN);
	s = finish(&w);
	ok &= ASSERT_STREQ(s,
			   "# TYPE t_gauge gauge\n"
			   "t_gauge 0.1\n"
			   "t_gauge 1.5e-07\n"
			   "t_gauge +Inf\n"
			   "t_gauge -Inf\n"
			   "t_gauge NaN\n",
			   "shortest round-trip floats, Go's specials; no HELP when NULL");
	free(s);
	return ok;
}

static bool names(void)
{
	static const struct {
		const char *name;
		bool metric_ok, label_ok;
	} cases[] = {
		{ "gate511_packets_total", true, true },
		{ "a:b", true, false },
		{ "_x", true, true },
		{ "__reserved", true, false },
		{ "9lives", false, false },
		{ "has-dash", false, false },
		{ "has space", false, false },
		{ "", false, false },
		{ "é", false, false },
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok &= ASSERT_EQ(prom_name_ok(cases[i].name), cases[i].metric_ok, cases[i].name);
		ok &= ASSERT_EQ(prom_label_name_ok(cases[i].name), cases[i].label_ok,
				cases[i].name);
	}
	return ok;
}

/* Each misuse is refused with its error, and the error sticks. */
static bool refusals(void)
{
	struct prom_writer w;
	struct prom_label bad = { "bad-name", "v" }, le = { "le", "1" };
	bool ok = true;

	prom_init(&w);
	prom_family(&w, "t_requests", PROM_COUNTER, "no _total");
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "counter without _total");
	prom_family(&w, "t_ok_total", PROM_COUNTER, "later calls do nothing");
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "the first error sticks");
	ok &= ASSERT_TRUE(finish(&w) == NULL, "no text after an error");

	prom_init(&w);
	prom_family(&w, "t_level_total", PROM_GAUGE, "gauge named like a counter");
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "gauge with _total");
	prom_free(&w);

	prom_init(&w);
	prom_family(&w, "t_a_total", PROM_COUNTER, "a");
	prom_u64(&w, NULL, 0, 1);
	prom_family(&w, "t_b", PROM_GAUGE, "b");
	prom_family(&w, "t_a_total", PROM_COUNTER, "a again");
	ok &= ASSERT_EQ(prom_err(&w), -EEXIST, "a family in two places");
	prom_free(&w);

	prom_init(&w);
	prom_u64(&w, NULL, 0, 1);
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "a sample before any family");
	prom_free(&w);

	prom_init(&w);
	prom_family(&w, "t_c_total", PROM_COUNTER, "c");
	prom_u64(&w, &bad, 1, 1);
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "bad label name");
	prom_free(&w);

	prom_init(&w);
	prom_family(&w, "t_h_seconds", PROM_HISTOGRAM, "h");
	prom_u64(&w, NULL, 0, 1);
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "a plain sample in a histogram");
	prom_free(&w);

	prom_init(&w);
	prom_family(&w, "t_h_seconds", PROM_HISTOGRAM, "h");
	prom_histogram(&w, &le, 1, (const double[]){ 1 }, (const uint64_t[]){ 1 }, 1, 0, 1);
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "le is the writer's");
	prom_free(&w);

	prom_init(&w);
	prom_family(&w, "t_h_seconds", PROM_HISTOGRAM, "h");
	prom_histogram(&w, NULL, 0, (const double[]){ 2, 1 }, (const uint64_t[]){ 1, 1 }, 2, 0,
		       1);
	ok &= ASSERT_EQ(prom_err(&w), -EINVAL, "bounds not ascending");
	prom_free(&w);
	return ok;
}

static bool histogram(void)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };
	static const uint64_t buckets[] = { 2, 0, 3 };
	struct prom_label l = { "op", "commit" };
	struct prom_writer w;
	bool ok = true;
	char *s;

	prom_init(&w);
	prom_family(&w, "t_op_seconds", PROM_HISTOGRAM, "How long.");
	prom_histogram(&w, &l, 1, bounds, buckets, 3, 4, 1.25);
	s = finish(&w);
	ok &= ASSERT_STREQ(s,
			   "# HELP t_op_seconds How long.\n"
			   "# TYPE t_op_seconds histogram\n"
			   "t_op_seconds_bucket{op=\"commit\",le=\"0.001\"} 2\n"
			   "t_op_seconds_bucket{op=\"commit\",le=\"0.01\"} 2\n"
			   "t_op_seconds_bucket{op=\"commit\",le=\"0.1\"} 5\n"
			   "t_op_seconds_bucket{op=\"commit\",le=\"+Inf\"} 9\n"
			   "t_op_seconds_sum{op=\"commit\"} 1.25\n"
			   "t_op_seconds_count{op=\"commit\"} 9\n",
			   "cumulative buckets, +Inf equals count");
	free(s);
	return ok;
}

static bool latency_buckets(void)
{
	struct latency_hist h;
	struct latency_snap snap;
	bool ok = true;

	memset(&h, 0, sizeof(h));
	latency_observe(&h, 50000);		/* on the first bound: in it */
	latency_observe(&h, 50001);		/* just above: the second */
	latency_observe(&h, 20000000000ULL);	/* 20 s: above every bound */
	latency_read(&h, &snap);
	ok &= ASSERT_EQ(snap.buckets[0], 1, "le 50 us");
	ok &= ASSERT_EQ(snap.buckets[1], 1, "le 100 us");
	ok &= ASSERT_EQ(snap.buckets[LATENCY_BUCKETS], 1, "+Inf only");
	ok &= ASSERT_EQ(snap.sum_ns, 50000 + 50001 + 20000000000ULL, "sum");
	for (int i = 1; i < LATENCY_BUCKETS; i++)
		ok &= ASSERT_TRUE(latency_bounds_s[i] > latency_bounds_s[i - 1], "ascending");
	return ok;
}

/* A snapshot with every part filled, and awkward strings in the labels. */
static void made_up(struct metrics_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->started_wall = 1700000000;
	s->stats_ok = true;
	for (int i = 0; i < G511_STAT__MAX; i++)
		s->stats[i] = 1000 + i;
	s->xsk.sockets = 2;
	s->xsk.rx_frames = 10;
	s->xsk.actions[G511_RESP_HTTP] = 3;
	s->grants_ok = true;
	s->grants[G511_CLIENT_ADDR][G511_ORIGIN_CLI] = 5;
	s->grants[G511_CLIENT_MAC][G511_ORIGIN_API] = 1;
	for (int i = 0; i < METRICS_MAP__MAX; i++) {
		s->fill[i].known = true;
		s->fill[i].entries = i;
		s->fill[i].max_entries = 65536;
	}
	latency_observe(&g511_lat_commit, 3000000);
	latency_read(&g511_lat_commit, &s->commit);
	snprintf(s->listeners[0].name, sizeof(s->listeners[0].name), "metrics");
	s->listeners[0].c.requests = 7;
	s->listeners[0].c.status_2xx = 6;
	snprintf(s->listeners[1].name, sizeof(s->listeners[1].name), "cap\"port\\");
	s->n_listeners = 2;
	snprintf(s->ifaces[0].name, sizeof(s->ifaces[0].name), "veth0");
	s->n_ifaces = 1;
	s->radius.n_servers = 2;
	s->radius.dae_on = 1;
	addr_parse("10.52.0.2", &s->radius.servers[0].addr);
	s->radius.servers[0].auth_port = 1812;
	s->radius.servers[0].state = G511_RADIUS_SRV_UP;
	s->radius.servers[0].requests = 9;
	addr_parse("2001:db8::2", &s->radius.servers[1].addr);
	s->radius.servers[1].auth_port = 1812;
	s->radius.servers[1].state = G511_RADIUS_SRV_DOWN;
	s->radius.servers[1].timeouts = 4;
	s->radius.accepts = 3;
	s->radius.queue_depth = 2;
	s->radius.queue_oldest_wall = 1700000000;
	s->now_wall = 1700000042;
	s->radius.coa_nak = 5;
	s->radius.dae_dropped = 6;
	s->radius.mac_auth_on = 1;
	s->radius.mac_rejects = 7;
	s->radius.mac_pending = 2;
}

static bool render_series(void)
{
	struct metrics_snap s;
	size_t len = 0;
	char *text = NULL;
	bool ok = true;

	made_up(&s);
	ok &= ASSERT_EQ(metrics_render(&s, &text, &len), 0, "rendered");
	if (!text)
		return false;
	ok &= ASSERT_EQ(strlen(text), len, "length");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_packets_total{verdict=\"pass_client\"} 1000\n") !=
			  NULL, "verdict series");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_events_total{event=\"grant_expired\"} ") != NULL,
			  "event series, ev_ prefix dropped");
	ok &= ASSERT_TRUE(strstr(text, "verdict=\"ev_") == NULL, "events are not verdicts");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_responder_actions_total{action=\"http_511\"} 3\n")
			  != NULL, "511 responder counter");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_grants{kind=\"address\",origin=\"cli\"} 5\n") !=
			  NULL, "grants by kind and origin");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_grants{kind=\"mac\",origin=\"radius\"} 0\n") !=
			  NULL, "zero series present");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_map_max_entries{map=\"g511_garden\"} 65536\n") !=
			  NULL, "capacity");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_db_commit_duration_seconds_bucket{le=\"0.005\"} 1\n")
			  != NULL, "commit histogram");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_http_requests_total{listener=\"metrics\","
				       "code=\"other\"} 1\n") != NULL, "status classes add up");
	ok &= ASSERT_TRUE(strstr(text, "listener=\"cap\\\"port\\\\\"") != NULL,
			  "listener name escaped");
	ok &= ASSERT_TRUE(strstr(text, "gate511_build_info{version=\"" G511_VERSION "\"} 1\n") !=
			  NULL, "build info");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_interface_state{interface=\"veth0\","
				       "state=\"enforcing\"} 1\n") != NULL, "iface state");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_server_state{server=\"10.52.0.2:1812\","
				       "state=\"up\"} 1\n") != NULL, "radius server up");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_server_state{server=\"[2001:db8::2]:1812\","
				       "state=\"down\"} 1\n") != NULL, "radius server down, v6");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_server_timeouts_total{server="
				       "\"[2001:db8::2]:1812\"} 4\n") != NULL, "per-server timeouts");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_accepts_total 3\n") != NULL, "accepts");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_queue_depth 2\n") != NULL, "queue");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_queue_oldest_age_seconds 42\n") != NULL,
			  "oldest record's age");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_dae_requests_total{kind=\"coa\","
				       "result=\"nak\"} 5\n") != NULL, "CoA by result");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_dae_dropped_total 6\n") != NULL,
			  "DAE drops");
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_mac_auth_rejects_total 7\n") != NULL,
			  "MAC auth rejects");
	ok &= ASSERT_TRUE(strstr(text, "# TYPE gate511_radius_mac_auth_pending gauge\n"
				       "gate511_radius_mac_auth_pending 2\n") != NULL,
			  "MAC auth pending, a gauge");
	free(text);

	/* RADIUS off: only gate511_radius_enabled 0 */
	made_up(&s);
	memset(&s.radius, 0, sizeof(s.radius));
	ok &= ASSERT_EQ(metrics_render(&s, &text, &len), 0, "rendered without RADIUS");
	if (!text)
		return false;
	ok &= ASSERT_TRUE(strstr(text, "\ngate511_radius_enabled 0\n") != NULL, "radius off");
	ok &= ASSERT_TRUE(strstr(text, "gate511_radius_queue_depth") == NULL, "no radius families");
	ok &= ASSERT_TRUE(strstr(text, "gate511_radius_mac_auth") == NULL, "no MAC auth families");
	free(text);

	/* a source that could not be read: its families left out, flagged */
	made_up(&s);
	s.stats_ok = false;
	s.grants_ok = false;
	ok &= ASSERT_EQ(metrics_render(&s, &text, &len), 0, "rendered without sources");
	if (!text)
		return false;
	ok &= ASSERT_TRUE(strstr(text, "gate511_packets_total") == NULL, "no verdicts");
	ok &= ASSERT_TRUE(strstr(text, "gate511_grants{") == NULL, "no grants");
	ok &= ASSERT_TRUE(strstr(text, "gate511_scrape_source_ok{source=\"state_db\"} 0\n") != NULL,
			  "flagged");
	free(text);
	return ok;
}

/* `promtool check metrics` on text; 1 passed, 0 failed, -1 cannot run.
 * Its complaint is printed when a failure was not expected (want_ok). */
static int promtool_check(const char *text, size_t len, bool want_ok)
{
	char path[] = "/tmp/test_prom.XXXXXX";
	char cmd[128], out[4096];
	FILE *p;
	size_t n;
	int fd, status;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), PROMTOOL " check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	if (!p) {
		unlink(path);
		return -1;
	}
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	unlink(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (want_ok)
			fprintf(stderr, "  promtool: %s", out);
		return 0;
	}
	return 1;
}

static bool promtool(void)
{
	struct metrics_snap s;
	size_t len = 0;
	char *text = NULL;
	bool ok = true;

	made_up(&s);
	if (metrics_render(&s, &text, &len))
		return ASSERT_TRUE(false, "rendered");
	ok &= ASSERT_EQ(promtool_check(text, len, true), 1, "promtool check metrics passes");
	free(text);

	/* and the tool can fail: a counter without _total, written by hand */
	{
		static const char bad[] = "# HELP t_x x\n# TYPE t_x counter\nt_x 1\n";

		ok &= ASSERT_EQ(promtool_check(bad, sizeof(bad) - 1, false), 0,
				"promtool refuses a counter without _total");
	}
	return ok;
}

int main(void)
{
	RUN_CASE(escaping);
	RUN_CASE(values);
	RUN_CASE(names);
	RUN_CASE(refusals);
	RUN_CASE(histogram);
	RUN_CASE(latency_buckets);
	RUN_CASE(render_series);
	if (access(PROMTOOL, X_OK))
		test_skip("promtool", PROMTOOL " not installed (Debian prometheus)");
	else
		RUN_CASE(promtool);
	return test_summary();
}
