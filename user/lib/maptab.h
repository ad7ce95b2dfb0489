/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maptab.h - the one table of gate511's BPF maps (names, types, key and
 * value sizes) for everything in user space that opens them: the daemon,
 * the CLI's read-only fallback and the tests. A map's shape is known here
 * and in include/gate511.h, nowhere else.
 */
#ifndef GATE511_MAPTAB_H
#define GATE511_MAPTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum g511_map_id {
	G511_MAP_ID_CLIENTS = 0,
	G511_MAP_ID_MACS,
	G511_MAP_ID_GARDEN,
	G511_MAP_ID_CONFIG,
	G511_MAP_ID_STATS,
	G511_MAP_ID_XSKS,
	G511_MAP_ID_GARDEN_NAMES,
	G511_MAP_ID_GARDEN_DNS,
	G511_MAP_ID__MAX,
};

struct g511_map_desc {
	const char *name;	/* also the pin name */
	__u32 type;		/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
};

extern const struct g511_map_desc g511_map_table[G511_MAP_ID__MAX];

/* The fds of one set of maps (one program's); -1 where not open. */
struct g511_maps {
	int fd[G511_MAP_ID__MAX];
	__u32 max_entries[G511_MAP_ID__MAX];
	__u32 id[G511_MAP_ID__MAX];	/* kernel map ids, 0 if unknown */
};

#define G511_MAPS_ALL	((1U << G511_MAP_ID__MAX) - 1)
/* The garden by name (phase 2): absent from older objects; names are the
 * TC program's map only. */
#define G511_MAPS_GNAME	((1U << G511_MAP_ID_GARDEN_NAMES) | (1U << G511_MAP_ID_GARDEN_DNS))

/* Every fd -1, every size 0. */
void g511_maps_init(struct g511_maps *m);
/* Close the open fds; leaves m as g511_maps_init() does. */
void g511_maps_close(struct g511_maps *m);

/* The id whose table name is name, or -1. */
int g511_map_id_by_name(const char *name);

/*
 * Take the gate511 maps out of a loaded program (its map ids, matched by
 * name). -ENOENT unless every map in want (a mask of 1 << id) was found.
 */
int g511_maps_from_prog(int prog_fd, struct g511_maps *m, unsigned int want);

/*
 * Open the pins dir/NAME of the maps in want. -ENOENT (err names the first
 * missing pin) if one is missing; shapes are checked as g511_maps_check().
 */
int g511_maps_open_pinned(const char *dir, unsigned int want, struct g511_maps *m,
			  char *err, size_t err_len);

/*
 * The open maps must have the table's type, key and value size; fills in
 * max_entries and id. -EINVAL with a sentence in err when one differs
 * (program and user space from different builds).
 */
int g511_maps_check(struct g511_maps *m, char *err, size_t err_len);

struct g511_config;
struct g511_garden_key;
/* Fill cfg->client_hostmasks from cfg->client_nets (before writing it). */
void g511_config_set_hostmasks(struct g511_config *cfg);

/*
 * The lookup prefilters of g511_config (include/gate511.h): _add_* sets the
 * bits a key needs (an over-approximation, never less); _clear empties
 * them. Neither touches cfg->filtered.
 */
void g511_filter_add_mac(struct g511_config *cfg, const __u8 mac[6]);
void g511_filter_add_garden(struct g511_config *cfg, const struct g511_garden_key *key);
void g511_filters_clear(struct g511_config *cfg);

#endif /* GATE511_MAPTAB_H */
