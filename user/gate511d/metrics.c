// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - the metrics listener (metrics.h): the registry of listeners
 * whose counters are shown, the gathering of one snapshot, and the HTTP
 * handler. metrics_render.c writes the text.
 *
 * A scrape holds daemon->lock only to copy: the ifaces' names and link
 * states, dup()s of the map fds (so an iface going away while we walk
 * closes nothing under us), the responder counters and one GROUP BY over
 * the grants table. The per-CPU stats and the map walks, which grow with
 * the CPUs and the number of clients, run after it is let go. Nothing is
 * written: maps are only looked up, the DB only selected from.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "log.h"
#include "maps.h"
#include "metrics.h"
#include "prom.h"
#include "radius.h"
#include "state.h"

/* ------------------------------------------------------------ registry */

static struct {
	pthread_mutex_t lock;
	struct {
		char name[16];
		const struct httpd *h;
	} l[METRICS_LISTENERS_MAX];
	unsigned int n;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

void metrics_listener_add(const char *name, const struct httpd *h)
{
	pthread_mutex_lock(&reg.lock);
	if (reg.n < METRICS_LISTENERS_MAX) {
		snprintf(reg.l[reg.n].name, sizeof(reg.l[reg.n].name), "%s", name);
		reg.l[reg.n].h = h;
		reg.n++;
	}
	pthread_mutex_unlock(&reg.lock);
}

void metrics_listener_del(const struct httpd *h)
{
	pthread_mutex_lock(&reg.lock);
	for (unsigned int i = 0; i < reg.n; i++) {
		if (reg.l[i].h == h) {
			memmove(&reg.l[i], &reg.l[i + 1], (reg.n - i - 1) * sizeof(reg.l[0]));
			reg.n--;
			break;
		}
	}
	pthread_mutex_unlock(&reg.lock);
}

/* Under reg.lock: a listener cannot be stopped while its counters are read. */
static void gather_listeners(struct metrics_snap *s)
{
	pthread_mutex_lock(&reg.lock);
	for (unsigned int i = 0; i < reg.n; i++) {
		memcpy(s->listeners[i].name, reg.l[i].name, sizeof(s->listeners[i].name));
		httpd_counters(reg.l[i].h, &s->listeners[i].c);
	}
	s->n_listeners = reg.n;
	pthread_mutex_unlock(&reg.lock);
}

/* --------------------------------------------------------------- maps */

/* What is copied under the lock and read after it. */
struct metrics_fds {
	struct map_set stats;			/* dup'd */
	int fill_fd[METRICS_MAP__MAX];		/* dup'd, -1 if none */
};

static const enum g511_map_id fill_ids[METRICS_MAP__MAX] = {
	[METRICS_MAP_CLIENTS] = G511_MAP_ID_CLIENTS,
	[METRICS_MAP_MACS] = G511_MAP_ID_MACS,
	[METRICS_MAP_GARDEN] = G511_MAP_ID_GARDEN,
};

static void fds_close(struct metrics_fds *f)
{
	for (int i = 0; i < f->stats.n; i++)
		if (f->stats.fds[i] >= 0)
			close(f->stats.fds[i]);
	for (int i = 0; i < METRICS_MAP__MAX; i++)
		if (f->fill_fd[i] >= 0)
			close(f->fill_fd[i]);
}

/* Under d->lock. */
static void fds_copy(struct g511_daemon *d, struct metrics_fds *f, struct metrics_snap *s)
{
	maps_distinct(d, G511_MAP_ID_STATS, &f->stats);
	for (int i = 0; i < f->stats.n; i++)
		f->stats.fds[i] = fcntl(f->stats.fds[i], F_DUPFD_CLOEXEC, 0);
	for (int i = 0; i < METRICS_MAP__MAX; i++) {
		enum g511_map_id id = fill_ids[i];

		f->fill_fd[i] = -1;
		/* the first iface's maps, as `gate511ctl status` shows them */
		if (d->n_ifaces && d->ifaces[0].maps.fd[id] >= 0) {
			f->fill_fd[i] = fcntl(d->ifaces[0].maps.fd[id], F_DUPFD_CLOEXEC, 0);
			s->fill[i].max_entries = d->ifaces[0].maps.max_entries[id];
		}
	}
}

static bool stats_read(const struct metrics_fds *f, struct metrics_snap *s)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *vals;
	bool ok = f->stats.n > 0;

	if (ncpus <= 0 || !ok)
		return false;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return false;
	for (int i = 0; i < f->stats.n && ok; i++) {
		for (__u32 k = 0; k < G511_STAT__MAX && ok; k++) {
			ok = f->stats.fds[i] >= 0 && !bpf_map_lookup_elem(f->stats.fds[i], &k, vals);
			for (int c = 0; c < ncpus && ok; c++)
				s->stats[k] += vals[c];
		}
	}
	free(vals);
	return ok;
}

/*
 * Entries in a map, by BPF_MAP_LOOKUP_BATCH where the map has it (the
 * hashes: it walks buckets, so entries deleted meanwhile do not restart
 * it), else by get_next_key (the LPM trie, which changes only on garden
 * edits). Bounded by max_entries + 1 steps either way.
 */
#define FILL_BATCH	256

