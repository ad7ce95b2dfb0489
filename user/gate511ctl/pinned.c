// SPDX-License-Identifier: GPL-2.0
/*
 * pinned.c - list, show and stats straight from the pinned maps, for when
 * gate511d is not running. Read-only: the daemon stays the only writer.
 * The maps carry no creation time or session length (those live in the
 * daemon's database); deadlines are CLOCK_BOOTTIME, shown as wall time.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "addr.h"
#include "gate511ctl.h"

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

/* Open a pinned map and check it has the layout we read. */
static int pin_open(const char *name, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cli.pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.key_size != key_size || info.value_size != value_size) {
		close(fd);
		return -EINVAL;
	}
	return fd;
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
	if (v->last_seen_ns)
		g->last_seen_wall = boot_to_wall(v->last_seen_ns);
	g->packets = v->packets;
	g->bytes = v->bytes;
	g->flags = G511_CTL_GF_IN_MAP;
	if (v->flags & G511_GRANT_F_MAC_BOUND) {
		memcpy(g->mac, v->mac, 6);
		g->flags |= G511_CTL_GF_MAC_BOUND;
	}
}

static int walk(const char *name, unsigned int kind, pinned_grant_fn fn,
		void *ctx)
{
	__u32 key_size = kind == G511_CLIENT_MAC ? sizeof(struct g511_mac) :
						   sizeof(struct g511_addr);
	__u8 key[16], next[16];
	struct g511_ctl_grant g;
	struct g511_grant v;
	bool first = true;
	int fd, err;

	fd = pin_open(name, key_size, sizeof(struct g511_grant));
	if (fd < 0)
		return fd;
	for (;;) {
		err = bpf_map_get_next_key(fd, first ? NULL : key, next);
		if (err) {
			err = err == -ENOENT ? 0 : err;
			break;
		}
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, &v))
			continue;	/* deleted meanwhile */
		grant_from_map(kind, key, &v, &g);
		fn(&g, ctx);
	}
	close(fd);
	return err;
}

int pinned_list(pinned_grant_fn fn, void *ctx)
{
	int err;

	err = walk(G511_MAP_CLIENTS, G511_CLIENT_ADDR, fn, ctx);
	if (err)
		return err;
	err = walk(G511_MAP_MACS, G511_CLIENT_MAC, fn, ctx);
	/* a program without a MAC map still has its client map */
	return err == -ENOENT ? 0 : err;
}

int pinned_show(const struct g511_client *c, struct g511_ctl_grant *out,
		bool *found)
{
	bool mac = c->kind == G511_CLIENT_MAC;
	struct g511_mac mkey = { 0 };
	struct g511_grant v;
	const void *key = c->key;
	int fd;

	*found = false;
	fd = pin_open(mac ? G511_MAP_MACS : G511_MAP_CLIENTS,
		      mac ? sizeof(struct g511_mac) : sizeof(struct g511_addr),
		      sizeof(struct g511_grant));
	if (fd < 0)
		return fd;
	if (mac) {
		memcpy(mkey.mac, c->key, 6);
		key = &mkey;
	}
	if (bpf_map_lookup_elem(fd, key, &v) == 0) {
		grant_from_map(c->kind, c->key, &v, out);
		*found = true;
	}
	close(fd);
	return 0;
}

int pinned_stats(struct g511_ctl_stats *out)
{
	int fd, ncpus, c, err = 0;
	__u64 *vals;
	__u32 k;

	memset(out, 0, sizeof(*out));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return -EINVAL;
	fd = pin_open(G511_MAP_STATS, sizeof(__u32), sizeof(__u64));
	if (fd < 0)
		return fd;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals) {
		close(fd);
		return -ENOMEM;
	}
	out->n = G511_STAT__MAX;
	for (k = 0; k < G511_STAT__MAX; k++) {
		err = bpf_map_lookup_elem(fd, &k, vals);
		if (err)
			break;
		for (c = 0; c < ncpus; c++)
			out->value[k] += vals[c];
	}
	free(vals);
	close(fd);
	return err;
}
