// SPDX-License-Identifier: GPL-2.0
/*
 * maptab.c - gate511's BPF maps by id: the table, and opening them from a
 * program, from pins, with their shapes checked against include/gate511.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "gate511.h"
#include "maptab.h"

const struct g511_map_desc g511_map_table[G511_MAP_ID__MAX] = {
	[G511_MAP_ID_CLIENTS] = { G511_MAP_CLIENTS, BPF_MAP_TYPE_HASH,
				  sizeof(struct g511_addr), sizeof(struct g511_grant) },
	[G511_MAP_ID_MACS]    = { G511_MAP_MACS, BPF_MAP_TYPE_HASH,
				  sizeof(struct g511_mac), sizeof(struct g511_grant) },
	[G511_MAP_ID_GARDEN]  = { G511_MAP_GARDEN, BPF_MAP_TYPE_LPM_TRIE,
				  sizeof(struct g511_garden_key),
				  sizeof(struct g511_garden_val) },
	[G511_MAP_ID_CONFIG]  = { G511_MAP_CONFIG, BPF_MAP_TYPE_ARRAY,
				  sizeof(__u32), sizeof(struct g511_config) },
	[G511_MAP_ID_STATS]   = { G511_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
				  sizeof(__u32), sizeof(__u64) },
	[G511_MAP_ID_XSKS]    = { G511_MAP_XSKS, BPF_MAP_TYPE_XSKMAP,
				  sizeof(__u32), sizeof(__u32) },
	[G511_MAP_ID_GARDEN_NAMES] = { G511_MAP_GARDEN_NAMES, BPF_MAP_TYPE_LPM_TRIE,
				  sizeof(struct g511_gname_key),
				  sizeof(struct g511_gname_val) },
	[G511_MAP_ID_GARDEN_DNS] = { G511_MAP_GARDEN_DNS, BPF_MAP_TYPE_HASH,
				  sizeof(struct g511_addr), sizeof(struct g511_gdns_val) },
};

void g511_maps_init(struct g511_maps *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < G511_MAP_ID__MAX; i++)
		m->fd[i] = -1;
}

void g511_maps_close(struct g511_maps *m)
{
	for (int i = 0; i < G511_MAP_ID__MAX; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	g511_maps_init(m);
}

int g511_map_id_by_name(const char *name)
{
	for (int i = 0; i < G511_MAP_ID__MAX; i++)
		if (!strcmp(g511_map_table[i].name, name))
			return i;
	return -1;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int g511_maps_from_prog(int prog_fd, struct g511_maps *m, unsigned int want)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[32], n;
	unsigned int found = 0;
	int err;

	info.nr_map_ids = 32;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.nr_map_ids < 32 ? info.nr_map_ids : 32;
	for (__u32 i = 0; i < n; i++) {
		struct bpf_map_info mi;
		int fd = bpf_map_get_fd_by_id(ids[i]), id;

		if (fd < 0)
			return -errno;
		err = map_info(fd, &mi);
		if (err) {
			close(fd);
			return err;
		}
		id = g511_map_id_by_name(mi.name);
		if (id < 0 || !(want & (1U << id)) || m->fd[id] >= 0) {
			close(fd);
			continue;
		}
		m->fd[id] = fd;
		m->id[id] = mi.id;
		m->max_entries[id] = mi.max_entries;
		found |= 1U << id;
	}
	return (found & want) == want ? 0 : -ENOENT;
}

int g511_maps_open_pinned(const char *dir, unsigned int want, struct g511_maps *m,
			  char *err, size_t err_len)
{
	char path[PATH_MAX];

	for (int i = 0; i < G511_MAP_ID__MAX; i++) {
		int fd;

		if (!(want & (1U << i)) || m->fd[i] >= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, g511_map_table[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			int e = -errno;

			snprintf(err, err_len, "cannot open %s: %s", path, strerror(-e));
			return e;
		}
		m->fd[i] = fd;
	}
	return g511_maps_check(m, err, err_len);
}

int g511_maps_check(struct g511_maps *m, char *err, size_t err_len)
{
	for (int i = 0; i < G511_MAP_ID__MAX; i++) {
		const struct g511_map_desc *d = &g511_map_table[i];
		struct bpf_map_info info;
		int e;

		if (m->fd[i] < 0)
			continue;
		e = map_info(m->fd[i], &info);
		if (e) {
			snprintf(err, err_len, "cannot query map %s: %s", d->name,
				 strerror(-e));
			return e;
		}
		if (info.type != d->type || info.key_size != d->key_size ||
		    info.value_size != d->value_size) {
			snprintf(err, err_len,
				 "map %s has type %u key %u value %u, expected type %u "
				 "key %u value %u (program and tools from different builds?)",
				 d->name, info.type, info.key_size, info.value_size,
				 d->type, d->key_size, d->value_size);
			return -EINVAL;
		}
		m->max_entries[i] = info.max_entries;
		m->id[i] = info.id;
	}
	return 0;
}

void g511_config_set_hostmasks(struct g511_config *cfg)
{
	memset(cfg->client_hostmasks, 0, sizeof(cfg->client_hostmasks));
	for (int i = 0; i < G511_MAX_CLIENT_NETS && i < cfg->n_client_nets; i++) {
		__u32 len = cfg->client_nets[i].prefixlen;

		for (int w = 0; w < 4; w++) {
			int bits = (int)len - 32 * w;

			bits = bits < 0 ? 0 : bits > 32 ? 32 : bits;
			cfg->client_hostmasks[i][w] =
				htonl(bits == 32 ? 0 : 0xffffffffU >> bits);
		}
	}
}

static void filter_set(__u8 *bits, unsigned int b)
{
	bits[b >> 3] |= 1U << (b & 7);
}

void g511_filter_add_mac(struct g511_config *cfg, const __u8 mac[6])
{
	filter_set(cfg->mac_filter, mac[5]);
}

void g511_filter_add_garden(struct g511_config *cfg, const struct g511_garden_key *key)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };	/* ::ffff:0:0/96 */
	unsigned int len = key->prefixlen > 128 ? 128 : key->prefixlen;
	unsigned int cmp = len < 96 ? len : 96, full = cmp / 8, rest = cmp % 8;
	bool covers_v4 = !memcmp(key->addr, mapped, full) &&
			 (!rest || !((key->addr[full] ^ mapped[full]) & (0xff00 >> rest)));

	/* IPv4 destinations (::ffff:a.b.c.d), indexed by a */
	if (covers_v4) {
		if (len >= 96 + 8)
			filter_set(cfg->garden_filter4, key->addr[12]);
		else
			memset(cfg->garden_filter4, 0xff, sizeof(cfg->garden_filter4));
	}
	/* IPv6 destinations, indexed by their first byte */
	if (len >= 8)
		filter_set(cfg->garden_filter6, key->addr[0]);
	else
		memset(cfg->garden_filter6, 0xff, sizeof(cfg->garden_filter6));
}

void g511_filters_clear(struct g511_config *cfg)
{
	memset(cfg->mac_filter, 0, sizeof(cfg->mac_filter));
	memset(cfg->garden_filter4, 0, sizeof(cfg->garden_filter4));
	memset(cfg->garden_filter6, 0, sizeof(cfg->garden_filter6));
}