static int map_count(int fd, __u32 key_size, __u32 val_size, uint64_t max, uint64_t *out)
{
	__u8 key[sizeof(struct g511_garden_key)], next[sizeof(struct g511_garden_key)];
	__u32 out_batch = 0;
	bool first = true;
	void *keys, *vals;
	uint64_t n = 0;
	int err;

	keys = malloc((size_t)FILL_BATCH * key_size);
	vals = malloc((size_t)FILL_BATCH * val_size);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (uint64_t step = 0; step <= max; step++) {
		__u32 count = FILL_BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &out_batch, &out_batch,
					   keys, vals, &count, NULL);
		if (err && errno != ENOENT)
			break;
		first = false;
		n += count;
		if (err) {		/* ENOENT: the walk is done */
			*out = n;
			free(keys);
			free(vals);
			return 0;
		}
	}
	free(keys);
	free(vals);
	if (!first || key_size > sizeof(key))
		return -EIO;
	/* no batch ops for this map type */
	n = 0;
	err = bpf_map_get_next_key(fd, NULL, next);
	while (!err && n <= max) {
		n++;
		memcpy(key, next, key_size);
		err = bpf_map_get_next_key(fd, key, next);
	}
	if (err && errno != ENOENT)
		return -errno;
	*out = n;
	return 0;
}

static void fill_read(const struct metrics_fds *f, struct metrics_snap *s)
{
	for (int i = 0; i < METRICS_MAP__MAX; i++) {
		const struct g511_map_desc *m = &g511_map_table[fill_ids[i]];

		if (f->fill_fd[i] < 0)
			continue;
		s->fill[i].known = !map_count(f->fill_fd[i], m->key_size, m->value_size,
					      s->fill[i].max_entries, &s->fill[i].entries);
	}
}

/* ------------------------------------------------------------- gather */

static void gather(struct g511_daemon *d, struct metrics_snap *s)
{
	struct metrics_fds f;

	memset(s, 0, sizeof(*s));
	memset(&f, 0, sizeof(f));
	pthread_mutex_lock(&d->lock);
	s->started_wall = d->started_wall;
	for (int i = 0; i < d->n_ifaces && i < (int)(sizeof(s->ifaces) / sizeof(s->ifaces[0]));
	     i++) {
		snprintf(s->ifaces[i].name, sizeof(s->ifaces[i].name), "%s", d->ifaces[i].name);
		s->ifaces[i].link_state = d->ifaces[i].link_state;
		s->n_ifaces++;
	}
	fds_copy(d, &f, s);
	xsk_set_counters(d, &s->xsk);	/* responders_rebuild() swaps the set */
	s->grants_ok = d->state && !state_grants_tally(d->state, s->grants);
	pthread_mutex_unlock(&d->lock);

	s->stats_ok = stats_read(&f, s);
	fill_read(&f, s);
	fds_close(&f);
	latency_read(&g511_lat_sweep, &s->sweep);
	latency_read(&g511_lat_commit, &s->commit);
	gather_listeners(s);
	{
		struct httpd_counters unused;

		s->api_on = api_listener_counters(&unused);
		if (s->api_on)
			api_counters_get(&s->api);
	}
	radius_status(d, &s->radius);	/* takes d->lock and the RADIUS lock itself */
	s->now_wall = g511_wall_s();
}

/* ------------------------------------------------------------ handler */

static struct httpd *metrics_httpd;

static void metrics_handler(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct g511_daemon *d = ctx;
	struct metrics_snap *s;
	int err;

	if (strcmp(req->path, "/metrics")) {
		httpd_resp_text(resp, 404, "text/plain; charset=utf-8", "not found: try /metrics\n");
		return;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		httpd_resp_add_header(resp, "Allow", "GET, HEAD");
		httpd_resp_text(resp, 405, "text/plain; charset=utf-8", "GET only\n");
		return;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		httpd_resp_error(resp, 503, "out of memory");
		return;
	}
	gather(d, s);
	err = metrics_render(s, &resp->body, &resp->body_len);
	free(s);
	if (err) {
		log_warnx("metrics: cannot render: %s", strerror(-err));
		httpd_resp_error(resp, 500, "cannot render the metrics");
		return;
	}
	resp->status = 200;
	resp->content_type = PROM_CONTENT_TYPE;
	httpd_resp_add_header(resp, "Cache-Control", "no-store");
}

int metrics_start(struct g511_daemon *d)
{
	struct httpd_opts o = {
		.name = "metrics",
		.listen = d->conf.metrics_listen,
		.max_body = 1024,	/* GET: no body wanted */
		.max_conns = 32,
		.max_per_ip = 8,
		.handler = metrics_handler,
		.ctx = d,
	};
	char why[256] = "";
	int err;

	if (!d->conf.metrics_listen.set)
		return 0;
	err = httpd_start(&o, &metrics_httpd, why, sizeof(why));
	if (err) {
		log_warnx("metrics listener: %s", why[0] ? why : strerror(-err));
		return err;
	}
	metrics_listener_add("metrics", metrics_httpd);
	return 0;
}

void metrics_stop(struct g511_daemon *d)
{
	(void)d;
	if (!metrics_httpd)
		return;
	metrics_listener_del(metrics_httpd);
	httpd_stop(metrics_httpd);
	metrics_httpd = NULL;
}
