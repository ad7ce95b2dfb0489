// SPDX-License-Identifier: GPL-2.0
/*
 * pinned.c - list, show and stats straight from the pinned maps, for when
 * gate511d is not running. Read-only: the daemon stays the only writer.
 * Which maps there are and their shapes come from user/lib/maptab.h; the
 * maps carry no creation time, session length, origin or user (those live
 * in the daemon's database); deadlines are CLOCK_BOOTTIME, shown as wall
 * time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "addr.h"
#include "gate511ctl.h"
#include "maptab.h"

#define NSEC_PER_SEC 1000000000ULL

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * (int64_t)NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t boot_to_wall(uint64_t boot_ns)
{
	int64_t wall = clock_ns(CLOCK_REALTIME) +
		       ((int64_t)boot_ns - clock_ns(CLOCK_BOOTTIME));

	return wall <= 0 ? 0 : (uint64_t)wall / NSEC_PER_SEC;
}

/* Open the maps of want from pin_dir; their shapes are checked. */
static int open_maps(const char *pin_dir, unsigned int want, struct g511_maps *m,
		     char *err, size_t err_len)
{
	int ret;

	g511_maps_init(m);
	ret = g511_maps_open_pinned(pin_dir, want, m, err, err_len);
	if (ret)
		g511_maps_close(m);
	return ret;
}

static void grant_from_map(unsigned int kind, const __u8 *key,
			   const struct g511_grant *v, struct g511_ctl_grant *g)
{
	memset(g, 0, sizeof(*g));
	g->client.kind = kind;
	memcpy(g->client.key, key, kind == G511_CLIENT_MAC ? 6 : 16);
	g->grant_id = v->grant_id;
	if (v->expires_ns)
		g->expires_wall = boot_to_wall(v->expires_ns);
	g->idle_s = v->idle_ns / NSEC_PER_SEC;
	if (v->last_seen_ns && v->packets)	/* as gate511d: a packet seen */
		g->last_seen_wall = boot_to_wall(v->last_seen_ns);
	g->packets = v->packets;
	g->bytes = v->bytes;
	g->packets_down = v->packets_down;
	g->bytes_down = v->bytes_down;
	g->quota_bytes = v->quota_bytes;
	g->rate_up_bps = v->rate_up_bps;
	g->rate_down_bps = v->rate_down_bps;
	g->flags = G511_CTL_GF_IN_MAP;
	if (v->flags & G511_GRANT_F_MAC_BOUND) {
		memcpy(g->mac, v->mac, 6);
		g->flags |= G511_CTL_GF_MAC_BOUND;
	}
}

static int walk(int fd, enum g511_map_id id, unsigned int kind, pinned_grant_fn fn,
		void *ctx, char *err, size_t err_len)
{
	__u32 key_size = g511_map_table[id].key_size;
	__u8 key[16], next[16];
	struct g511_ctl_grant g;
	struct g511_grant v;
	bool first = true;
	int ret;

	for (;;) {
		ret = bpf_map_get_next_key(fd, first ? NULL : key, next);
		if (ret) {
			ret = ret == -ENOENT ? 0 : ret;
			break;
		}
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, &v))
			continue;	/* deleted meanwhile */
		grant_from_map(kind, key, &v, &g);
		fn(&g, ctx);
	}
	if (ret)
		snprintf(err, err_len, "cannot walk map %s: %s", g511_map_table[id].name,
			 strerror(-ret));
	return ret;
}

int pinned_list(const char *pin_dir, pinned_grant_fn fn, void *ctx, char *err,
		size_t err_len)
{
	struct g511_maps m;
	int ret;

	ret = open_maps(pin_dir, 1U << G511_MAP_ID_CLIENTS, &m, err, err_len);
	if (ret)
		return ret;
	ret = walk(m.fd[G511_MAP_ID_CLIENTS], G511_MAP_ID_CLIENTS, G511_CLIENT_ADDR, fn,
		   ctx, err, err_len);
	g511_maps_close(&m);
	if (ret)
		return ret;
	/* a program without a MAC map still has its client map */
	ret = open_maps(pin_dir, 1U << G511_MAP_ID_MACS, &m, err, err_len);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = walk(m.fd[G511_MAP_ID_MACS], G511_MAP_ID_MACS, G511_CLIENT_MAC, fn, ctx,
		   err, err_len);
	g511_maps_close(&m);
	return ret;
}

int pinned_show(const char *pin_dir, const struct g511_client *c,
		struct g511_ctl_grant *out, bool *found, char *err, size_t err_len)
{
	enum g511_map_id id = c->kind == G511_CLIENT_MAC ? G511_MAP_ID_MACS :
							   G511_MAP_ID_CLIENTS;
	struct g511_mac mkey = { 0 };
	const void *key = c->key;
	struct g511_maps m;
	struct g511_grant v;
	int ret;

	*found = false;
	ret = open_maps(pin_dir, 1U << id, &m, err, err_len);
	if (ret)
		return ret;
	if (id == G511_MAP_ID_MACS) {
		memcpy(mkey.mac, c->key, 6);
		key = &mkey;
	}
	if (bpf_map_lookup_elem(m.fd[id], key, &v) == 0) {
		grant_from_map(c->kind, c->key, &v, out);
		*found = true;
	}
	g511_maps_close(&m);
	return 0;
}

int pinned_stats(const char *pin_dir, struct g511_ctl_stats *out, char *err,
		 size_t err_len)
{
	int ncpus, c, ret = 0;
	struct g511_maps m;
	__u64 *vals;
	__u32 k;

	memset(out, 0, sizeof(*out));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		snprintf(err, err_len, "cannot count the possible CPUs");
		return ncpus < 0 ? ncpus : -EINVAL;
	}
	ret = open_maps(pin_dir, 1U << G511_MAP_ID_STATS, &m, err, err_len);
	if (ret)
		return ret;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals) {
		g511_maps_close(&m);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	out->n = G511_STAT__MAX;
	for (k = 0; k < G511_STAT__MAX; k++) {
		ret = bpf_map_lookup_elem(m.fd[G511_MAP_ID_STATS], &k, vals);
		if (ret) {
			snprintf(err, err_len, "cannot read map %s: %s",
				 g511_map_table[G511_MAP_ID_STATS].name, strerror(-ret));
			break;
		}
		for (c = 0; c < ncpus; c++)
			out->value[k] += vals[c];
	}
	free(vals);
	g511_maps_close(&m);
	return ret;
}
